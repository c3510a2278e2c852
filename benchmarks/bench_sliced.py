"""Sliced Wasserstein: ``ops.sliced_wasserstein`` against POT's
``ot.sliced_wasserstein_distance`` with the same projections.

    KERAS_BACKEND=torch python benchmarks/bench_sliced.py [--quick]

Problem: two clouds of n points in d = 64 (standard normal, and shifted by
0.5 in every coordinate), float32, p = 2, L = 128 unit directions drawn once
with NumPy and passed to both as ``projections`` (d, L). Both return
``(mean over directions of W_2^2)^(1/2)``: the same quantity (POT's
``sliced_wasserstein_distance`` takes the p-th root of the mean, as ours).

Peer: POT on the torch backend (torch tensors on Keras's device) when
``KERAS_BACKEND=torch``, POT on NumPy arrays otherwise (for the jax and
tensorflow backends there is no POT run in their framework here: the NumPy
one is the reference time).

Checks, before any time is reported: ours against a float64 NumPy reference
(sort the float64 projections, mean of squared differences) to rtol 1e-5, and
ours against POT to rtol 2e-3 (POT in float32 accumulates the n weights 1/n
by a float32 ``cumsum``, which moves its value by up to ~1e-3 relative at
n = 10^5; its float64 value matches the reference).

A third callable, the "floor", computes the same number directly in the
framework (two products, two float sorts, a mean; compiled on JAX and
TensorFlow). It is timed in the same alternation and shows how much of our
time is the framework's own sort.
"""

import numpy as np

from _harness import alternate, argument, backend, check_close, emit, quick, to_backend

D, L, P = 64, 128, 2


def problem(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, D)).astype("float32")
    y = (rng.normal(size=(n, D)) + 0.5).astype("float32")
    theta = rng.normal(size=(D, L))
    theta /= np.linalg.norm(theta, axis=0, keepdims=True)
    return x, y, theta.astype("float32")


def reference(x, y, theta):
    xp = np.sort(x.astype(np.float64) @ theta.astype(np.float64), axis=0)
    yp = np.sort(y.astype(np.float64) @ theta.astype(np.float64), axis=0)
    return float(np.sqrt(np.mean((xp - yp) ** 2)))


def floor_fn(name, x, y, theta):
    """The same quantity written directly in the framework: two products, two
    float sorts along the contiguous axis and a mean (``jax.jit`` /
    ``tf.function`` where the framework compiles). Not a peer: it shows how
    close ours is to what the framework's own sort allows."""
    if name == "torch":
        import torch

        xt, yt, tt = (torch.as_tensor(v).to(next_device()) for v in (x, y, theta))

        def run():
            xp = torch.sort(tt.T @ xt.T, dim=-1).values
            yp = torch.sort(tt.T @ yt.T, dim=-1).values
            return float(torch.sqrt(torch.mean((xp - yp) ** 2)))
        return run
    if name == "jax":
        import jax
        import jax.numpy as jnp

        f = jax.jit(lambda x, y, t: jnp.sqrt(jnp.mean((jnp.sort(t.T @ x.T, axis=-1) - jnp.sort(t.T @ y.T, axis=-1)) ** 2)))
        args = [jnp.asarray(v) for v in (x, y, theta)]
        return lambda: float(f(*args))
    if name == "tensorflow":
        import tensorflow as tf

        f = tf.function(lambda x, y, t: tf.sqrt(tf.reduce_mean(
            (tf.sort(tf.transpose(t) @ tf.transpose(x), axis=-1) - tf.sort(tf.transpose(t) @ tf.transpose(y), axis=-1)) ** 2)))
        args = [tf.constant(v) for v in (x, y, theta)]
        return lambda: float(f(*args))

    def run():
        xp = np.sort(theta.T @ x.T, axis=-1)
        yp = np.sort(theta.T @ y.T, axis=-1)
        return float(np.sqrt(np.mean((xp - yp) ** 2)))
    return run


def next_device():
    from keras.src.backend.torch.core import get_device

    return get_device()


def main():
    import ot

    from keras_wass import ops

    sizes = [2_000] if quick() else [10_000, 100_000]
    if argument("sizes"):
        sizes = [int(s) for s in argument("sizes").split(",")]
    fixed = 1 if quick() else argument("repeats")
    name = backend()
    rows = []
    for k, n in enumerate(sizes):
        # 3 timed calls of each up to 10^4 points, 2 above (POT takes ~10 s there).
        repeats = int(fixed) if fixed else (3 if n <= 10_000 else 2)
        x, y, theta = problem(n)
        ref = reference(x, y, theta)
        xt, yt, tt = to_backend(x), to_backend(y), to_backend(theta)
        if name == "torch":
            peer_name = "POT (torch)"
            px, py, pt = xt, yt, tt  # torch tensors on Keras's device
        else:
            peer_name = "POT (NumPy)"
            px, py, pt = x, y, theta

        def ours():
            return float(ops.sliced_wasserstein(xt, yt, p=P, projections=tt))

        def peer():
            return float(ot.sliced_wasserstein_distance(px, py, p=P, projections=pt))

        # POT has nothing to compile: its warm-up is the call at the first
        # (smaller) size; ours is warmed up at every size (JAX compiles per shape).
        warm = ["ours", "peer", "floor"] if k == 0 else ["ours", "floor"]
        floor = floor_fn(name, x, y, theta)
        medians, values, times = alternate({"ours": ours, "peer": peer, "floor": floor}, repeats, warmup=warm)
        check_close(f"sliced n={n} framework floor vs float64 reference", values["floor"], ref, rtol=1e-5)
        err_ref = check_close(f"sliced n={n} ours vs float64 reference", values["ours"], ref, rtol=1e-5)
        err_peer = check_close(f"sliced n={n} ours vs {peer_name}", values["ours"], values["peer"], rtol=2e-3)
        rows.append({
            "n": n, "d": D, "projections": L, "p": P, "dtype": "float32", "peer": peer_name,
            "ours_s": medians["ours"], "peer_s": medians["peer"], "ratio": medians["ours"] / medians["peer"],
            "floor_s": medians["floor"], "ratio_vs_floor": medians["ours"] / medians["floor"],
            "ours_value": values["ours"], "peer_value": values["peer"], "reference_value": ref,
            "rel_diff_reference": err_ref, "rel_diff_peer": err_peer, "repeats": repeats,
            "ours_times_s": times["ours"], "peer_times_s": times["peer"],
        })
    emit({"section": "sliced", "rows": rows})


if __name__ == "__main__":
    main()
