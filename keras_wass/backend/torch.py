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


def compile_when_eager(fn, static_argnames):
    """``fn`` kept out of ``torch.compile`` (``torch.compiler.disable``).

    Eager PyTorch loops are plain Python loops of fast ops; traced by
    ``torch.compile`` (``jit_compile=True`` in ``fit``), a data-dependent
    loop would break the graph at every iteration and recompile.
    """
    del static_argnames
    return torch.compiler.disable(fn)


def cumsum(x, axis):
    """``torch.cumsum``, which keeps float64 (Keras's ``ops.cumsum`` returns float32)."""
    return torch.cumsum(x, dim=axis)


def supports_float64():
    return True


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on PyTorch: ``autograd.grad`` with
    ``create_graph=True`` for the gradient penalty.

    The fakes of all critic updates come from one generator call (the
    generator does not change during them), and each critic update scores
    interpolates, reals and fakes in one critic call. With
    ``jit_compile=True`` Keras wraps the step in ``torch.compile``, whose AOT
    autograd cannot differentiate twice; the critic updates with the penalty
    then run eagerly (``torch.compiler.disable``) and the rest is compiled.
    """

    def _critic_update(self, real, fake, alpha):
        critic_vars = self.critic.trainable_variables
        batch_size = real.shape[0]
        interpolates = None
        if self.uses_penalty:
            interpolates = self.interpolate(real, fake, alpha).detach().requires_grad_(True)
        scores = self.critic(self.critic_inputs(real, fake, interpolates), training=True)
        mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
        input_grads = None
        if self.uses_penalty:
            (input_grads,) = torch.autograd.grad(mixed_scores.sum(), interpolates, create_graph=True)
        loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
        grads = torch.autograd.grad(loss, [v.value for v in critic_vars])
        with torch.no_grad():
            self.critic_optimizer.apply(list(grads), critic_vars)
            if self.clips_critic:
                values = self.constrain_critic([v.value for v in critic_vars])
                for variable, value in zip(critic_vars, values):
                    variable.assign(value)
        return {k: v.detach() for k, v in logs.items()}

    def train_step(self, data):
        from keras import ops

        from keras_wass.backend._common import real_batch, record_logs

        real = ops.convert_to_tensor(real_batch(data, self))
        batch_size = real.shape[0]
        z = self.sample_latent(self.critic_steps * batch_size)
        with torch.no_grad():
            fakes = self.generator(z, training=True).to(real.dtype)
        alphas = self.sample_alpha(fakes) if self.uses_penalty else None
        critic_update = self._critic_update
        if self.uses_penalty:
            critic_update = torch.compiler.disable(critic_update)
        all_logs = []
        for i, fake in enumerate(self.split_steps(fakes, batch_size)):
            alpha = None if alphas is None else alphas[i * batch_size:(i + 1) * batch_size]
            all_logs.append(critic_update(real, fake, alpha))
        generator_vars = self.generator.trainable_variables
        z = self.sample_latent(batch_size)
        fake_scores = self.critic(self.generator(z, training=True), training=True)
        generator_loss = self.generator_objective(fake_scores)
        grads = torch.autograd.grad(generator_loss, [v.value for v in generator_vars])
        # Gradients of the critic's weights from this pass are not kept.
        with torch.no_grad():
            self.generator_optimizer.apply(list(grads), generator_vars)
            record_logs(self, self.mean_logs(all_logs))
            record_logs(self, {"generator_loss": generator_loss.detach()})
        return self.log_results()

    def _evaluation_logs(self, real, fake, alpha):
        batch_size = real.shape[0]
        interpolates = None
        with torch.enable_grad():  # Keras runs test_step under no_grad
            if self.uses_penalty:
                interpolates = self.interpolate(real, fake, alpha).detach().requires_grad_(True)
            scores = self.critic(self.critic_inputs(real, fake, interpolates), training=False)
            mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
            input_grads = None
            if self.uses_penalty:
                (input_grads,) = torch.autograd.grad(mixed_scores.sum(), interpolates)
        logs = self.evaluation_logs(real_scores.detach(), fake_scores.detach(), input_grads)
        return {k: v.detach() for k, v in logs.items()}

    def test_step(self, data):
        from keras import ops

        from keras_wass.backend._common import real_batch, record_logs

        real = ops.convert_to_tensor(real_batch(data, self))
        with torch.no_grad():
            fake = self.generator(self.sample_latent(real.shape[0]), training=False).to(real.dtype)
        alpha = self.sample_alpha(fake) if self.uses_penalty else None
        evaluation_logs = self._evaluation_logs
        if self.uses_penalty:
            evaluation_logs = torch.compiler.disable(evaluation_logs)
        with torch.no_grad():
            record_logs(self, evaluation_logs(real, fake, alpha))
        return self.log_results()
