"""Entropic (Sinkhorn) loss."""

import keras
import numpy as np
from keras import ops

from keras_wass.losses._base import ConfigLoss
from keras_wass.losses._base import histogram_pair
from keras_wass.ops import _checks
from keras_wass.ops import _sinkhorn


@keras.saving.register_keras_serializable(package="keras_wass")
class SinkhornLoss(ConfigLoss):
    r"""Sinkhorn divergence (or entropic OT cost) between ``y_true`` and ``y_pred``.

    Two modes:

    - point clouds (default): ``y_true`` ``(batch, n, d)`` and ``y_pred``
      ``(batch, m, d)``, cost ``|x - y|^p``; one value per batch element;
    - histograms (``cost_matrix`` given): ``y_pred`` is ``(batch, K)`` (e.g. a
      softmax output) and ``y_true`` a ``(batch, K)`` histogram or integer
      class ids ``(batch,)`` / ``(batch, 1)``; the ``(K, K)`` cost matrix is the
      ground metric between classes, so confusing two close classes costs
      less than confusing two distant ones (Frogner et al. 2015).

    With ``debias=True`` (the default) the value is the Sinkhorn divergence
    (``>= 0``, 0 when prediction equals target, exact gradients); with
    ``debias=False`` it is the transport cost ``<P, C>`` of the entropic plan.
    All arguments are those of `keras_wass.ops.sinkhorn`. The solver runs
    inside the compiled training step on every backend (a ``while_loop``);
    gradients come from the final potentials, so memory does not grow with
    ``max_iterations``.

    Args:
        epsilon: entropic regularisation in cost units, ``> 0``. Defaults to 0.05.
        p: exponent of the ground cost (point clouds), ``>= 1``. Defaults to 2.
        max_iterations: iteration budget. Defaults to 100.
        debias: Sinkhorn divergence (True) or transport cost. Defaults to True.
        cost_matrix: optional ``(K, K)`` ground cost between classes; switches
            to histogram mode. Defaults to None.
        tolerance: L1 marginal error to stop at. Defaults to 1e-6.
        reach: optional length for unbalanced transport. Defaults to None.
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: Defaults to ``"sinkhorn_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss`` giving one value per batch element.

    Raises:
        ValueError: bad ``epsilon``, ``p``, ``max_iterations``, ``tolerance``
            or ``reach``; a ``cost_matrix`` that is not a finite,
            non-negative square matrix; inputs whose shapes do not match;
            (outside a compiled step) non-finite values, and in histogram
            mode negative or zero-sum histograms or class ids that are not
            integers in ``[0, K)``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> ground = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
        >>> loss = losses.SinkhornLoss(epsilon=0.01, cost_matrix=ground, debias=False)
        >>> round(float(loss(np.array([0]), np.array([[0.0, 0.0, 1.0]]))), 4)
        2.0

    References:
        Cuturi, "Sinkhorn Distances" (NeurIPS 2013), arXiv:1306.0895.
        Frogner et al., "Learning with a Wasserstein Loss" (NeurIPS 2015),
        arXiv:1506.05439.
        Feydy et al., "Interpolating between Optimal Transport and MMD using
        Sinkhorn Divergences" (AISTATS 2019), arXiv:1810.08278.
    """

    _config_keys = ("epsilon", "p", "max_iterations", "debias", "cost_matrix", "tolerance", "reach")

    def __init__(self, epsilon=0.05, p=2, max_iterations=100, debias=True, cost_matrix=None,
                 tolerance=1e-6, reach=None, reduction="sum_over_batch_size", name="sinkhorn_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.epsilon = _sinkhorn._check_positive(epsilon, "epsilon")
        _checks.check_p(p)
        self.p = p
        self.max_iterations = _checks.check_positive_int(max_iterations, "max_iterations")
        self.debias = bool(debias)
        self.tolerance = _sinkhorn._check_tolerance(tolerance)
        self.reach = None if reach is None else _sinkhorn._check_positive(reach, "reach")
        if cost_matrix is not None:
            values = np.asarray(ops.convert_to_numpy(cost_matrix), dtype="float64")
            if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 1:
                raise ValueError(
                    "`cost_matrix` should be a square (K, K) matrix over the classes. "
                    f"Received: cost_matrix.shape={values.shape}"
                )
            if not np.all(np.isfinite(values)) or np.any(values < 0):
                raise ValueError(
                    "`cost_matrix` should contain finite, non-negative costs. "
                    f"Received: cost_matrix with minimum {np.nanmin(values)}"
                )
            cost_matrix = values.tolist()
        self.cost_matrix = cost_matrix

    def _histograms(self, y_true, y_pred):
        k = len(self.cost_matrix)
        return histogram_pair(
            y_true, y_pred, k, f"(batch, K) histograms with K={k} (the size of `cost_matrix`)"
        )

    def call(self, y_true, y_pred):
        cost = None
        if self.cost_matrix is not None:
            y_true, y_pred = self._histograms(y_true, y_pred)
            cost = self.cost_matrix
        return _sinkhorn.sinkhorn(
            y_true, y_pred, epsilon=self.epsilon, p=self.p, max_iterations=self.max_iterations,
            tolerance=self.tolerance, debias=self.debias, cost_matrix=cost, reach=self.reach,
        )
