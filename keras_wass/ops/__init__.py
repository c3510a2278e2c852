"""Functional, differentiable optimal transport in ``keras.ops``.

Every function accepts backend tensors or NumPy arrays and works unchanged on
TensorFlow, JAX and PyTorch, eagerly and under ``jit`` (except `emd` and the
Word Mover's functions on Python tokens, which run NumPy and SciPy).
"""

from keras_wass.ops._exact import emd
from keras_wass.ops._fairness import wasserstein_fairness
from keras_wass.ops._gaussian import frechet_distance
from keras_wass.ops._gaussian import gaussian_wasserstein
from keras_wass.ops._one_d import wasserstein_1d
from keras_wass.ops._sinkhorn import sinkhorn
from keras_wass.ops._sinkhorn import sinkhorn_divergence
from keras_wass.ops._sliced import max_sliced_wasserstein
from keras_wass.ops._sliced import sliced_wasserstein
from keras_wass.ops._wmd import relaxed_word_movers_distance
from keras_wass.ops._wmd import word_movers_distance
from keras_wass.ops._wmd import word_movers_neighbors

__all__ = [
    "emd",
    "frechet_distance",
    "gaussian_wasserstein",
    "max_sliced_wasserstein",
    "relaxed_word_movers_distance",
    "sinkhorn",
    "sinkhorn_divergence",
    "sliced_wasserstein",
    "wasserstein_1d",
    "wasserstein_fairness",
    "word_movers_distance",
    "word_movers_neighbors",
]
