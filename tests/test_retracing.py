"""Compiled training traces once: no retracing on each step (TF and JAX).

Python code inside a compiled step runs only while it is traced, so a
counter incremented there counts traces. With a fixed batch size, the count
after one epoch of 4 steps must not grow over two more epochs (Keras itself
calls a loss once more outside the step, to build its metrics, so the count
is 2 for a loss). (PyTorch's ``jit_compile=True`` runs
``torch.compile``, whose guards are not traces of the Python body.)
"""

import keras
import numpy as np
import pytest

from keras_wass import losses, models
from tests.losses.test_losses import ALL_CASES, _fit_case


class _Counting(keras.losses.Loss):
    """Wraps a loss and counts how often its ``call`` runs in Python."""

    def __init__(self, inner):
        super().__init__(name=inner.name, reduction=inner.reduction)
        self.inner = inner
        self.traces = 0

    def call(self, y_true, y_pred):
        self.traces += 1
        return self.inner.call(y_true, y_pred)


@pytest.mark.backends("tensorflow", "jax")
@pytest.mark.parametrize("name", ALL_CASES)
def test_loss_traces_once(name):
    model, loss, x, y = _fit_case(name)
    counting = _Counting(loss)
    model.compile(optimizer="adam", loss=counting, jit_compile=True)
    model.fit(x[:32], y[:32], batch_size=8, epochs=1, verbose=0)
    first = counting.traces
    model.fit(x[:32], y[:32], batch_size=8, epochs=2, verbose=0)
    assert 1 <= first <= 2
    assert counting.traces == first


@pytest.mark.backends("tensorflow", "jax")
@pytest.mark.parametrize("cls", [models.WGANGP, models.WGAN])
def test_gan_train_step_traces_once(cls):
    traces = []

    class Counting(cls):
        def train_step(self, *args):
            traces.append(1)
            return super().train_step(*args)

    keras.utils.set_random_seed(0)
    gan = Counting(models.build_mlp_generator(2, (4,), hidden=(8,)), models.build_mlp_critic((4,), hidden=(8,)),
                   latent_dim=2, critic_steps=2, seed=0)
    gan.compile(jit_compile=True)
    data = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    gan.fit(data, batch_size=8, epochs=1, verbose=0)
    first = len(traces)
    gan.fit(data, batch_size=8, epochs=2, verbose=0)
    assert first == 1
    assert len(traces) == first
