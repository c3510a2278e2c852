"""Sinkhorn: ``ops.sinkhorn`` / ``ops.sinkhorn_divergence`` against POT,
GeomLoss and OTT-JAX on the same problems.

    KERAS_BACKEND=jax python benchmarks/bench_sinkhorn.py [--quick]

Problem: n = m points (1000 and 3000; 1000 only on the numpy backend) in d = 3, x uniform in the unit cube, y uniform in the
unit cube shifted by 0.3 along the first axis, uniform weights, float32
(float64 for POT-NumPy, which is how it is used), ground cost
C = |x - y|^2 (p = 2), epsilon = 0.05 absolute in the units of C.

Conventions and how they are mapped (so that every pair computes the same
number):

- ours ``ops.sinkhorn(x, y, epsilon=0.05)``: the transport cost <P, C> of the
  entropic plan (P converged to L1 marginal error <= 1e-5);
  ``ops.sinkhorn_divergence``: S = OT(x, y) - OT(x, x)/2 - OT(y, y)/2 with
  OT = <P, C> + eps KL(P | a x b) the full entropic objective.
- POT ``ot.bregman.empirical_sinkhorn2(x, y, reg=0.05)`` (metric
  "sqeuclidean", so its M is C; kernel-domain Sinkhorn on the dense M) and
  ``ot.sinkhorn2(a, b, ot.dist(x, y), 0.05, method="sinkhorn_log")``: both
  return <P, M> of the entropic plan, POT's ``reg`` is our epsilon. Stop:
  ``stopThr=1e-7`` on the L2 norm of the marginal error (checked every 10
  iterations; about our L1 1e-5 at n = 1000).
- OTT-JAX ``ott.solvers.linear.solve(PointCloud(x, y, epsilon=0.05))`` (cost
  ``SqEuclidean`` = |x - y|^2, epsilon absolute): ``primal_cost`` is <P, C>;
  ``ott.tools.sinkhorn_divergence.sinkhorn_divergence(PointCloud, x, y,
  epsilon=0.05)`` uses ``reg_ot_cost``, the full objective, like ours.
  ``threshold=1e-5`` (L1, ``norm_error=1``), ``max_iterations=5000``; the
  whole call is under one ``jax.jit`` (as OTT's documentation uses it; ours
  compiles its loop with the same ``jax.jit``).
- GeomLoss ``SamplesLoss("sinkhorn", p=2, blur=b, debias=True,
  backend="tensorized", scaling=0.9)``: its cost is |x - y|^2 / 2 and its
  temperature is blur^p. Since OT_{eps}(C / 2) = OT_{2 eps}(C) / 2, blur =
  sqrt(epsilon / 2) = 0.158 gives half our divergence: we compare
  2 x GeomLoss. GeomLoss has no stopping tolerance (it anneals the
  temperature by ``scaling`` down to blur^p and stops there); scaling = 0.9
  instead of the default 0.5 brings it to our accuracy.

Each solver's L1 marginal error |P 1 - a|_1 + |P^T 1 - b|_1 is recomputed
afterwards in NumPy float64 from its plan or potentials (untimed) and
reported. Values must agree to rtol 1e-3 (the solvers stop at different
points of their convergence, and GeomLoss's annealing ends at a slightly
different plan) before any time is reported.
"""

import math

import numpy as np

from _harness import alternate, argument, backend, check_close, emit, quick, to_backend

EPS, P_EXP, TOL = 0.05, 2, 1e-5
RTOL = 1e-3


def problem(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 3))
    y = rng.uniform(size=(n, 3)) + np.array([0.3, 0.0, 0.0])
    return x, y


def cost64(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return np.maximum((x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * x @ y.T, 0.0)


def marginal_error(plan, a, b):
    return float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum())


def plan_from_potentials(x, y, f, g, eps, cost_scale=1.0):
    n, m = len(x), len(y)
    log_plan = (np.asarray(f, np.float64)[:, None] + np.asarray(g, np.float64)[None, :]
                - cost_scale * cost64(x, y)) / eps - math.log(n) - math.log(m)
    return np.exp(log_plan)


def ours_error(x32, y32, a, b):
    """Our plan's L1 marginal error, recomputed from our potentials."""
    from keras import ops as kops

    from keras_wass import ops

    _, f, g = ops.sinkhorn(to_backend(x32), to_backend(y32), epsilon=EPS, tolerance=TOL,
                           max_iterations=1000, return_potentials=True)
    return marginal_error(plan_from_potentials(x32, y32, kops.convert_to_numpy(f),
                                               kops.convert_to_numpy(g), EPS), a, b)


def cases_pot(n, x, y, x32, y32, a, b, log_domain):
    import ot

    from keras_wass import ops

    xt, yt = to_backend(x32), to_backend(y32)

    def ours():
        return float(ops.sinkhorn(xt, yt, epsilon=EPS, tolerance=TOL, max_iterations=1000))

    out = [("transport cost <P, C>", "POT empirical_sinkhorn2 (NumPy, kernel)", ours,
            lambda: float(ot.bregman.empirical_sinkhorn2(x, y, EPS, metric="sqeuclidean", stopThr=1e-7,
                                                          numIterMax=100000)),
            lambda: _pot_kernel_error(x, y, a, b))]
    if log_domain:
        out.append(("transport cost <P, C>", "POT sinkhorn2 log-domain (NumPy)", ours,
                    lambda: float(ot.sinkhorn2(a, b, ot.dist(x, y), EPS, method="sinkhorn_log",
                                               stopThr=1e-7, numItermax=100000)),
                    lambda: _pot_log_error(x, y, a, b)))
    return out


def _pot_kernel_error(x, y, a, b):
    import ot

    _, log = ot.bregman.empirical_sinkhorn2(x, y, EPS, metric="sqeuclidean", stopThr=1e-7,
                                            numIterMax=100000, log=True)
    plan = log["u"][:, None] * np.exp(-cost64(x, y) / EPS) * log["v"][None, :]
    return marginal_error(plan, a, b), int(log["niter"])


def _pot_log_error(x, y, a, b):
    import ot

    _, log = ot.sinkhorn2(a, b, ot.dist(x, y), EPS, method="sinkhorn_log", stopThr=1e-7,
                          numItermax=100000, log=True)
    plan = np.exp(log["log_u"][:, None] - cost64(x, y) / EPS + log["log_v"][None, :])
    return marginal_error(plan, a, b), int(log["niter"])


def cases_geomloss(n, x32, y32, a, b):
    import geomloss
    import torch

    from keras_wass import ops

    xt, yt = to_backend(x32), to_backend(y32)  # torch tensors on Keras's device
    blur = math.sqrt(EPS / 2)
    loss = geomloss.SamplesLoss("sinkhorn", p=2, blur=blur, debias=True, scaling=0.9, backend="tensorized")

    def error():
        pot = geomloss.SamplesLoss("sinkhorn", p=2, blur=blur, debias=False, scaling=0.9,
                                   backend="tensorized", potentials=True)
        with torch.no_grad():
            f, g = pot(xt, yt)
        plan = plan_from_potentials(x32, y32, f.cpu().numpy().ravel(), g.cpu().numpy().ravel(), EPS / 2,
                                    cost_scale=0.5)
        return marginal_error(plan, a, b), None

    return [("divergence S", "GeomLoss SamplesLoss tensorized (torch), x2",
             lambda: float(ops.sinkhorn_divergence(xt, yt, epsilon=EPS, tolerance=TOL, max_iterations=1000)),
             lambda: 2.0 * float(loss(xt, yt)), error)]


def cases_ott(n, x32, y32, a, b):
    import jax
    from ott.geometry import pointcloud
    from ott.solvers import linear
    from ott.tools import sinkhorn_divergence

    from keras_wass import ops

    xt, yt = to_backend(x32), to_backend(y32)
    kwargs = {"threshold": TOL, "max_iterations": 5000}

    @jax.jit
    def ott_cost(x, y):
        out = linear.solve(pointcloud.PointCloud(x, y, epsilon=EPS), **kwargs)
        return out.primal_cost

    @jax.jit
    def ott_divergence(x, y):
        div, _ = sinkhorn_divergence.sinkhorn_divergence(
            pointcloud.PointCloud, x, y, epsilon=EPS, solve_kwargs=kwargs)
        return div

    def error():
        out = jax.jit(lambda x, y: linear.solve(pointcloud.PointCloud(x, y, epsilon=EPS), **kwargs))(xt, yt)
        return marginal_error(np.asarray(out.matrix, np.float64), a, b), int(out.n_iters)

    return [
        ("transport cost <P, C>", "OTT-JAX linear.solve (jit)",
         lambda: float(ops.sinkhorn(xt, yt, epsilon=EPS, tolerance=TOL, max_iterations=1000)),
         lambda: float(ott_cost(xt, yt)), error),
        ("divergence S", "OTT-JAX sinkhorn_divergence (jit)",
         lambda: float(ops.sinkhorn_divergence(xt, yt, epsilon=EPS, tolerance=TOL, max_iterations=1000)),
         lambda: float(ott_divergence(xt, yt)), None),
    ]


def main():
    name = backend()
    # NumPy (no compilation, online mode op by op) at the small size only.
    sizes = [300] if quick() else ([1000] if name == "numpy" else [1000, 3000])
    if argument("sizes"):
        sizes = [int(s) for s in argument("sizes").split(",")]
    fixed = 1 if quick() else argument("repeats")
    rows = []
    for n in sizes:
        repeats = int(fixed) if fixed else (3 if n <= 1000 else 2)
        x, y = problem(n)
        x32, y32 = x.astype("float32"), y.astype("float32")
        a = b = np.full(n, 1.0 / n)
        if name == "torch":
            cases = cases_geomloss(n, x32, y32, a, b)
        elif name == "jax":
            cases = cases_ott(n, x32, y32, a, b)
        else:  # numpy, tensorflow: POT on NumPy; the log-domain one at the small size only
            cases = cases_pot(n, x, y, x32, y32, a, b, log_domain=n <= 1000)
        ours_err = ours_error(x32, y32, a, b)
        for quantity, peer_name, ours, peer, peer_error in cases:
            medians, values, times = alternate({"ours": ours, "peer": peer}, repeats)
            diff = check_close(f"sinkhorn {quantity} n={n} ours vs {peer_name}", values["ours"],
                               values["peer"], rtol=RTOL)
            perr, piters = peer_error() if peer_error is not None else (None, None)
            rows.append({
                "n": n, "d": 3, "epsilon": EPS, "quantity": quantity, "peer": peer_name,
                "ours_s": medians["ours"], "peer_s": medians["peer"], "ratio": medians["ours"] / medians["peer"],
                "ours_value": values["ours"], "peer_value": values["peer"], "rel_diff": diff, "rtol": RTOL,
                "ours_marginal_error": ours_err, "peer_marginal_error": perr, "peer_iterations": piters,
                "repeats": repeats, "ours_times_s": times["ours"], "peer_times_s": times["peer"],
            })
    emit({"section": "sinkhorn", "rows": rows})


if __name__ == "__main__":
    main()
