"""NumPy (inference-only) pieces of keras_wass."""

from keras_wass.backend._common import keras_cumsum, keras_unseeded_normal


def is_tracing(*tensors):
    del tensors
    return False


def unseeded_normal(shape, dtype, entropy=()):
    del entropy
    return keras_unseeded_normal(shape, dtype)


def compile_when_eager(fn, static_argnames):
    """``fn`` as it is: eager loops here are plain Python loops of fast ops."""
    del static_argnames
    return fn


cumsum = keras_cumsum


def supports_float64():
    return True


class GANTrainStep:
    """The NumPy backend cannot train."""

    def train_step(self, data):
        raise NotImplementedError("WGAN training needs the tensorflow, jax or torch backend.")
