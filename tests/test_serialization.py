"""Serialisation: every public object round-trips, and models move across backends.

- Every public loss, metric, constraint and model (``__all__`` of those
  modules) goes through ``get_config``/``from_config`` and through
  ``keras.saving.serialize_keras_object``/``deserialize_keras_object``, with a
  non-default argument in each; the list here must name all of them.
- Models that use all of them (tests/saved_models.py) are trained for one
  epoch and saved as ``.keras`` under this process's backend, then loaded
  under all three backends (the other two in fresh processes): the same
  predictions, optimizer step, compile configuration and deterministic
  ``evaluate`` losses, and training goes on with finite losses.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_wass import constraints, losses, metrics, models
from tests import saved_models
from tests.helpers import BACKEND

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")


def _gan(cls, **kwargs):
    return cls(
        models.build_mlp_generator(2, (3,), hidden=(4,)),
        models.build_mlp_critic((3,), hidden=(4,)),
        latent_dim=2, critic_steps=3, seed=7, **kwargs,
    )


# Each public class (or serialisable function) with non-default arguments.
PUBLIC_OBJECTS = {
    "WassersteinLoss": lambda: losses.WassersteinLoss(reduction="sum", name="w"),
    "wasserstein_loss": lambda: losses.wasserstein_loss,
    "Wasserstein1DLoss": lambda: losses.Wasserstein1DLoss(p=3),
    "HistogramWasserstein1DLoss": lambda: losses.HistogramWasserstein1DLoss(p=2, bin_positions=[0.0, 1.0, 5.0]),
    "SlicedWassersteinLoss": lambda: losses.SlicedWassersteinLoss(n_projections=7, p=1, seed=3),
    "SinkhornLoss": lambda: losses.SinkhornLoss(epsilon=0.2, p=1, max_iterations=30, debias=False,
                                                cost_matrix=[[0.0, 1.0], [1.0, 0.0]], tolerance=1e-4),
    "WordMoversLoss": lambda: losses.WordMoversLoss(epsilon=0.2, debias=True, weighted=True, normalize=True),
    "WassersteinFairnessLoss": lambda: losses.WassersteinFairnessLoss(base_loss="mse", fairness_weight=0.5,
                                                                      num_groups=3),
    "SlicedWassersteinMetric": lambda: metrics.SlicedWassersteinMetric(n_projections=9, p=1, seed=2),
    "FrechetDistance": lambda: metrics.FrechetDistance(num_features=5, name="fd"),
    "WassersteinFairnessGap": lambda: metrics.WassersteinFairnessGap(num_groups=3, p=2, reduction="mean"),
    "WeightClip": lambda: constraints.WeightClip(0.2),
    "SpectralNorm": lambda: constraints.SpectralNorm(power_iterations=3),
    "WGANGP": lambda: _gan(models.WGANGP, gp_weight=3.0, penalty="one-sided", target_norm=0.5),
    "WGAN": lambda: _gan(models.WGAN, clip_value=0.03),
    # Functions that return plain Keras models (saved as such).
    "build_mlp_generator": lambda: models.build_mlp_generator(2, (3,), hidden=(4,)),
    "build_mlp_critic": lambda: models.build_mlp_critic((3,), hidden=(4,)),
}


def test_the_sweep_names_every_public_object():
    public = set()
    for module in (losses, metrics, constraints, models):
        public.update(module.__all__)
    assert public == set(PUBLIC_OBJECTS)


def _config(obj):
    if callable(obj) and not hasattr(obj, "get_config"):  # a function
        return keras.saving.serialize_keras_object(obj)
    return obj.get_config()


@pytest.mark.parametrize("name", sorted(PUBLIC_OBJECTS))
def test_config_round_trip(name):
    obj = PUBLIC_OBJECTS[name]()
    config = _config(obj)
    json.dumps(config)  # a .keras file stores it as JSON
    if hasattr(obj, "get_config"):
        clone = type(obj).from_config(config)
        assert type(clone) is type(obj)
        assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(obj))
    assert type(restored) is type(obj)
    if hasattr(obj, "get_config"):
        assert restored.get_config() == config
    else:
        assert restored is obj


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    directory = tmp_path_factory.mktemp("saved_models")
    return directory, saved_models.save_all(keras, directory)


def test_every_public_class_is_in_a_saved_file(saved):
    directory, _ = saved
    text = ""
    for path in directory.glob("*.keras"):
        with zipfile.ZipFile(path) as archive:
            text += archive.read("config.json").decode()
    for name in PUBLIC_OBJECTS:
        if name.startswith("build_"):
            continue  # they return keras.Sequential models
        assert f'"{name}"' in text, name


def _load_under(backend, directory):
    if backend == BACKEND:
        return saved_models.check_all(keras, directory)
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=str(ROOT))
    env.pop("XLA_FLAGS", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "saved_models.py"), str(directory)],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads((directory / f"loaded_{backend}.json").read_text())["models"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_saved_model_loads_under(saved, backend):
    directory, expected = saved
    loaded = _load_under(backend, directory)
    assert set(loaded) == set(expected)
    for name, want in expected.items():
        got = loaded[name]
        assert "error" not in got, f"{name}: {got.get('error')}"
        assert got["class"] == want["class"], name
        # Dense layers on another framework: float32 rounding only.
        np.testing.assert_allclose(got["prediction"], want["prediction"], rtol=1e-5, atol=1e-6, err_msg=name)
        assert got["iterations"] == want["iterations"] > 0, name
        if name not in ("wgangp", "wgan"):  # theirs is in "compile", as passed
            assert got["jit_compile"] == want["jit_compile"], name
        for key in ("loss", "config", "compile"):
            assert got.get(key) == want.get(key), (name, key)
        for metric, value in want.get("evaluate", {}).items():
            assert np.isfinite(got["evaluate"][metric]), (name, metric)
            if name in saved_models.DETERMINISTIC:
                rel = saved_models.DETERMINISTIC[name]
                assert got["evaluate"][metric] == pytest.approx(value, rel=rel, abs=1e-6), (name, metric)
        # Keras 3.15 bug, worked around in saved_models._recompile_if_foreign.
        foreign_torch_optimizer = BACKEND == "torch" and backend != "torch" and name not in ("wgangp", "wgan")
        assert got["recompiled"] == foreign_torch_optimizer, name
        if name in saved_models.TRAINED_ON:
            history = got["history"]
            assert history and all(np.all(np.isfinite(v)) for v in history.values()), name
