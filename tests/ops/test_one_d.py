"""wasserstein_1d against SciPy, POT and hand-computed values."""

import numpy as np
import ot
import pytest
import scipy.stats

from keras_wass import ops
from tests.helpers import finite_difference, grad, jit, supports_float64, to_numpy

F64 = "float64" if supports_float64() else "float32"


def test_c04_hand_computed():
    # C04: [0, 1, 2] vs [0, 2]: W1 = 1/3 and W2 = sqrt(1/3) by hand.
    assert float(ops.wasserstein_1d([0.0, 1.0, 2.0], [0.0, 2.0])) == pytest.approx(1 / 3, rel=1e-6)
    assert float(ops.wasserstein_1d([0.0, 1.0, 2.0], [0.0, 2.0], p=2)) == pytest.approx(0.577350, rel=1e-5)


@pytest.mark.parametrize("n, m", [(7, 7), (5, 9), (1, 4), (30, 17)])
def test_w1_matches_scipy_with_weights(rng, n, m):
    u, v = rng.normal(size=n), rng.normal(1.0, 2.0, size=m)
    uw, vw = rng.uniform(0.1, 1, size=n), rng.uniform(0.1, 1, size=m)
    expected = scipy.stats.wasserstein_distance(u, v, uw, vw)
    got = ops.wasserstein_1d(u.astype(F64), v.astype(F64), 1, uw.astype(F64), vw.astype(F64))
    assert float(got) == pytest.approx(expected, rel=1e-5)
    expected = scipy.stats.wasserstein_distance(u, v)
    assert float(ops.wasserstein_1d(u, v)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("p", [1.5, 2, 3, 7])
def test_wp_matches_pot(rng, p):
    u, v = rng.normal(size=11), rng.exponential(size=6)
    uw, vw = rng.uniform(0, 1, size=11), rng.uniform(0.2, 1, size=6)
    uw[3] = 0.0  # zero weights are allowed
    expected = ot.wasserstein_1d(u, v, uw / uw.sum(), vw / vw.sum(), p=p) ** (1 / p)
    got = ops.wasserstein_1d(u, v, p=p, u_weights=uw, v_weights=vw)
    assert float(got) == pytest.approx(float(expected), rel=2e-5)


def test_batched_matches_rowwise(rng):
    u, v = rng.normal(size=(4, 10)), rng.normal(size=(4, 6))
    got = to_numpy(ops.wasserstein_1d(u, v, p=2))
    assert got.shape == (4,)
    for i in range(4):
        assert got[i] == pytest.approx(float(ops.wasserstein_1d(u[i], v[i], p=2)), rel=1e-6)


def test_ties_and_equal_values():
    # Ties inside and across the samples: W1 by hand = 0.5 * |1 - 2| = 0.5.
    u = [1.0, 1.0, 2.0, 2.0]
    v = [1.0, 2.0, 2.0, 2.0]
    assert float(ops.wasserstein_1d(u, v)) == pytest.approx(
        scipy.stats.wasserstein_distance(u, v), rel=1e-6
    )
    assert float(ops.wasserstein_1d(u, v, u_weights=[1, 1, 1, 1.0])) == pytest.approx(0.25, rel=1e-6)


def test_large_p_does_not_overflow():
    # 1000^200 overflows float64; W_p of a translation by c is exactly c.
    u = np.array([0.0, 1000.0, 2000.0], dtype="float32")
    got = float(ops.wasserstein_1d(u, u + 1000.0, p=200))
    assert got == pytest.approx(1000.0, rel=1e-5)
    # Tiny values must not underflow to 0 either.
    got = float(ops.wasserstein_1d(u * 1e-20, u * 1e-20 + 1e-17, p=50))
    assert got == pytest.approx(1e-17, rel=1e-4)
    # For large p, W_p tends to the largest quantile gap (here 3).
    got = float(ops.wasserstein_1d([0.0, 1.0], [0.0, 4.0], p=400))
    assert got == pytest.approx(3.0 * 0.5 ** (1 / 400), rel=1e-5)


@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_gradient_finite_at_identical_inputs(p):
    x = np.array([0.3, -1.0, 2.0], dtype="float32")
    gu, gv = grad(lambda a, b: ops.wasserstein_1d(a, b, p=p), x, x)
    assert np.all(np.isfinite(gu)) and np.all(np.isfinite(gv))
    if p > 1:
        np.testing.assert_allclose(gu, 0.0, atol=1e-7)


def test_gradient_matches_finite_differences(rng):
    u = rng.normal(size=5)
    v = rng.normal(size=7)
    uw = rng.uniform(0.5, 1.0, size=5)
    fn = lambda a: ops.wasserstein_1d(a, v.astype(F64), p=2, u_weights=uw.astype(F64))  # noqa: E731
    (g,) = grad(fn, u.astype(F64))
    expected = finite_difference(lambda a: scipy_wp(a, v, uw, 2), u)
    np.testing.assert_allclose(g, expected, rtol=1e-3 if F64 == "float32" else 1e-5, atol=1e-4)


def scipy_wp(u, v, uw, p):
    return ot.wasserstein_1d(u, v, uw / uw.sum(), None, p=p) ** (1 / p)


def test_compiled_matches_eager(rng):
    u, v = rng.normal(size=(3, 9)).astype("float32"), rng.normal(size=(3, 4)).astype("float32")
    w = rng.uniform(0.1, 1, size=(3, 4)).astype("float32")
    eager = to_numpy(ops.wasserstein_1d(u, v, 2, None, w))
    compiled = to_numpy(jit(lambda a, b, c: ops.wasserstein_1d(a, b, 2, None, c))(u, v, w))
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(u=[], v=[1.0]), "`u`"),
        (dict(u=[1.0], v=[]), "`v`"),
        (dict(u=[1.0, 2.0], v=[1.0], u_weights=[1.0, -1.0]), "`u_weights`"),
        (dict(u=[1.0, 2.0], v=[1.0], u_weights=[0.0, 0.0]), "`u_weights`"),
        (dict(u=[1.0, 2.0], v=[1.0], v_weights=[1.0, 1.0]), "`v_weights`"),
        (dict(u=[1.0, np.inf], v=[1.0]), "`u`"),
        (dict(u=[1.0, np.nan], v=[1.0]), "`u`"),
        (dict(u=[1.0], v=[1.0], p=0.5), "`p`"),
        (dict(u=[1.0], v=[1.0], p=True), "`p`"),
        (dict(u=[[1.0]], v=[1.0]), "`u` and `v`"),
        (dict(u=[[1.0], [2.0]], v=[[1.0], [2.0], [3.0]]), "batch size"),
        (dict(u=np.zeros((2, 2, 2)), v=np.zeros((2, 2))), "`u`"),
        (dict(u="abc", v=[1.0]), "`u`"),
    ],
)
def test_c05_bad_input_names_the_argument(kwargs, name):
    # C05 and the rest of the bad-input table.
    with pytest.raises(ValueError, match=name):
        ops.wasserstein_1d(**kwargs)
