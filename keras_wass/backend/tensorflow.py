"""TensorFlow pieces of keras_wass."""

import tensorflow as tf

from keras_wass.backend._common import keras_unseeded_normal


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


def supports_float64():
    return True


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on TensorFlow: nested gradient tapes."""

    def train_step(self, data):
        from keras_wass.backend._common import real_batch, record_logs

        real = tf.convert_to_tensor(real_batch(data))
        batch_size = tf.shape(real)[0]
        critic_vars = self.critic.trainable_variables
        generator_vars = self.generator.trainable_variables
        for _ in range(self.critic_steps):
            z = self.sample_latent(batch_size)
            fake = tf.stop_gradient(tf.cast(self.generator(z, training=True), real.dtype))
            with tf.GradientTape() as tape:
                input_grads = None
                if self.uses_penalty:
                    interpolates = self.interpolate(real, fake, self.sample_alpha(real))
                    with tf.GradientTape() as inner:
                        inner.watch(interpolates)
                        scores = self.critic(interpolates, training=True)
                    input_grads = inner.gradient(scores, interpolates)
                real_scores = self.critic(real, training=True)
                fake_scores = self.critic(fake, training=True)
                loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
            grads = tape.gradient(loss, critic_vars)
            self.critic_optimizer.apply(grads, critic_vars)
            if self.clips_critic:
                values = self.constrain_critic([v.value for v in critic_vars])
                for variable, value in zip(critic_vars, values):
                    variable.assign(value)
            record_logs(self, logs)
        z = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake_scores = self.critic(self.generator(z, training=True), training=True)
            generator_loss = self.generator_objective(fake_scores)
        grads = tape.gradient(generator_loss, generator_vars)
        self.generator_optimizer.apply(grads, generator_vars)
        record_logs(self, {"generator_loss": generator_loss})
        return self.log_results()
