"""TensorFlow pieces of keras_wass."""

import tensorflow as tf

from keras_wass.backend._common import keras_cumsum, keras_unseeded_normal


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


_COMPILED = {}


def compile_when_eager(fn, static_argnames):
    """``fn`` as a cached ``tf.function`` when called eagerly (its loops then
    run as graph ``while_loop``s instead of op-by-op); inside a graph, as is.
    Python-number arguments are part of ``tf.function``'s signature."""
    del static_argnames

    def wrapped(*args, **kwargs):
        if not tf.executing_eagerly():
            return fn(*args, **kwargs)
        compiled = _COMPILED.get(fn)
        if compiled is None:
            compiled = _COMPILED[fn] = tf.function(fn)
        return compiled(*args, **kwargs)

    return wrapped


cumsum = keras_cumsum


def supports_float64():
    return True


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on TensorFlow: nested gradient tapes.

    The fakes of all critic updates come from one generator call (the
    generator does not change during them), and each critic update scores
    interpolates, reals and fakes in one critic call.
    """

    def train_step(self, data):
        from keras_wass.backend._common import real_batch, record_logs

        real = tf.convert_to_tensor(real_batch(data))
        batch_size = tf.shape(real)[0]
        steps = self.critic_steps
        critic_vars = self.critic.trainable_variables
        generator_vars = self.generator.trainable_variables
        z = self.sample_latent(steps * batch_size)
        fakes = tf.stop_gradient(tf.cast(self.generator(z, training=True), real.dtype))
        alphas = self.sample_alpha(fakes) if self.uses_penalty else None
        all_logs = []
        for i in range(steps):
            fake = fakes[i * batch_size:(i + 1) * batch_size]
            with tf.GradientTape() as tape:
                with tf.GradientTape() as inner:
                    interpolates = None
                    if self.uses_penalty:
                        alpha = alphas[i * batch_size:(i + 1) * batch_size]
                        interpolates = self.interpolate(real, fake, alpha)
                        inner.watch(interpolates)
                    scores = self.critic(self.critic_inputs(real, fake, interpolates), training=True)
                    mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
                input_grads = None
                if self.uses_penalty:
                    input_grads = inner.gradient(mixed_scores, interpolates)
                loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
            self.critic_optimizer.apply(tape.gradient(loss, critic_vars), critic_vars)
            if self.clips_critic:
                values = self.constrain_critic([v.value for v in critic_vars])
                for variable, value in zip(critic_vars, values):
                    variable.assign(value)
            all_logs.append(logs)
        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake_scores = self.critic(self.generator(z, training=True), training=True)
            generator_loss = self.generator_objective(fake_scores)
        grads = tape.gradient(generator_loss, generator_vars)
        self.generator_optimizer.apply(grads, generator_vars)
        record_logs(self, self.mean_logs(all_logs))
        record_logs(self, {"generator_loss": generator_loss})
        return self.log_results()

    def test_step(self, data):
        from keras_wass.backend._common import real_batch, record_logs

        real = tf.convert_to_tensor(real_batch(data))
        batch_size = tf.shape(real)[0]
        fake = tf.cast(self.generator(self.sample_latent(batch_size), training=False), real.dtype)
        interpolates = None
        with tf.GradientTape() as tape:
            if self.uses_penalty:
                interpolates = self.interpolate(real, fake, self.sample_alpha(fake))
                tape.watch(interpolates)
            scores = self.critic(self.critic_inputs(real, fake, interpolates), training=False)
            mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
        input_grads = tape.gradient(mixed_scores, interpolates) if self.uses_penalty else None
        record_logs(self, self.evaluation_logs(real_scores, fake_scores, input_grads))
        return self.log_results()
