"""Framework-specific helpers for tests: gradients and compilation.

Tests (unlike the package) may import the frameworks; this is the one place
they do.
"""

import keras
import numpy as np
from keras import ops

BACKEND = keras.backend.backend()


def to_numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def grad(fn, *args):
    """Gradients of the scalar ``sum(fn(*args))`` with respect to ``args``."""
    args = [ops.convert_to_tensor(a) for a in args]
    if BACKEND == "jax":
        import jax

        return [
            np.asarray(g)
            for g in jax.grad(
                lambda *a: ops.sum(fn(*a)), argnums=tuple(range(len(args)))
            )(*args)
        ]
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for a in args:
                tape.watch(a)
            value = ops.sum(fn(*args))
        return [np.asarray(g) for g in tape.gradient(value, args)]
    import torch

    args = [a.detach().clone().requires_grad_(True) for a in args]
    value = ops.sum(fn(*args))
    return [g.detach().cpu().numpy() for g in torch.autograd.grad(value, args)]


def jit(fn):
    """``fn`` compiled with the backend's compiler (XLA on TF and JAX)."""
    if BACKEND == "jax":
        import jax

        return jax.jit(fn)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    import torch

    return torch.compile(fn, backend="eager", fullgraph=False)


def finite_difference(fn, x, eps=1e-6):
    """Central differences of scalar ``fn`` at float64 NumPy ``x``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[index] = (float(fn(x + step)) - float(fn(x - step))) / (2 * eps)
    return out


def supports_float64():
    from keras_wass import backend

    return backend.supports_float64()


def float64():
    """A context in which float64 inputs compute in float64 on every backend
    (JAX needs ``jax.enable_x64``; TensorFlow and PyTorch always have it)."""
    import contextlib

    if BACKEND == "jax":
        import jax

        return jax.enable_x64(True)
    return contextlib.nullcontext()


def fast(fn):
    """``fn`` compiled where that makes loops faster (XLA on TF and JAX); as is
    on PyTorch, whose eager loops are already fast and whose compiler would
    unroll them."""
    if BACKEND == "torch":
        return fn
    return jit(fn)
