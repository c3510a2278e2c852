"""Base loss plus a Wasserstein fairness penalty between groups."""

import keras
from keras import ops

from keras_wass.losses._base import ConfigLoss
from keras_wass.ops import _checks
from keras_wass.ops import _fairness


def split_label_and_group(y_true):
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) != 2 or y_true.shape[-1] != 2:
        raise ValueError(
            "`y_true` should have shape (batch, 2): column 0 the label, column 1 "
            f"the integer group id. Received: y_true.shape={tuple(y_true.shape)}"
        )
    return y_true[:, :1], ops.cast(y_true[:, 1], "int32")


@keras.saving.register_keras_serializable(package="keras_wass")
class WassersteinFairnessLoss(ConfigLoss):
    r"""A base loss plus ``fairness_weight`` times the Wasserstein fairness penalty.

    ``y_true`` is ``(batch, 2)``: the label in column 0 and the integer group
    id (e.g. a sensitive attribute) in column 1; ``y_pred`` is one score per
    sample ``(batch, 1)`` (a probability for the default binary
    cross-entropy). The loss is

    $$\ell(y, \hat y) + \lambda\, W_p\bigl(\hat y \mid g = i,\ \hat y \mid g = j\bigr)$$

    with the penalty of `keras_wass.ops.wasserstein_fairness` computed on the
    batch (the largest gap between two groups' score distributions by
    default). Training with ``fairness_weight > 0`` pulls the groups' score
    distributions together (demographic parity, Jiang et al. 2019), trading
    some accuracy for a smaller gap. Use batches large enough to hold every
    group.

    Args:
        base_loss: a Keras loss (name, function or ``Loss``) applied to
            ``(y_true[:, :1], y_pred)``. Defaults to ``"binary_crossentropy"``.
        fairness_weight: ``lambda >= 0``. Defaults to 1.0.
        p: order of the distance, ``>= 1``. Defaults to 1.
        num_groups: number of groups, ids in ``[0, num_groups)``; fixed so the
            loss runs in compiled training steps. Defaults to 2.
        reference: ``"pairwise"`` or ``"overall"`` (see
            `keras_wass.ops.wasserstein_fairness`). Defaults to
            ``"pairwise"``.
        reduction_over_groups: ``"max"`` or ``"mean"``. Defaults to ``"max"``.
        reduction: Keras reduction over the batch. Defaults to
            ``"sum_over_batch_size"``.
        name: Defaults to ``"wasserstein_fairness_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss``: per sample, the base loss plus the batch's
        penalty (so the mean over the batch is the mean base loss plus the
        penalty).

    Raises:
        ValueError: a negative ``fairness_weight``, ``p < 1``, unknown
            options, or ``y_true`` that is not ``(batch, 2)``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.WassersteinFairnessLoss(fairness_weight=1.0)
        >>> y_true = np.array([[1, 0], [0, 0], [1, 1], [0, 1]], "float32")
        >>> y_pred = np.array([[0.9], [0.7], [0.3], [0.1]], "float32")
        >>> round(float(loss(y_true, y_pred)), 4)  # cross-entropy 0.6547 + gap 0.6
        1.2547

    References:
        Jiang, Pacchiano, Stepleton, Jiang and Chiappa, "Wasserstein Fair
        Classification" (UAI 2019), arXiv:1907.12059.
    """

    _config_keys = ("fairness_weight", "p", "num_groups", "reference", "reduction_over_groups")

    def __init__(self, base_loss="binary_crossentropy", fairness_weight=1.0, p=1, num_groups=2,
                 reference="pairwise", reduction_over_groups="max", reduction="sum_over_batch_size",
                 name="wasserstein_fairness_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if isinstance(fairness_weight, bool) or not isinstance(fairness_weight, (int, float)) or not (
            fairness_weight >= 0
        ):
            raise ValueError(
                f"`fairness_weight` should be a number >= 0. Received: fairness_weight={fairness_weight!r}"
            )
        self.p, self.num_groups = _fairness.check_fairness_options(
            p, num_groups if num_groups is not None else 2, reference, reduction_over_groups
        )
        self.fairness_weight = float(fairness_weight)
        self.reference = reference
        self.reduction_over_groups = reduction_over_groups
        self.base_loss = keras.losses.get(base_loss)

    def call(self, y_true, y_pred):
        labels, groups = split_label_and_group(y_true)
        y_pred = ops.convert_to_tensor(y_pred)
        if len(y_pred.shape) == 1:
            y_pred = y_pred[:, None]
        labels = ops.cast(labels, y_pred.dtype)
        base = self.base_loss(labels, y_pred)
        if len(base.shape) > 1:
            base = _checks.mean(base, axis=tuple(range(1, len(base.shape))))
        penalty = _fairness.wasserstein_fairness(
            y_pred[:, 0], groups, p=self.p, num_groups=self.num_groups,
            reference=self.reference, reduction=self.reduction_over_groups,
        )
        return base + ops.cast(self.fairness_weight * penalty, base.dtype)

    def get_config(self):
        config = super().get_config()
        config["base_loss"] = keras.losses.serialize(self.base_loss)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["base_loss"] = keras.losses.deserialize(config["base_loss"])
        return cls(**config)
