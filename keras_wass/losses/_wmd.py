"""Differentiable Word Mover's Distance between embedded token clouds."""

import keras
from keras import ops

from keras_wass.losses._base import ConfigLoss
from keras_wass.ops import _checks
from keras_wass.ops import _sinkhorn


@keras.saving.register_keras_serializable(package="keras_wass")
class WordMoversLoss(ConfigLoss):
    r"""Entropic Word Mover's Distance between embedded token sequences.

    ``y_true`` ``(batch, n, k)`` and ``y_pred`` ``(batch, m, k)`` are the
    embedding vectors of two token sequences per example (e.g. the output of a
    ``keras.layers.Embedding``, or of a model that maps text to word
    vectors). Each sequence is a cloud of words with equal weights, and the
    value is the Sinkhorn transport cost with the Euclidean distance as the
    ground cost (`keras_wass.ops.sinkhorn` with ``p=1``): the WMD of Kusner et
    al. (2015), smoothed by ``epsilon`` so that it is differentiable and runs
    in compiled training steps. Padding:

    - ``mask_zero=True`` (default): token vectors that are exactly zero are
      padding and get no weight (every sequence needs one non-zero token);
    - ``weighted=True``: the last channel of both inputs holds each token's
      non-negative weight (e.g. its count, 0 for padding), and the other
      ``k - 1`` channels its vector.

    Args:
        epsilon: entropic regularisation, in the units of the distances,
            ``> 0``. Defaults to 0.05.
        max_iterations: Sinkhorn iterations. Defaults to 100.
        debias: the Sinkhorn divergence (``>= 0``, 0 for equal inputs)
            instead of the transport cost. Defaults to False.
        mask_zero: zero vectors are padding. Defaults to True.
        weighted: the last channel holds token weights. Defaults to False.
        normalize: unit-normalise the vectors first. Defaults to False.
        reduction: Keras reduction. Defaults to ``"sum_over_batch_size"``.
        name: Defaults to ``"word_movers_loss"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.losses.Loss`` giving one distance per example.

    Raises:
        ValueError: bad ``epsilon`` or ``max_iterations``; inputs that are
            not ``(batch, tokens, k)`` with the same ``k``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import losses
        >>> loss = losses.WordMoversLoss(epsilon=0.01)
        >>> doc = np.array([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])  # two words + padding
        >>> moved = np.array([[[1.0, 0.0], [0.0, 2.0]]])  # the second word moved by 1
        >>> round(float(loss(doc, moved)), 2)
        0.5

    References:
        Kusner, Sun, Kolkin and Weinberger, "From Word Embeddings To Document
        Distances" (ICML 2015).
        Cuturi, "Sinkhorn Distances" (NeurIPS 2013), arXiv:1306.0895.
    """

    _config_keys = ("epsilon", "max_iterations", "debias", "mask_zero", "weighted", "normalize")

    def __init__(self, epsilon=0.05, max_iterations=100, debias=False, mask_zero=True, weighted=False,
                 normalize=False, reduction="sum_over_batch_size", name="word_movers_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.epsilon = _sinkhorn._check_positive(epsilon, "epsilon")
        self.max_iterations = _checks.check_positive_int(max_iterations, "max_iterations")
        self.debias = bool(debias)
        self.mask_zero = bool(mask_zero)
        self.weighted = bool(weighted)
        self.normalize = bool(normalize)

    def _split(self, t, name):
        t = _checks.to_tensor(t, name)
        if len(t.shape) != 3:
            raise ValueError(
                f"`{name}` should have shape (batch, tokens, k) of word vectors. "
                f"Received: {name}.shape={tuple(t.shape)}"
            )
        if self.weighted:
            vectors, weights = t[..., :-1], _checks.clamp_min(t[..., -1], 0.0)
        else:
            vectors = t
            weights = ops.ones_like(t[..., 0])
        if self.mask_zero:
            nonzero = ops.any(ops.not_equal(vectors, 0), axis=-1)
            weights = ops.where(nonzero, weights, ops.zeros_like(weights))
        if self.normalize:
            norms = _checks.safe_sqrt(ops.sum(ops.square(vectors), axis=-1, keepdims=True))
            vectors = vectors / ops.where(norms > 0, norms, ops.ones_like(norms))
        # Normalised weights; a sequence with no weight at all gets uniform
        # weights rather than 0 / 0.
        total = ops.sum(weights, axis=-1, keepdims=True)
        weights = ops.where(total > 0, weights / ops.where(total > 0, total, ops.ones_like(total)),
                            ops.ones_like(weights) / ops.cast(ops.shape(weights)[-1], weights.dtype))
        return vectors, ops.stop_gradient(weights)

    def call(self, y_true, y_pred):
        x, a = self._split(y_true, "y_true")
        y, b = self._split(y_pred, "y_pred")
        if x.shape[-1] != y.shape[-1]:
            raise ValueError(
                "`y_true` and `y_pred` should hold vectors of the same size. "
                f"Received: {tuple(x.shape)} and {tuple(y.shape)}"
            )
        dtype = _checks.compute_dtype(x, y)
        x, y = ops.cast(x, dtype), ops.cast(y, dtype)
        return _sinkhorn.sinkhorn(
            x, y, ops.cast(a, dtype), ops.cast(b, dtype), epsilon=self.epsilon, p=1,
            max_iterations=self.max_iterations, debias=self.debias,
        )
