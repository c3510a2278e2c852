"""JAX pieces of keras_wass."""

import jax
import jax.numpy as jnp

from keras_wass.backend._common import keras_cumsum, keras_unseeded_normal


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


_COMPILED = {}


def compile_when_eager(fn, static_argnames):
    """``fn`` through a cached ``jax.jit`` when called on concrete values.

    Eagerly, every ``lax.while_loop`` / ``lax.map`` inside ``fn`` would be
    compiled again at each call (their bodies are new closures); one jitted
    ``fn`` per set of static arguments is compiled once per shape instead.
    Under an outer ``jit`` or ``grad`` (tracers) ``fn`` is called as it is.
    """

    def wrapped(*args, **kwargs):
        if is_tracing(*[a for a in args if a is not None]):
            return fn(*args, **kwargs)
        key = (fn, tuple(sorted((k, kwargs[k]) for k in static_argnames if k in kwargs)))
        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = _COMPILED[key] = jax.jit(fn, static_argnames=tuple(static_argnames))
        return compiled(*args, **kwargs)

    return wrapped


cumsum = keras_cumsum


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

    def _scores(self, critic_values, critic_state, real, fake, interpolates, training):
        """(sum of interpolate scores, (real scores, fake scores, critic state))."""
        inputs = self.critic_inputs(real, fake, interpolates)
        scores, critic_state = self.critic.stateless_call(critic_values, critic_state, inputs, training=training)
        mixed, real_scores, fake_scores = self.split_scores(scores, real.shape[0])
        total = 0.0 if mixed is None else jnp.sum(mixed)
        return total, (real_scores, fake_scores, critic_state)

    def _critic_terms(self, critic_values, critic_state, real, fake, alpha, training):
        """Real and fake scores, input gradients at the interpolates, new state."""
        if not self.uses_penalty:
            _, aux = self._scores(critic_values, critic_state, real, fake, None, training)
            return aux + (None,)
        interpolates = self.interpolate(real, fake, alpha)
        input_grads, aux = jax.grad(
            lambda x: self._scores(critic_values, critic_state, real, fake, x, training), has_aux=True
        )(interpolates)
        return aux + (input_grads,)

    def _critic_loss(self, critic_values, critic_state, real, fake, alpha):
        real_scores, fake_scores, critic_state, input_grads = self._critic_terms(
            critic_values, critic_state, real, fake, alpha, training=True
        )
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

    def _unpack(self, trainable, non_trainable):
        """The networks' values and states and the seed state, from Keras's lists."""
        index = {
            "critic_t": _indices(self.trainable_variables, self.critic.trainable_variables),
            "generator_t": _indices(self.trainable_variables, self.generator.trainable_variables),
            "critic_n": _indices(self.non_trainable_variables, self.critic.non_trainable_variables),
            "generator_n": _indices(self.non_trainable_variables, self.generator.non_trainable_variables),
            "seed_n": _indices(self.non_trainable_variables, [self.seed_generator.state])[0],
        }
        parts = {
            "critic_values": [trainable[i] for i in index["critic_t"]],
            "generator_values": [trainable[i] for i in index["generator_t"]],
            "critic_state": [non_trainable[i] for i in index["critic_n"]],
            "generator_state": [non_trainable[i] for i in index["generator_n"]],
            "seed_state": non_trainable[index["seed_n"]],
        }
        return index, parts

    @staticmethod
    def _pack(index, parts, trainable, non_trainable):
        for key, where in (("critic_values", "critic_t"), ("generator_values", "generator_t")):
            for i, value in zip(index[where], parts[key]):
                trainable[i] = value
        for key, where in (("critic_state", "critic_n"), ("generator_state", "generator_n")):
            for i, value in zip(index[where], parts[key]):
                non_trainable[i] = value
        non_trainable[index["seed_n"]] = parts["seed_state"]

    def _record(self, metric_values, step_logs):
        """Updates the running means statelessly: (results, new metric values)."""
        from keras import StatelessScope

        from keras_wass.backend._common import record_logs

        with StatelessScope(state_mapping=list(zip(self.metrics_variables, metric_values))) as scope:
            for logs in step_logs:
                record_logs(self, logs)
            results = self.log_results()
        metric_values = [
            value if (new := scope.get_current_value(v)) is None else new
            for v, value in zip(self.metrics_variables, metric_values)
        ]
        return results, metric_values

    def train_step(self, state, data):
        from keras_wass.backend._common import real_batch

        trainable, non_trainable, optimizer_values, metric_values = (list(s) for s in state)
        real = jnp.asarray(real_batch(data, self))
        index, parts = self._unpack(trainable, non_trainable)
        critic_values, critic_state = parts["critic_values"], parts["critic_state"]
        generator_values, generator_state = parts["generator_values"], parts["generator_state"]
        seed_state = parts["seed_state"]
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
        results, metric_values = self._record(
            metric_values, [self.mean_logs(all_logs), {"generator_loss": generator_loss}]
        )
        parts = {
            "critic_values": critic_values, "generator_values": generator_values,
            "critic_state": critic_state, "generator_state": generator_state, "seed_state": seed_state,
        }
        self._pack(index, parts, trainable, non_trainable)
        return results, (trainable, non_trainable, critic_opt + generator_opt, metric_values)

    def test_step(self, state, data):
        from keras_wass.backend._common import real_batch

        trainable, non_trainable, metric_values = (list(s) for s in state)
        real = jnp.asarray(real_batch(data, self))
        index, parts = self._unpack(trainable, non_trainable)
        z, _, seed_state = self._draw(parts["seed_state"], real.shape[0])
        fake, _ = self.generator.stateless_call(
            parts["generator_values"], parts["generator_state"], z, training=False
        )
        fake = fake.astype(real.dtype)
        alpha = None
        if self.uses_penalty:
            _, alpha, seed_state = self._draw(seed_state, alpha_of=fake)
        real_scores, fake_scores, _, input_grads = self._critic_terms(
            parts["critic_values"], parts["critic_state"], real, fake, alpha, training=False
        )
        results, metric_values = self._record(
            metric_values, [self.evaluation_logs(real_scores, fake_scores, input_grads)]
        )
        parts["seed_state"] = seed_state
        self._pack(index, parts, trainable, non_trainable)
        return results, (trainable, non_trainable, metric_values)
