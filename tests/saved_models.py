"""Models that use every saveable public object, saved under one backend and
checked under another.

``test_serialization.py`` builds, trains and saves them under the backend of
its process (`save_all`), then runs this file as a script under each of the
other two backends::

    KERAS_BACKEND=torch python tests/saved_models.py DIR

which loads every ``DIR/*.keras`` and writes ``DIR/loaded_<backend>.json``
(`check_all`): predictions, the restored compile configuration, ``evaluate``
losses, and one more epoch of training. Nothing runs on import.
"""

import json
import sys
from pathlib import Path

ORDINAL4 = [[abs(i - j) for j in range(4)] for i in range(4)]

# ``evaluate`` of these cases is deterministic (no random projections), so it
# must agree across backends, not just run: case -> relative tolerance. The
# Frechet distance takes square roots of float32 eigenvalues near zero
# (sqrt(l + d) - sqrt(l) ~ d / (2 sqrt(l))), which each framework's ``eigh``
# rounds differently: 1.5e-4 relative was seen between TensorFlow and JAX.
DETERMINISTIC = {"wasserstein": 1e-5, "wasserstein_fn": 1e-5, "one_d": 1e-5, "histogram": 1e-5,
                 "sinkhorn_histogram": 1e-4, "sinkhorn": 1e-4, "word_movers": 1e-4, "fairness": 1e-4,
                 "frechet": 1e-3}


# Trained for one more epoch after loading (each compiles a step, seconds on
# JAX): the two GANs (both optimizers' states restored) and one plain model.
TRAINED_ON = ("wgangp", "wgan", "one_d")


def _cases(keras):
    """name -> (model, x, y); y is None for the GANs (they train on x alone)."""
    import numpy as np

    from keras_wass import constraints, losses, metrics, models

    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    cases = {}

    def dense_model(shape, units, activation=None, **layer_kwargs):
        return keras.Sequential([
            keras.Input(shape), keras.layers.Dense(units, activation=activation, **layer_kwargs),
        ])

    x = rng.normal(size=(32, 3)).astype("float32")
    labels = np.where(rng.uniform(size=(32, 1)) < 0.5, -1.0, 1.0).astype("float32")
    model = dense_model((3,), 1, kernel_constraint=constraints.WeightClip(0.05))
    model.compile(optimizer="rmsprop", loss=losses.WassersteinLoss())
    cases["wasserstein"] = (model, x, labels)
    model = dense_model((3,), 1)
    model.compile(optimizer="adam", loss=losses.wasserstein_loss)
    cases["wasserstein_fn"] = (model, x, labels)

    model = dense_model((3,), 8, kernel_constraint=constraints.SpectralNorm(),
                        bias_constraint=constraints.WeightClip(0.5))
    model.compile(optimizer="adam", loss=losses.Wasserstein1DLoss(p=2))
    cases["one_d"] = (model, x, rng.normal(2.0, 1.0, size=(32, 8)).astype("float32"))

    classes = rng.integers(0, 4, size=(32,)).astype("int32")
    model = dense_model((3,), 4, "softmax", kernel_constraint=constraints.SpectralNorm(power_iterations=2))
    model.compile(optimizer="adam", loss=losses.HistogramWasserstein1DLoss(p=2, bin_positions=[0.0, 1.0, 2.0, 4.0]))
    cases["histogram"] = (model, x, classes)
    model = dense_model((3,), 4, "softmax")
    model.compile(optimizer="adam", loss=losses.SinkhornLoss(epsilon=0.1, cost_matrix=ORDINAL4, max_iterations=50))
    cases["sinkhorn_histogram"] = (model, x, classes)

    groups = np.stack([x[:, 0] > 0, rng.integers(0, 2, size=32)], axis=1).astype("float32")
    model = dense_model((3,), 1, "sigmoid")
    model.compile(optimizer="adam", loss=losses.WassersteinFairnessLoss(fairness_weight=0.5),
                  metrics=[metrics.WassersteinFairnessGap()])
    cases["fairness"] = (model, x, groups)

    model = dense_model((3,), 4)
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.FrechetDistance(num_features=4)])
    cases["frechet"] = (model, x, rng.normal(size=(32, 4)).astype("float32"))

    clouds = rng.normal(size=(32, 6, 2)).astype("float32")
    targets = (rng.normal(size=(32, 6, 2)) + 1.0).astype("float32")
    model = dense_model((6, 2), 2)
    model.compile(optimizer="adam", loss=losses.SlicedWassersteinLoss(n_projections=16, p=1, seed=4),
                  metrics=[metrics.SlicedWassersteinMetric(n_projections=8, seed=0)])
    cases["sliced"] = (model, clouds, targets)
    model = dense_model((6, 2), 2)
    model.compile(optimizer="adam", loss=losses.SinkhornLoss(epsilon=0.1, max_iterations=50))
    cases["sinkhorn"] = (model, clouds, targets)
    model = dense_model((6, 2), 2)
    model.compile(optimizer="adam", loss=losses.WordMoversLoss(epsilon=0.1, max_iterations=50))
    cases["word_movers"] = (model, clouds, targets)

    real = rng.normal(size=(32, 2, 2)).astype("float32")
    gan = models.WGANGP(
        models.build_mlp_generator(3, (2, 2), hidden=(8,)),
        models.build_mlp_critic((2, 2), hidden=(8,), kernel_constraint=constraints.SpectralNorm()),
        latent_dim=3, critic_steps=2, gp_weight=5.0, seed=1, penalty="one-sided",
    )
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3), critic_optimizer=keras.optimizers.Adam(2e-3))
    cases["wgangp"] = (gan, real, None)
    gan = models.WGAN(
        models.build_mlp_generator(3, (2, 2), hidden=(8,), output_activation=None),
        models.build_mlp_critic((2, 2), hidden=(8,)),
        latent_dim=3, critic_steps=2, clip_value=0.05, seed=2,
    )
    gan.compile()
    cases["wgan"] = (gan, real, None)
    return cases


def _inputs(model, x):
    """What ``predict`` is given: latent vectors for a GAN, else ``x``."""
    import numpy as np

    from keras_wass.models import WGAN, WGANGP

    if isinstance(model, (WGAN, WGANGP)):
        return np.random.default_rng(1).normal(size=(8, model.latent_dim)).astype("float32")
    return x


def _summary(keras, model, x, y):
    """What must survive saving: predictions, compile config, losses."""
    import numpy as np

    from keras_wass.models import WGAN, WGANGP

    out = {
        "class": type(model).__name__,
        "prediction": np.asarray(model.predict(_inputs(model, x), verbose=0)).tolist(),
        "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
    }
    if isinstance(model, (WGAN, WGANGP)):
        out["config"] = {k: v for k, v in model.get_config().items() if k not in ("generator", "critic")}
        out["compile"] = {
            key: keras.saving.serialize_keras_object(getattr(model, key)).get("config")
            for key in ("generator_optimizer", "critic_optimizer")
        }
        for key in out["compile"].values():
            key.pop("name", None)
        # As passed to compile ("auto" stays "auto": each backend's default).
        out["compile"]["options"] = dict(model.get_compile_config(), generator_optimizer=None,
                                         critic_optimizer=None)
    else:
        out["loss"] = keras.saving.serialize_keras_object(model.loss)
        results = model.evaluate(x, y, verbose=0, return_dict=True)
        out["evaluate"] = {k: float(v) for k, v in results.items()}
    return out


def save_all(keras, directory):
    """Trains each case for one epoch, saves it and its summary in ``directory``."""
    import numpy as np

    directory = Path(directory)
    summaries = {}
    for name, (model, x, y) in _cases(keras).items():
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        model.save(directory / f"{name}.keras")
        np.savez(directory / f"{name}.npz", x=x, **({} if y is None else {"y": y}))
        summaries[name] = _summary(keras, model, x, y)
        summaries[name]["jit_compile"] = bool(model.jit_compile)
    (directory / "saved.json").write_text(json.dumps({"backend": keras.backend.backend(), "models": summaries}))
    return summaries


def _recompile_if_foreign(keras, model):
    """Keras 3.15 saves a model compiled under PyTorch with PyTorch's optimizer
    class (module ``keras.src.backend.torch.optimizers...``); loaded under
    another backend it predicts and evaluates, but ``fit`` fails inside
    PyTorch. The workaround (docs/how-to/saving.md): compile again with the
    same optimizer config. WGANGP and WGAN save backend-neutral names and
    never need it. Returns whether it was needed."""
    module = type(model.optimizer).__module__
    backend = keras.backend.backend()
    if not module.startswith("keras.src.backend.") or module.startswith(f"keras.src.backend.{backend}."):
        return False
    optimizer = keras.optimizers.get({"class_name": type(model.optimizer).__name__,
                                      "config": model.optimizer.get_config()})
    model.compile(optimizer=optimizer, loss=model.loss)
    return True


def check_all(keras, directory):
    """Loads each saved model: its summary, then the history of one more epoch."""
    import numpy as np

    directory = Path(directory)
    results = {}
    for path in sorted(directory.glob("*.keras")):
        name = path.stem
        data = np.load(directory / f"{name}.npz")
        x, y = data["x"], (data["y"] if "y" in data else None)
        try:
            model = keras.saving.load_model(path)
            jit = bool(model.jit_compile)
            if keras.backend.backend() == "torch" and jit:
                # Saved under JAX or TensorFlow, where "auto" is stored as True:
                # on PyTorch that would be torch.compile (minutes here).
                model.jit_compile = False
            summary = _summary(keras, model, x, y)
            summary["jit_compile"] = jit
            summary["recompiled"] = _recompile_if_foreign(keras, model)
            if name in TRAINED_ON:
                history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False).history
                summary["history"] = {k: [float(v) for v in values] for k, values in history.items()}
        except Exception as error:  # reported to the test, which fails with it
            import traceback

            summary = {"error": f"{type(error).__name__}: {error}\n{traceback.format_exc()[-3000:]}"}
        results[name] = summary
    return results


def main(directory):
    import keras

    import keras_wass  # noqa: F401  (what a user does: registers the package's objects)

    results = check_all(keras, directory)
    out = Path(directory) / f"loaded_{keras.backend.backend()}.json"
    out.write_text(json.dumps({"backend": keras.backend.backend(), "models": results}))


if __name__ == "__main__":
    main(sys.argv[1])
