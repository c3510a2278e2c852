"""Streaming metrics: the stream equals the one-shot value; config; saving."""

import keras
import numpy as np
import pytest
import scipy.linalg

from keras_wass import metrics, ops
from tests.helpers import jit, to_numpy


def _scipy_fid(f1, f2):
    m1, m2 = f1.mean(0), f2.mean(0)
    c1, c2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    return float(((m1 - m2) ** 2).sum() + np.trace(c1 + c2 - 2 * scipy.linalg.sqrtm(c1 @ c2).real))


def test_frechet_streaming_equals_whole_set(rng):
    real = rng.normal(size=(600, 5)) + 100.0  # an offset stresses the sums
    fake = rng.normal(size=(450, 5)) * 1.3 + 100.5
    metric = metrics.FrechetDistance()
    for start in range(0, 600, 128):  # unequal batch sizes, last one short
        metric.update_state(real[start:start + 128], fake[start * 3 // 4:(start + 128) * 3 // 4])
    assert float(metric.result()) == pytest.approx(_scipy_fid(real, fake), rel=1e-3)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_frechet_feature_extractor_and_images(rng):
    extractor = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    images = rng.normal(size=(64, 4, 4, 1)).astype("float32")
    metric = metrics.FrechetDistance(feature_extractor=extractor)
    metric.update_state(images, images)
    assert float(metric.result()) == pytest.approx(0.0, abs=1e-4)
    config = metric.get_config()
    clone = metrics.FrechetDistance.from_config(config)
    assert clone.num_features == 3


def test_frechet_compiled_update(rng):
    metric = metrics.FrechetDistance(num_features=3)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 3)).astype("float32")
    metric.update_state(x, y)
    eager = float(metric.result())
    metric.reset_state()
    stateless = metric.stateless_update_state
    variables = [v.value for v in metric.variables]
    variables = jit(lambda vs, a, b: stateless(vs, a, b))(variables, x, y)
    assert float(to_numpy(metric.stateless_result(variables))) == pytest.approx(eager, rel=1e-4)


def test_frechet_bad_input():
    metric = metrics.FrechetDistance()
    metric.update_state(np.zeros((4, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="dimension"):
        metric.update_state(np.zeros((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="`y_pred`"):
        metric.update_state(np.zeros((4, 3)), np.full((4, 3), np.nan))
    with pytest.raises(ValueError, match="`num_features`"):
        metrics.FrechetDistance(num_features=0)


def test_sliced_metric_is_mean_of_values(rng):
    x, y = rng.normal(size=(6, 10, 2)), rng.normal(size=(6, 10, 2)) + 1
    metric = metrics.SlicedWassersteinMetric(seed=3)
    metric.update_state(x[:4], y[:4])
    metric.update_state(x[4:], y[4:])
    expected = to_numpy(ops.sliced_wasserstein(x, y, seed=3)).mean()
    assert float(metric.result()) == pytest.approx(float(expected), rel=1e-5)
    clone = metrics.SlicedWassersteinMetric.from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()


def test_sliced_metric_in_compile_and_saved(tmp_path, rng):
    x = rng.normal(size=(16, 5, 2)).astype("float32")
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.SlicedWassersteinMetric(n_projections=8, seed=0)])
    history = model.fit(x, x, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["sliced_wasserstein"]))
    model.save(tmp_path / "m.keras")
    keras.saving.load_model(tmp_path / "m.keras").evaluate(x, x, verbose=0)


def test_frechet_metric_in_compile_and_fit(rng):
    # Regression: on PyTorch, Keras's symbolic build of `fit` runs
    # update_state on "meta" tensors, and `.value + x` mixed devices.
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 4)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.FrechetDistance(num_features=4)])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["frechet_distance"]))
    got = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)["frechet_distance"]
    direct = metrics.FrechetDistance()
    direct.update_state(y, model.predict(x, verbose=0))
    # Two streamed batches against one update, float32 state on JAX (no x64):
    # the same 1e-3 as the streaming test against SciPy above.
    assert got == pytest.approx(float(direct.result()), rel=1e-3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_frechet_result_of_non_finite_state_is_nan_not_an_error(bad):
    # PyTorch's eigh raises on NaN ("failed to converge") where JAX and
    # TensorFlow return NaN; and the clamp at 0 must not hide it.
    metric = metrics.FrechetDistance(num_features=3)
    metric.update_state(np.eye(3), np.eye(3) * 2.0)
    state = metric._stats["real"]["outer"]
    state.assign(keras.ops.convert_to_tensor(np.full((3, 3), bad), dtype=state.dtype))
    assert np.isnan(float(metric.result()))
    metric.reset_state()
    metric.update_state(np.eye(3), np.eye(3))
    assert float(metric.result()) == pytest.approx(0.0, abs=1e-5)


@pytest.mark.backends("torch")
def test_frechet_survives_torch_symbolic_build_reading_uninitialised_memory(rng, monkeypatch):
    # Regression (seen in a CI-like run: `evaluate` of a loaded model raised
    # torch's "eigh failed to converge"). Keras 3.15's PyTorch symbolic build
    # tries "meta" tensors, then re-runs eagerly in the same stateless scope,
    # where the metric's state is the meta placeholders made real by
    # `torch.empty_like`: uninitialised memory. NaN-filled here, so the
    # garbage is deterministic.
    import torch

    empty_like = torch.empty_like

    def nan_like(x, *args, **kwargs):
        out = empty_like(x, *args, **kwargs)
        if out.is_floating_point() and out.device.type != "meta":
            out.fill_(float("nan"))
        return out

    monkeypatch.setattr(torch, "empty_like", nan_like)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 4)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.FrechetDistance(num_features=4)])
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["frechet_distance"]))
    got = model.evaluate(x, y, verbose=0, return_dict=True)["frechet_distance"]
    direct = metrics.FrechetDistance()
    direct.update_state(y, model.predict(x, verbose=0))
    assert got == pytest.approx(float(direct.result()), rel=1e-3)
