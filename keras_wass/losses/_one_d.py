"""1-D and histogram Wasserstein losses."""

import keras
from keras import ops

from keras_wass import backend
from keras_wass.losses._base import ConfigLoss
from keras_wass.losses._base import histogram_pair
from keras_wass.ops import _checks
from keras_wass.ops import _one_d


@keras.saving.register_keras_serializable(package="keras_wass")
class Wasserstein1DLoss(ConfigLoss):
    r"""Exact ``W_p`` between the 1-D samples of ``y_true`` and ``y_pred``.

    For each batch element, the ``n`` values of ``y_true[i]`` and the ``m``
    values of ``y_pred[i]`` are treated as empirical distributions and
    compared with `keras_wass.ops.wasserstein_1d` (sorting, exact).

    Args:
        p: order, ``>= 1``. Defaults to 1.
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: Defaults to ``"wasserstein_1d_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss`` giving one ``W_p`` per batch element before
        reduction.

    Raises:
        ValueError: ``p < 1``; inputs that are not ``(batch, n)``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.Wasserstein1DLoss(p=1)
        >>> float(loss(np.array([[0.0, 1.0]]), np.array([[2.0, 3.0]])))
        2.0

    References:
        Villani, "Optimal Transport: Old and New" (2009).
    """

    _config_keys = ("p",)

    def __init__(self, p=1, reduction="sum_over_batch_size", name="wasserstein_1d_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _checks.check_p(p)
        self.p = p

    def call(self, y_true, y_pred):
        y_true = ops.convert_to_tensor(y_true)
        y_pred = ops.convert_to_tensor(y_pred)
        if len(y_pred.shape) == 1:
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        for name, t in (("y_true", y_true), ("y_pred", y_pred)):
            if len(t.shape) != 2:
                raise ValueError(
                    f"`{name}` should have shape (batch, n) of 1-D samples. "
                    f"Received: {name}.shape={tuple(t.shape)}"
                )
        return _one_d.wasserstein_1d(y_true, y_pred, p=self.p)


@keras.saving.register_keras_serializable(package="keras_wass")
class HistogramWasserstein1DLoss(ConfigLoss):
    r"""Exact ``W_p`` between histograms over ordered bins (ordinal targets).

    ``y_pred`` is a ``(batch, K)`` histogram (e.g. a softmax output) over
    ``K`` ordered classes placed at ``bin_positions`` (default ``0..K-1``).
    ``y_true`` is a histogram of the same shape (one-hot for hard labels) or
    integer class ids of shape ``(batch,)`` / ``(batch, 1)``. For ``p = 1``
    the distance is the area between the two CDFs,

    $$W_1 = \sum_{k=1}^{K-1} |F_{true}(k) - F_{pred}(k)|\,(x_{k+1} - x_k),$$

    so predicting a class two bins away costs twice as much as one bin away,
    unlike cross-entropy. Other ``p`` use the quantile form (exact too).

    Args:
        p: order, ``>= 1``. Defaults to 1.
        bin_positions: increasing positions of the ``K`` bins, or None for
            ``0, 1, ..., K-1``. Defaults to None.
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: Defaults to ``"histogram_wasserstein_1d_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss`` giving one ``W_p`` per batch element.

    Raises:
        ValueError: ``p < 1``; ``bin_positions`` not strictly increasing or
            of the wrong length; histograms of different widths; (outside
            a compiled step) negative or zero-sum histograms, class ids that
            are not integers in ``[0, K)``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.HistogramWasserstein1DLoss()
        >>> float(loss(np.array([0]), np.array([[0.0, 0.0, 1.0]])))
        2.0

    References:
        Hou, Yu and Samaras, "Squared Earth Mover's Distance-based Loss for
        Training Deep Neural Networks" (2016), arXiv:1611.05916.
    """

    _config_keys = ("p", "bin_positions")

    def __init__(self, p=1, bin_positions=None, reduction="sum_over_batch_size",
                 name="histogram_wasserstein_1d_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _checks.check_p(p)
        self.p = p
        if bin_positions is not None:
            bin_positions = [float(v) for v in ops.convert_to_numpy(bin_positions).ravel()]
            if len(bin_positions) < 1 or any(
                b <= a for a, b in zip(bin_positions[:-1], bin_positions[1:])
            ):
                raise ValueError(
                    "`bin_positions` should be strictly increasing. "
                    f"Received: bin_positions={bin_positions}"
                )
        self.bin_positions = bin_positions

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        k = y_pred.shape[-1] if len(y_pred.shape) == 2 else None
        y_true, y_pred = histogram_pair(y_true, y_pred, k, "(batch, K) histograms")
        if self.bin_positions is not None and len(self.bin_positions) != k:
            raise ValueError(
                f"`bin_positions` should have K={k} entries. "
                f"Received: {len(self.bin_positions)}"
            )
        positions = (
            ops.arange(k, dtype=y_pred.dtype)
            if self.bin_positions is None
            else ops.convert_to_tensor(self.bin_positions, dtype=y_pred.dtype)
        )
        eps = 1e-12
        true = y_true / _checks.clamp_min(ops.sum(y_true, axis=-1, keepdims=True), eps)
        pred = y_pred / _checks.clamp_min(ops.sum(y_pred, axis=-1, keepdims=True), eps)
        if float(self.p) == 1.0:
            gaps = positions[1:] - positions[:-1]
            cdf_gap = backend.cumsum(true - pred, axis=-1)[:, :-1]
            return ops.sum(ops.abs(cdf_gap) * gaps, axis=-1)
        support = ops.broadcast_to(positions, ops.shape(pred))
        diff, delta = _one_d.quantile_differences(support, support, true, pred)
        scale, s = _one_d.power_cost(diff, delta, float(self.p), axes=-1)
        return _one_d.scaled_root(scale, s, float(self.p))
