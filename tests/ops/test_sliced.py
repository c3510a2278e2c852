"""sliced_wasserstein / max_sliced_wasserstein against POT and closed forms."""

import numpy as np
import ot
import pytest

from keras_wass import ops
from tests.helpers import BACKEND, grad, jit, to_numpy


def _unit_columns(rng, d, L):
    theta = rng.normal(size=(d, L))
    return theta / np.linalg.norm(theta, axis=0, keepdims=True)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_matches_pot_with_same_projections(rng, p):
    x, y = rng.normal(size=(40, 5)), rng.normal(1.0, 1.5, size=(40, 5))
    theta = _unit_columns(rng, 5, 32)
    expected = ot.sliced_wasserstein_distance(x, y, projections=theta, p=p)
    got = ops.sliced_wasserstein(x, y, p=p, projections=theta)
    assert float(got) == pytest.approx(float(expected), rel=2e-5)


def test_matches_pot_unequal_sizes_and_weights(rng):
    x, y = rng.normal(size=(25, 3)), rng.normal(size=(13, 3)) + 2
    a, b = rng.uniform(0.1, 1, 25), rng.uniform(0.1, 1, 13)
    theta = _unit_columns(rng, 3, 20)
    expected = ot.sliced_wasserstein_distance(x, y, a / a.sum(), b / b.sum(), projections=theta, p=2)
    got = ops.sliced_wasserstein(x, y, projections=theta, a=a, b=b)
    assert float(got) == pytest.approx(float(expected), rel=2e-5)


def test_max_sliced_is_the_best_direction(rng):
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(30, 4)) * [3, 1, 1, 1]
    theta = _unit_columns(rng, 4, 16)
    per_direction = [
        ot.wasserstein_1d(x @ theta[:, l], y @ theta[:, l], p=2) ** 0.5 for l in range(16)
    ]
    got = ops.max_sliced_wasserstein(x, y, projections=theta)
    assert float(got) == pytest.approx(max(per_direction), rel=2e-5)
    assert float(got) >= float(ops.sliced_wasserstein(x, y, projections=theta)) - 1e-6


def test_translation_closed_form():
    # Along e1 a shift by 3 costs 3; along e2 nothing: SW_2 = sqrt(9 / 2).
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    got = ops.sliced_wasserstein(x, x + [3.0, 0.0], projections=np.eye(2))
    assert float(got) == pytest.approx(np.sqrt(4.5), rel=1e-6)


def test_batched(rng):
    x, y = rng.normal(size=(3, 20, 2)), rng.normal(size=(3, 10, 2))
    theta = _unit_columns(rng, 2, 8)
    got = to_numpy(ops.sliced_wasserstein(x, y, projections=theta))
    assert got.shape == (3,)
    for i in range(3):
        assert got[i] == pytest.approx(float(ops.sliced_wasserstein(x[i], y[i], projections=theta)), rel=1e-5)


def test_c03_single_point_against_itself():
    # C03: one point against itself: 0 and a finite, zero gradient.
    x = np.array([[1.0]], dtype="float32")
    assert float(ops.sliced_wasserstein(x, x, seed=0)) == 0.0
    gx, gy = grad(lambda a, b: ops.sliced_wasserstein(a, b, seed=0), x, x)
    assert np.all(np.isfinite(gx)) and np.all(gx == 0.0)
    (gx,) = grad(lambda a: ops.max_sliced_wasserstein(a, x, seed=0), x)
    assert np.all(gx == 0.0)


def test_gradient_finite_identical_clouds(rng):
    x = rng.normal(size=(16, 3)).astype("float32")
    for p in (1, 2, 4):
        (g,) = grad(lambda a: ops.sliced_wasserstein(a, x, p=p, seed=1), x)
        assert np.all(np.isfinite(g))


def test_integer_seed_is_reproducible(rng):
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    v1 = float(ops.sliced_wasserstein(x, y, seed=7, n_projections=4))
    v2 = float(ops.sliced_wasserstein(x, y, seed=7, n_projections=4))
    v3 = float(ops.sliced_wasserstein(x, y, seed=8, n_projections=4))
    assert v1 == v2 and v1 != v3


def test_seed_none_is_fresh_eagerly(rng):
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    values = {float(ops.sliced_wasserstein(x, y, n_projections=2)) for _ in range(4)}
    assert len(values) == 4


def test_seed_none_is_fresh_when_compiled(rng):
    # Under jit a seed=None draw must not be frozen into the trace.
    x = rng.normal(size=(20, 3)).astype("float32")
    y = rng.normal(size=(20, 3)).astype("float32")
    fn = jit(lambda a, b: ops.sliced_wasserstein(a, b, n_projections=2))
    values = {float(to_numpy(fn(x + 0.01 * k, y))) for k in range(4)}
    assert len(values) == 4
    if BACKEND != "jax":  # TF and torch also vary for the very same inputs
        values = {float(to_numpy(fn(x, y))) for _ in range(3)}
        assert len(values) == 3


def test_compiled_matches_eager(rng):
    x, y = rng.normal(size=(2, 20, 3)).astype("float32"), rng.normal(size=(2, 15, 3)).astype("float32")
    theta = _unit_columns(rng, 3, 10).astype("float32")
    eager = to_numpy(ops.sliced_wasserstein(x, y, projections=theta))
    compiled = to_numpy(jit(lambda a, b, t: ops.sliced_wasserstein(a, b, projections=t))(x, y, theta))
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    compiled = to_numpy(jit(lambda a, b: ops.sliced_wasserstein(a, b, seed=3))(x, y))
    assert np.all(np.isfinite(compiled))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 3))), "dimension"),
        (dict(x=np.zeros((3,)), y=np.zeros((3,))), "`x`"),
        (dict(x=np.zeros((0, 2)), y=np.zeros((3, 2))), "`x`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((2, 3, 2))), "rank"),
        (dict(x=np.zeros((2, 3, 2)), y=np.zeros((4, 3, 2))), "batch size"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), p=0), "`p`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), n_projections=0), "`n_projections`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), n_projections=2.5), "`n_projections`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), seed=1.5), "`seed`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), seed="a"), "`seed`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), projections=np.ones((3, 4))), "`projections`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), a=np.ones(2)), "`a`"),
        (dict(x=np.zeros((3, 2)), y=np.zeros((3, 2)), b=-np.ones(3)), "`b`"),
        (dict(x=np.full((3, 2), np.nan), y=np.zeros((3, 2))), "`x`"),
    ],
)
@pytest.mark.parametrize("fn", [ops.sliced_wasserstein, ops.max_sliced_wasserstein])
def test_bad_input(fn, kwargs, name):
    with pytest.raises(ValueError, match=name):
        fn(**kwargs)
