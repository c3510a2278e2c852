"""Exact 1-D W_p: ``ops.wasserstein_1d`` against SciPy and NumPy.

    KERAS_BACKEND=jax python benchmarks/bench_one_d.py [--quick]

Samples are float64 NumPy arrays (u ~ N(0, 1), v ~ N(0.5, 1.5^2)), handed
to ours as backend tensors (ours then computes in float64 on tensorflow and
torch; Keras's numpy backend converts float64 arrays to float32 tensors, and
JAX without ``jax_enable_x64`` computes in float32) and to the peer as NumPy.

Cases:

- ``p=1``, n = m = 10^6, uniform weights, against
  ``scipy.stats.wasserstein_distance(u, v)``; target ours <= 0.5 x SciPy.
- ``p=1``, n = 10^6 against m = 7 x 10^5 with random weights, against
  ``scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`` (the
  general merged-quantile path of both); target <= 0.5 x SciPy.
- ``p=2``, n = m = 10^6, against the closed form in NumPy
  (``sqrt(mean((sort(u) - sort(v))**2))``, two sorts and a mean: nothing
  is left to save); target <= 1.25 x NumPy.

Checks: rtol 1e-9 in float64, 1e-3 in float32 (the cumulative sums of 10^6
float32 weights carry ~1e-4 relative rounding), before timing.
"""

import numpy as np
import scipy
import scipy.stats

from _harness import alternate, backend, check_close, emit, quick, to_backend


def main():
    import keras

    from keras_wass import ops

    n = 20_000 if quick() else 1_000_000
    m_weighted = int(0.7 * n)
    repeats = 1 if quick() else 5
    rng = np.random.default_rng(0)
    u = rng.normal(size=n)
    v = rng.normal(0.5, 1.5, size=n)
    v_short = v[:m_weighted].copy()
    wu = rng.uniform(0.1, 1.0, size=n)
    wv = rng.uniform(0.1, 1.0, size=m_weighted)
    ut, vt, vst = to_backend(u), to_backend(v), to_backend(v_short)
    wut, wvt = to_backend(wu), to_backend(wv)
    # The dtype ours computes in (Keras's numpy backend turns float64 arrays
    # into float32 tensors; JAX needs jax_enable_x64 for float64).
    dtype = keras.backend.standardize_dtype(ops.wasserstein_1d(ut[:10], vt[:10]).dtype)
    # float32: the weighted path's cumulative sums of 10^6 float32 weights
    # carry ~1e-4 relative rounding (the uniform path ~1e-7).
    rtol = 1e-9 if dtype == "float64" else 1e-3
    cases = [
        ("p=1, uniform", 1, "scipy.stats.wasserstein_distance", 0.5,
         lambda: float(ops.wasserstein_1d(ut, vt, p=1)),
         lambda: float(scipy.stats.wasserstein_distance(u, v)), n),
        ("p=1, weighted, m=0.7n", 1, "scipy.stats.wasserstein_distance (weights)", 0.5,
         lambda: float(ops.wasserstein_1d(ut, vst, p=1, u_weights=wut, v_weights=wvt)),
         lambda: float(scipy.stats.wasserstein_distance(u, v_short, wu, wv)), m_weighted),
        ("p=2, uniform", 2, "NumPy closed form (sort, sort, mean)", 1.25,
         lambda: float(ops.wasserstein_1d(ut, vt, p=2)),
         lambda: float(np.sqrt(np.mean((np.sort(u) - np.sort(v)) ** 2))), n),
    ]
    rows = []
    for label, p, peer_name, target, ours, peer, m in cases:
        medians, values, times = alternate({"ours": ours, "peer": peer}, repeats)
        err = check_close(f"1-D {label} n={n} ours vs {peer_name}", values["ours"], values["peer"], rtol=rtol)
        rows.append({
            "case": label, "p": p, "n": n, "m": m, "dtype": dtype, "peer": peer_name, "target": target,
            "ours_s": medians["ours"], "peer_s": medians["peer"], "ratio": medians["ours"] / medians["peer"],
            "ours_value": values["ours"], "peer_value": values["peer"], "rel_diff": err, "rtol": rtol,
            "repeats": repeats, "ours_times_s": times["ours"], "peer_times_s": times["peer"],
        })
    emit({"section": "one_d", "scipy": scipy.__version__, "rows": rows})


if __name__ == "__main__":
    main()
