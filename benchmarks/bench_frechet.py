"""Frechet distance: ``ops.frechet_distance`` against the pytorch-fid
computation in NumPy/SciPy.

    KERAS_BACKEND=tensorflow python benchmarks/bench_frechet.py [--quick]

Problem: two sets of n = 10^4 float32 feature vectors of d = 2048 (the
Inception pool size), correlated and non-negative like real activations:
``relu(z @ W + c)`` with z standard normal and a random W per set.

Peer, timed from the features as ours is: ``np.mean`` and
``np.cov(rowvar=False)`` of each set, then pytorch-fid's
``calculate_frechet_distance`` (``scipy.linalg.sqrtm(sigma1 @ sigma2)``,
its offset retry and complex check), reproduced below. Ours:
``ops.frechet_distance(features1, features2)`` on backend tensors (float64
maths on numpy, tensorflow and torch; the JAX process runs with
``JAX_ENABLE_X64=1`` so that it can too).

Check: relative difference <= 1e-4 before timing. Two timed calls of each
(ours also gets an untimed warm-up call; SciPy has nothing to compile).
"""

import numpy as np
import scipy
import scipy.linalg

from _harness import alternate, argument, check_close, emit, quick, to_backend


def features(n, d, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(d, d)) / np.sqrt(d)
    c = rng.normal(size=d) * 0.5
    return np.maximum(rng.normal(size=(n, d)).astype("float32") @ w.astype("float32") + c.astype("float32"), 0.0)


def _sqrtm(a):
    try:  # SciPy >= 1.16 deprecates ``disp``
        return scipy.linalg.sqrtm(a), None
    except TypeError:  # pragma: no cover
        return scipy.linalg.sqrtm(a, disp=False)


def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's ``calculate_frechet_distance`` (fid_score.py, v0.3.0)."""
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    diff = mu1 - mu2
    covmean, _ = _sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean, _ = _sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"Imaginary component {np.max(np.abs(covmean.imag))}")
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


def pytorch_fid(f1, f2):
    mu1, sigma1 = np.mean(f1, axis=0), np.cov(f1, rowvar=False)
    mu2, sigma2 = np.mean(f2, axis=0), np.cov(f2, rowvar=False)
    return float(calculate_frechet_distance(mu1, sigma1, mu2, sigma2))


def main():
    from keras_wass import ops
    from keras_wass.ops._gaussian import precise_dtype

    n, d = (1_000, 256) if quick() else (10_000, 2048)
    repeats = 1 if quick() else int(argument("repeats", 2))
    f1, f2 = features(n, d, 1), features(n, d, 2)
    t1, t2 = to_backend(f1), to_backend(f2)
    dtype = precise_dtype()  # what ours computes the statistics and roots in
    # SciPy compiles nothing and takes ~10 s a call: only ours is warmed up.
    medians, values, times = alternate({
        "ours": lambda: float(ops.frechet_distance(t1, t2)),
        "peer": lambda: pytorch_fid(f1, f2),
    }, repeats, warmup=["ours"])
    err = check_close(f"frechet n={n} d={d} ours vs pytorch-fid/SciPy", values["ours"], values["peer"], rtol=1e-4)
    row = {
        "n": n, "d": d, "peer": "pytorch-fid (np.cov + scipy.linalg.sqrtm)", "maths_dtype": dtype,
        "ours_s": medians["ours"], "peer_s": medians["peer"], "ratio": medians["ours"] / medians["peer"],
        "ours_value": values["ours"], "peer_value": values["peer"], "rel_diff": err, "repeats": repeats,
        "ours_times_s": times["ours"], "peer_times_s": times["peer"],
    }
    emit({"section": "frechet", "scipy": scipy.__version__, "rows": [row]})


if __name__ == "__main__":
    main()
