"""WGAN-GP and the original weight-clipping WGAN."""

import numbers

import keras
import numpy as np
from keras import ops

from keras_wass import backend
from keras_wass.models._optimizers import OptimizerPair, deserialize_optimizer, serialize_optimizer
from keras_wass.ops import _checks

_PENALTIES = ("two-sided", "one-sided")
LOG_NAMES = ("critic_loss", "generator_loss", "gradient_penalty", "wasserstein_estimate")


def _full_precision(t):
    """``t`` in float32 when it is float16 or bfloat16 (mixed precision): the
    losses and their averages are kept in float32."""
    if keras.backend.standardize_dtype(t.dtype) in ("float16", "bfloat16"):
        return ops.cast(t, "float32")
    return t


def gradient_penalty(input_grads, target_norm=1.0, penalty="two-sided"):
    r"""Mean of ``(|g_i| - target)^2`` over the batch (Gulrajani et al. 2017).

    The norm of each sample's gradient is taken over all its non-batch axes
    (for images: height, width and channels together). At a zero gradient the
    norm is 0 with a zero (not NaN) derivative. ``"one-sided"`` penalises only
    norms above the target, ``max(0, |g| - target)^2`` (Petzka et al. 2018).
    """
    g = _full_precision(ops.reshape(input_grads, (ops.shape(input_grads)[0], -1)))
    norms = _checks.safe_sqrt(ops.sum(ops.square(g), axis=-1))
    gap = norms - target_norm
    if penalty == "one-sided":
        gap = ops.relu(gap)
    return ops.mean(ops.square(gap))


def _defined_shape(network, which):
    """The shape of a network's one input or output (``which``) when it is
    defined (a functional or Sequential model with an ``Input``), else None."""
    try:
        tensors = getattr(network, which)
    except (AttributeError, ValueError):  # a layer, a subclassed model, no Input yet
        return None
    if not isinstance(tensors, (list, tuple)) or len(tensors) != 1:
        return None
    return tuple(tensors[0].shape)


def _shapes_agree(a, b):
    return len(a) == len(b) and all(i is None or j is None or i == j for i, j in zip(a, b))


def _check_networks(generator, critic, latent_dim):
    """Checks what the networks' defined shapes tell; returns the shape of one
    sample ``(...)`` the generator makes, or None when it is not known."""
    latent = _defined_shape(generator, "inputs")
    if latent is not None and not _shapes_agree(latent, (None, latent_dim)):
        raise ValueError(
            "`latent_dim` should be the size of the generator's input (batch, latent_dim). "
            f"Received: latent_dim={latent_dim}, generator input shape {latent}"
        )
    sample = _defined_shape(generator, "outputs")
    critic_input = _defined_shape(critic, "inputs")
    if sample is not None and critic_input is not None and not _shapes_agree(sample, critic_input):
        raise ValueError(
            "`critic` should take the generator's samples. Received: generator output "
            f"shape {sample}, critic input shape {critic_input}"
        )
    shape = sample if sample is not None else critic_input
    return None if shape is None else shape[1:]


class _WassersteinGAN(backend.GANTrainStep, keras.Model):
    """What WGANGP and WGAN share: networks, sampling, logs, compile, saving."""

    _default_learning_rate = 1e-4

    def __init__(self, generator, critic, latent_dim, critic_steps=5, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, network in (("generator", generator), ("critic", critic)):
            if not isinstance(network, keras.layers.Layer):
                raise ValueError(
                    f"`{name}` should be a keras.Model or keras.layers.Layer. "
                    f"Received: {name} of type {type(network).__name__}"
                )
        if generator is critic:
            raise ValueError("`generator` and `critic` should be two different networks.")
        self.generator = generator
        self.critic = critic
        self.latent_dim = _checks.check_positive_int(latent_dim, "latent_dim")
        self._sample_shape = _check_networks(generator, critic, self.latent_dim)
        self.critic_steps = _checks.check_positive_int(critic_steps, "critic_steps")
        self.seed = _checks.check_seed(seed)
        if isinstance(self.seed, keras.random.SeedGenerator):
            raise ValueError(f"`seed` should be None or an integer. Received: seed={seed!r}")
        # Tracked by the model, so its state is part of the training state
        # (compiled JAX included): draws are fresh at every step.
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self._log_names}
        self.generator_optimizer = None
        self.critic_optimizer = None

    # --- what the per-backend train_step calls -------------------------------
    def check_real_batch(self, real):
        """Raises if the real samples' (static) shape is not the generator's."""
        shape, real_shape = getattr(self, "_sample_shape", None), getattr(real, "shape", None)
        if shape is not None and real_shape is not None and not _shapes_agree(tuple(real_shape[1:]), shape):
            raise ValueError(
                "The real samples `x` given to fit/evaluate should have the shape of "
                f"the generator's samples, (batch, {', '.join(str(d) for d in shape)}). "
                f"Received: x batch of shape {tuple(real.shape)}"
            )
        return real

    _log_names = LOG_NAMES
    uses_penalty = True
    clips_critic = False

    def sample_latent(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def sample_alpha(self, reference, rows=None):
        """Per-sample uniform mixing weights, broadcastable to ``reference``
        (``rows`` of them when given, else one per row of ``reference``)."""
        rows = ops.shape(reference)[0] if rows is None else rows
        shape = (rows,) + (1,) * (len(reference.shape) - 1)
        return keras.random.uniform(shape, dtype=reference.dtype, seed=self.seed_generator)

    def split_steps(self, x, batch_size):
        """Splits ``critic_steps * batch_size`` rows into ``critic_steps`` parts."""
        return [x[i * batch_size:(i + 1) * batch_size] for i in range(self.critic_steps)]

    def interpolate(self, real, fake, alpha):
        fake = ops.cast(fake, real.dtype)  # float16 fakes under mixed precision
        return alpha * real + (1.0 - alpha) * fake

    def critic_inputs(self, real, fake, interpolates):
        """One batch for a single critic call: interpolates (if any), reals, fakes.

        Calling the critic once on the concatenation (instead of three times)
        gives the same scores for a critic without batch-coupled layers (a
        WGAN-GP critic must not use batch normalisation) and is faster.
        """
        parts = [real, fake] if interpolates is None else [interpolates, real, fake]
        return ops.concatenate([ops.cast(part, real.dtype) for part in parts], axis=0)

    def split_scores(self, scores, batch_size):
        """(interpolate scores or None, real scores, fake scores)."""
        if self.uses_penalty:
            return scores[:batch_size], scores[batch_size:2 * batch_size], scores[2 * batch_size:]
        return None, scores[:batch_size], scores[batch_size:]

    def critic_objective(self, real_scores, fake_scores, input_grads):
        """Critic loss (to minimise) and its logs."""
        real_scores, fake_scores = _full_precision(real_scores), _full_precision(fake_scores)
        estimate = ops.mean(real_scores) - ops.mean(fake_scores)
        loss = -estimate
        logs = {"wasserstein_estimate": estimate}
        if self.uses_penalty:
            penalty = _full_precision(gradient_penalty(input_grads, self.target_norm, self.penalty))
            loss = loss + self.gp_weight * penalty
            logs["gradient_penalty"] = penalty
        logs["critic_loss"] = loss
        return loss, logs

    def generator_objective(self, fake_scores):
        return -ops.mean(_full_precision(fake_scores))

    def evaluation_logs(self, real_scores, fake_scores, input_grads):
        """Logs of ``evaluate`` (and ``validation_data``): no update is made."""
        _, logs = self.critic_objective(real_scores, fake_scores, input_grads)
        logs["generator_loss"] = self.generator_objective(fake_scores)
        return logs

    def constrain_critic(self, values):
        """Values of the critic's trainable variables after an update."""
        return values

    def mean_logs(self, logs_list):
        """Averages the logs of the critic updates of one train_step."""
        return {
            name: ops.mean(ops.stack([logs[name] for logs in logs_list]))
            for name in logs_list[0]
        }

    def log_results(self):
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def metrics(self):
        return list(self.trackers.values())

    # --- Keras API ------------------------------------------------------------
    def call(self, inputs, training=False):
        """Generates samples from latent vectors ``(batch, latent_dim)``."""
        return self.generator(inputs, training=training)

    def build(self, input_shape=None):
        if not self.generator.built:
            self.generator.build((None, self.latent_dim))
        if not self.critic.built:
            shape = self.generator.compute_output_shape((None, self.latent_dim))
            self.critic.build(shape)
        if self._sample_shape is None:
            try:
                self._sample_shape = tuple(self.generator.compute_output_shape((None, self.latent_dim)))[1:]
            except Exception:  # a network that cannot tell its output shape: nothing to check
                pass
        self.built = True

    def _default_optimizer(self):
        return keras.optimizers.Adam(self._default_learning_rate, beta_1=0.0, beta_2=0.9)

    def compile(self, generator_optimizer=None, critic_optimizer=None, jit_compile="auto",
                steps_per_execution=1, run_eagerly=False, **kwargs):
        """Configures the two optimizers.

        Args:
            generator_optimizer: optimizer of the generator (instance, name or
                config). Defaults to Adam(1e-4, beta_1=0, beta_2=0.9) for
                WGANGP and RMSprop(5e-5) for WGAN.
            critic_optimizer: optimizer of the critic; same default.
            jit_compile: as in ``keras.Model.compile``. Defaults to "auto".
            steps_per_execution: as in ``keras.Model.compile``. Defaults to 1.
            run_eagerly: as in ``keras.Model.compile``. Defaults to False.
            **kwargs: other ``keras.Model.compile`` arguments except ``loss``
                and ``optimizer`` (the losses are the model's own).
                ``auto_scale_loss`` is ignored: under ``mixed_float16`` the
                losses are not scaled (the critic's scores and the penalty
                are O(1), far from float16's limits).

        Raises:
            ValueError: ``loss`` or ``optimizer`` given, or the same optimizer
                object passed for both networks.
        """
        for key in ("loss", "optimizer"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"{type(self).__name__}.compile() takes `generator_optimizer` and "
                    f"`critic_optimizer`, not `{key}` (its losses are built in)."
                )
            kwargs.pop(key, None)
        generator_optimizer = keras.optimizers.get(generator_optimizer or self._default_optimizer())
        critic_optimizer = keras.optimizers.get(critic_optimizer or self._default_optimizer())
        if generator_optimizer is critic_optimizer:
            raise ValueError(
                "`generator_optimizer` and `critic_optimizer` should be two "
                "different optimizer objects (each keeps its own state)."
            )
        self.generator_optimizer = generator_optimizer
        self.critic_optimizer = critic_optimizer
        # Under mixed_float16 Keras would wrap the pair in a LossScaleOptimizer;
        # the step updates each network with its own optimizer and unscaled
        # losses (critic scores and the penalty are O(1)), so it is not wrapped.
        kwargs.pop("auto_scale_loss", None)
        super().compile(
            optimizer=OptimizerPair(critic_optimizer, generator_optimizer),
            jit_compile=jit_compile, steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly, auto_scale_loss=False, **kwargs,
        )
        if not self.built:
            self.build()
        if not critic_optimizer.built:
            critic_optimizer.build(self.critic.trainable_variables)
        if not generator_optimizer.built:
            generator_optimizer.build(self.generator.trainable_variables)
        self.optimizer.built = True
        self._compile_options = {
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
            "run_eagerly": run_eagerly,
        }

    def get_compile_config(self):
        if self.generator_optimizer is None:
            return None
        return {
            # Backend-neutral names: a model saved under PyTorch trains on
            # after loading under TensorFlow or JAX (see _optimizers.py).
            "generator_optimizer": serialize_optimizer(self.generator_optimizer),
            "critic_optimizer": serialize_optimizer(self.critic_optimizer),
            **self._compile_options,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("generator_optimizer", "critic_optimizer"):
            config[key] = deserialize_optimizer(config[key])
        self.compile(**config)

    def generate(self, n, seed=None, batch_size=256):
        """Draws ``n`` samples from the generator (inference mode).

        Args:
            n: number of samples, ``>= 1``.
            seed: None for fresh latent noise, or an integer for fixed noise.
                Defaults to None.
            batch_size: generator batch size. Defaults to 256.

        Returns:
            A NumPy array of ``n`` generated samples.
        """
        n = _checks.check_positive_int(n, "n")
        seed = _checks.check_seed(seed)
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return self.generator.predict(z, batch_size=batch_size, verbose=0)

    def get_config(self):
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "critic": keras.saving.serialize_keras_object(self.critic),
            "latent_dim": self.latent_dim,
            "critic_steps": self.critic_steps,
            "seed": self.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("generator", "critic"):
            config[key] = keras.saving.deserialize_keras_object(
                config[key], custom_objects=custom_objects
            )
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_wass")
class WGANGP(_WassersteinGAN):
    r"""Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

    A ``keras.Model`` whose ``fit`` takes real samples only. Each
    ``train_step`` (one per batch) runs ``critic_steps`` critic updates, then
    one generator update. A critic update minimises

    $$L_C = \mathbb{E}[C(\tilde x)] - \mathbb{E}[C(x)] +
    \lambda\,\mathbb{E}\big[(\|\nabla_{\hat x} C(\hat x)\|_2 - 1)^2\big]$$

    with fakes ``x~ = G(z)`` and interpolates ``x^ = a x + (1 - a) x~``,
    ``a ~ U(0, 1)`` drawn per sample; the norm is per sample over all non-batch
    axes. The generator minimises ``-E[C(G(z))]``. The ``train_step`` is
    written once per backend (TensorFlow: nested tapes; JAX: stateless
    ``value_and_grad`` with ``jax.grad`` for the input gradient, both
    optimizers' variables carried in the training state; PyTorch:
    ``autograd.grad(create_graph=True)``); the user's code is the same on all
    three, and ``fit`` works with callbacks, the progress bar, ``History``
    and ``jit_compile``. Constraints on the critic's weights (e.g.
    `keras_wass.constraints.SpectralNorm`) are applied after every critic
    update. It trains data-parallel with ``keras.distribution.DataParallel``
    (JAX) or inside a ``tf.distribute.MirroredStrategy`` scope (TensorFlow),
    giving the one-device losses up to rounding (see the "Train on several
    devices" how-to).

    Logs: ``critic_loss`` (with the weighted penalty), ``generator_loss``,
    ``gradient_penalty`` (the mean of ``(norm - 1)^2`` before ``gp_weight``)
    and ``wasserstein_estimate`` (mean critic score on reals minus on fakes),
    each averaged over the epoch's updates. ``evaluate`` (and
    ``validation_data`` in ``fit``) reports the same four values for held-out
    reals against fresh fakes, both networks in inference mode, without
    updating anything.

    Args:
        generator: a ``keras.Model`` from ``(batch, latent_dim)`` to samples.
        critic: a ``keras.Model`` from samples to ``(batch, 1)`` scores (no
            sigmoid, and no batch normalisation: the penalty is per sample).
        latent_dim: size of the latent vectors, ``>= 1``.
        critic_steps: critic updates per generator update, ``>= 1``.
            Defaults to 5.
        gp_weight: penalty weight ``lambda``, ``>= 0``. Defaults to 10.0.
        seed: None for fresh noise at every step, or an integer for a
            reproducible run on a given backend. Defaults to None.
        penalty: ``"two-sided"`` (the paper) or ``"one-sided"``
            (``max(0, norm - target)^2``). Defaults to ``"two-sided"``.
        target_norm: the gradient norm aimed at. Defaults to 1.0.
        **kwargs: passed to ``keras.Model`` (e.g. ``name``).

    Returns:
        A ``keras.Model``; ``compile(generator_optimizer=...,
        critic_optimizer=...)`` then ``fit(real_samples)``.

    Raises:
        ValueError: networks that are not Keras layers, ``latent_dim`` or
            ``critic_steps`` < 1, negative ``gp_weight``, unknown ``penalty``,
            non-positive ``target_norm``, non-integer ``seed``; where the
            networks' shapes are defined (models with an ``Input``), a
            ``latent_dim`` that is not the generator's input size or a critic
            that does not take the generator's samples; in ``fit`` and
            ``evaluate``, real samples of another shape than the generator's.

    Example:
        >>> import keras
        >>> from keras_wass.models import WGANGP
        >>> generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> gan = WGANGP(generator, critic, latent_dim=2, critic_steps=2, seed=0)
        >>> gan.compile()
        >>> history = gan.fit(keras.random.normal((64, 2), seed=1), batch_size=32, verbose=0)
        >>> sorted(history.history)
        ['critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein_estimate']

    References:
        Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville, "Improved
        Training of Wasserstein GANs" (NeurIPS 2017), arXiv:1704.00028.
        Petzka, Fischer and Lukovnicov, "On the regularization of Wasserstein
        GANs" (ICLR 2018), arXiv:1709.08894.
    """

    def __init__(self, generator, critic, latent_dim, critic_steps=5, gp_weight=10.0,
                 seed=None, penalty="two-sided", target_norm=1.0, **kwargs):
        super().__init__(generator, critic, latent_dim, critic_steps=critic_steps, seed=seed, **kwargs)
        if (isinstance(gp_weight, bool) or not isinstance(gp_weight, numbers.Real)
                or not np.isfinite(gp_weight) or gp_weight < 0):
            raise ValueError(f"`gp_weight` should be a finite number >= 0. Received: gp_weight={gp_weight!r}")
        if penalty not in _PENALTIES:
            raise ValueError(f"`penalty` should be one of {_PENALTIES}. Received: penalty={penalty!r}")
        if (isinstance(target_norm, bool) or not isinstance(target_norm, numbers.Real)
                or not np.isfinite(target_norm) or target_norm <= 0):
            raise ValueError(f"`target_norm` should be a positive number. Received: target_norm={target_norm!r}")
        self.gp_weight = float(gp_weight)
        self.penalty = penalty
        self.target_norm = float(target_norm)

    def get_config(self):
        config = super().get_config()
        config.update(gp_weight=self.gp_weight, penalty=self.penalty, target_norm=self.target_norm)
        return config


@keras.saving.register_keras_serializable(package="keras_wass")
class WGAN(_WassersteinGAN):
    r"""The original Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    Like `WGANGP` but without a gradient penalty: after every critic update
    all of the critic's trainable weights are clipped to
    ``[-clip_value, clip_value]``. Default optimizers are RMSprop(5e-5), as in
    the paper. Logs ``critic_loss``, ``generator_loss`` and
    ``wasserstein_estimate``.

    Args:
        generator: a ``keras.Model`` from ``(batch, latent_dim)`` to samples.
        critic: a ``keras.Model`` from samples to ``(batch, 1)`` scores.
        latent_dim: size of the latent vectors, ``>= 1``.
        critic_steps: critic updates per generator update. Defaults to 5.
        clip_value: positive clipping bound. Defaults to 0.01.
        seed: None or an integer. Defaults to None.
        **kwargs: passed to ``keras.Model`` (e.g. ``name``).

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: as `WGANGP`, and a non-positive ``clip_value``.

    Example:
        >>> import keras
        >>> from keras_wass.models import WGAN
        >>> generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        >>> critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> gan = WGAN(generator, critic, latent_dim=2, critic_steps=2, seed=0)
        >>> gan.compile()
        >>> history = gan.fit(keras.random.normal((64, 2), seed=1), batch_size=32, verbose=0)
        >>> float(keras.ops.max(keras.ops.abs(critic.layers[0].kernel))) <= 0.01
        True

    References:
        Arjovsky, Chintala and Bottou, "Wasserstein GAN" (ICML 2017),
        arXiv:1701.07875.
    """

    _log_names = ("critic_loss", "generator_loss", "wasserstein_estimate")
    _default_learning_rate = 5e-5
    uses_penalty = False
    clips_critic = True

    def __init__(self, generator, critic, latent_dim, critic_steps=5, clip_value=0.01, seed=None, **kwargs):
        super().__init__(generator, critic, latent_dim, critic_steps=critic_steps, seed=seed, **kwargs)
        if (isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real)
                or not np.isfinite(clip_value) or clip_value <= 0):
            raise ValueError(f"`clip_value` should be a positive number. Received: clip_value={clip_value!r}")
        self.clip_value = float(clip_value)

    def _default_optimizer(self):
        return keras.optimizers.RMSprop(self._default_learning_rate)

    def constrain_critic(self, values):
        return [ops.clip(v, -self.clip_value, self.clip_value) for v in values]

    def get_config(self):
        config = super().get_config()
        config.update(clip_value=self.clip_value)
        return config
