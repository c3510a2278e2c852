"""JAX pieces of keras_wass."""

import jax
import jax.numpy as jnp

from keras_wass.backend._common import keras_unseeded_normal


def is_tracing(*tensors):
    return any(isinstance(t, jax.core.Tracer) for t in tensors)


def _fold_entropy(entropy):
    """A PRNG key derived from the bits of the given arrays.

    Under ``jax.jit`` a Python-side counter would be frozen into the trace and
    a loss's own ``SeedGenerator`` is not part of Keras's training state, so
    the key is derived from the data the call sees (a different batch or a
    different generator output gives a different key).
    """
    key = jax.random.PRNGKey(0x5EED)
    for t in entropy:
        t = jnp.asarray(t)
        flat = jnp.ravel(t).astype(jnp.float32)
        # Two summaries that change with any value or order change.
        weights = jnp.sin(jnp.arange(flat.shape[0], dtype=jnp.float32) + 1.0)
        for summary in (jnp.sum(flat), jnp.sum(flat * weights)):
            bits = jax.lax.bitcast_convert_type(summary, jnp.uint32)
            key = jax.random.fold_in(key, bits)
    return key


def unseeded_normal(shape, dtype, entropy=()):
    if entropy and is_tracing(*entropy):
        return jax.random.normal(_fold_entropy(entropy), shape, dtype=dtype)
    # Eagerly Keras's global seed generator gives fresh draws at every call.
    return keras_unseeded_normal(shape, dtype)


def supports_float64():
    return bool(jax.config.jax_enable_x64)
