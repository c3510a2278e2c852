"""Trains WGANGP and WGAN on one device and data-parallel on two; run as a script.

    python tests/models/distributed_fit.py jax OUT.npz
    python tests/models/distributed_fit.py tensorflow OUT.npz

The device count of a framework is fixed when it starts, so
``test_distribution.py`` runs this file in a fresh process: two host CPU
devices through ``XLA_FLAGS`` with ``keras.distribution.DataParallel`` (JAX),
two logical CPU devices with ``tf.distribute.MirroredStrategy`` (TensorFlow).
For each model it saves the ``fit`` history, ``evaluate`` logs and final
weights of both runs in ``OUT.npz`` (keys ``single/...`` and
``parallel/...``) with the device count and how the batch was laid out.
Nothing runs on import.
"""

import os
import sys

# TensorFlow: 4 batches of 16 and one of 5, split 3 + 2 over the replicas.
# JAX shards every batch evenly over the devices (Keras raises otherwise), so
# its last batch is 8.
N_SAMPLES = {"tensorflow": 69, "jax": 72}
BATCH_SIZE = 16
EPOCHS = 2


def _networks(keras):
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3),
    ])
    critic = keras.Sequential([
        keras.Input((3,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1),
    ])
    return generator, critic


def _run(keras, cls, x, scope):
    from keras_wass.models import WGAN, WGANGP

    with scope():
        generator, critic = _networks(keras)
        if cls == "WGANGP":
            gan = WGANGP(generator, critic, latent_dim=4, critic_steps=2, seed=3)
        else:
            gan = WGAN(generator, critic, latent_dim=4, critic_steps=2, seed=3)
        gan.compile()
    history = gan.fit(x, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False, verbose=0)
    results = gan.evaluate(x, batch_size=BATCH_SIZE, verbose=0, return_dict=True)
    out = {f"history/{k}": v for k, v in history.history.items()}
    out.update({f"evaluate/{k}": v for k, v in results.items()})
    out.update({f"weight/{i}": keras.ops.convert_to_numpy(w) for i, w in enumerate(gan.weights)})
    return out


def main(backend, path):
    import contextlib

    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if backend == "jax":
        os.environ["XLA_FLAGS"] = (
            os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
        )
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
        )
    else:
        raise SystemExit(f"no data-parallel run for backend {backend!r}")
    import keras
    import numpy as np

    x = np.random.default_rng(0).normal(size=(N_SAMPLES[backend], 3)).astype("float32")
    saved = {}
    for cls in ("WGANGP", "WGAN"):
        saved.update({f"single/{cls}/{k}": v for k, v in _run(keras, cls, x, contextlib.nullcontext).items()})
    if backend == "jax":
        import jax

        devices = jax.devices()
        distribution = keras.distribution.DataParallel(devices=devices)
        keras.distribution.set_distribution(distribution)
        scope = contextlib.nullcontext
        saved["devices"] = len(devices)
        saved["batch_shards"] = len(
            distribution.get_data_layout((BATCH_SIZE, 3)).backend_layout.addressable_devices
        )
    else:
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        scope = strategy.scope
        saved["devices"] = strategy.num_replicas_in_sync
        saved["batch_shards"] = strategy.num_replicas_in_sync
    for cls in ("WGANGP", "WGAN"):
        saved.update({f"parallel/{cls}/{k}": v for k, v in _run(keras, cls, x, scope).items()})
    np.savez(path, **{k: np.asarray(v) for k, v in saved.items()})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
