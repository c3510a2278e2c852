"""Lipschitz constraints for critics (``keras.constraints.Constraint``)."""

from keras_wass.constraints._constraints import SpectralNorm
from keras_wass.constraints._constraints import WeightClip

__all__ = ["SpectralNorm", "WeightClip"]
