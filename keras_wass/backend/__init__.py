"""The only place in keras_wass that imports TensorFlow, JAX or PyTorch.

The framework module is chosen once, at import, from
``keras.backend.backend()`` (the same pattern Keras uses for its trainers).
Every module exposes the same small set of functions:

- ``is_tracing(*tensors)``: True when the values are symbolic (inside
  ``tf.function``, ``jax.jit`` or ``torch.compile``), so value checks that
  need concrete numbers must be skipped.
- ``unseeded_normal(shape, dtype, entropy)``: standard normal draws for
  ``seed=None`` that are fresh at every call, also inside a compiled step.
- ``supports_float64()``: whether float64 arithmetic is available.
- ``cumsum(x, axis)``: a cumulative sum in ``x``'s dtype (Keras's
  ``ops.cumsum`` on PyTorch returns float32 for float64 input).
- ``compile_when_eager(fn, static_argnames)``: on JAX, ``fn`` through a cached
  ``jax.jit`` when called on concrete values (eager ``lax`` loops recompile
  their bodies at every call); elsewhere ``fn`` itself.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_wass.backend import tensorflow as _impl
elif _BACKEND == "jax":
    from keras_wass.backend import jax as _impl
elif _BACKEND == "torch":
    from keras_wass.backend import torch as _impl
else:  # pragma: no cover - numpy/openvino backends cannot train
    from keras_wass.backend import numpy as _impl

name = _BACKEND
is_tracing = _impl.is_tracing
unseeded_normal = _impl.unseeded_normal
supports_float64 = _impl.supports_float64
compile_when_eager = _impl.compile_when_eager
cumsum = _impl.cumsum
GANTrainStep = _impl.GANTrainStep

__all__ = ["name", "is_tracing", "unseeded_normal", "supports_float64", "compile_when_eager", "cumsum", "GANTrainStep"]
