"""Real data sets that ship offline (no download on the default path)."""

from keras_wass.data._images import DATASETS
from keras_wass.data._images import load_digits
from keras_wass.data._images import load_images

__all__ = ["DATASETS", "load_digits", "load_images"]
