"""The label-convention Wasserstein (critic) loss."""

import keras
from keras import ops

from keras_wass.losses._base import ConfigLoss
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
        y_true: labels, -1 for real samples and +1 for generated ones.
        y_pred: critic scores, same shape.

    Returns:
        ``mean(y_true * y_pred, axis=-1)``: one value per batch element.

    Raises:
        ValueError: shapes of ``y_true`` and ``y_pred`` that do not broadcast
            (raised by the backend's multiply).

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
    y_pred = ops.convert_to_tensor(y_pred)
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
        ValueError: an unknown ``reduction`` (raised by Keras), or shapes of
            ``y_true`` and ``y_pred`` that do not broadcast.

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
        return wasserstein_loss(y_true, y_pred)
