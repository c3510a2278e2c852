"""Every loss and WGANGP train under Keras's mixed-precision policies.

The layers compute in float16 / bfloat16 with float32 variables; the losses
keep their internal sums in float32 (a ``keras.losses.Loss`` casts its inputs
to its own dtype, float32 by default), so training stays finite. Under
``mixed_float16`` Keras's optimizer applies dynamic loss scaling
(``keras.optimizers.LossScaleOptimizer``) by default.
"""

import keras
import numpy as np
import pytest

from keras_wass import models
from tests.losses.test_losses import ALL_CASES, _fit_case

POLICIES = ["mixed_float16", "mixed_bfloat16"]


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_dtype_policy(request.param)
    yield request.param
    keras.mixed_precision.set_dtype_policy("float32")


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
@pytest.mark.parametrize("name", ALL_CASES)
def test_losses_train_under_mixed_precision(name, policy):
    model, loss, x, y = _fit_case(name)
    assert model.layers[-1].compute_dtype == policy.split("_")[1]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    history = model.fit(x[:30], y[:30], batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert all(np.all(np.isfinite(keras.ops.convert_to_numpy(w))) for w in model.weights)


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_wgangp_trains_under_mixed_precision(policy):
    keras.utils.set_random_seed(0)
    generator = models.build_mlp_generator(4, (8,), hidden=(16,))
    critic = models.build_mlp_critic((8,), hidden=(16,))
    gan = models.WGANGP(generator, critic, latent_dim=4, critic_steps=2, seed=0)
    gan.compile()
    data = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
    history = gan.fit(data, batch_size=16, epochs=2, verbose=0)
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), name
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(gan.generate(8, seed=1))))
