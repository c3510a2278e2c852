"""The two optimizers of a GAN, seen by Keras's trainer as one."""

import keras


def portable_optimizer_config(config):
    """An optimizer's serialised config that loads under every backend.

    Keras 3.15 serialises the PyTorch backend's optimizers (``Adam``,
    ``SGD``, ``RMSprop``, ...) under their backend module, for example
    ``keras.src.backend.torch.optimizers.torch_adam``: loaded under
    TensorFlow or JAX that builds PyTorch's class, and training then fails.
    The public ``keras.optimizers`` name resolves to each backend's own class.
    """
    if isinstance(config, dict) and str(config.get("module", "")).startswith("keras.src.backend."):
        config = dict(config, module="keras.optimizers", registered_name=None)
    return config


def serialize_optimizer(optimizer):
    return portable_optimizer_config(keras.saving.serialize_keras_object(optimizer))


def deserialize_optimizer(config):
    return keras.saving.deserialize_keras_object(portable_optimizer_config(config))


@keras.saving.register_keras_serializable(package="keras_wass")
class OptimizerPair(keras.optimizers.Optimizer):
    """Holds the critic's and the generator's optimizers as ``model.optimizer``.

    Keras's trainers know one optimizer per model; under JAX only
    ``model.optimizer.variables`` travel through the compiled training state.
    This container's ``variables`` are the critic optimizer's followed by the
    generator optimizer's, so both are carried (and saved); each network is
    updated by its own optimizer in the model's ``train_step``. Its
    ``iterations`` are the generator's (one per ``train_step``).
    """

    def __init__(self, critic_optimizer, generator_optimizer, name="wgan_optimizers", **kwargs):
        kwargs.pop("learning_rate", None)
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer

    @property
    def variables(self):
        return list(self.critic_optimizer.variables) + list(self.generator_optimizer.variables)

    @property
    def iterations(self):
        return self.generator_optimizer.iterations

    @property
    def learning_rate(self):
        return self.generator_optimizer.learning_rate

    def build(self, var_list):
        # The model builds each optimizer with its own network's variables.
        self.built = True

    def split(self, values):
        """Splits a list aligned with ``variables`` into (critic, generator)."""
        n = len(self.critic_optimizer.variables)
        return list(values[:n]), list(values[n:])

    def apply(self, grads, trainable_variables=None):
        raise NotImplementedError(
            "OptimizerPair does not update variables itself: use "
            "`critic_optimizer` and `generator_optimizer`."
        )

    def get_config(self):
        return {
            "name": self.name,
            "critic_optimizer": serialize_optimizer(self.critic_optimizer),
            "generator_optimizer": serialize_optimizer(self.generator_optimizer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("critic_optimizer", "generator_optimizer"):
            config[key] = deserialize_optimizer(config[key])
        return cls(**config)
