"""Real data sets that ship offline (no download on the default path)."""

from keras_wass.data._credit import load_german_credit
from keras_wass.data._embeddings import load_word_embeddings
from keras_wass.data._fifa import load_fifa_ratings
from keras_wass.data._images import DATASETS
from keras_wass.data._images import load_digits
from keras_wass.data._images import load_images

__all__ = [
    "DATASETS",
    "load_digits",
    "load_fifa_ratings",
    "load_german_credit",
    "load_images",
    "load_word_embeddings",
]
