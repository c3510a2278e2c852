"""Helpers shared by the framework modules (no framework imports here)."""

import keras


def keras_unseeded_normal(shape, dtype):
    """Draws from Keras's global seed generator (fresh at every call)."""
    return keras.random.normal(shape, dtype=dtype, seed=None)
