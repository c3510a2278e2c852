"""The label-convention Wasserstein (critic) loss."""

import keras
from keras import ops

from keras_wass.losses._base import ConfigLoss
from keras_wass.losses._base import check_input
from keras_wass.ops import _checks


@keras.saving.register_keras_serializable(package="keras_wass")
def wasserstein_loss(y_true, y_pred):
    r"""Critic loss with labels: real = -1, fake = +1.

    $$\ell(y, s) = \operatorname{mean}(y \cdot s)$$

    over the last axis. A critic trained to minimise it raises its scores on
    reals and lowers them on fakes; a generator trained with label -1 on its
    samples raises their scores. Minimised over a batch of reals (-1) and
    fakes (+1), ``-loss`` is the critic's estimate of ``W_1`` (times the
    fraction of each).

    Args:
        y_true: labels, -1 for real samples and +1 for generated ones: of
            the shape of ``y_pred``, or one per sample (``(batch,)`` or
            ``(batch, 1)``).
        y_pred: critic scores ``(batch, ...)``.

    Returns:
        ``mean(y_true * y_pred, axis=-1)``: one value per batch element.

    Raises:
        ValueError: non-numeric inputs, a ``y_pred`` without a batch axis,
            an empty batch, a ``y_true`` that is neither of ``y_pred``'s
            shape nor one label per sample, or (outside a compiled step) NaN
            or inf values.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> np.asarray(losses.wasserstein_loss(np.array([[-1.0], [-1.0]]),
        ...                                    np.array([[2.0], [4.0]]))).tolist()
        [-2.0, -4.0]

    References:
        Arjovsky, Chintala and Bottou, "Wasserstein GAN" (ICML 2017),
        arXiv:1701.07875.
    """
    y_pred = check_input(y_pred, "y_pred")
    y_true = _checks.to_tensor(y_true, "y_true")
    _checks.check_finite(y_true, "y_true")
    return _label_product_mean(y_true, y_pred)


def _label_product_mean(y_true, y_pred):
    """``mean(y_true * y_pred, axis=-1)``, one label per sample allowed.

    Labels of shape ``(batch,)`` against scores ``(batch, k)`` get a last
    axis first (as Keras's own losses do), so they are not broadcast against
    the batch (``(batch,) * (batch, 1)`` would be ``(batch, batch)``).
    """
    if len(y_true.shape) == len(y_pred.shape) - 1:
        y_true = ops.expand_dims(y_true, -1)
    mismatch = len(y_true.shape) != len(y_pred.shape) or any(
        a is not None and b is not None and a != b and a != 1
        for a, b in zip(y_true.shape, y_pred.shape)
    )
    if mismatch:
        raise ValueError(
            "`y_true` should have the shape of `y_pred`, or one label per sample "
            f"(batch,) or (batch, 1). Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )
    y_true = ops.cast(y_true, y_pred.dtype)
    return _checks.mean(y_true * y_pred, axis=-1)


@keras.saving.register_keras_serializable(package="keras_wass")
class WassersteinLoss(ConfigLoss):
    r"""Critic loss with labels: real = -1, fake = +1.

    ``mean(y_true * y_pred)`` over the last axis, then Keras's reduction over
    the batch (``"sum_over_batch_size"`` by default).

    Args:
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: name of the loss. Defaults to ``"wasserstein_loss"``.
        dtype: dtype of the computation. Defaults to None (Keras's floatx).

    Returns:
        A ``keras.losses.Loss``; calling it returns the reduced loss.

    Raises:
        ValueError: an unknown ``reduction`` (raised by Keras); when called,
            the inputs `wasserstein_loss` rejects, or batch sizes that differ.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.WassersteinLoss()
        >>> float(loss(np.array([[-1.0], [-1.0], [1.0], [1.0]]),
        ...            np.array([[2.0], [4.0], [1.0], [1.0]])))
        -1.0

    References:
        Arjovsky, Chintala and Bottou, "Wasserstein GAN" (ICML 2017),
        arXiv:1701.07875.
    """

    def __init__(self, reduction="sum_over_batch_size", name="wasserstein_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        # ``__call__`` has checked the values; only the shapes are left.
        return _label_product_mean(ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred))
