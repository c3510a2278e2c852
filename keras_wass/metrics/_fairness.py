"""Streaming Wasserstein fairness gap over a whole evaluation set."""

import keras
import numpy as np
from keras import ops

from keras_wass.losses._fairness import split_label_and_group
from keras_wass.ops import _checks
from keras_wass.ops import _fairness


@keras.saving.register_keras_serializable(package="keras_wass")
class WassersteinFairnessGap(keras.metrics.Metric):
    r"""Wasserstein gap between groups' score distributions, over all batches seen.

    ``update_state(y_true, y_pred)`` takes ``y_true`` of shape ``(batch, 2)``
    (label, integer group id), as `keras_wass.losses.WassersteinFairnessLoss`
    does, and one score per sample in ``y_pred``. It accumulates, per group,
    a histogram of the scores on the ``bins + 1`` points of an even grid over
    ``value_range`` (each score counts at its nearest grid point; scores
    outside are clipped into the range), so memory is fixed and it runs in
    compiled evaluation. ``result()`` is `keras_wass.ops.wasserstein_fairness`
    of the accumulated distributions: the value for the whole evaluation set,
    not a mean of per-batch values. Rounding moves each score by at most half a
    grid step, so the result is within ``(hi - lo) / bins`` of the exact value
    on all the scores (``1e-3`` with the defaults).

    Args:
        num_groups: number of groups, ids in ``[0, num_groups)``. Defaults to
            2.
        p: order of the distance, ``>= 1``. Defaults to 1.
        reference: ``"pairwise"`` or ``"overall"``. Defaults to
            ``"pairwise"``.
        reduction: ``"max"`` or ``"mean"`` over pairs or groups. Defaults to
            ``"max"``.
        bins: number of grid steps. Defaults to 1000.
        value_range: ``(lo, hi)`` of the scores. Defaults to ``(0.0, 1.0)``
            (probabilities).
        name: Defaults to ``"wasserstein_fairness_gap"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.metrics.Metric``; ``result()`` is a scalar (0 until two
        groups have been seen).

    Raises:
        ValueError: ``p < 1``, ``bins < 1``, an empty ``value_range``, unknown
            options, ``y_true`` that is not ``(batch, 2)``, group ids outside
            ``[0, num_groups)`` (checked outside compiled steps; inside one
            such rows add nothing), ``y_pred`` that is not one finite score per
            sample, or a negative or misshapen ``sample_weight``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import metrics
        >>> m = metrics.WassersteinFairnessGap()
        >>> m.update_state(np.array([[0, 0], [0, 0]]), np.array([[0.0], [0.0]]))
        >>> m.update_state(np.array([[0, 0], [0, 0], [1, 1], [1, 1]]), np.array([[0.0], [1.0], [1.0], [1.0]]))
        >>> round(float(m.result()), 3)  # group 0: [0, 0, 0, 1], group 1: [1, 1]
        0.75

    References:
        Jiang, Pacchiano, Stepleton, Jiang and Chiappa, "Wasserstein Fair
        Classification" (UAI 2019), arXiv:1907.12059.
    """

    def __init__(self, num_groups=2, p=1, reference="pairwise", reduction="max", bins=1000,
                 value_range=(0.0, 1.0), name="wasserstein_fairness_gap", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.p, self.num_groups = _fairness.check_fairness_options(p, num_groups, reference, reduction)
        if self.num_groups is None:
            raise ValueError("`num_groups` should be a positive integer. Received: num_groups=None")
        self.bins = _checks.check_positive_int(bins, "bins")
        try:
            lo, hi = (float(v) for v in value_range)
        except (TypeError, ValueError):
            raise ValueError(
                f"`value_range` should be a pair (lo, hi). Received: value_range={value_range!r}"
            ) from None
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(
                f"`value_range` should be finite with hi > lo. Received: value_range={value_range!r}"
            )
        self.value_range = (lo, hi)
        self.reference, self.reduction = reference, reduction
        self.counts = self.add_variable(
            shape=(self.num_groups, self.bins + 1), initializer="zeros", dtype="float32", name="counts"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        _, groups = split_label_and_group(y_true)
        scores = _checks.to_tensor(y_pred, "y_pred", dtype="float32")
        if len(scores.shape) == 2 and scores.shape[-1] == 1:
            scores = ops.reshape(scores, (-1,))
        if len(scores.shape) != 1 or (
            scores.shape[0] is not None and groups.shape[0] is not None and scores.shape[0] != groups.shape[0]
        ):
            raise ValueError(
                "`y_pred` should hold one score per sample of `y_true`, shape "
                f"(batch, 1) or (batch,). Received: y_true.shape={tuple(ops.shape(y_true))}, "
                f"y_pred.shape={tuple(scores.shape)}"
            )
        _checks.check_finite(scores, "y_pred")
        ids = _checks.concrete(groups)
        if ids is not None and ids.size and (ids.min() < 0 or ids.max() >= self.num_groups):
            raise ValueError(
                f"`y_true` group ids (column 1) should be in [0, {self.num_groups}) for "
                f"num_groups={self.num_groups}. Received: ids from {ids.min()} to {ids.max()}"
            )
        sample_weight = _checks.check_sample_weight(sample_weight, scores.shape[0])
        lo, hi = self.value_range
        position = (ops.clip(scores, lo, hi) - lo) / (hi - lo) * self.bins
        index = ops.clip(ops.cast(ops.round(position), "int32"), 0, self.bins)
        weight = ops.ones_like(scores) if sample_weight is None else sample_weight
        # Inside a compiled step the ids cannot be checked: those outside
        # [0, num_groups) add nothing.
        flat = groups * (self.bins + 1) + index
        inside = ops.logical_and(groups >= 0, groups < self.num_groups)
        flat = ops.where(inside, flat, ops.zeros_like(flat))
        weight = ops.where(inside, weight, ops.zeros_like(weight))
        added = ops.segment_sum(weight, flat, num_segments=self.num_groups * (self.bins + 1))
        self.counts.assign_add(ops.reshape(added, (self.num_groups, self.bins + 1)))

    def result(self):
        lo, hi = self.value_range
        width = (hi - lo) / self.bins
        grid = lo + width * ops.arange(self.bins + 1, dtype="float32")
        distances, present, counts = _fairness.group_distances(
            grid, ops.convert_to_tensor(self.counts), self.p, self.reference
        )
        return _fairness.reduce_distances(distances, present, counts, self.reference, self.reduction)

    def reset_state(self):
        self.counts.assign(ops.zeros((self.num_groups, self.bins + 1), dtype="float32"))

    def get_config(self):
        config = super().get_config()
        config.update(num_groups=self.num_groups, p=self.p, reference=self.reference,
                      reduction=self.reduction, bins=self.bins, value_range=list(self.value_range))
        return config
