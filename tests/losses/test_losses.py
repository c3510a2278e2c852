"""Losses: reference values, compile + fit (jit on and off), config, saving."""

import keras
import numpy as np
import ot
import pytest
import scipy.stats

from keras_wass import losses
from tests.helpers import BACKEND, grad, to_numpy


def test_c07_wasserstein_loss_label_convention():
    # C07: reals [2, 4] labelled -1 give -3, fakes [1, 1] labelled +1 give +1,
    # and the four in one batch give (-2 - 4 + 1 + 1) / 4 = -1.
    loss = losses.WassersteinLoss()
    real = np.array([[2.0], [4.0]])
    fake = np.array([[1.0], [1.0]])
    assert float(loss(-np.ones((2, 1)), real)) == -3.0
    assert float(loss(np.ones((2, 1)), fake)) == 1.0
    labels = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    assert float(loss(labels, np.concatenate([real, fake]))) == -1.0
    np.testing.assert_allclose(to_numpy(losses.wasserstein_loss(labels, np.concatenate([real, fake]))), [-2, -4, 1, 1])


def test_wasserstein_1d_loss_matches_scipy(rng):
    y_true, y_pred = rng.normal(size=(4, 12)), rng.normal(size=(4, 7))
    values = to_numpy(losses.Wasserstein1DLoss(reduction=None)(y_true, y_pred))
    expected = [scipy.stats.wasserstein_distance(y_true[i], y_pred[i]) for i in range(4)]
    np.testing.assert_allclose(values, expected, rtol=1e-5)


@pytest.mark.parametrize("p", [1, 2])
def test_histogram_loss_matches_pot(rng, p):
    k = 6
    positions = np.sort(rng.uniform(0, 10, size=k))
    true = rng.dirichlet(np.ones(k), size=3)
    pred = rng.dirichlet(np.ones(k), size=3)
    loss = losses.HistogramWasserstein1DLoss(p=p, bin_positions=positions, reduction=None)
    got = to_numpy(loss(true, pred))
    expected = [ot.wasserstein_1d(positions, positions, true[i], pred[i], p=p) ** (1 / p) for i in range(3)]
    np.testing.assert_allclose(got, expected, rtol=2e-5)


def test_histogram_loss_is_ordinal():
    loss = losses.HistogramWasserstein1DLoss(reduction=None)
    pred = np.eye(4)
    # Class ids (sparse) or one-hot give the same; cost grows with distance.
    sparse = to_numpy(loss(np.zeros(4, dtype="int32"), pred))
    np.testing.assert_allclose(sparse, [0, 1, 2, 3])
    np.testing.assert_allclose(to_numpy(loss(np.tile([1.0, 0, 0, 0], (4, 1)), pred)), [0, 1, 2, 3])


def test_sliced_loss_per_element(rng):
    x, y = rng.normal(size=(3, 10, 2)), rng.normal(size=(3, 10, 2))
    values = to_numpy(losses.SlicedWassersteinLoss(seed=1, reduction=None)(x, y))
    assert values.shape == (3,) and np.all(values > 0)


@pytest.mark.parametrize("factory", [
    lambda: losses.Wasserstein1DLoss(p=2),
    lambda: losses.HistogramWasserstein1DLoss(p=2),
    lambda: losses.SlicedWassersteinLoss(n_projections=8, seed=0),
])
def test_gradients_finite_at_identical_inputs(factory):
    loss = factory()
    if isinstance(loss, losses.SlicedWassersteinLoss):
        x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    elif isinstance(loss, losses.HistogramWasserstein1DLoss):
        x = np.full((2, 4), 0.25, dtype="float32")
    else:
        x = np.random.default_rng(0).normal(size=(2, 5)).astype("float32")
    (g,) = grad(lambda a: loss(x, a), x)
    assert np.all(np.isfinite(g))


def _fit_case(name):
    rng = np.random.default_rng(0)
    if name == "wasserstein":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = np.where(rng.uniform(size=(32, 1)) < 0.5, -1.0, 1.0).astype("float32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        return model, losses.WassersteinLoss(), x, y
    if name == "1d":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = rng.normal(2.0, 1.0, size=(32, 8)).astype("float32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8)])
        return model, losses.Wasserstein1DLoss(p=2), x, y
    if name == "histogram":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = rng.integers(0, 4, size=(32,)).astype("int32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
        return model, losses.HistogramWasserstein1DLoss(), x, y
    x = rng.normal(size=(32, 6, 2)).astype("float32")
    y = (rng.normal(size=(32, 6, 2)) + 1.0).astype("float32")
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.Dense(2)])
    return model, losses.SlicedWassersteinLoss(n_projections=16), x, y


@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("name", ["wasserstein", "1d", "histogram", "sliced"])
def test_compile_fit(name, jit_compile):
    model, loss, x, y = _fit_case(name)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss, jit_compile=jit_compile)
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    values = history.history["loss"]
    assert np.all(np.isfinite(values))
    if name != "wasserstein":  # the critic loss is unbounded below
        assert values[-1] < values[0]


@pytest.mark.parametrize("loss", [
    losses.WassersteinLoss(),
    losses.Wasserstein1DLoss(p=3),
    losses.HistogramWasserstein1DLoss(p=2, bin_positions=[0.0, 1.0, 5.0]),
    losses.SlicedWassersteinLoss(n_projections=7, p=1, seed=3),
])
def test_config_round_trip(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config


@pytest.mark.parametrize("name", ["wasserstein", "1d", "histogram", "sliced"])
def test_keras_save_load(tmp_path, name):
    model, loss, x, y = _fit_case(name)
    model.compile(optimizer="adam", loss=loss)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored.loss) is type(loss)
    assert restored.loss.get_config() == loss.get_config()
    np.testing.assert_allclose(to_numpy(restored.predict(x, verbose=0)), to_numpy(model.predict(x, verbose=0)), rtol=1e-6)
    restored.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("factory, name", [
    (lambda: losses.Wasserstein1DLoss(p=0), "`p`"),
    (lambda: losses.HistogramWasserstein1DLoss(bin_positions=[0, 0, 1]), "`bin_positions`"),
    (lambda: losses.SlicedWassersteinLoss(n_projections=0), "`n_projections`"),
    (lambda: losses.SlicedWassersteinLoss(seed=0.5), "`seed`"),
])
def test_bad_constructor_arguments(factory, name):
    with pytest.raises(ValueError, match=name):
        factory()


def test_bad_call_inputs():
    with pytest.raises(ValueError, match="`y_true`"):
        losses.Wasserstein1DLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="`y_true`"):
        losses.HistogramWasserstein1DLoss()(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="`bin_positions`"):
        losses.HistogramWasserstein1DLoss(bin_positions=[0.0, 1.0])(np.zeros((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="dimension"):
        losses.SlicedWassersteinLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3, 2)))
