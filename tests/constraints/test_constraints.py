"""WeightClip and SpectralNorm: hand values, numpy SVD, inside optimizer steps."""

import keras
import numpy as np
import pytest

from keras_wass import constraints
from tests.helpers import to_numpy


def test_c09_weight_clip_in_an_optimizer_step():
    # C09: kernel [[1, -1], [0.5, -0.005]] after one step at learning rate 0.
    layer = keras.layers.Dense(2, use_bias=False, kernel_constraint=constraints.WeightClip(0.01))
    model = keras.Sequential([keras.Input((2,)), layer])
    layer.kernel.assign(np.array([[1.0, -1.0], [0.5, -0.005]], dtype="float32"))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.fit(np.ones((2, 2)), np.ones((2, 2)), epochs=1, verbose=0)
    np.testing.assert_allclose(to_numpy(layer.kernel), [[0.01, -0.01], [0.01, -0.005]], rtol=1e-6)


@pytest.mark.parametrize("shape", [(8, 5), (3, 12), (3, 3, 4, 6)])
def test_spectral_norm_exact_matches_svd(rng, shape):
    w = rng.normal(size=shape).astype("float32") * 3.0
    out = to_numpy(constraints.SpectralNorm()(w))
    sigma_before = np.linalg.svd(w.reshape(-1, shape[-1]), compute_uv=False)[0]
    sigma_after = np.linalg.svd(out.reshape(-1, shape[-1]), compute_uv=False)[0]
    assert sigma_before > 1
    assert sigma_after == pytest.approx(1.0, abs=1e-3)
    np.testing.assert_allclose(out, w / sigma_before, rtol=1e-4)


def test_spectral_norm_leaves_small_kernels_alone(rng):
    w = rng.normal(size=(6, 4)).astype("float32")
    w = w / np.linalg.svd(w, compute_uv=False)[0] * 0.5
    np.testing.assert_allclose(to_numpy(constraints.SpectralNorm()(w)), w, rtol=1e-6)


def test_spectral_norm_power_iterations(rng):
    w = rng.normal(size=(20, 10)).astype("float32")
    out = to_numpy(constraints.SpectralNorm(power_iterations=50)(w))
    assert np.linalg.svd(out, compute_uv=False)[0] == pytest.approx(1.0, abs=1e-2)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_spectral_norm_low_precision_kernels(rng, dtype):
    w = keras.ops.cast(rng.normal(size=(16, 8)) * 4, dtype)
    out = constraints.SpectralNorm()(w)
    assert keras.backend.standardize_dtype(out.dtype) == dtype
    sigma = np.linalg.svd(to_numpy(keras.ops.cast(out, "float32")), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, abs=1e-2)  # float16 rounding of the kernel


@pytest.mark.parametrize("jit_compile", [False, True])
def test_constraints_inside_compiled_fit(rng, jit_compile):
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, kernel_constraint=constraints.SpectralNorm()),
        keras.layers.Dense(1, kernel_constraint=constraints.WeightClip(0.05)),
    ])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse", jit_compile=jit_compile)
    x = rng.normal(size=(32, 4)).astype("float32")
    model.fit(x, x.sum(1, keepdims=True) * 10, epochs=2, verbose=0)
    assert np.linalg.svd(to_numpy(model.layers[0].kernel), compute_uv=False)[0] <= 1.0 + 1e-3
    assert np.abs(to_numpy(model.layers[1].kernel)).max() <= 0.05 + 1e-7


def test_config_and_save(tmp_path):
    for c in (constraints.WeightClip(0.2), constraints.SpectralNorm(power_iterations=3)):
        assert type(c).from_config(c.get_config()).get_config() == c.get_config()
    model = keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(2, kernel_constraint=constraints.SpectralNorm(), bias_constraint=constraints.WeightClip(0.1)),
    ])
    model.save(tmp_path / "c.keras")
    layer = keras.saving.load_model(tmp_path / "c.keras").layers[0]
    assert isinstance(layer.kernel_constraint, constraints.SpectralNorm)
    assert layer.bias_constraint.clip_value == 0.1


@pytest.mark.parametrize("factory, name", [
    (lambda: constraints.WeightClip(0), "`clip_value`"),
    (lambda: constraints.WeightClip(-1.0), "`clip_value`"),
    (lambda: constraints.WeightClip("a"), "`clip_value`"),
    (lambda: constraints.SpectralNorm(power_iterations=0), "`power_iterations`"),
    (lambda: constraints.SpectralNorm(power_iterations=1.5), "`power_iterations`"),
])
def test_bad_arguments(factory, name):
    with pytest.raises(ValueError, match=name):
        factory()
