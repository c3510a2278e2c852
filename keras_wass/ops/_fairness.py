"""Wasserstein fairness: distances between the score distributions of groups."""

import numpy as np
from keras import ops

from keras_wass.ops import _checks
from keras_wass.ops import _one_d

_REFERENCES = ("pairwise", "overall")
_REDUCTIONS = ("max", "mean")


def check_fairness_options(p, num_groups, reference, reduction):
    p = _checks.check_p(p)
    if num_groups is not None:
        num_groups = _checks.check_positive_int(num_groups, "num_groups")
    if reference not in _REFERENCES:
        raise ValueError(
            f"`reference` should be one of {_REFERENCES}. Received: reference={reference!r}"
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"`reduction` should be one of {_REDUCTIONS}. Received: reduction={reduction!r}"
        )
    return p, num_groups


def _scores(y_pred):
    scores = _checks.to_tensor(y_pred, "y_pred")
    scores = ops.cast(scores, _checks.compute_dtype(scores))
    if len(scores.shape) == 2 and scores.shape[-1] == 1:
        scores = scores[:, 0]
    if len(scores.shape) != 1:
        raise ValueError(
            "`y_pred` should hold one score per sample, shape (batch,) or (batch, 1). "
            f"Received: y_pred.shape={tuple(scores.shape)}"
        )
    _checks.check_not_empty(scores, "y_pred", (0,))
    _checks.check_finite(scores, "y_pred")
    return scores


def _group_ids(groups, batch, num_groups):
    """Integer ids in ``[0, num_groups)`` and the number of groups."""
    groups = ops.convert_to_tensor(groups)
    if len(groups.shape) == 2 and groups.shape[-1] == 1:
        groups = groups[:, 0]
    if len(groups.shape) != 1 or (groups.shape[0] is not None and batch is not None
                                  and groups.shape[0] != batch):
        raise ValueError(
            f"`groups` should hold one group id per score, shape ({batch},). "
            f"Received: groups.shape={tuple(groups.shape)}"
        )
    values = _checks.concrete(groups)
    if values is not None:
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            raise ValueError(
                f"`groups` should contain integer group ids. Received: groups={_checks._short(values)}"
            )
        if num_groups is None:
            # Eager: relabel whatever ids occur as 0..K-1.
            labels, ids = np.unique(values.astype(np.int64), return_inverse=True)
            return ops.convert_to_tensor(ids.astype("int32")), len(labels)
        if np.any(values < 0) or np.any(values >= num_groups):
            raise ValueError(
                f"`groups` should contain ids in [0, num_groups={num_groups}). "
                f"Received: ids from {int(values.min())} to {int(values.max())}"
            )
    elif num_groups is None:
        raise ValueError(
            "`num_groups` is needed when `groups` is symbolic (under jit or in a "
            "compiled train step): pass num_groups=K for integer ids in [0, K). "
            "Received: num_groups=None"
        )
    return ops.cast(groups, "int32"), num_groups


def group_distances(values, masses, p, reference):
    """``(distances, present, counts)`` between groups' distributions on shared support.

    Args:
        values: support points, shape ``(n,)`` (the scores, or bin centres).
        masses: ``(K, n)`` non-negative mass of each group on each point
            (one-hot group masks for samples, counts for histograms).

    ``distances`` has shape ``(P,)`` with ``P = K (K - 1) / 2`` pairs ``i < j``
    for ``reference="pairwise"`` and ``P = K`` (each group against all mass)
    for ``"overall"``. Entries whose groups are absent are 0 and ``present``
    is False there; ``counts`` is the total mass of each group.
    """
    num_groups = masses.shape[0]
    dtype = values.dtype
    counts = ops.sum(masses, axis=-1)
    here = counts > 0
    # An absent group gets uniform weights (so the weights always have a
    # positive sum and the value is finite); its entries are masked out.
    safe = ops.where(here[:, None], masses, ops.ones_like(masses))
    if reference == "pairwise":
        first, second = np.triu_indices(num_groups, k=1)
        if len(first) == 0:
            return ops.zeros((0,), dtype=dtype), ops.zeros((0,), dtype="bool"), counts
        u_w, v_w = ops.take(safe, first, axis=0), ops.take(safe, second, axis=0)
        present = ops.logical_and(ops.take(here, first), ops.take(here, second))
    else:
        total = ops.sum(masses, axis=0, keepdims=True)
        total = ops.where(ops.sum(total) > 0, total, ops.ones_like(total))
        u_w, v_w = safe, total + ops.zeros_like(safe)
        present = here
    support = values[None, :] + ops.zeros_like(u_w)
    u_w = u_w / ops.sum(u_w, axis=-1, keepdims=True)
    v_w = v_w / ops.sum(v_w, axis=-1, keepdims=True)
    diff, delta = _one_d.quantile_differences(support, support, u_w, v_w)
    scale, s = _one_d.power_cost(diff, delta, p, axes=-1)
    distances = _one_d.scaled_root(scale, s, p)
    distances = ops.where(present, distances, ops.zeros_like(distances))
    return distances, present, counts


def reduce_distances(distances, present, counts, reference, reduction):
    dtype = distances.dtype
    if reduction == "max":
        return ops.max(ops.concatenate([distances, ops.zeros((1,), dtype=dtype)]))
    if reference == "overall":
        weights = counts
    else:
        weights = ops.cast(present, dtype)
    weights = ops.where(present, weights, ops.zeros_like(weights))
    total = ops.sum(weights)
    return ops.sum(weights * distances) / _checks.maximum(total, ops.ones_like(total))


def wasserstein_fairness(y_pred, groups, p=1, num_groups=None, reference="pairwise", reduction="max"):
    r"""Wasserstein distance between the score distributions of groups.

    A model is demographically fair in the sense of Jiang et al. (2019) when
    its scores have the same distribution in every group. This measures how
    far that is from true with exact 1-D Wasserstein distances:

    - ``reference="pairwise"`` (default): ``W_p`` between the scores of every
      two groups, reduced by ``"max"`` (the largest gap, default) or
      ``"mean"`` (over the pairs present);
    - ``reference="overall"``: ``W_p`` between each group's scores and all
      scores of the batch, as in Jiang et al.; ``"max"`` over groups or
      ``"mean"`` weighted by group size.

    Groups of any number and size are fine; a group id that does not occur
    in the batch is ignored (not NaN), and with fewer than two groups present
    the value is 0. The value is differentiable in ``y_pred`` (gradients of
    sorting, finite at ties).

    Args:
        y_pred: scores, shape ``(batch,)`` or ``(batch, 1)`` (e.g. predicted
            probabilities).
        groups: integer group ids, shape ``(batch,)`` or ``(batch, 1)``.
        p: order of the distance, ``>= 1``. Defaults to 1.
        num_groups: the number of groups ``K``, ids in ``[0, K)``. Needed
            under ``jit`` (compiled training); eagerly, the ids that occur are
            used (any integers). Defaults to None.
        reference: ``"pairwise"`` or ``"overall"``. Defaults to
            ``"pairwise"``.
        reduction: ``"max"`` or ``"mean"``. Defaults to ``"max"``.

    Returns:
        A scalar tensor: the reduced ``W_p`` (with its ``1/p`` root), in the
        units of the scores.

    Raises:
        ValueError: ``p < 1``; an unknown ``reference`` or ``reduction``;
            scores that are not one per sample, empty or not finite; group ids
            that are not integers, not one per score, or (with
            ``num_groups``) outside ``[0, num_groups)``; symbolic ``groups``
            without ``num_groups``.

    Example:
        >>> from keras_wass import ops
        >>> scores = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
        >>> groups = [0, 0, 0, 0, 1, 1, 1, 1]
        >>> float(ops.wasserstein_fairness(scores, groups))
        0.75

    References:
        Jiang, Pacchiano, Stepleton, Jiang and Chiappa, "Wasserstein Fair
        Classification" (UAI 2019), arXiv:1907.12059.
    """
    p, num_groups = check_fairness_options(p, num_groups, reference, reduction)
    scores = _scores(y_pred)
    ids, num_groups = _group_ids(groups, scores.shape[0], num_groups)
    masses = ops.transpose(ops.one_hot(ids, num_groups, dtype=scores.dtype))  # (K, batch)
    distances, present, counts = group_distances(scores, masses, p, reference)
    return reduce_distances(distances, present, counts, reference, reduction)
