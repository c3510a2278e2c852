"""PyTorch pieces of keras_wass."""

import torch

from keras_wass.backend._common import keras_unseeded_normal


def is_tracing(*tensors):
    del tensors
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and compiler.is_compiling())


def unseeded_normal(shape, dtype, entropy=()):
    # PyTorch runs the Python code at every step, so the global generator
    # gives fresh draws each time.
    del entropy
    return keras_unseeded_normal(shape, dtype)


def supports_float64():
    return True


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on PyTorch: ``autograd.grad`` with
    ``create_graph=True`` for the gradient penalty."""

    def train_step(self, data):
        from keras import ops

        from keras_wass.backend._common import real_batch, record_logs

        real = ops.convert_to_tensor(real_batch(data))
        batch_size = real.shape[0]
        critic_vars = self.critic.trainable_variables
        generator_vars = self.generator.trainable_variables
        for _ in range(self.critic_steps):
            z = self.sample_latent(batch_size)
            with torch.no_grad():
                fake = self.generator(z, training=True).to(real.dtype)
            input_grads = None
            if self.uses_penalty:
                interpolates = self.interpolate(real, fake, self.sample_alpha(real))
                interpolates = interpolates.detach().requires_grad_(True)
                scores = self.critic(interpolates, training=True)
                (input_grads,) = torch.autograd.grad(
                    scores.sum(), interpolates, create_graph=True
                )
            real_scores = self.critic(real, training=True)
            fake_scores = self.critic(fake, training=True)
            loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
            grads = torch.autograd.grad(loss, [v.value for v in critic_vars])
            with torch.no_grad():
                self.critic_optimizer.apply(list(grads), critic_vars)
                if self.clips_critic:
                    values = self.constrain_critic([v.value for v in critic_vars])
                    for variable, value in zip(critic_vars, values):
                        variable.assign(value)
            record_logs(self, {k: v.detach() for k, v in logs.items()})
        z = self.sample_latent(batch_size)
        fake_scores = self.critic(self.generator(z, training=True), training=True)
        generator_loss = self.generator_objective(fake_scores)
        grads = torch.autograd.grad(generator_loss, [v.value for v in generator_vars])
        # Gradients of the critic's weights from this pass are not kept.
        with torch.no_grad():
            self.generator_optimizer.apply(list(grads), generator_vars)
        record_logs(self, {"generator_loss": generator_loss.detach()})
        return self.log_results()
