"""WGAN models: ``keras.Model`` subclasses with their own ``train_step``."""

from keras_wass.models._networks import build_mlp_critic
from keras_wass.models._networks import build_mlp_generator
from keras_wass.models._wgan import WGAN
from keras_wass.models._wgan import WGANGP

__all__ = ["WGAN", "WGANGP", "build_mlp_critic", "build_mlp_generator"]
