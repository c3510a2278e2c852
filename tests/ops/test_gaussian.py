"""gaussian_wasserstein and frechet_distance against closed forms, POT, SciPy."""

import keras
import numpy as np
import ot
import pytest
import scipy.linalg

from keras_wass import ops
from tests.helpers import grad, jit, to_numpy


def _random_cov(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T / d


def test_c06_diagonal_closed_form():
    # C06: W2^2 = |m1 - m2|^2 + sum (sqrt(s1) - sqrt(s2))^2 = 25 + 4 + 1 = 30.
    w = ops.gaussian_wasserstein([0.0, 0.0], np.diag([1.0, 4.0]), [3.0, 4.0], np.diag([9.0, 1.0]))
    assert float(w) ** 2 == pytest.approx(30.0, rel=1e-6)


def test_matches_pot_bures(rng):
    d = 6
    m1, m2 = rng.normal(size=d), rng.normal(size=d)
    c1, c2 = _random_cov(rng, d), _random_cov(rng, d)
    expected = float(ot.gaussian.bures_wasserstein_distance(m1, m2, c1, c2))
    assert float(ops.gaussian_wasserstein(m1, c1, m2, c2)) == pytest.approx(expected, rel=1e-5)


def test_singular_covariances_are_real_and_nonnegative(rng):
    d = 5
    c1, c2 = _random_cov(rng, d, rank=2), _random_cov(rng, d, rank=1)
    m = np.zeros(d)
    value = float(ops.gaussian_wasserstein(m, c1, m, c2))
    expected = np.trace(c1 + c2 - 2 * scipy.linalg.sqrtm(scipy.linalg.sqrtm(c1) @ c2 @ scipy.linalg.sqrtm(c1)).real)
    assert value == pytest.approx(np.sqrt(max(expected, 0)), rel=1e-3, abs=1e-4)
    assert float(ops.gaussian_wasserstein(m, c1, m, c1)) == pytest.approx(0.0, abs=1e-3)


def test_batched(rng):
    m1, m2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    c1 = np.stack([_random_cov(rng, 4) for _ in range(3)])
    c2 = np.stack([_random_cov(rng, 4) for _ in range(3)])
    got = to_numpy(ops.gaussian_wasserstein(m1, c1, m2, c2))
    for i in range(3):
        assert got[i] == pytest.approx(float(ot.gaussian.bures_wasserstein_distance(m1[i], m2[i], c1[i], c2[i])), rel=1e-5)


def test_gradient_finite_at_identical_inputs(rng):
    m, c = rng.normal(size=3).astype("float32"), _random_cov(rng, 3).astype("float32")
    grads = grad(lambda a, b: ops.gaussian_wasserstein(a, b, a, b), m, c)
    assert all(np.all(np.isfinite(g)) for g in grads)


def _scipy_fid(f1, f2):
    # The pytorch-fid computation, in float64 SciPy.
    m1, m2 = f1.mean(0), f2.mean(0)
    c1, c2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    covmean = scipy.linalg.sqrtm(c1 @ c2).real
    return float(((m1 - m2) ** 2).sum() + np.trace(c1 + c2 - 2 * covmean))


def test_frechet_matches_scipy(rng):
    f1 = rng.normal(size=(300, 8))
    f2 = rng.normal(size=(200, 8)) @ rng.normal(size=(8, 8)) * 0.5 + 1.0
    assert float(ops.frechet_distance(f1, f2)) == pytest.approx(_scipy_fid(f1, f2), rel=1e-4)


def test_c12_frechet_against_itself_is_zero(rng):
    # C12: a set against itself gives 0: never negative, never complex.
    for n, d in [(500, 3), (50, 64)]:  # the second has a singular covariance
        f = rng.normal(size=(n, d))
        value = to_numpy(ops.frechet_distance(f, f))
        assert np.isrealobj(value) and value >= 0.0
        assert float(value) == pytest.approx(0.0, abs=1e-4 * d)


def test_frechet_compiled(rng):
    f1, f2 = rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 4)).astype("float32")
    eager = float(ops.frechet_distance(f1, f2))
    compiled = float(to_numpy(jit(ops.frechet_distance)(f1, f2)))
    assert compiled == pytest.approx(eager, rel=1e-4)


@pytest.mark.parametrize(
    "args, name",
    [
        (([0.0, 0.0], np.eye(2), [0.0], np.eye(2)), "`mean2`"),
        (([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2)), "`cov1`"),
        (([0.0, 0.0], np.eye(2), [0.0, 0.0], [[1.0, 2.0], [0.0, 1.0]]), "`cov2`"),
        (([0.0, 0.0], np.diag([1.0, -1.0]), [0.0, 0.0], np.eye(2)), "`cov1`.*positive semi-definite"),
        (([np.nan, 0.0], np.eye(2), [0.0, 0.0], np.eye(2)), "`mean1`"),
        (([], np.zeros((0, 0)), [], np.zeros((0, 0))), "`mean1`"),
    ],
)
def test_gaussian_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        ops.gaussian_wasserstein(*args)


@pytest.mark.parametrize(
    "args, name",
    [
        ((np.zeros((5, 2)), np.zeros((5, 3))), "dimension"),
        ((np.zeros((1, 2)), np.zeros((5, 2))), "`features1`"),
        ((np.zeros((5,)), np.zeros((5,))), "`features1`"),
        ((np.zeros((5, 2)), np.full((5, 2), np.inf)), "`features2`"),
    ],
)
def test_frechet_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        ops.frechet_distance(*args)


def test_non_finite_matrix_in_a_batch_gives_nan_for_it_alone(rng):
    # The internal helper: the public ops reject non-finite covariances
    # (ValueError) when values are concrete; under a compiled step they can't.
    from keras_wass.ops import _gaussian

    c1 = np.stack([_random_cov(rng, 3) for _ in range(3)])
    c2 = np.stack([_random_cov(rng, 3) for _ in range(3)])
    c1[1, 0, 0] = np.nan
    c2[2, 1, 1] = np.inf
    got = to_numpy(_gaussian.trace_sqrt_product(keras.ops.convert_to_tensor(c1), keras.ops.convert_to_tensor(c2)))
    assert np.isnan(got[1]) and np.isnan(got[2])
    s = scipy.linalg.sqrtm(c1[0])
    assert got[0] == pytest.approx(np.trace(scipy.linalg.sqrtm(s @ c2[0] @ s).real), rel=1e-5)
