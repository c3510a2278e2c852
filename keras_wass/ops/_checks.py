"""Input checks shared by the ops: clear ``ValueError``s naming the argument."""

import numbers

import keras
import numpy as np
from keras import ops

from keras_wass import backend



def check_p(p, name="p"):
    """Checks that ``p`` is a real number >= 1 and returns it as a float."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(
            f"`{name}` should be a number >= 1. Received: {name}={p!r}"
        )
    if not np.isfinite(p) or p < 1:
        raise ValueError(f"`{name}` should be >= 1. Received: {name}={p}")
    return float(p)


def check_positive_int(value, name):
    """Checks that ``value`` is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"`{name}` should be an integer >= 1. Received: {name}={value!r}"
        )
    if value < 1:
        raise ValueError(f"`{name}` should be >= 1. Received: {name}={value}")
    return int(value)


def check_seed(seed, name="seed"):
    """Checks a ``seed``: None, an integer or a ``keras.random.SeedGenerator``."""
    if seed is None or isinstance(seed, keras.random.SeedGenerator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"`{name}` should be None, an integer or a "
            f"keras.random.SeedGenerator. Received: {name}={seed!r}"
        )
    return int(seed)


def compute_dtype(*tensors):
    """The floating dtype to compute in: float64 if any input is float64 (and
    the backend has it), else float32 (float16 and bfloat16 inputs included).

    Keras's own ``result_type`` demotes float64 to float32 on JAX and PyTorch;
    here a float64 input keeps float64 wherever the backend supports it.
    """
    dtypes = set()
    for t in tensors:
        if t is None:
            continue
        dtype = keras.backend.standardize_dtype(t.dtype)
        if "float" in dtype:
            dtypes.add(dtype)
    if not dtypes:
        dtypes = {keras.backend.floatx()}
    if "float64" in dtypes and backend.supports_float64():
        return "float64"
    return "float32"


def to_tensor(x, name, dtype=None):
    """Converts ``x`` to a backend tensor, with a clear error if impossible."""
    if x is None:
        raise ValueError(f"`{name}` should be a tensor. Received: {name}=None")
    try:
        if dtype is None:
            t = ops.convert_to_tensor(x)
            if "float" not in keras.backend.standardize_dtype(t.dtype):
                t = ops.cast(t, keras.backend.floatx())
            return t
        return ops.convert_to_tensor(x, dtype=dtype)
    except Exception as exc:  # each framework raises its own error type
        raise ValueError(
            f"`{name}` should be a numeric tensor or array. "
            f"Received: {name} of type {type(x).__name__} ({exc})"
        ) from None


def concrete(x):
    """Returns ``x`` as NumPy when its values are known, else None."""
    if backend.is_tracing(x):
        return None
    try:
        return ops.convert_to_numpy(x)
    except Exception:  # symbolic values: checks are skipped
        return None


def check_rank(x, name, ranks):
    if len(x.shape) not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ValueError(
            f"`{name}` should have rank {expected}. "
            f"Received: {name}.shape={tuple(x.shape)}"
        )


def check_not_empty(x, name, axes):
    for axis in axes:
        if x.shape[axis] == 0:
            raise ValueError(
                f"`{name}` should not be empty. "
                f"Received: {name}.shape={tuple(x.shape)}"
            )


def check_finite(x, name):
    values = concrete(x)
    if values is not None and not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)].ravel()[0]
        raise ValueError(
            f"`{name}` should contain only finite values. "
            f"Received: {name} containing {bad}"
        )


def check_weights(w, name, expected_shape, dtype):
    """Validates and normalises weights to sum 1 along the last axis."""
    w = to_tensor(w, name, dtype=dtype)
    if tuple(w.shape) != tuple(expected_shape):
        raise ValueError(
            f"`{name}` should have shape {tuple(expected_shape)} (the shape of "
            f"its samples without the feature axis). "
            f"Received: {name}.shape={tuple(w.shape)}"
        )
    values = concrete(w)
    if values is not None:
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"`{name}` should contain only finite values. "
                f"Received: {name}={_short(values)}"
            )
        if np.any(values < 0):
            raise ValueError(
                f"`{name}` should be non-negative. "
                f"Received: {name} with minimum {values.min()}"
            )
        sums = values.sum(axis=-1)
        if np.any(sums <= 0):
            raise ValueError(
                f"`{name}` should have a positive sum. "
                f"Received: {name} summing to {np.min(sums)}"
            )
    return w / ops.sum(w, axis=-1, keepdims=True)


def check_sample_weight(sample_weight, batch_size, name="sample_weight"):
    """A metric's ``sample_weight``: None, or one finite weight >= 0 per sample
    (shape ``(batch,)`` or ``(batch, 1)``); returned as a float32 ``(batch,)``
    tensor (or None)."""
    if sample_weight is None:
        return None
    w = to_tensor(sample_weight, name, dtype="float32")
    if len(w.shape) == 2 and w.shape[-1] == 1:
        w = ops.reshape(w, (-1,))
    if len(w.shape) != 1 or (
        w.shape[0] is not None and batch_size is not None and w.shape[0] != batch_size
    ):
        raise ValueError(
            f"`{name}` should have one weight per sample, shape ({batch_size},). "
            f"Received: {name}.shape={tuple(w.shape)}"
        )
    values = concrete(w)
    if values is not None:
        if not np.all(np.isfinite(values)):
            raise ValueError(f"`{name}` should contain only finite values. Received: {name}={_short(values)}")
        if np.any(values < 0):
            raise ValueError(f"`{name}` should be non-negative. Received: {name} with minimum {values.min()}")
    return w


def _short(values):
    flat = np.asarray(values).ravel()
    text = np.array2string(flat[:6], precision=4)
    return text[:-1] + " ...]" if flat.size > 6 else text


def maximum(x, y):
    """Elementwise maximum that keeps float64 on every backend.

    (Keras 3.15's ``ops.maximum`` and ``ops.minimum`` go through
    ``result_type``, which demotes float64 to float32 on PyTorch and JAX.)
    NaN propagates, as in NumPy: a clamp never hides one.
    """
    return ops.where(ops.logical_or(x >= y, ops.isnan(x)), x, y)


def minimum(x, y):
    """Elementwise minimum that keeps float64 on every backend; NaN propagates."""
    return ops.where(ops.logical_or(x <= y, ops.isnan(x)), x, y)


def clamp_min(x, value):
    """``maximum(x, value)`` for a Python number, in ``x``'s dtype."""
    return maximum(x, ops.convert_to_tensor(value, dtype=x.dtype))


def clamp_max(x, value):
    """``minimum(x, value)`` for a Python number, in ``x``'s dtype."""
    return minimum(x, ops.convert_to_tensor(value, dtype=x.dtype))


def mean(x, axis=None, keepdims=False):
    """``ops.mean`` that keeps float64 (Keras's on PyTorch averages in float32)."""
    x = ops.convert_to_tensor(x)
    if keras.backend.standardize_dtype(x.dtype) != "float64":
        return ops.mean(x, axis=axis, keepdims=keepdims)
    return ops.sum(x, axis=axis, keepdims=keepdims) / ops.sum(ops.ones_like(x), axis=axis, keepdims=keepdims)


def power(x, exponent):
    """``x ** exponent`` with a Python-number exponent taken in ``x``'s dtype
    (PyTorch rounds a Python float exponent to float32: ``x ** (1 / 1.5)``
    in float64 would be off by about 1e-8 relative)."""
    return ops.power(x, ops.convert_to_tensor(exponent, dtype=x.dtype))


def safe_root(s, p):
    """``s ** (1 / p)`` with a zero (not NaN) gradient at ``s = 0``."""
    if p == 1.0:
        return s
    positive = s > 0
    s_safe = ops.where(positive, s, ops.ones_like(s))
    if p == 2.0:
        root = ops.sqrt(s_safe)
    else:
        root = power(s_safe, 1.0 / p)
    return ops.where(positive, root, ops.zeros_like(s))


def safe_sqrt(s):
    return safe_root(clamp_min(s, 0.0), 2.0)


def abs_power(d, p):
    """``|d| ** p`` with finite gradients at ``d = 0``."""
    if p == 1.0:
        return ops.abs(d)
    if p == 2.0:
        return ops.square(d)
    return power(ops.abs(d), p)


def matmul(a, b):
    """``a @ b`` that keeps float64 on every backend.

    (Keras 3.15's ``ops.matmul`` on PyTorch computes float64 inputs in
    float32; ``einsum`` keeps the dtype.)
    """
    if len(a.shape) == 2 and len(b.shape) == 1:
        return ops.einsum("ij,j->i", a, b)
    return ops.einsum("...ij,...jk->...ik", a, b)
