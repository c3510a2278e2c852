"""Sliced Wasserstein loss."""

import keras

from keras_wass.losses._base import ConfigLoss
from keras_wass.ops import _checks
from keras_wass.ops._sliced import sliced_wasserstein


@keras.saving.register_keras_serializable(package="keras_wass")
class SlicedWassersteinLoss(ConfigLoss):
    r"""Sliced ``W_p`` between the point clouds of ``y_true`` and ``y_pred``.

    Both are ``(batch, n, d)`` clouds (``n`` may differ between them); each
    batch element gives one `keras_wass.ops.sliced_wasserstein` value. With
    ``seed=None`` the directions are fresh at every training step on every
    backend, compiled JAX included (there they are derived from the data of
    the step); an integer seed fixes them.

    Args:
        n_projections: number of random directions. Defaults to 128.
        p: order, ``>= 1``. Defaults to 2.
        seed: None or an integer. Defaults to None.
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: Defaults to ``"sliced_wasserstein_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss`` giving one ``SW_p`` per batch element.

    Raises:
        ValueError: ``p < 1``, ``n_projections < 1``, non-integer seed, clouds
            of different dimensions.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.SlicedWassersteinLoss(seed=0)
        >>> x = np.zeros((2, 8, 3))
        >>> float(loss(x, x))
        0.0

    References:
        Deshpande, Zhang and Schwing, "Generative Modeling using the Sliced
        Wasserstein Distance" (CVPR 2018), arXiv:1803.11188.
    """

    _config_keys = ("n_projections", "p", "seed")

    def __init__(self, n_projections=128, p=2, seed=None, reduction="sum_over_batch_size",
                 name="sliced_wasserstein_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.n_projections = _checks.check_positive_int(n_projections, "n_projections")
        _checks.check_p(p)
        self.p = p
        self.seed = _checks.check_seed(seed)
        if isinstance(self.seed, keras.random.SeedGenerator):
            raise ValueError(
                "`seed` should be None or an integer for a loss (it is "
                f"serialised in the config). Received: seed={seed!r}"
            )

    def call(self, y_true, y_pred):
        return sliced_wasserstein(
            y_true, y_pred, n_projections=self.n_projections, p=self.p, seed=self.seed
        )
