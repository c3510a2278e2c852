"""``keras-wass``: the command line.

    keras-wass train [--data digits] [--epochs N] [--output DIR] ...

Bad arguments give a one-line error and exit status 2 (no traceback).
"""

import argparse
import json
import os
import sys
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"keras-wass: error: {message}\n")


def _fail(message):
    print(f"keras-wass: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def build_parser():
    from keras_wass.data import DATASETS

    parser = _Parser(prog="keras-wass", description="Wasserstein tools for Keras 3.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser(
        "train",
        help="train WGAN-GP on a real data set (default: scikit-learn's digits, offline)",
        description=(
            "Train WGAN-GP on real images, on the backend KERAS_BACKEND names. "
            "Writes samples.png, curves.png, metrics.json and wgan_gp.keras."
        ),
    )
    train.error = parser.error
    train.add_argument("--data", default="digits", choices=DATASETS,
                       help="digits: 8x8 digits shipped with scikit-learn (default); "
                            "mnist: downloaded by keras.datasets (needs internet)")
    train.add_argument("--epochs", type=_positive_int, default=60, help="default: 60")
    train.add_argument("--batch-size", type=_positive_int, default=64, help="default: 64")
    train.add_argument("--latent-dim", type=_positive_int, default=32, help="default: 32")
    train.add_argument("--critic-steps", type=_positive_int, default=5, help="default: 5")
    train.add_argument("--gp-weight", type=_positive_float, default=10.0, help="default: 10")
    train.add_argument("--learning-rate", type=_positive_float, default=5e-4,
                       help="Adam learning rate of both networks (beta_1=0.5, beta_2=0.9); default: 5e-4")
    train.add_argument("--seed", type=int, default=0, help="default: 0")
    train.add_argument("--output", default="runs/digits", help="output folder; default: runs/digits")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="Keras progress: 1 progress bar (default), 2 one line per epoch, 0 silent")
    return parser


def _check_output(path):
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        _fail(f"cannot write to output folder {str(path)!r}: {exc.strerror or exc}")
    return path


def _load(name):
    from keras_wass.data import load_images

    try:
        return load_images(name)
    except ImportError as exc:
        _fail(str(exc))
    except Exception as exc:  # a download (mnist) without internet
        _fail(f"could not load the {name!r} data set: {exc}")


def train(args):
    """Trains WGAN-GP and writes samples.png, curves.png, metrics.json, the model."""
    import time

    import keras
    import numpy as np

    from keras_wass import models, ops
    from keras_wass.plotting import save_image_grid, save_training_curves

    output = _check_output(args.output)
    train_images, test_images = _load(args.data)
    keras.utils.set_random_seed(args.seed)
    shape = train_images.shape[1:]
    gan = models.WGANGP(
        models.build_mlp_generator(args.latent_dim, shape),
        models.build_mlp_critic(shape),
        latent_dim=args.latent_dim, critic_steps=args.critic_steps,
        gp_weight=args.gp_weight, seed=args.seed,
    )
    adam = lambda: keras.optimizers.Adam(args.learning_rate, beta_1=0.5, beta_2=0.9)  # noqa: E731
    gan.compile(generator_optimizer=adam(), critic_optimizer=adam())

    held_out = test_images.reshape(len(test_images), -1)
    projections = np.random.default_rng(args.seed).normal(size=(held_out.shape[1], 128))
    projections /= np.linalg.norm(projections, axis=0)

    def quality():
        fake = gan.generate(len(held_out), seed=args.seed + 1).reshape(len(held_out), -1)
        return {
            "frechet_distance": float(ops.frechet_distance(fake, held_out)),
            "sliced_wasserstein": float(ops.sliced_wasserstein(fake, held_out, projections=projections)),
        }

    per_epoch = {"frechet_distance": [], "sliced_wasserstein": []}

    def record(epoch, logs):
        for name, value in quality().items():
            per_epoch[name].append(value)

    backend = keras.backend.backend()
    print(f"keras-wass: WGAN-GP on {args.data} ({len(train_images)} training images "
          f"{shape}, {len(test_images)} held out), backend {backend}, {args.epochs} epochs")
    start = time.time()
    history = gan.fit(
        train_images, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=record)],
    )
    seconds = time.time() - start

    baseline = train_images[: len(held_out)].reshape(len(held_out), -1)
    metrics = {
        "data": args.data,
        "backend": backend,
        "epochs": args.epochs,
        "wall_time_s": round(seconds, 2),
        "first_epoch": {name: values[0] for name, values in per_epoch.items()},
        "last_epoch": {name: values[-1] for name, values in per_epoch.items()},
        "real_train_vs_held_out": {
            "frechet_distance": float(ops.frechet_distance(baseline, held_out)),
            "sliced_wasserstein": float(ops.sliced_wasserstein(baseline, held_out, projections=projections)),
        },
        "per_epoch": per_epoch,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "arguments": {k: v for k, v in vars(args).items() if k != "command"},
    }
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2))
    save_image_grid(gan.generate(64, seed=args.seed + 2), output / "samples.png",
                    title=f"WGAN-GP samples after {args.epochs} epochs ({backend})")
    save_training_curves(history.history, output / "curves.png", quality=per_epoch)
    gan.save(output / "wgan_gp.keras")
    first, last = metrics["first_epoch"], metrics["last_epoch"]
    print(f"Frechet distance to held-out digits: {first['frechet_distance']:.3f} after epoch 1, "
          f"{last['frechet_distance']:.3f} after epoch {args.epochs} "
          f"(real vs real: {metrics['real_train_vs_held_out']['frechet_distance']:.3f}); {seconds:.1f} s")
    print(f"wrote {output / 'samples.png'}, {output / 'curves.png'}, {output / 'metrics.json'}, "
          f"{output / 'wgan_gp.keras'}")
    return 0


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return train(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
