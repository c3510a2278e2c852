"""TensorFlow pieces of keras_wass."""

import tensorflow as tf

from keras_wass.backend._common import keras_unseeded_normal


def is_tracing(*tensors):
    if not tf.executing_eagerly():
        return True
    return any(
        isinstance(t, tf.Tensor) and not hasattr(t, "numpy") for t in tensors
    )


def unseeded_normal(shape, dtype, entropy=()):
    # Inside tf.function the global SeedGenerator's state variable is read
    # and advanced by the graph, so draws are fresh at every call.
    del entropy
    return keras_unseeded_normal(shape, dtype)


def supports_float64():
    return True
