"""Streaming Wasserstein metrics (``keras.metrics.Metric``)."""

from keras_wass.metrics._frechet import FrechetDistance
from keras_wass.metrics._fairness import WassersteinFairnessGap
from keras_wass.metrics._sliced import SlicedWassersteinMetric

__all__ = ["FrechetDistance", "SlicedWassersteinMetric", "WassersteinFairnessGap"]
