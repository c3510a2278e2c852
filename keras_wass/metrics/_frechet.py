"""Streaming Frechet distance."""

import keras
from keras import ops

from keras_wass import backend
from keras_wass.ops import _checks
from keras_wass.ops._gaussian import bures_squared


@keras.saving.register_keras_serializable(package="keras_wass")
class FrechetDistance(keras.metrics.Metric):
    r"""Streaming Frechet distance between real and generated features.

    ``update_state(real, generated)`` accumulates, for each of the two sets,
    the count, the sum and the sum of outer products of its features (shifted
    by the first batch's mean for precision, in float64 where the backend
    allows it). ``result()`` fits a Gaussian to each set and returns the
    squared 2-Wasserstein distance between them (FID when the features are
    Inception-v3 pool features), computed with a symmetric eigen-decomposition:
    real and ``>= 0``. Batches need not have the same size, so a whole data
    set can be streamed through it; the value is the one for all samples seen,
    not a mean of per-batch values.

    Args:
        feature_extractor: optional ``keras.Model`` or callable applied to
            both inputs before accumulating (e.g. a pretrained network).
            Defaults to None (the inputs are the features).
        num_features: feature dimension ``d``. Needed only when the metric is
            first updated inside a compiled function; otherwise it is read
            from the first batch. Defaults to None.
        name: Defaults to ``"frechet_distance"``.
        dtype: Defaults to None.

    Returns:
        A ``keras.metrics.Metric``; ``result()`` is the squared distance
        (0.0 until each set has at least two samples; NaN, on every backend,
        if the accumulated sums have overflowed).

    Raises:
        ValueError: features of a different dimension than the first batch
            (or than ``num_features``), an empty batch, non-finite features,
            a negative or misshapen ``sample_weight`` (which needs equal
            batch sizes), or a first update under ``jit`` without
            ``num_features``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import metrics
        >>> m = metrics.FrechetDistance()
        >>> x = np.random.default_rng(0).normal(size=(256, 4))
        >>> m.update_state(x[:128], x[:128] + 1.0)
        >>> m.update_state(x[128:], x[128:] + 1.0)
        >>> round(float(m.result()), 4)
        4.0

    References:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium" (NeurIPS 2017), arXiv:1706.08500.
    """

    def __init__(self, feature_extractor=None, num_features=None, name="frechet_distance", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.feature_extractor = feature_extractor
        self.num_features = (
            None if num_features is None
            else _checks.check_positive_int(num_features, "num_features")
        )
        self._state_dtype = "float64" if backend.supports_float64() else "float32"
        self._built_state = False
        if self.num_features is not None:
            self._build_state(self.num_features)

    def _build_state(self, d):
        dtype = self._state_dtype
        self._stats = {}
        for side in ("real", "fake"):
            self._stats[side] = {
                "count": self.add_variable(shape=(), initializer="zeros", dtype=dtype, name=f"{side}_count"),
                "shift": self.add_variable(shape=(d,), initializer="zeros", dtype=dtype, name=f"{side}_shift"),
                "sum": self.add_variable(shape=(d,), initializer="zeros", dtype=dtype, name=f"{side}_sum"),
                "outer": self.add_variable(shape=(d, d), initializer="zeros", dtype=dtype, name=f"{side}_outer"),
            }
        self.num_features = d
        self._built_state = True

    def _features(self, x, name):
        if self.feature_extractor is not None:
            x = self.feature_extractor(x)
        x = _checks.to_tensor(x, name)
        if len(x.shape) < 2:
            raise ValueError(
                f"`{name}` should be a batch of features (batch, d) or of samples "
                f"for the feature extractor. Received: {name}.shape={tuple(x.shape)}"
            )
        _checks.check_not_empty(x, name, axes=(0,))
        x = ops.reshape(x, (ops.shape(x)[0], -1))
        _checks.check_finite(x, name)
        return ops.cast(x, self._state_dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        real = self._features(y_true, "y_true")
        fake = self._features(y_pred, "y_pred")
        d = real.shape[-1]
        if fake.shape[-1] != d:
            raise ValueError(
                "`y_true` and `y_pred` should give features of the same "
                f"dimension. Received: {d} and {fake.shape[-1]}"
            )
        if not self._built_state:
            if backend.is_tracing(real):
                raise ValueError(
                    "FrechetDistance was first updated inside a compiled "
                    "function: pass `num_features` to create its state up front."
                )
            self._build_state(d)
        if d != self.num_features:
            raise ValueError(
                f"FrechetDistance features should have dimension `num_features`="
                f"{self.num_features} (fixed by the first update). Received: {d}"
            )
        # The two sides may have different batch sizes; weights need equal ones.
        if sample_weight is not None and real.shape[0] != fake.shape[0]:
            raise ValueError(
                "`sample_weight` needs `y_true` and `y_pred` of the same batch size. "
                f"Received: {real.shape[0]} and {fake.shape[0]}"
            )
        weights = _checks.check_sample_weight(sample_weight, real.shape[0])
        if weights is not None:
            weights = ops.reshape(ops.cast(weights, self._state_dtype), (-1, 1))
        for side, x in (("real", real), ("fake", fake)):
            self._accumulate(self._stats[side], x, weights)

    def _accumulate(self, stats, x, weights):
        w = ops.ones_like(x[:, :1]) if weights is None else ops.broadcast_to(weights, ops.shape(x[:, :1]))
        count = ops.sum(w)
        batch_mean = ops.sum(w * x, axis=0) / _checks.clamp_min(count, 1e-12)
        # ``assign_add`` (not ``.value + x``): under PyTorch, Keras's
        # symbolic build of ``fit`` runs this on "meta" tensors.
        first = stats["count"].value == 0
        shift = ops.where(first, batch_mean, stats["shift"].value)
        centred = x - shift
        stats["shift"].assign(shift)
        stats["count"].assign_add(count)
        stats["sum"].assign_add(ops.sum(w * centred, axis=0))
        stats["outer"].assign_add(_checks.matmul(ops.transpose(w * centred), centred))

    def _gaussian(self, stats):
        n = stats["count"].value
        n_safe = _checks.clamp_min(n, 2.0)
        s = stats["sum"].value
        mean = stats["shift"].value + s / n_safe
        cov = (stats["outer"].value - ops.outer(s, s) / n_safe) / (n_safe - 1.0)
        return mean, cov, n

    def result(self):
        if not self._built_state:
            return ops.convert_to_tensor(0.0, dtype=self.dtype)
        m1, c1, n1 = self._gaussian(self._stats["real"])
        m2, c2, n2 = self._gaussian(self._stats["fake"])
        value = bures_squared(m1, c1, m2, c2)
        enough = ops.logical_and(n1 >= 2, n2 >= 2)
        value = ops.where(enough, value, ops.zeros_like(value))
        return ops.cast(value, self.dtype)

    def reset_state(self):
        if not self._built_state:
            return
        for stats in self._stats.values():
            for variable in stats.values():
                variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        extractor = self.feature_extractor
        if extractor is not None:
            extractor = keras.saving.serialize_keras_object(extractor)
        return {
            "feature_extractor": extractor,
            "num_features": self.num_features,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("feature_extractor") is not None:
            config["feature_extractor"] = keras.saving.deserialize_keras_object(
                config["feature_extractor"]
            )
        return cls(**config)
