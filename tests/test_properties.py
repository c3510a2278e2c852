"""Metric properties of every distance, on generated inputs (hypothesis).

Each hypothesis example draws sizes, a scale and the point values, and
holds a batch of ``BATCH`` independent problems (the ops take a leading batch
axis; the exact reference solves one linear program per problem), so every
property sees ``EXAMPLES * BATCH`` = 400 generated cases per backend. Two
checks are smaller: the Frechet distance on features (25 cases; its Gaussian
form is batched) and sliced translation in expectation (10 cases of 4096
random directions each; with fixed directions it is exact and gets 400). Hypothesis runs derandomized (the
same cases in every CI run) and without its example database. All values
are computed in float64 (``float64()`` turns it on for JAX), so the
tolerances are rounding-level except where a solver or a Monte-Carlo
estimate sets them, as stated next to each.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_wass import ops
from tests.helpers import float64, to_numpy

BATCH = 16
EXAMPLES = 25
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Coordinates on a grid of 1/8 from -4 to 4: ties, duplicates and repeated
# points are common (the hard cases), and every value is exact in binary.
coordinate = st.integers(-32, 32).map(lambda k: k / 8.0)
# Shapes are fixed (a new shape recompiles every op on JAX, seconds each);
# the number of points varies through weights, zero for absent points.
N = 8


@st.composite
def weights(draw):
    """Weights ``(BATCH, N)``: 1 to N points with mass 1 to 4, the rest 0."""
    mass = draw(hnp.arrays(np.float64, (BATCH, N), elements=st.integers(0, 4).map(float)))
    mass[:, 0] = np.maximum(mass[:, 0], 1.0)  # at least one point
    return mass


@st.composite
def samples_1d(draw, count=2):
    """``count`` pairs ``(values (BATCH, N), weights (BATCH, N))``."""
    return [(draw(hnp.arrays(np.float64, (BATCH, N), elements=coordinate)), draw(weights()))
            for _ in range(count)]


@st.composite
def clouds(draw, count=2):
    """``count`` pairs ``(points (BATCH, N, d), weights (BATCH, N))``, d = 1 or 3."""
    d = draw(st.sampled_from([1, 3]))
    return [(draw(hnp.arrays(np.float64, (BATCH, N, d), elements=coordinate)), draw(weights()))
            for _ in range(count)]


p_values = st.sampled_from([1.0, 1.5, 2.0, 3.0])
scales = st.sampled_from([-3.0, -0.5, 0.25, 2.0, 10.0])


def _close(got, expected, atol=1e-9, rtol=1e-9):
    np.testing.assert_allclose(to_numpy(got), expected, atol=atol, rtol=rtol)


def _exact_wp(x, a, y, b, p):
    """W_p between two weighted clouds by the exact linear program (``ops.emd``);
    for a batch of clouds ``(batch, N, d)``, one linear program per problem."""
    if x.ndim == 3:
        return np.array([_exact_wp(*args, p) for args in zip(x, a, y, b)])
    cost = (np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))) ** p
    return max(float(ops.emd(a, b, cost)), 0.0) ** (1 / p)


def _directions(d, k, seed):
    """``(d, k)`` unit directions, as ``projections=`` takes them."""
    theta = np.random.default_rng(seed).normal(size=(d, k))
    return theta / np.linalg.norm(theta, axis=0, keepdims=True)


# --- identity, symmetry, permutations -------------------------------------------------


@SETTINGS
@given(samples_1d(count=2), p_values, st.integers(0, 2**16))
def test_one_d_identity_symmetry_permutation(samples, p, seed):
    (u, uw), (v, vw) = samples
    perm = np.random.default_rng(seed).permutation(N)
    with float64():
        _close(ops.wasserstein_1d(u, u, p=p, u_weights=uw, v_weights=uw), np.zeros(BATCH))
        forward = to_numpy(ops.wasserstein_1d(u, v, p=p, u_weights=uw, v_weights=vw))
        _close(ops.wasserstein_1d(v, u, p=p, u_weights=vw, v_weights=uw), forward)
        _close(ops.wasserstein_1d(u[:, perm], v, p=p, u_weights=uw[:, perm], v_weights=vw), forward)


@SETTINGS
@given(clouds(), p_values, st.integers(0, 2**16))
def test_sliced_identity_symmetry_permutation(pair, p, seed):
    (x, a), (y, b) = pair
    theta = _directions(x.shape[-1], 32, seed)
    perm = np.random.default_rng(seed).permutation(N)
    with float64():
        for fn in (ops.sliced_wasserstein, ops.max_sliced_wasserstein):
            _close(fn(x, x, p=p, projections=theta, a=a, b=a), np.zeros(BATCH))
            forward = to_numpy(fn(x, y, p=p, projections=theta, a=a, b=b))
            _close(fn(y, x, p=p, projections=theta, a=b, b=a), forward)
            _close(fn(x[:, perm], y, p=p, projections=theta, a=a[:, perm], b=b), forward)


@SETTINGS
@given(clouds(), p_values, st.integers(0, 2**16))
def test_exact_identity_symmetry_permutation(pair, p, seed):
    # ops.emd solves one problem per call (about 2 ms for 8 points):
    # EXAMPLES x BATCH x 4 linear programs.
    (x, a), (y, b) = pair
    perm = np.random.default_rng(seed).permutation(N)
    np.testing.assert_allclose(_exact_wp(x, a, x, a, p), 0.0, atol=1e-6)
    forward = _exact_wp(x, a, y, b, p)
    # The LP solver's feasibility tolerance (about 1e-9 of the cost).
    np.testing.assert_allclose(_exact_wp(y, b, x, a, p), forward, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_exact_wp(x[:, perm], a[:, perm], y, b, p), forward, rtol=1e-6, atol=1e-6)


@SETTINGS
@given(clouds(), st.sampled_from([1.0, 2.0]), st.sampled_from([0.5, 2.0, 8.0]), st.integers(0, 2**16))
def test_sinkhorn_symmetry_permutation_and_nonnegative_divergence(pair, p, epsilon, seed):
    (x, a), (y, b) = pair
    perm = np.random.default_rng(seed).permutation(N)
    options = dict(epsilon=epsilon, p=p, max_iterations=3000, tolerance=1e-9)
    with float64():
        forward = to_numpy(ops.sinkhorn(x, y, a, b, **options))
        # Converged to a marginal error of 1e-9: values agree to about that
        # times the cost scale.
        _close(ops.sinkhorn(y, x, b, a, **options), forward, atol=1e-6, rtol=1e-6)
        _close(ops.sinkhorn(x[:, perm], y, a[:, perm], b, **options), forward, atol=1e-6, rtol=1e-6)
        divergence = to_numpy(ops.sinkhorn_divergence(x, y, a, b, **options))
        assert np.all(divergence >= -1e-6)
        _close(ops.sinkhorn_divergence(x, x, a, a, **options), np.zeros(BATCH), atol=1e-6)


@SETTINGS
@given(st.sampled_from([1, 3]), st.integers(0, 2**16))
def test_gaussian_and_frechet_identity_symmetry(d, seed):
    rng = np.random.default_rng(seed)
    # Low-rank factors: singular covariances, the hard case for the square roots.
    factors = rng.normal(size=(2, BATCH, d, rng.integers(1, d + 1)))
    covs = factors @ np.swapaxes(factors, -1, -2)
    means = rng.normal(size=(2, BATCH, d))
    features = np.round(rng.normal(size=(2, 12, d)) * 8) / 8
    with float64():
        _close(ops.gaussian_wasserstein(means[0], covs[0], means[0], covs[0]), np.zeros(BATCH), atol=1e-5)
        forward = to_numpy(ops.gaussian_wasserstein(means[0], covs[0], means[1], covs[1]))
        _close(ops.gaussian_wasserstein(means[1], covs[1], means[0], covs[0]), forward, atol=1e-6, rtol=1e-6)
        assert float(ops.frechet_distance(features[0], features[0])) == pytest.approx(0.0, abs=1e-6)
        assert float(ops.frechet_distance(*features)) == pytest.approx(
            float(ops.frechet_distance(features[1], features[0])), rel=1e-6, abs=1e-6)


# --- triangle inequality --------------------------------------------------------------


@SETTINGS
@given(samples_1d(count=3), p_values)
def test_one_d_triangle_inequality(samples, p):
    with float64():
        (uv, vw, uw) = (to_numpy(ops.wasserstein_1d(s, t, p=p, u_weights=sw, v_weights=tw))
                        for (s, sw), (t, tw) in ((samples[0], samples[1]), (samples[1], samples[2]),
                                                 (samples[0], samples[2])))
    assert np.all(uw <= uv + vw + 1e-9)


@SETTINGS
@given(clouds(count=3), p_values, st.integers(0, 2**16))
def test_sliced_triangle_inequality(triple, p, seed):
    theta = _directions(triple[0][0].shape[-1], 16, seed)
    pairs = ((triple[0], triple[1]), (triple[1], triple[2]), (triple[0], triple[2]))
    with float64():
        for fn in (ops.sliced_wasserstein, ops.max_sliced_wasserstein):
            xy, yz, xz = (to_numpy(fn(s, t, p=p, projections=theta, a=sw, b=tw))
                          for (s, sw), (t, tw) in pairs)
            assert np.all(xz <= xy + yz + 1e-9)


@SETTINGS
@given(clouds(count=3), p_values)
def test_exact_triangle_inequality(triple, p):
    (x, a), (y, b), (z, c) = triple
    assert np.all(_exact_wp(x, a, z, c, p) <= _exact_wp(x, a, y, b, p) + _exact_wp(y, b, z, c, p) + 1e-6)


# --- translation and scaling ------------------------------------------------------------


@SETTINGS
@given(samples_1d(count=2), p_values, coordinate, scales)
def test_one_d_translation_and_scaling(samples, p, shift, scale):
    (u, uw), (v, vw) = samples
    with float64():
        _close(ops.wasserstein_1d(u, u + shift, p=p, u_weights=uw, v_weights=uw), np.full(BATCH, abs(shift)))
        base = to_numpy(ops.wasserstein_1d(u, v, p=p, u_weights=uw, v_weights=vw))
        _close(ops.wasserstein_1d(scale * u, scale * v, p=p, u_weights=uw, v_weights=vw), abs(scale) * base)


@SETTINGS
@given(clouds(), p_values, st.integers(0, 2**16), scales)
def test_sliced_translation_and_scaling(pair, p, seed, scale):
    (x, a), (y, b) = pair
    d = x.shape[-1]
    theta = _directions(d, 24, seed)
    shift = np.random.default_rng(seed).normal(size=d)
    projected = np.abs(shift @ theta)
    with float64():
        # With fixed directions the projected shift is exact: SW_p^p = mean_k |<theta_k, c>|^p.
        _close(ops.sliced_wasserstein(x, x + shift, p=p, projections=theta, a=a, b=a),
               np.full(BATCH, np.mean(projected**p) ** (1 / p)))
        _close(ops.max_sliced_wasserstein(x, x + shift, p=p, projections=theta, a=a, b=a),
               np.full(BATCH, projected.max()))
        base = to_numpy(ops.sliced_wasserstein(x, y, p=p, projections=theta, a=a, b=b))
        _close(ops.sliced_wasserstein(scale * x, scale * y, p=p, projections=theta, a=a, b=b), abs(scale) * base)


@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(st.sampled_from([1, 3]), st.integers(0, 2**16))
def test_sliced_translation_in_expectation(d, seed):
    # Random directions, uniform on the sphere: E <theta, c>^2 = |c|^2 / d, so
    # SW_2(x, x + c) -> |c| / sqrt(d). With 4096 directions the Monte-Carlo
    # standard error of SW_2^2 is under 1.5% (d = 1 is exact); 8% is 5 sigma.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(20, d))
    shift = rng.normal(size=d)
    with float64():
        got = float(ops.sliced_wasserstein(x, x + shift, n_projections=4096, seed=seed))
    assert got**2 == pytest.approx(float(shift @ shift) / d, rel=0.08)


@SETTINGS
@given(clouds(), p_values, scales)
def test_exact_translation_and_scaling(pair, p, scale):
    (x, a), (y, b) = pair
    shift = np.linspace(-1.0, 2.0, x.shape[-1])
    np.testing.assert_allclose(_exact_wp(x, a, x + shift, a, p), np.linalg.norm(shift), rtol=1e-6)
    np.testing.assert_allclose(_exact_wp(scale * x, a, scale * y, b, p), abs(scale) * _exact_wp(x, a, y, b, p),
                               rtol=1e-6, atol=1e-6)


@SETTINGS
@given(st.sampled_from([1, 3]), scales, st.integers(0, 2**16))
def test_gaussian_translation_and_scaling(d, scale, seed):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(2, BATCH, d, d))
    covs = factors @ np.swapaxes(factors, -1, -2) + 1e-3 * np.eye(d)
    means = rng.normal(size=(2, BATCH, d))
    shift = rng.normal(size=d)
    with float64():
        # Same covariance, shifted mean: W_2 = |shift| exactly.
        _close(ops.gaussian_wasserstein(means[0], covs[0], means[0] + shift, covs[0]),
               np.full(BATCH, np.linalg.norm(shift)), atol=1e-6, rtol=1e-6)
        base = to_numpy(ops.gaussian_wasserstein(means[0], covs[0], means[1], covs[1]))
        scaled = ops.gaussian_wasserstein(scale * means[0], scale**2 * covs[0],
                                          scale * means[1], scale**2 * covs[1])
        _close(scaled, abs(scale) * base, atol=1e-6, rtol=1e-6)


# --- sliced <= exact; Sinkhorn -> exact ------------------------------------------------


@SETTINGS
@given(clouds(), st.sampled_from([1.0, 2.0]), st.integers(0, 2**16))
def test_sliced_is_at_most_exact(pair, p, seed):
    # Projections are 1-Lipschitz, so every projected W_p is <= W_p: the mean
    # over directions (SW_p) and the largest (max-sliced) too, for any weights.
    (x, a), (y, b) = pair
    theta = _directions(x.shape[-1], 64, seed)
    exact = _exact_wp(x, a, y, b, p)
    with float64():
        assert np.all(to_numpy(ops.sliced_wasserstein(x, y, p=p, projections=theta, a=a, b=b)) <= exact + 1e-6)
        assert np.all(to_numpy(ops.max_sliced_wasserstein(x, y, p=p, projections=theta, a=a, b=b)) <= exact + 1e-6)


@SETTINGS
@given(clouds(), st.sampled_from([1.0, 2.0]), st.sampled_from([1e-1, 3e-2, 1e-2]))
def test_sinkhorn_tends_to_exact(pair, p, epsilon):
    # With the entropy taken relative to a (x) b, the optimal plan of W_p^p is
    # feasible and KL(P | a b) <= log(min(n, m)), so
    # W_p^p <= OT_eps <= W_p^p + eps log(min(n, m)): the gap closes as eps -> 0.
    # Each problem is rescaled so that its largest cost is 1, so one epsilon
    # (relative to the cost scale) fits the whole batch; W_p^p scales alike.
    # Sinkhorn's rate is linear but can be very slow at small epsilon: a few
    # percent of these problems are still at a marginal error of 1e-7 to 1e-4
    # after 1000 iterations (and POT's log-domain Sinkhorn, given 200000, is
    # no closer on them). A plan whose marginals are off by e (L1) moves the
    # value by at most e times the largest cost, 1 here, so the solver's own
    # reported error is the slack, plus rounding.
    (x, a), (y, b) = pair
    distance = np.sqrt(((x[:, :, None] - y[:, None]) ** 2).sum(-1)).max(axis=(1, 2))
    shrink = 1.0 / np.maximum(distance, 1e-3)[:, None, None]
    x, y = x * shrink, y * shrink
    exact = _exact_wp(x, a, y, b, p) ** p
    with float64():
        value, report = ops.sinkhorn(x, y, a, b, epsilon=epsilon, p=p, max_iterations=1000, tolerance=1e-9,
                                     return_report=True)
    slack = float(to_numpy(report["marginal_error"])) + 1e-6
    bound = epsilon * np.log(np.minimum(np.count_nonzero(a, axis=-1), np.count_nonzero(b, axis=-1)))
    value = to_numpy(value)
    assert np.all(exact - slack <= value) and np.all(value <= exact + bound + slack)
