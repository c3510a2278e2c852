"""Times one WGANGP train_step against a hand-written native step.

Run once per backend (each framework in its own process):

    KERAS_BACKEND=jax python benchmarks/wgan_train_step.py

Both sides train the same networks (the digits MLPs of ``keras-wass train``:
generator 32-128-256-64, critic 64-256-128-1 with LeakyReLU), on the same
batch size, with 5 critic updates with gradient penalty and one generator
update per step, Adam(5e-4, 0.5, 0.9). Ours is timed inside ``WGANGP.fit``
(the time between consecutive ``on_train_batch_end`` callbacks, so Keras's
data handling and the compiled step are included); the native step is

- TensorFlow: the keras.io WGAN-GP pattern (a ``keras.Model`` with its own
  ``train_step``: Keras networks and optimizers, nested
  ``tf.GradientTape``s), timed inside ``fit`` like ours;
- JAX: plain ``jax.numpy`` networks, a hand-written Adam, one ``jax.jit``;
- PyTorch: ``torch.nn`` modules, ``torch.optim.Adam``, ``autograd.grad``;
  and a second native step that runs the same loop on the Keras networks
  (``native_keras_nets``), which separates the cost of Keras layers on
  PyTorch from the cost of our ``train_step``.

Both sides take the batch as a NumPy array at every step. Rounds of 10 steps
alternate (ours, native, ours, ...) after warm-up; the medians of the
per-step times and their ratio are printed as one JSON line.
"""

import json
import os
import statistics
import sys
import time

import keras
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from keras_wass.models import WGANGP, build_mlp_critic, build_mlp_generator  # noqa: E402

LATENT, SHAPE, BATCH, CRITIC_STEPS, GP, LR = 32, (8, 8, 1), 64, 5, 10.0, 5e-4
BACKEND = keras.backend.backend()


def _fit_timer(model, real):
    """Per-step times of ``model.fit`` (between ``on_train_batch_end`` calls)."""
    stamps = []
    clock = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: stamps.append(time.perf_counter()))

    def run(steps):
        stamps.clear()
        data = np.concatenate([real] * (steps + 1))
        model.fit(data, batch_size=BATCH, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
        return list(np.diff(stamps))  # the first step's time includes the epoch set-up

    return run


def ours(real):
    keras.utils.set_random_seed(0)
    gan = WGANGP(build_mlp_generator(LATENT, SHAPE), build_mlp_critic(SHAPE), latent_dim=LATENT,
                 critic_steps=CRITIC_STEPS, gp_weight=GP, seed=0)
    adam = lambda: keras.optimizers.Adam(LR, beta_1=0.5, beta_2=0.9)  # noqa: E731
    gan.compile(generator_optimizer=adam(), critic_optimizer=adam())
    return _fit_timer(gan, real)


def native_tensorflow(real):
    """The keras.io WGAN-GP example's pattern: a Model with its own train_step."""
    import tensorflow as tf

    class KerasIOWGAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.critic = build_mlp_generator(LATENT, SHAPE), build_mlp_critic(SHAPE)
            self.g_opt = keras.optimizers.Adam(LR, beta_1=0.5, beta_2=0.9)
            self.c_opt = keras.optimizers.Adam(LR, beta_1=0.5, beta_2=0.9)

        def train_step(self, real):
            generator, critic = self.generator, self.critic
            batch = tf.shape(real)[0]
            for _ in range(CRITIC_STEPS):
                fake = generator(tf.random.normal((batch, LATENT)), training=True)
                with tf.GradientTape() as tape:
                    alpha = tf.random.uniform((batch, 1, 1, 1))
                    mixed = alpha * real + (1 - alpha) * fake
                    with tf.GradientTape() as inner:
                        inner.watch(mixed)
                        scores = critic(mixed, training=True)
                    grads = inner.gradient(scores, mixed)
                    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
                    gp = tf.reduce_mean((norms - 1.0) ** 2)
                    loss = (tf.reduce_mean(critic(fake, training=True))
                            - tf.reduce_mean(critic(real, training=True)) + GP * gp)
                c_vars = critic.trainable_variables
                self.c_opt.apply_gradients(zip(tape.gradient(loss, c_vars), c_vars))
            with tf.GradientTape() as tape:
                g_loss = -tf.reduce_mean(critic(generator(tf.random.normal((batch, LATENT)), training=True), training=True))
            g_vars = generator.trainable_variables
            self.g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
            return {"c_loss": loss, "g_loss": g_loss}

    model = KerasIOWGAN()
    model.compile()
    return _fit_timer(model, real)


def native_torch(real, keras_networks=False):
    import torch
    from torch import nn

    if keras_networks:
        keras_generator, keras_critic = build_mlp_generator(LATENT, SHAPE), build_mlp_critic(SHAPE)
        generator = lambda z: keras_generator(z, training=True)  # noqa: E731
        critic = lambda x: keras_critic(x, training=True)  # noqa: E731
        g_params = [v.value for v in keras_generator.trainable_variables]
        c_params = [v.value for v in keras_critic.trainable_variables]
    else:
        generator = nn.Sequential(nn.Linear(LATENT, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 64), nn.Tanh())
        critic = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
        g_params, c_params = generator.parameters(), critic.parameters()
    g_opt = torch.optim.Adam(g_params, LR, betas=(0.5, 0.9))
    c_opt = torch.optim.Adam(c_params, LR, betas=(0.5, 0.9))
    def step():
        real_batch = torch.as_tensor(real)
        for _ in range(CRITIC_STEPS):
            with torch.no_grad():
                fake = generator(torch.randn(BATCH, LATENT)).reshape(real_batch.shape)
            alpha = torch.rand(BATCH, 1, 1, 1)
            mixed = (alpha * real_batch + (1 - alpha) * fake).requires_grad_(True)
            (grads,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
            gp = ((grads.flatten(1).norm(dim=1) - 1) ** 2).mean()
            loss = critic(fake).mean() - critic(real_batch).mean() + GP * gp
            c_opt.zero_grad()
            loss.backward()
            c_opt.step()
        g_loss = -critic(generator(torch.randn(BATCH, LATENT)).reshape(real_batch.shape)).mean()
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        return g_loss.item()

    return step


def native_jax(real):
    import jax
    import jax.numpy as jnp

    def init(key, sizes):
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            key, sub = jax.random.split(key)
            limit = np.sqrt(6 / (fan_in + fan_out))
            params.append((jax.random.uniform(sub, (fan_in, fan_out), minval=-limit, maxval=limit), jnp.zeros(fan_out)))
        return params

    def generator(params, z):
        for w, b in params[:-1]:
            z = jax.nn.relu(z @ w + b)
        w, b = params[-1]
        return jnp.tanh(z @ w + b)

    def critic(params, x):
        x = x.reshape(x.shape[0], -1)
        for w, b in params[:-1]:
            x = jax.nn.leaky_relu(x @ w + b, 0.2)
        w, b = params[-1]
        return x @ w + b

    def adam(params, grads, state, t):
        m, v = state
        m = jax.tree_util.tree_map(lambda m, g: 0.5 * m + 0.5 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.9 * v + 0.1 * g * g, v, grads)
        scale = LR * jnp.sqrt(1 - 0.9 ** t) / (1 - 0.5 ** t)
        params = jax.tree_util.tree_map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + 1e-7), params, m, v)
        return params, (m, v)

    def critic_loss(c, g, real, key):
        k1, k2 = jax.random.split(key)
        fake = jax.lax.stop_gradient(generator(g, jax.random.normal(k1, (BATCH, LATENT))))
        flat_real = real.reshape(BATCH, -1)
        alpha = jax.random.uniform(k2, (BATCH, 1))
        mixed = alpha * flat_real + (1 - alpha) * fake
        grads = jax.grad(lambda x: critic(c, x).sum())(mixed)
        gp = jnp.mean((jnp.sqrt(jnp.sum(grads ** 2, axis=1)) - 1) ** 2)
        return critic(c, fake).mean() - critic(c, flat_real).mean() + GP * gp

    def generator_loss(g, c, key):
        return -critic(c, generator(g, jax.random.normal(key, (BATCH, LATENT)))).mean()

    @jax.jit
    def step(state, real):
        g, c, g_state, c_state, t, key = state
        for _ in range(CRITIC_STEPS):
            key, sub = jax.random.split(key)
            grads = jax.grad(critic_loss)(c, g, real, sub)
            c, c_state = adam(c, grads, c_state, t * CRITIC_STEPS + 1)
        key, sub = jax.random.split(key)
        loss, grads = jax.value_and_grad(generator_loss)(g, c, sub)
        g, g_state = adam(g, grads, g_state, t + 1)
        return (g, c, g_state, c_state, t + 1, key), loss

    zeros = lambda p: (jax.tree_util.tree_map(jnp.zeros_like, p), jax.tree_util.tree_map(jnp.zeros_like, p))  # noqa: E731
    g, c = init(jax.random.PRNGKey(0), [LATENT, 128, 256, 64]), init(jax.random.PRNGKey(1), [64, 256, 128, 1])
    state = [(g, c, zeros(g), zeros(c), 0, jax.random.PRNGKey(2))]
    def run():
        state[0], loss = step(state[0], jnp.asarray(real))
        return float(loss)

    return run


def _timed(fn, steps):
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(rounds=6, steps=10):
    real = np.random.default_rng(0).uniform(-1, 1, size=(BATCH,) + SHAPE).astype("float32")
    # Each entry runs `steps` steps and returns their times in seconds.
    runners = {"ours": ours(real)}
    if BACKEND == "tensorflow":
        runners["native"] = native_tensorflow(real)  # a Model timed inside fit
    else:
        step = {"jax": native_jax, "torch": native_torch}[BACKEND](real)
        runners["native"] = lambda n, step=step: _timed(step, n)
    if BACKEND == "torch":
        step = native_torch(real, keras_networks=True)
        runners["native_keras_nets"] = lambda n, step=step: _timed(step, n)
    for run in runners.values():
        run(3)  # warm-up and compilation
    times = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            times[name] += run(steps)
    medians = {name: statistics.median(values) * 1e3 for name, values in times.items()}
    result = {"backend": BACKEND, "steps": len(times["ours"])}
    result.update({f"{name}_ms": round(value, 3) for name, value in medians.items()})
    result.update({f"ratio_vs_{name}": round(medians["ours"] / medians[name], 3)
                   for name in runners if name != "ours"})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
