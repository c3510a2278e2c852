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


def _indices(variables, subset):
    positions = {id(v): i for i, v in enumerate(variables)}
    return [positions[id(v)] for v in subset]


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on JAX: purely stateless.

    Keras's JAX trainer passes the state as four lists of values aligned with
    ``model.trainable_variables``, ``non_trainable_variables``,
    ``optimizer.variables`` and ``metrics_variables``. ``model.optimizer`` is
    an ``OptimizerPair`` whose variables are the critic optimizer's followed by
    the generator optimizer's, so both optimizers' states travel through the
    compiled step. Gradients come from ``jax.value_and_grad`` over
    ``stateless_call``; the penalty's input gradient from ``jax.grad``.
    """

    def _critic_loss(self, critic_values, critic_state, real, fake, alpha):
        critic = self.critic
        batch_size = real.shape[0]

        def scores_of(interpolates):
            inputs = self.critic_inputs(real, fake, interpolates)
            scores, new_state = critic.stateless_call(critic_values, critic_state, inputs, training=True)
            mixed, real_scores, fake_scores = self.split_scores(scores, batch_size)
            total = 0.0 if mixed is None else jnp.sum(mixed)
            return total, (real_scores, fake_scores, new_state)

        input_grads = None
        if self.uses_penalty:
            interpolates = self.interpolate(real, fake, alpha)
            input_grads, (real_scores, fake_scores, critic_state) = jax.grad(scores_of, has_aux=True)(interpolates)
        else:
            _, (real_scores, fake_scores, critic_state) = scores_of(None)
        loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
        return loss, (logs, critic_state)

    def _generator_loss(self, generator_values, generator_state, critic_values, critic_state, z):
        fake, generator_state = self.generator.stateless_call(
            generator_values, generator_state, z, training=True
        )
        scores, critic_state = self.critic.stateless_call(critic_values, critic_state, fake, training=True)
        return self.generator_objective(scores), (generator_state, critic_state)

    def _draw(self, seed_state, latent_rows=None, alpha_of=None):
        """Latent vectors and/or mixing weights, and the seed state after."""
        from keras import StatelessScope

        with StatelessScope(state_mapping=[(self.seed_generator.state, seed_state)]) as scope:
            z = None if latent_rows is None else self.sample_latent(latent_rows)
            alpha = None if alpha_of is None else self.sample_alpha(alpha_of)
        return z, alpha, scope.get_current_value(self.seed_generator.state)

    def train_step(self, state, data):
        from keras import StatelessScope

        from keras_wass.backend._common import real_batch, record_logs

        trainable, non_trainable, optimizer_values, metric_values = (list(s) for s in state)
        real = jnp.asarray(real_batch(data))
        critic_t = _indices(self.trainable_variables, self.critic.trainable_variables)
        generator_t = _indices(self.trainable_variables, self.generator.trainable_variables)
        critic_n = _indices(self.non_trainable_variables, self.critic.non_trainable_variables)
        generator_n = _indices(self.non_trainable_variables, self.generator.non_trainable_variables)
        (seed_n,) = _indices(self.non_trainable_variables, [self.seed_generator.state])

        critic_values = [trainable[i] for i in critic_t]
        generator_values = [trainable[i] for i in generator_t]
        critic_state = [non_trainable[i] for i in critic_n]
        generator_state = [non_trainable[i] for i in generator_n]
        seed_state = non_trainable[seed_n]
        critic_opt, generator_opt = self.optimizer.split(optimizer_values)

        batch_size = real.shape[0]
        z, _, seed_state = self._draw(seed_state, self.critic_steps * batch_size)
        fakes, generator_state = self.generator.stateless_call(
            generator_values, generator_state, z, training=True
        )
        fakes = jax.lax.stop_gradient(fakes).astype(real.dtype)
        alphas = None
        if self.uses_penalty:
            _, alphas, seed_state = self._draw(seed_state, alpha_of=fakes)
        critic_grad_fn = jax.value_and_grad(self._critic_loss, has_aux=True)
        all_logs = []
        for i, fake in enumerate(self.split_steps(fakes, batch_size)):
            alpha = None if alphas is None else alphas[i * batch_size:(i + 1) * batch_size]
            (_, (logs, critic_state)), grads = critic_grad_fn(
                critic_values, critic_state, real, fake, alpha
            )
            critic_values, critic_opt = self.critic_optimizer.stateless_apply(
                critic_opt, grads, critic_values
            )
            if self.clips_critic:
                critic_values = self.constrain_critic(critic_values)
            all_logs.append(logs)

        z, _, seed_state = self._draw(seed_state, batch_size)
        (generator_loss, (generator_state, critic_state)), grads = jax.value_and_grad(
            self._generator_loss, has_aux=True
        )(generator_values, generator_state, critic_values, critic_state, z)
        generator_values, generator_opt = self.generator_optimizer.stateless_apply(
            generator_opt, grads, generator_values
        )
        step_logs = [self.mean_logs(all_logs), {"generator_loss": generator_loss}]

        with StatelessScope(state_mapping=list(zip(self.metrics_variables, metric_values))) as scope:
            for logs in step_logs:
                record_logs(self, logs)
            results = self.log_results()
        metric_values = [
            value if (new := scope.get_current_value(v)) is None else new
            for v, value in zip(self.metrics_variables, metric_values)
        ]

        for index, value in zip(critic_t, critic_values):
            trainable[index] = value
        for index, value in zip(generator_t, generator_values):
            trainable[index] = value
        for index, value in zip(critic_n, critic_state):
            non_trainable[index] = value
        for index, value in zip(generator_n, generator_state):
            non_trainable[index] = value
        non_trainable[seed_n] = seed_state
        state = (trainable, non_trainable, critic_opt + generator_opt, metric_values)
        return results, state
