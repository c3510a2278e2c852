"""Streaming sliced Wasserstein metric."""

import keras
from keras import ops

from keras_wass.ops import _checks
from keras_wass.ops._sliced import sliced_wasserstein


@keras.saving.register_keras_serializable(package="keras_wass")
class SlicedWassersteinMetric(keras.metrics.Mean):
    r"""Running mean of the sliced ``W_p`` between paired point clouds.

    Each ``update_state(y_true, y_pred)`` computes one
    `keras_wass.ops.sliced_wasserstein` value per batch element (clouds
    ``(batch, n, d)``, or one pair of clouds ``(n, d)``) and adds it to a
    (sample-weighted) running mean, like Keras's loss-style metrics.

    Args:
        n_projections: number of random directions. Defaults to 128.
        p: order, ``>= 1``. Defaults to 2.
        seed: None or an integer; fix it for reproducible evaluations.
            Defaults to None.
        name: Defaults to ``"sliced_wasserstein"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.metrics.Metric`` whose ``result()`` is the mean value.

    Raises:
        ValueError: as `keras_wass.ops.sliced_wasserstein`, and a negative,
            non-finite or misshapen ``sample_weight`` (one weight per batch
            element).

    Example:
        >>> import numpy as np
        >>> from keras_wass import metrics
        >>> m = metrics.SlicedWassersteinMetric(seed=0)
        >>> m.update_state(np.zeros((4, 10, 2)), np.zeros((4, 10, 2)))
        >>> float(m.result())
        0.0

    References:
        Bonneel, Rabin, Peyre and Pfister, "Sliced and Radon Wasserstein
        Barycenters of Measures" (2015).
    """

    def __init__(self, n_projections=128, p=2, seed=None, name="sliced_wasserstein", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.n_projections = _checks.check_positive_int(n_projections, "n_projections")
        _checks.check_p(p)
        self.p = p
        self.seed = _checks.check_seed(seed)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = sliced_wasserstein(
            y_true, y_pred, n_projections=self.n_projections, p=self.p, seed=self.seed
        )
        batch = values.shape[0] if len(values.shape) else 1
        sample_weight = _checks.check_sample_weight(sample_weight, batch)
        if sample_weight is not None and not len(values.shape):
            sample_weight = ops.reshape(sample_weight, ())
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {
            "n_projections": self.n_projections,
            "p": self.p,
            "seed": self.seed,
            "name": self.name,
            "dtype": self.dtype,
        }
