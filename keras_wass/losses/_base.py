"""Shared base for keras_wass losses."""

import keras
import numpy as np
from keras import ops

from keras_wass.ops import _checks


class ConfigLoss(keras.losses.Loss):
    """A ``keras.losses.Loss`` whose config is its constructor arguments, and
    which checks ``y_true`` and ``y_pred`` before Keras converts them.

    Subclasses list their own arguments in ``_config_keys``; ``get_config``
    returns those plus Keras's ``name``, ``reduction`` and ``dtype``.

    Every keras_wass loss compares one target with one prediction per batch
    element, so before ``call`` both must be numeric, have a batch axis of the
    same, non-zero size and (when their values are known, i.e. outside a
    compiled step) hold only finite values; otherwise a ``ValueError`` names
    the argument, the same on every backend. Shapes are checked inside
    compiled steps too (they are static); values are not, so a diverging
    model gives NaN there (``keras.callbacks.TerminateOnNaN`` stops it).
    """

    _config_keys = ()

    def __call__(self, y_true, y_pred, sample_weight=None):
        checked = [check_input(t, name, self.dtype) for name, t in (("y_true", y_true), ("y_pred", y_pred))]
        check_batch(*checked)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config


def check_input(x, name, dtype=None):
    """``x`` as a tensor with a batch axis and (when concrete) finite values."""
    t = _checks.to_tensor(x, name, dtype=dtype)
    if len(t.shape) < 1:
        raise ValueError(
            f"`{name}` should have a batch axis (rank >= 1). Received: {name}.shape={tuple(t.shape)}"
        )
    if t.shape[0] == 0:
        raise ValueError(f"`{name}` should not be empty. Received: {name}.shape={tuple(t.shape)}")
    _checks.check_finite(t, name)
    return t


def check_batch(y_true, y_pred):
    """Static batch sizes (when both are known) must agree."""
    if y_true.shape[0] is not None and y_pred.shape[0] is not None and y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            "`y_true` and `y_pred` should have the same batch size. "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )


def histogram_pair(y_true, y_pred, k, what):
    """``(y_true, y_pred)`` as ``(batch, K)`` histograms in ``y_pred``'s dtype.

    ``y_true`` may be class ids ``(batch,)`` or ``(batch, 1)`` (one-hot
    encoded here) or histograms of ``y_pred``'s shape. When values are
    concrete, class ids must be integers in ``[0, K)`` and histograms
    non-negative with a positive sum. ``what`` describes the expected
    ``y_pred`` in the error message.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if len(y_pred.shape) != 2 or y_pred.shape[-1] != k:
        raise ValueError(f"`y_pred` should be {what}. Received: y_pred.shape={tuple(y_pred.shape)}")
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == 1 or (len(y_true.shape) == 2 and y_true.shape[-1] == 1 and k > 1):
        ids = ops.reshape(y_true, (-1,))
        values = _checks.concrete(ids)
        if values is not None:
            bad = values[(values < 0) | (values >= k) | (values != np.round(values))]
            if bad.size:
                raise ValueError(
                    f"`y_true` class ids should be integers in [0, {k}). Received: y_true containing {bad[0]}"
                )
        y_true = ops.one_hot(ops.cast(ids, "int32"), k)
    elif tuple(y_true.shape[1:]) != (k,):
        raise ValueError(
            "`y_true` should have the shape of `y_pred` (or be class ids). "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    else:
        _check_histograms(y_true, "y_true")
    _check_histograms(y_pred, "y_pred")
    return ops.cast(y_true, y_pred.dtype), y_pred


def _check_histograms(h, name):
    values = _checks.concrete(h)
    if values is None:
        return
    if np.any(values < 0):
        raise ValueError(f"`{name}` histograms should be non-negative. Received: {name} with minimum {values.min()}")
    sums = values.sum(axis=-1)
    if np.any(sums <= 0):
        row = int(np.argmax(sums <= 0))
        raise ValueError(
            f"`{name}` histograms should each have a positive sum. Received: {name}[{row}] summing to {sums[row]}"
        )
