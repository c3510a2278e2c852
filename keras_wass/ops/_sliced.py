"""Sliced and max-sliced Wasserstein distances."""

import keras
from keras import ops

from keras_wass import backend
from keras_wass.ops import _checks
from keras_wass.ops._one_d import power_cost
from keras_wass.ops._one_d import quantile_differences
from keras_wass.ops._one_d import scaled_root


def prepare_clouds(x, y, a=None, b=None, names=("x", "y")):
    """Validates two point clouds ``(n, d)`` / ``(batch, n, d)`` and weights."""
    nx, ny = names
    x = _checks.to_tensor(x, nx)
    y = _checks.to_tensor(y, ny)
    dtype = _checks.compute_dtype(x, y)
    x, y = ops.cast(x, dtype), ops.cast(y, dtype)
    _checks.check_rank(x, nx, (2, 3))
    _checks.check_rank(y, ny, (2, 3))
    if len(x.shape) != len(y.shape):
        raise ValueError(
            f"`{nx}` and `{ny}` should have the same rank (both (n, d) or both "
            f"(batch, n, d)). Received: {nx}.shape={tuple(x.shape)}, "
            f"{ny}.shape={tuple(y.shape)}"
        )
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"`{nx}` and `{ny}` should have the same dimension d (last axis). "
            f"Received: {nx}.shape={tuple(x.shape)}, {ny}.shape={tuple(y.shape)}"
        )
    if len(x.shape) == 3 and None not in (x.shape[0], y.shape[0]):
        if x.shape[0] != y.shape[0]:
            raise ValueError(
                f"`{nx}` and `{ny}` should have the same batch size. "
                f"Received: {nx}.shape={tuple(x.shape)}, "
                f"{ny}.shape={tuple(y.shape)}"
            )
    _checks.check_not_empty(x, nx, (-2, -1))
    _checks.check_not_empty(y, ny, (-2, -1))
    _checks.check_finite(x, nx)
    _checks.check_finite(y, ny)
    if a is not None:
        a = _checks.check_weights(a, "a", x.shape[:-1], dtype)
    if b is not None:
        b = _checks.check_weights(b, "b", y.shape[:-1], dtype)
    return x, y, a, b


def random_directions(d, n_projections, seed, dtype, entropy=()):
    """``n_projections`` random unit vectors in R^d, as a ``(d, L)`` matrix.

    With an integer seed (or a ``SeedGenerator``) the draws come from
    ``keras.random.normal``. With ``seed=None`` they are fresh at every call,
    also inside a compiled step (see ``keras_wass.backend.unseeded_normal``:
    under ``jax.jit`` the key is derived from the bits of ``entropy``, the
    data of the call).
    """
    shape = (d, n_projections)
    if seed is None:
        theta = backend.unseeded_normal(shape, dtype, entropy)
    else:
        theta = keras.random.normal(shape, dtype=dtype, seed=seed)
    theta = ops.cast(theta, dtype)
    norms = ops.sqrt(ops.sum(ops.square(theta), axis=0, keepdims=True))
    return theta / _checks.clamp_min(norms, 1e-12)


def _check_projections(projections, d, dtype):
    projections = _checks.to_tensor(projections, "projections")
    projections = ops.cast(projections, dtype)
    if len(projections.shape) != 2 or projections.shape[0] != d:
        raise ValueError(
            f"`projections` should have shape (d, n_projections) with d={d}. "
            f"Received: projections.shape={tuple(projections.shape)}"
        )
    _checks.check_not_empty(projections, "projections", (-1,))
    _checks.check_finite(projections, "projections")
    return projections


def project(points, theta):
    """``theta^T points^T``: ``(..., n, d)`` and ``(d, L)`` -> ``(..., L, n)``.

    A plain ``matmul`` (BLAS on every backend; NumPy's ``einsum`` is not) except
    in float64 off NumPy, where ``_checks.matmul`` keeps the dtype.
    """
    theta_t = ops.transpose(theta)
    points_t = ops.swapaxes(points, -1, -2)
    if keras.backend.standardize_dtype(points.dtype) == "float64" and keras.backend.backend() != "numpy":
        return _checks.matmul(theta_t, points_t)
    return ops.matmul(theta_t, points_t)


def projected_costs(x, y, theta, a, b, p):
    """Per-direction costs: returns ``(scale, s)`` with shape ``(..., L)``
    such that ``W_p^p`` along direction ``l`` is ``scale^p * s[..., l]``."""
    # The 1-D problems live on the last axis: (..., L, n), made contiguous by
    # the product itself (sorting a transposed view is slower on every backend).
    xp = project(x, theta)
    yp = project(y, theta)
    if a is not None:
        a = ops.broadcast_to(ops.expand_dims(a, -2), xp.shape)
    if b is not None:
        b = ops.broadcast_to(ops.expand_dims(b, -2), yp.shape)
    diff, delta = quantile_differences(xp, yp, a, b)
    if p == 1.0:
        return None, ops.sum(delta * ops.abs(diff), axis=-1)
    # One scale for all directions of a batch element, so the costs add up.
    scale = ops.stop_gradient(ops.max(ops.abs(diff), axis=(-2, -1), keepdims=True))
    scale = ops.where(scale > 0, scale, ops.ones_like(scale))
    s = ops.sum(delta * _checks.abs_power(diff / scale, p), axis=-1)
    return ops.squeeze(scale, axis=(-2, -1)), s


def _directions(x, y, n_projections, seed, projections):
    d = x.shape[-1]
    if projections is not None:
        return _check_projections(projections, d, x.dtype)
    n_projections = _checks.check_positive_int(n_projections, "n_projections")
    seed = _checks.check_seed(seed)
    return random_directions(d, n_projections, seed, x.dtype, entropy=(x, y))


def sliced_wasserstein(
    x, y, n_projections=128, p=2, seed=None, projections=None, a=None, b=None
):
    r"""Monte-Carlo sliced p-Wasserstein distance between two point clouds.

    $$SW_p(\mu, \nu) = \left(\frac{1}{L}\sum_{l=1}^{L}
    W_p^p(\theta_l^\top \# \mu, \theta_l^\top \# \nu)\right)^{1/p}$$

    with ``L`` directions ``theta_l`` drawn uniformly on the sphere (or given
    as ``projections``). Each 1-D problem is solved exactly by sorting, so the
    cost is one matrix product and two sorts per direction. Gives the same
    value as POT's ``ot.sliced_wasserstein_distance`` with the same
    projection matrix.

    Randomness: with an integer ``seed`` the directions are fixed and
    reproducible within a backend. With ``seed=None`` they are fresh at every
    call: eagerly and under ``tf.function`` from Keras's global seed
    generator, and under ``jax.jit`` (where a loss's own ``SeedGenerator`` is
    not part of Keras's training state) from a key folded from the bits of
    ``x`` and ``y``, so every new batch gives new directions.

    Args:
        x: point cloud ``(n, d)`` or batch of clouds ``(batch, n, d)``.
        y: point cloud ``(m, d)`` or ``(batch, m, d)``.
        n_projections: number of random directions ``L``, ``>= 1``.
            Defaults to 128.
        p: order, ``>= 1``. Defaults to 2.
        seed: None, an integer or a ``keras.random.SeedGenerator``.
            Defaults to None.
        projections: optional ``(d, L)`` matrix whose columns are the
            directions (used as given); overrides ``n_projections`` and
            ``seed``.
        a: optional weights of the points of ``x``, shape ``x.shape[:-1]``.
        b: optional weights of the points of ``y``, shape ``y.shape[:-1]``.

    Returns:
        ``SW_p`` (with the ``1/p`` root): a scalar for unbatched clouds, shape
        ``(batch,)`` otherwise.

    Raises:
        ValueError: for ``p < 1``, ``n_projections < 1``, a bad ``seed``,
            clouds of different dimension, rank or batch size, empty or
            non-finite clouds, bad weights, or ``projections`` of the wrong
            shape.

    Example:
        >>> import numpy as np
        >>> from keras_wass import ops
        >>> x = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> round(float(ops.sliced_wasserstein(x, x + [3.0, 0.0],
        ...     projections=np.eye(2))), 5)  # doctest: +ELLIPSIS
        2.12132

    References:
        Rabin, Peyre, Delon and Bernot, "Wasserstein Barycenter and its
        Application to Texture Mixing" (2011).
        Bonneel, Rabin, Peyre and Pfister, "Sliced and Radon Wasserstein
        Barycenters of Measures" (2015).
    """
    p = _checks.check_p(p)
    x, y, a, b = prepare_clouds(x, y, a, b)
    theta = _directions(x, y, n_projections, seed, projections)
    scale, s = projected_costs(x, y, theta, a, b, p)
    return scaled_root(scale, _checks.mean(s, axis=-1), p)


def max_sliced_wasserstein(x, y, n_projections=128, p=2, seed=None, projections=None, a=None, b=None):
    r"""Max-sliced p-Wasserstein distance over sampled directions.

    $$\max_{l} W_p(\theta_l^\top \# \mu, \theta_l^\top \# \nu)$$

    over ``L`` random unit directions (or the columns of ``projections``).
    It is a lower bound of the max-sliced distance over the whole sphere and
    rises to it as ``n_projections`` grows; the gradient flows through the
    best direction only.

    Args:
        x: point cloud ``(n, d)`` or ``(batch, n, d)``.
        y: point cloud ``(m, d)`` or ``(batch, m, d)``.
        n_projections: number of random directions, ``>= 1``. Defaults to 128.
        p: order, ``>= 1``. Defaults to 2.
        seed: None, an integer or a ``keras.random.SeedGenerator``
            (see `sliced_wasserstein` for how ``None`` stays fresh under jit).
            Defaults to None.
        projections: optional ``(d, L)`` matrix of directions.
        a: optional weights of the points of ``x``.
        b: optional weights of the points of ``y``.

    Returns:
        The largest projected ``W_p``: a scalar, or shape ``(batch,)``.

    Raises:
        ValueError: as `sliced_wasserstein`.

    Example:
        >>> import numpy as np
        >>> from keras_wass import ops
        >>> x = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> float(ops.max_sliced_wasserstein(x, x + [3.0, 0.0],
        ...     projections=np.eye(2)))
        3.0

    References:
        Deshpande et al., "Max-Sliced Wasserstein Distance and its use for
        GANs" (CVPR 2019), arXiv:1904.05877.
    """
    p = _checks.check_p(p)
    x, y, a, b = prepare_clouds(x, y, a, b)
    theta = _directions(x, y, n_projections, seed, projections)
    scale, s = projected_costs(x, y, theta, a, b, p)
    return scaled_root(scale, ops.max(s, axis=-1), p)
