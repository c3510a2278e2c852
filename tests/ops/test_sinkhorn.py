"""sinkhorn / sinkhorn_divergence against POT, exact OT, closed forms and
finite differences; stability, online and unbalanced modes, bad input."""

import keras
import numpy as np
import ot
import pytest

from keras_wass import ops
from tests.helpers import BACKEND, fast, finite_difference, float64, grad, jit, to_numpy

BINS3 = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))


def _clouds(rng, n=12, m=9, d=2):
    x = rng.normal(size=(n, d))
    y = rng.normal(size=(m, d)) + 0.7
    a, b = rng.uniform(0.2, 1.0, n), rng.uniform(0.2, 1.0, m)
    return x, y, a / a.sum(), b / b.sum()


@pytest.mark.parametrize("epsilon", [1.0, 0.1, 0.01, 0.001])
def test_c01_zero_mass_bins(epsilon):
    # C01: every admissible plan moves 0.5 by one bin and 0.5 by one bin: cost 1
    # for every epsilon (hand computation), finite despite the empty bins.
    value, plan = ops.sinkhorn([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], epsilon=epsilon,
                               cost_matrix=BINS3, return_plan=True)
    assert float(value) == pytest.approx(1.0, abs=1e-4)
    plan = to_numpy(plan)
    assert np.all(np.isfinite(plan))
    np.testing.assert_allclose(plan.sum(1), [0.5, 0.5, 0.0], atol=1e-4)
    np.testing.assert_allclose(plan.sum(0), [0.0, 0.5, 0.5], atol=1e-4)


def test_c02_small_epsilon_plan():
    # C02: the optimal plan moves 0.4 from bin 1 to bin 0 (cost 0.4, by hand).
    value, plan = ops.sinkhorn([0.3, 0.7], [0.7, 0.3], epsilon=0.01,
                               cost_matrix=[[0.0, 1.0], [1.0, 0.0]], return_plan=True)
    assert float(value) == pytest.approx(0.4, abs=1e-2)
    np.testing.assert_allclose(to_numpy(plan), [[0.3, 0.0], [0.4, 0.3]], atol=1e-2)


def test_c03_one_point_against_itself():
    # C03: divergence 0 and a finite, zero gradient.
    x = np.array([[1.0]], dtype="float32")
    assert float(ops.sinkhorn_divergence(x, x)) == 0.0
    (g,) = grad(lambda a: ops.sinkhorn_divergence(a, x), x)
    assert np.all(np.isfinite(g)) and np.all(g == 0.0)


@pytest.mark.parametrize("epsilon", [0.5, 0.1])
def test_matches_pot_sinkhorn_log(rng, epsilon):
    # Reference: POT's log-domain solver, same epsilon and cost |x - y|^2.
    x, y, a, b = _clouds(rng)
    expected = ot.sinkhorn2(a, b, ot.dist(x, y), epsilon, method="sinkhorn_log",
                            numItermax=100000, stopThr=1e-12)
    fn = fast(lambda x, y, a, b: ops.sinkhorn(x, y, a, b, epsilon=epsilon, max_iterations=3000))
    got = fn(*(t.astype("float32") for t in (x, y, a, b)))
    assert float(to_numpy(got)) == pytest.approx(float(expected), rel=1e-4)


def test_matches_pot_plan_and_potentials(rng):
    x, y, a, b = _clouds(rng, 6, 5)
    cost = ot.dist(x, y, metric="euclidean")  # p = 1
    expected_plan = ot.sinkhorn(a, b, cost, 0.2, method="sinkhorn_log", numItermax=100000, stopThr=1e-12)
    value, plan, f, g = ops.sinkhorn(x.astype("float32"), y.astype("float32"), a.astype("float32"),
                                     b.astype("float32"), epsilon=0.2, p=1, max_iterations=2000,
                                     return_plan=True, return_potentials=True)
    np.testing.assert_allclose(to_numpy(plan), expected_plan, atol=2e-6)
    # The potentials give the plan: P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps).
    rebuilt = a[:, None] * b[None, :] * np.exp((to_numpy(f)[:, None] + to_numpy(g)[None, :] - cost) / 0.2)
    np.testing.assert_allclose(rebuilt, expected_plan, atol=2e-6)
    assert float(value) == pytest.approx(float((expected_plan * cost).sum()), rel=1e-5)


def test_tends_to_exact_ot_as_epsilon_falls(rng):
    # Reference: ot.emd2. The entropic plan is feasible, so <P, C> >= OT, and
    # its excess falls with epsilon.
    x, y, a, b = _clouds(rng, 10, 8)
    exact = ot.emd2(a, b, ot.dist(x, y))
    assert float(ops.emd(a, b, ot.dist(x, y))) == pytest.approx(exact, rel=1e-9)
    args = [t.astype("float32") for t in (x, y, a, b)]
    gaps = []
    for eps in (1.0, 0.3, 0.1, 0.03):
        fn = fast(lambda x, y, a, b, eps=eps: ops.sinkhorn(x, y, a, b, epsilon=eps, max_iterations=4000, tolerance=1e-5))
        gaps.append(float(to_numpy(fn(*args))) - exact)
    assert all(g > -1e-4 for g in gaps), gaps
    assert gaps == sorted(gaps, reverse=True), gaps
    assert gaps[-1] <= 0.01 * exact


def test_divergence_of_a_cloud_with_itself_is_zero(rng):
    x = rng.normal(size=(15, 3)).astype("float32")
    assert float(ops.sinkhorn_divergence(x, x)) == 0.0
    (g,) = grad(lambda a: ops.sinkhorn_divergence(a, x), x)
    np.testing.assert_allclose(g, 0.0, atol=1e-5)


def test_divergence_is_nonnegative_and_positive_apart(rng):
    x, y, _, _ = _clouds(rng)
    values = to_numpy(ops.sinkhorn_divergence(np.stack([x, x]), np.stack([x + 2.0, x + 1e-3])))
    assert values[0] > 1.0 and 0.0 <= values[1] < 1e-4


@pytest.mark.parametrize("debias", [False, True])
def test_gradients_match_finite_differences(rng, debias):
    # The transport cost takes its implicit (exact) gradient, the divergence
    # the envelope gradient of the entropic objective: both equal central
    # differences of the value in float64.
    x, y, a, b = _clouds(rng, 5, 4)

    def value(x_, a_):
        return ops.sinkhorn(x_, y, a_, b, epsilon=0.3, debias=debias, max_iterations=3000, tolerance=1e-12)

    with float64():
        gx, ga = grad(value, x, a)
        compiled = fast(value)
        fx = finite_difference(lambda t: to_numpy(compiled(t, a)), x, eps=1e-6)
        fa = finite_difference(lambda t: to_numpy(compiled(x, t)), a, eps=1e-6)
    np.testing.assert_allclose(gx, fx, rtol=1e-5, atol=1e-7)
    # Weights are normalised inside: compare the gradients' tangential parts.
    project = lambda v: v - v.mean()  # noqa: E731
    np.testing.assert_allclose(project(ga), project(fa), rtol=1e-5, atol=1e-7)


def test_histogram_gradient_with_empty_bins():
    # d cost / d y with a target that has empty bins, against central differences.
    cost = np.abs(np.subtract.outer(np.arange(4.0), np.arange(4.0)))
    target, pred = np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.1, 0.2, 0.2, 0.5])

    def value(y_):
        return ops.sinkhorn(target, y_, epsilon=0.2, cost_matrix=cost, max_iterations=3000, tolerance=1e-12)

    with float64():
        (g,) = grad(value, pred)
        compiled = fast(value)
        fd = finite_difference(lambda t: to_numpy(compiled(t)), pred, eps=1e-6)
    np.testing.assert_allclose(g - g.mean(), fd - fd.mean(), rtol=1e-5, atol=1e-7)


def test_envelope_transport_gradient_is_the_objectives(rng):
    x, y, _, _ = _clouds(rng, 5, 4)
    with float64():
        (envelope,) = grad(lambda t: ops.sinkhorn(t, y, epsilon=0.3, transport_gradient="envelope",
                                                 max_iterations=3000, tolerance=1e-12), x)
        (implicit,) = grad(lambda t: ops.sinkhorn(t, y, epsilon=0.3, max_iterations=3000, tolerance=1e-12), x)
    assert np.all(np.isfinite(envelope))
    assert 1e-4 < np.abs(envelope - implicit).max() < 0.3 * np.abs(implicit).max()


def test_stable_at_small_epsilon_and_large_costs():
    # Costs up to 1e4 and epsilon 1e-3 of the cost scale (10): finite, and C01's
    # value scaled by 1e4 (hand computation).
    value, report = ops.sinkhorn([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], epsilon=10.0,
                                 cost_matrix=BINS3 * 1e4, return_report=True)
    assert float(value) == pytest.approx(1e4, rel=1e-4)
    assert np.isfinite(float(report["marginal_error"]))
    x = np.array([[0.0], [100.0]], "float32")
    y = np.array([[1.0], [101.0]], "float32")  # |x - y|^2 up to 1.02e4
    value = float(ops.sinkhorn(x, y, epsilon=1e-3 * 1e4, max_iterations=200))
    assert value == pytest.approx(1.0, rel=1e-3)  # each point moves by 1
    (g,) = grad(lambda t: ops.sinkhorn(t, y, epsilon=10.0), x)
    assert np.all(np.isfinite(g))


def test_report_is_honest(rng):
    x, y, a, b = _clouds(rng)
    _, plan, report = ops.sinkhorn(x, y, a, b, epsilon=0.1, max_iterations=3, return_plan=True, return_report=True)
    plan = to_numpy(plan)
    error = np.abs(plan.sum(1) - a).sum()
    assert int(to_numpy(report["iterations"])) == 3
    assert float(to_numpy(report["marginal_error"])) == pytest.approx(error, rel=1e-3)
    assert not bool(to_numpy(report["converged"]))
    _, report = ops.sinkhorn(x, y, a, b, epsilon=0.5, tolerance=1e-4, max_iterations=1000, return_report=True)
    assert bool(to_numpy(report["converged"])) and float(to_numpy(report["marginal_error"])) <= 1e-4
    assert int(to_numpy(report["iterations"])) < 1000


def _iterations(cost, a, b, epsilon, tolerance, **options):
    from keras_wass.ops import _sinkhorn

    dtype = "float32"
    geometry = _sinkhorn.DenseGeometry(keras.ops.convert_to_tensor(cost, dtype))
    _, _, iterations, error = _sinkhorn.solve_potentials(
        geometry, keras.ops.convert_to_tensor(a, dtype), keras.ops.convert_to_tensor(b, dtype),
        epsilon, 5000, tolerance, **options)
    assert float(to_numpy(error)) <= tolerance
    return int(to_numpy(iterations))


def test_epsilon_scaling_needs_few_iterations_for_histograms():
    # Ten ordered bins, squared cost, epsilon 1e-2 of the largest cost: tens
    # of iterations (28 here; plain Sinkhorn on the same schedule needs 199).
    # In float64: at 1e-5, float32 rounding of exp((f - s) / eps) with
    # potentials near 80 puts the marginal error's floor at about 1e-5.
    cost = np.subtract.outer(np.arange(10.0), np.arange(10.0)) ** 2
    a, b = np.linspace(1, 2, 10), np.linspace(2, 1, 10)
    with float64():
        value, report = ops.sinkhorn(a, b, epsilon=0.81, cost_matrix=cost, tolerance=1e-5, return_report=True)
    assert bool(to_numpy(report["converged"]))
    assert int(to_numpy(report["iterations"])) <= 50
    reference = ot.sinkhorn2(a / a.sum(), b / b.sum(), cost, 0.81, method="sinkhorn_log",
                             numItermax=100000, stopThr=1e-12)
    assert float(value) == pytest.approx(float(reference), rel=1e-4)


def test_anderson_acceleration_beats_plain_sinkhorn(rng):
    # Point clouds at epsilon 1e-3 of the largest cost: epsilon scaling plus
    # Anderson acceleration needs under a hundred iterations, at most half of
    # what plain Sinkhorn (memory=0) needs from the same schedule (float32:
    # 85 against 259).
    x, y = rng.normal(size=(200, 3)), 0.5 * rng.normal(size=(150, 3)) + 1.0
    cost = ((x[:, None] - y[None]) ** 2).sum(-1)
    a, b = np.full(200, 1 / 200), np.full(150, 1 / 150)
    epsilon = 1e-3 * cost.max()
    fast_count = _iterations(cost, a, b, epsilon, 1e-4)
    plain_count = _iterations(cost, a, b, epsilon, 1e-4, memory=0)
    assert fast_count <= 100
    assert 2 * fast_count <= plain_count
    # Random histograms on ordered bins with a squared cost (the Frogner et
    # al. classification loss): far fewer iterations as well (24 against 123).
    h1, h2 = rng.random(10) + 0.1, rng.random(10) + 0.1
    bins = np.subtract.outer(np.arange(10.0), np.arange(10.0)) ** 2
    fast_count = _iterations(bins, h1 / h1.sum(), h2 / h2.sum(), 0.81, 1e-4)
    plain_count = _iterations(bins, h1 / h1.sum(), h2 / h2.sum(), 0.81, 1e-4, memory=0)
    assert 3 * fast_count <= plain_count


def test_batched_equals_one_by_one(rng):
    x, y = rng.normal(size=(3, 8, 2)), rng.normal(size=(3, 6, 2))
    fn = fast(lambda x, y: ops.sinkhorn(x, y, epsilon=0.2, max_iterations=500, debias=True))
    values = to_numpy(fn(x, y))
    assert values.shape == (3,)
    for i in range(3):
        one = float(to_numpy(fn(x[i], y[i])))
        assert values[i] == pytest.approx(one, rel=1e-4, abs=1e-6)
    hist = rng.dirichlet(np.ones(3), size=4)
    values = to_numpy(ops.sinkhorn(hist, hist[::-1], epsilon=0.1, cost_matrix=BINS3))
    assert values.shape == (4,)
    assert values[0] == pytest.approx(float(ops.sinkhorn(hist[0], hist[3], epsilon=0.1, cost_matrix=BINS3)), rel=1e-5)


@pytest.mark.parametrize("p", [1, 2, 1.5])
def test_online_equals_dense(rng, p):
    x = rng.normal(size=(2, 20, 3)).astype("float32")
    y = (rng.normal(size=(2, 15, 3)) + 0.3).astype("float32")
    kwargs = dict(epsilon=0.3, p=p, max_iterations=300, tolerance=1e-5, debias=True)
    dense = lambda x, y: ops.sinkhorn(x, y, online=False, **kwargs)  # noqa: E731
    online = lambda x, y: ops.sinkhorn(x, y, online=7, **kwargs)  # noqa: E731  7 rows a block
    np.testing.assert_allclose(to_numpy(fast(online)(x, y)), to_numpy(fast(dense)(x, y)), rtol=1e-4)
    if p != 1:  # the gradient's two code paths: p = 2 and general p
        g_dense = grad(lambda t: dense(t, y), x)[0]
        g_online = grad(lambda t: online(t, y), x)[0]
        # Both solves stop at a 1e-5 marginal error: gradients agree to about that.
        np.testing.assert_allclose(g_online, g_dense, rtol=1e-3, atol=5e-5)


@pytest.mark.parametrize("reach", [0.5, 2.0])
def test_unbalanced_matches_pot(rng, reach):
    # Reference: POT's unbalanced solver, KL marginal penalty rho = reach^p.
    x, y, a, b = _clouds(rng, 7, 5)
    rho = reach ** 2
    expected_plan = ot.unbalanced.sinkhorn_unbalanced(a, b, ot.dist(x, y), 0.1, rho, reg_type="kl",
                                                      numItermax=100000, stopThr=1e-12)
    value, plan = ops.sinkhorn(x.astype("float32"), y.astype("float32"), a.astype("float32"), b.astype("float32"),
                               epsilon=0.1, reach=reach, max_iterations=3000, return_plan=True)
    np.testing.assert_allclose(to_numpy(plan), expected_plan, atol=2e-6)
    assert float(value) == pytest.approx(float((expected_plan * ot.dist(x, y)).sum()), rel=1e-4)
    assert to_numpy(plan).sum() < 1.0  # mass is destroyed rather than moved far


def test_compiled_matches_eager(rng):
    x, y, a, b = (t.astype("float32") for t in _clouds(rng))
    eager = float(ops.sinkhorn(x, y, a, b, epsilon=0.2, debias=True))
    compiled = float(to_numpy(jit(lambda *t: ops.sinkhorn(*t, epsilon=0.2, debias=True))(x, y, a, b)))
    assert compiled == pytest.approx(eager, rel=1e-4)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(epsilon=0.0), "`epsilon`"),
        (dict(epsilon=-1.0), "`epsilon`"),
        (dict(p=0.5), "`p`"),
        (dict(a=[1.0, -1.0, 1.0]), "`a`"),
        (dict(b=[0.0, 0.0]), "`b`"),
        (dict(y=np.zeros((2, 3))), "dimension"),
        (dict(max_iterations=0), "`max_iterations`"),
        (dict(tolerance=-1.0), "`tolerance`"),
        (dict(reach=0.0), "`reach`"),
        (dict(online="yes"), "`online`"),
        (dict(online=True, return_plan=True), "`return_plan`"),
        (dict(transport_gradient="exact"), "`transport_gradient`"),
        (dict(x=np.full((3, 2), np.nan)), "`x`"),
    ],
)
def test_bad_input(kwargs, name):
    args = dict(x=np.zeros((3, 2)), y=np.ones((2, 2)))
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        ops.sinkhorn(**args)


@pytest.mark.parametrize(
    "x, y, cost, kwargs, name",
    [
        ([0.5, 0.5], [0.5, 0.5], BINS3, {}, "`x` and `y` should be histograms"),
        ([0.5, 0.5, 0.0], [0.5, 0.5, 0.0], np.ones((3, 3, 1)), {}, "`cost_matrix`"),
        ([0.5, 0.5, 0.0], [0.5, 0.5, 0.0], -BINS3, {}, "`cost_matrix`"),
        ([0.5, 0.5, 0.0], [0.5, 0.5], np.ones((3, 2)), dict(debias=True), "square"),
        ([0.5, 0.5, 0.0], [0.5, 0.5, 0.0], BINS3, dict(a=[1.0, 1.0, 1.0]), "`a`"),
        ([0.5, 0.5, 0.0], [0.5, 0.5, 0.0], BINS3, dict(online=True), "`online`"),
        ([0.5, -0.5, 1.0], [0.5, 0.5, 0.0], BINS3, {}, "`x`"),
    ],
)
def test_bad_histograms(x, y, cost, kwargs, name):
    with pytest.raises(ValueError, match=name):
        ops.sinkhorn(x, y, cost_matrix=cost, **kwargs)
