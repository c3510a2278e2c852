"""keras_wass: Wasserstein (optimal transport) losses, metrics, constraints and
WGAN models for Keras 3, on TensorFlow, JAX and PyTorch.

The backend is the one Keras uses (``KERAS_BACKEND``); it is read once, when
Keras is first imported. ``import keras_wass`` imports Keras and the modules
that register serialisable objects (``constraints``, ``losses``, ``metrics``,
``models``, ``ops``), so ``keras.saving.load_model`` can rebuild a saved
model in a fresh process after a plain ``import keras_wass``;
:mod:`keras_wass.data` loads on first use.
"""

import importlib

__version__ = "0.1.0"

_MODULES = ("constraints", "data", "losses", "metrics", "models", "ops")

# Registers the package's objects with Keras's serialisation (see above).
from keras_wass import constraints, losses, metrics, models, ops  # noqa: E402,F401

__all__ = ["ops", "losses", "metrics", "constraints", "models", "data", "__version__"]


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"keras_wass.{name}")
    raise AttributeError(f"module 'keras_wass' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
