"""keras_wass: Wasserstein (optimal transport) losses, metrics, constraints and
WGAN models for Keras 3, on TensorFlow, JAX and PyTorch.

The backend is the one Keras uses (``KERAS_BACKEND``); it is read once, when
:mod:`keras_wass.backend` is imported.
"""

__version__ = "0.1.0"

from keras_wass import constraints  # noqa: E402
from keras_wass import losses  # noqa: E402
from keras_wass import metrics  # noqa: E402
from keras_wass import models  # noqa: E402
from keras_wass import ops  # noqa: E402

__all__ = ["ops", "losses", "metrics", "constraints", "models", "__version__"]
