"""Time and peak memory of one op at one problem size, in a fresh process.

    KERAS_BACKEND=jax python benchmarks/bench_scaling.py --algo=sliced --n=100000

``run.py`` starts one process per (op, backend, n), so that the peak
resident memory (``getrusage(RUSAGE_SELF).ru_maxrss``, which only ever
grows) belongs to that size alone. ``baseline_mib`` is the resident memory
just before the first call (interpreter, framework, inputs); ``extra_mib``
= peak - baseline is what the op itself needed at its peak (for JAX this
includes compiling it once).

- ``sliced``: ``ops.sliced_wasserstein`` of two float32 clouds of n points in
  d = 64 with 128 projections (seeded).
- ``sinkhorn``: ``ops.sinkhorn(x, y, epsilon=0.05, online=True,
  tolerance=0, max_iterations=K)``, n = m points in d = 3, float32: the
  online (blockwise) geometry, never an n x m matrix, and exactly K
  iterations at every n so that the time per size is comparable.

One untimed call (warm-up, compilation), then ``repeats`` timed calls; the
median is reported.
"""

import statistics
import time

import numpy as np

from _harness import argument, current_rss_mib, emit, peak_rss_mib, to_backend

SINKHORN_ITERATIONS = 5


def main():
    from keras_wass import ops

    algo = argument("algo")
    n = int(argument("n"))
    repeats = int(argument("repeats", 3))
    rng = np.random.default_rng(0)
    if algo == "sliced":
        x = to_backend(rng.normal(size=(n, 64)).astype("float32"))
        y = to_backend((rng.normal(size=(n, 64)) + 0.5).astype("float32"))

        def call():
            return float(ops.sliced_wasserstein(x, y, n_projections=128, seed=0))
    elif algo == "sinkhorn":
        x = to_backend(rng.uniform(size=(n, 3)).astype("float32"))
        y = to_backend((rng.uniform(size=(n, 3)) + [0.3, 0.0, 0.0]).astype("float32"))

        def call():
            return float(ops.sinkhorn(x, y, epsilon=0.05, online=True, tolerance=0.0,
                                      max_iterations=SINKHORN_ITERATIONS))
    else:
        raise ValueError(f"`--algo` should be sliced or sinkhorn. Received: {algo!r}")
    baseline = current_rss_mib()
    start = time.perf_counter()
    value = call()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    if not np.isfinite(value):
        raise ValueError(f"scaling {algo} n={n}: non-finite value {value}")
    peak = peak_rss_mib()
    emit({"section": "scaling", "algo": algo, "n": n, "time_s": statistics.median(times),
          "first_call_s": first, "times_s": times, "baseline_mib": baseline, "peak_mib": peak,
          "extra_mib": peak - baseline, "value": value,
          "iterations": SINKHORN_ITERATIONS if algo == "sinkhorn" else None})


if __name__ == "__main__":
    main()
