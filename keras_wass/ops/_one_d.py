"""Exact Wasserstein distances between 1-D empirical distributions."""

import keras
from keras import ops

from keras_wass import backend
from keras_wass.ops import _checks


def quantile_differences(u, v, u_weights=None, v_weights=None):
    """Differences of two quantile functions on their merged breakpoints.

    For 1-D measures with quantile functions ``F^-1`` and ``G^-1``,
    ``W_p^p = int_0^1 |F^-1(t) - G^-1(t)|^p dt``. Both quantile functions are
    piecewise constant, so the integral is a finite sum over the intervals
    between the merged cumulative weights.

    Args:
        u: values, shape ``(..., n)``.
        v: values, shape ``(..., m)`` with the same leading shape.
        u_weights: normalised weights of ``u`` (sum 1 on the last axis), or
            None for uniform weights.
        v_weights: the same for ``v``.

    Returns:
        ``(diff, delta)``: ``diff[..., k]`` is ``F^-1 - G^-1`` on the k-th
        interval and ``delta[..., k]`` its length. ``delta`` may be a Python
        float when both sides have uniform weights and equal sizes.
    """
    n, m = u.shape[-1], v.shape[-1]
    if u_weights is None and v_weights is None and n == m and n is not None:
        # Equal sizes, uniform weights: match sorted values one to one.
        return sort_last(u) - sort_last(v), 1.0 / n

    # Sizes unknown in a graph (e.g. the batch axis of a fairness penalty):
    # their run-time values.
    n = ops.shape(u)[-1] if n is None else n
    m = ops.shape(v)[-1] if m is None else m
    u_sorted, u_cum = _sorted_cumulative(u, u_weights)
    v_sorted, v_cum = _sorted_cumulative(v, v_weights)
    # Broadcast by adding zeros: works with an unknown batch size in graphs.
    u_cum = u_cum + ops.zeros_like(u_sorted)
    v_cum = v_cum + ops.zeros_like(v_sorted)
    breaks = ops.concatenate([u_cum, v_cum], axis=-1)
    order = ops.argsort(breaks, axis=-1)
    breaks = ops.take_along_axis(breaks, order, axis=-1)
    # For the first breakpoint of each run of ties, the number of u (or v)
    # breakpoints placed before it is the index of the quantile on the
    # interval that ends there; the other positions close empty intervals.
    from_u = ops.cast(order < n, "int32")
    u_index = ops.minimum(ops.cumsum(from_u, axis=-1) - from_u, n - 1)
    from_v = 1 - from_u
    v_index = ops.minimum(ops.cumsum(from_v, axis=-1) - from_v, m - 1)
    u_quantiles = ops.take_along_axis(u_sorted, u_index, axis=-1)
    v_quantiles = ops.take_along_axis(v_sorted, v_index, axis=-1)
    previous = ops.concatenate(
        [ops.zeros_like(breaks[..., :1]), breaks[..., :-1]], axis=-1
    )
    delta = _checks.clamp_min(breaks - previous, 0.0)
    return u_quantiles - v_quantiles, delta


_SIGN_FREE = {"float32": ("int32", 2**31 - 1), "float64": ("int64", 2**63 - 1)}


def _order_preserving_bits(t, int_dtype, mask):
    """The bits of floats as integers whose order is the floats' order.

    Non-negative floats are already ordered as their bit patterns; for
    negative ones (sign bit set, so negative integers) flipping the other
    bits reverses their order. The map is its own inverse.
    """
    bits = ops.view(t, int_dtype) if "float" in str(t.dtype) else t
    return ops.where(bits < 0, ops.bitwise_xor(bits, ops.convert_to_tensor(mask, dtype=int_dtype)), bits)


def _key_sort(t):
    """Sorts along the last axis through integer keys, with the gradient of a sort."""
    dtype = keras.backend.standardize_dtype(t.dtype)
    int_dtype, mask = _SIGN_FREE[dtype]

    @ops.custom_gradient
    def sort(values):
        keys = ops.sort(_order_preserving_bits(values, int_dtype, mask), axis=-1)
        result = ops.view(_order_preserving_bits(keys, int_dtype, mask), dtype)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            # The k-th sorted value is the input at order[k]: its gradient
            # goes back to the rank of each input (the inverse permutation).
            rank = ops.argsort(ops.argsort(values, axis=-1), axis=-1)
            return ops.take_along_axis(upstream, rank, axis=-1)

        return result, grad

    return sort(t)


def sort_last(t):
    """``ops.sort(t, axis=-1)``, faster on JAX.

    XLA's CPU sort compares floats through a total-order comparator that
    converts both operands at every comparison; the same sort of the
    order-preserving integer keys of the values is about 4x faster (measured
    on 128 x 10^5 float32: 1.1 s against 4.8 s). The result is bit for bit
    ``ops.sort``'s (NaNs aside, which the ops reject), and the gradient is a
    sort's (upstream values sent back to the positions the sorted values
    came from), computed in the backward pass. Other backends sort floats
    directly: their integer sorts are no faster.
    """
    dtype = keras.backend.standardize_dtype(t.dtype)
    if keras.backend.backend() != "jax" or dtype not in _SIGN_FREE:
        return ops.sort(t, axis=-1)
    return _key_sort(t)


def _sorted_cumulative(values, weights):
    n = values.shape[-1]
    if weights is None:
        cum = ops.arange(1, n + 1, dtype=values.dtype) / n
        return ops.sort(values, axis=-1), cum
    order = ops.argsort(values, axis=-1)
    sorted_values = ops.take_along_axis(values, order, axis=-1)
    cum = backend.cumsum(ops.take_along_axis(weights, order, axis=-1), axis=-1)
    # The last cumulative weight is exactly 1 whatever the rounding.
    cum = cum / cum[..., -1:]
    return sorted_values, cum


def power_cost(diff, delta, p, axes):
    """Returns ``(scale, s)`` with ``sum(delta * |diff|^p) = scale^p * s``.

    The differences are divided by their largest magnitude first, so that
    large ``p`` never overflows (and small ones never underflow to 0).
    """
    if p == 1.0:
        return None, ops.sum(delta * ops.abs(diff), axis=axes)
    scale = ops.stop_gradient(ops.max(ops.abs(diff), axis=axes, keepdims=True))
    scale = ops.where(scale > 0, scale, ops.ones_like(scale))
    s = ops.sum(delta * _checks.abs_power(diff / scale, p), axis=axes)
    return ops.squeeze(scale, axis=axes), s


def scaled_root(scale, s, p):
    """``(scale^p * s) ** (1/p)``, safe at 0."""
    root = _checks.safe_root(s, p)
    return root if scale is None else scale * root


def prepare_1d(u, v, u_weights, v_weights, names=("u", "v")):
    """Validates two 1-D samples (``(n,)`` or ``(batch, n)``) and weights."""
    nu, nv = names
    u = _checks.to_tensor(u, nu)
    v = _checks.to_tensor(v, nv)
    dtype = _checks.compute_dtype(u, v)
    u, v = ops.cast(u, dtype), ops.cast(v, dtype)
    _checks.check_rank(u, nu, (1, 2))
    _checks.check_rank(v, nv, (1, 2))
    if len(u.shape) != len(v.shape):
        raise ValueError(
            f"`{nu}` and `{nv}` should have the same rank (both 1-D samples or "
            f"both batched). Received: {nu}.shape={tuple(u.shape)}, "
            f"{nv}.shape={tuple(v.shape)}"
        )
    if len(u.shape) == 2 and u.shape[0] != v.shape[0] and None not in (
        u.shape[0],
        v.shape[0],
    ):
        raise ValueError(
            f"`{nu}` and `{nv}` should have the same batch size. "
            f"Received: {nu}.shape={tuple(u.shape)}, {nv}.shape={tuple(v.shape)}"
        )
    _checks.check_not_empty(u, nu, (-1,))
    _checks.check_not_empty(v, nv, (-1,))
    _checks.check_finite(u, nu)
    _checks.check_finite(v, nv)
    if u_weights is not None:
        u_weights = _checks.check_weights(u_weights, f"{nu}_weights", u.shape, dtype)
    if v_weights is not None:
        v_weights = _checks.check_weights(v_weights, f"{nv}_weights", v.shape, dtype)
    return u, v, u_weights, v_weights


def wasserstein_1d(u, v, p=1, u_weights=None, v_weights=None):
    r"""Exact p-Wasserstein distance between 1-D empirical distributions.

    $$W_p(\mu, \nu) = \left(\int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^p\,dt\right)^{1/p}$$

    computed exactly from the sorted samples and their cumulative weights, in
    ``O((n + m) log(n + m))``. Sizes and weights may differ between ``u`` and
    ``v``. The differences are rescaled by their largest magnitude before the
    power, so any ``p >= 1`` is safe from overflow. Gradients are finite
    everywhere, including at ``u == v`` (the gradient there is 0).

    Args:
        u: samples of the first distribution, shape ``(n,)`` or
            ``(batch, n)``.
        v: samples of the second distribution, shape ``(m,)`` or
            ``(batch, m)``.
        p: order of the distance, ``>= 1``. Defaults to 1.
        u_weights: optional non-negative weights of ``u`` with its shape and a
            positive sum (normalised to 1). Defaults to uniform.
        v_weights: the same for ``v``. Defaults to uniform.

    Returns:
        ``W_p`` (with the ``1/p`` root, like ``scipy.stats.wasserstein_distance``
        for ``p = 1``): a scalar for 1-D inputs, shape ``(batch,)`` otherwise.

    Raises:
        ValueError: for ``p < 1``, empty or non-finite samples, mismatched
            ranks or batch sizes, weights of the wrong shape, negative weights
            or weights summing to 0 (value checks run when values are
            concrete, i.e. outside ``jit``).

    Example:
        >>> from keras_wass import ops
        >>> float(ops.wasserstein_1d([0.0, 1.0, 2.0], [0.0, 2.0]))  # doctest: +ELLIPSIS
        0.33333...
        >>> float(ops.wasserstein_1d([0.0, 1.0, 2.0], [0.0, 2.0], p=2))  # doctest: +ELLIPSIS
        0.57735...

    References:
        Villani, "Optimal Transport: Old and New" (2009), Remark 2.19.
        Peyre and Cuturi, "Computational Optimal Transport" (2019),
        arXiv:1803.00567, Section 2.6.
    """
    p = _checks.check_p(p)
    u, v, u_weights, v_weights = prepare_1d(u, v, u_weights, v_weights)
    diff, delta = quantile_differences(u, v, u_weights, v_weights)
    scale, s = power_cost(diff, delta, p, axes=-1)
    return scaled_root(scale, s, p)
