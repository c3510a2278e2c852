"""Data-parallel training gives the same losses and weights as one device.

JAX: ``keras.distribution.DataParallel`` over two host CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=2``). TensorFlow:
``tf.distribute.MirroredStrategy`` over two logical CPU devices, with a last
batch that splits unevenly (3 + 2 rows). Both need a fresh process (the
device count is fixed when the framework starts), so the runs happen in
``distributed_fit.py``. Keras has no data-parallel ``fit`` for PyTorch.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import BACKEND

SCRIPT = Path(__file__).with_name("distributed_fit.py")
ROOT = SCRIPT.parents[2]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    path = tmp_path_factory.mktemp("distributed") / "runs.npz"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), BACKEND, str(path)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    with np.load(path) as saved:
        return dict(saved)


@pytest.mark.backends("jax", "tensorflow")
def test_two_devices_were_used(runs):
    assert int(runs["devices"]) == 2
    assert int(runs["batch_shards"]) == 2


@pytest.mark.backends("jax", "tensorflow")
@pytest.mark.parametrize("model", ["WGANGP", "WGAN"])
def test_losses_match_one_device(runs, model):
    keys = [k for k in runs if k.startswith(f"single/{model}/history/")
            or k.startswith(f"single/{model}/evaluate/")]
    names = {k.rsplit("/", 1)[1] for k in keys}
    expected = {"critic_loss", "generator_loss", "wasserstein_estimate"}
    if model == "WGANGP":
        expected.add("gradient_penalty")
    assert names == expected
    for key in keys:
        single, parallel = runs[key], runs["parallel/" + key[len("single/"):]]
        assert single.shape == parallel.shape
        assert np.all(np.isfinite(parallel)), key
        # float32 sums in another order: rounding only.
        np.testing.assert_allclose(parallel, single, rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.backends("jax", "tensorflow")
@pytest.mark.parametrize("model", ["WGANGP", "WGAN"])
def test_weights_match_one_device(runs, model):
    keys = [k for k in runs if k.startswith(f"single/{model}/weight/")]
    assert len(keys) == 8  # two Dense layers in each network
    moved = 0.0
    for key in keys:
        single, parallel = runs[key], runs["parallel/" + key[len("single/"):]]
        moved = max(moved, float(np.max(np.abs(single))))
        # Adam and RMSprop move each weight by about the learning rate per
        # update (20 critic updates: up to ~2e-3); 1e-5 is under 1% of that.
        np.testing.assert_allclose(parallel, single, rtol=0, atol=1e-5, err_msg=key)
    assert moved > 0.1
