"""PyTorch pieces of keras_wass."""

import torch

from keras_wass.backend._common import keras_unseeded_normal


def is_tracing(*tensors):
    del tensors
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and compiler.is_compiling())


def unseeded_normal(shape, dtype, entropy=()):
    # PyTorch runs the Python code at every step, so the global generator
    # gives fresh draws each time.
    del entropy
    return keras_unseeded_normal(shape, dtype)


def supports_float64():
    return True
