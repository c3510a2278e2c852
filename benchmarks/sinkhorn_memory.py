"""Peak memory of online Sinkhorn on large clouds (the issue's 2 GiB budget).

    KERAS_BACKEND=jax python benchmarks/sinkhorn_memory.py 50000 3

Solves n against n points in 3-D with ``ops.sinkhorn`` (automatic online mode:
the n x n cost matrix, 10 GB in float32 at n = 50,000, is never built) for the
given number of iterations, then takes the gradient with respect to the first
cloud, and prints one JSON line with the wall times and the process's peak
resident memory. Memory does not depend on the number of iterations.
"""

import json
import resource
import sys
import time

import keras
import numpy as np

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])

from keras_wass import ops  # noqa: E402


def main(n=50_000, iterations=3):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (rng.normal(size=(n, 3)) + 0.5).astype("float32")
    start = time.perf_counter()
    value, report = ops.sinkhorn(x, y, epsilon=0.05, max_iterations=iterations, return_report=True)
    solve_s = time.perf_counter() - start
    result = {
        "backend": keras.backend.backend(), "n": n, "iterations": int(ops.convert_to_numpy(report["iterations"])),
        "value": float(value), "solve_s": round(solve_s, 1),
    }
    if keras.backend.backend() == "jax":
        import jax  # benchmarks, like tests, may import the framework

        start = time.perf_counter()
        g = jax.grad(lambda a: ops.sinkhorn(a, y, epsilon=0.05, max_iterations=iterations))(x)
        result["gradient_finite"] = bool(np.isfinite(np.asarray(g)).all())
        result["gradient_s"] = round(time.perf_counter() - start, 1)
    result["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
