"""Helpers shared by the framework modules (no framework imports here)."""

import keras


def keras_cumsum(x, axis):
    """``keras.ops.cumsum``: keeps the dtype on TensorFlow, JAX and NumPy."""
    return keras.ops.cumsum(x, axis=axis)


def keras_unseeded_normal(shape, dtype):
    """Draws from Keras's global seed generator (fresh at every call)."""
    return keras.random.normal(shape, dtype=dtype, seed=None)


def real_batch(data, model):
    """The real samples of a ``fit`` batch (``x``; any ``y`` is ignored),
    checked against the generator's sample shape."""
    x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
    return model.check_real_batch(x)


def record_logs(model, logs, share=1.0):
    """Adds one update's values to the model's running means.

    ``share`` is this replica's part of the global batch under
    ``tf.distribute`` (1 on one device): the metric variables sum over the
    replicas, so each step still counts once and its value is the mean over
    the global batch.
    """
    for name, value in logs.items():
        if isinstance(share, float) and share == 1.0:
            model.trackers[name].update_state(value)
        else:
            model.trackers[name].update_state(value, sample_weight=share)
