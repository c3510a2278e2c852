"""keras_wass: Wasserstein (optimal transport) losses, metrics, constraints and
WGAN models for Keras 3, on TensorFlow, JAX and PyTorch.

The backend is the one Keras uses (``KERAS_BACKEND``); it is read once, when
:mod:`keras_wass.backend` is imported. The public modules load on first use
(``from keras_wass import ops``, or ``keras_wass.ops``), so importing
``keras_wass`` itself, as the command line does before it parses its
arguments, imports neither Keras nor a framework.
"""

import importlib

__version__ = "0.1.0"

_MODULES = ("constraints", "data", "losses", "metrics", "models", "ops")

__all__ = ["ops", "losses", "metrics", "constraints", "models", "data", "__version__"]


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"keras_wass.{name}")
    raise AttributeError(f"module 'keras_wass' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
