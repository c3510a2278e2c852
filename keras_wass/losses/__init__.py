"""Wasserstein losses for ``model.compile(loss=...)``."""

from keras_wass.losses._fairness import WassersteinFairnessLoss
from keras_wass.losses._one_d import HistogramWasserstein1DLoss
from keras_wass.losses._one_d import Wasserstein1DLoss
from keras_wass.losses._sinkhorn import SinkhornLoss
from keras_wass.losses._sliced import SlicedWassersteinLoss
from keras_wass.losses._wasserstein import WassersteinLoss
from keras_wass.losses._wmd import WordMoversLoss
from keras_wass.losses._wasserstein import wasserstein_loss

__all__ = [
    "HistogramWasserstein1DLoss",
    "SinkhornLoss",
    "SlicedWassersteinLoss",
    "Wasserstein1DLoss",
    "WassersteinFairnessLoss",
    "WassersteinLoss",
    "WordMoversLoss",
    "wasserstein_loss",
]
