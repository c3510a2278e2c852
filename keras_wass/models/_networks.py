"""Small ready-made networks for WGANs on small images or vectors."""

import numpy as np

import keras

from keras_wass.ops import _checks


def build_mlp_generator(latent_dim, output_shape, hidden=(128, 256), output_activation="tanh", name="generator"):
    """A multilayer-perceptron generator from ``latent_dim`` to ``output_shape``.

    Dense layers with ReLU, then a Dense layer of ``prod(output_shape)`` units
    with ``output_activation`` (``tanh`` for data scaled to ``[-1, 1]``),
    reshaped to ``output_shape``.

    Args:
        latent_dim: size of the latent vectors, ``>= 1``.
        output_shape: shape of one sample, e.g. ``(8, 8, 1)``.
        hidden: widths of the hidden layers. Defaults to ``(128, 256)``.
        output_activation: activation of the last layer. Defaults to "tanh".
        name: Defaults to "generator".

    Returns:
        A ``keras.Sequential`` model.

    Raises:
        ValueError: ``latent_dim`` < 1 or an empty ``output_shape``.

    Example:
        >>> from keras_wass.models import build_mlp_generator
        >>> build_mlp_generator(16, (8, 8, 1)).output_shape
        (None, 8, 8, 1)

    References:
        The fully connected generator of Arjovsky, Chintala and Bottou,
        "Wasserstein GAN" (ICML 2017), arXiv:1701.07875, appendix.
    """
    latent_dim = _checks.check_positive_int(latent_dim, "latent_dim")
    output_shape = tuple(int(s) for s in output_shape)
    if not output_shape or min(output_shape) < 1:
        raise ValueError(f"`output_shape` should be a non-empty shape. Received: output_shape={output_shape}")
    layers = [keras.Input((latent_dim,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers += [
        keras.layers.Dense(int(np.prod(output_shape)), activation=output_activation),
        keras.layers.Reshape(output_shape),
    ]
    return keras.Sequential(layers, name=name)


def build_mlp_critic(input_shape, hidden=(256, 128), kernel_constraint=None, name="critic"):
    """A multilayer-perceptron critic from samples to one score.

    Flatten, Dense layers with LeakyReLU(0.2), and a linear Dense(1) output:
    no sigmoid and no batch normalisation, as the gradient penalty requires.

    Args:
        input_shape: shape of one sample.
        hidden: widths of the hidden layers. Defaults to ``(256, 128)``.
        kernel_constraint: optional constraint for every kernel (e.g.
            ``SpectralNorm()`` or ``WeightClip(0.01)``). Defaults to None.
        name: Defaults to "critic".

    Returns:
        A ``keras.Sequential`` model with output shape ``(batch, 1)``.

    Raises:
        ValueError: an empty ``input_shape`` or a non-positive size in it, or
            a hidden width < 1.

    Example:
        >>> from keras_wass.models import build_mlp_critic
        >>> build_mlp_critic((8, 8, 1)).output_shape
        (None, 1)

    References:
        Gulrajani et al., "Improved Training of Wasserstein GANs" (NeurIPS
        2017), arXiv:1704.00028: no batch normalisation in the critic when
        the gradient penalty is used.
    """
    input_shape = tuple(int(s) for s in input_shape)
    if not input_shape or min(input_shape) < 1:
        raise ValueError(f"`input_shape` should be a non-empty shape of positive sizes. Received: input_shape={input_shape}")
    hidden = tuple(_checks.check_positive_int(units, "hidden") for units in hidden)
    layers = [keras.Input(input_shape), keras.layers.Flatten()]
    for units in hidden:
        layers += [keras.layers.Dense(units, kernel_constraint=kernel_constraint), keras.layers.LeakyReLU(0.2)]
    layers += [keras.layers.Dense(1, kernel_constraint=kernel_constraint)]
    return keras.Sequential(layers, name=name)
