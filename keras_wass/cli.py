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


def build_parser():
    from keras_wass.data import DATASETS

    parser = _Parser(prog="keras-wass", description="Wasserstein tools for Keras 3.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train on a real data set that ships offline")
    train.error = parser.error
    train.add_argument("--data", default="digits", choices=DATASETS,
                       help="data set: digits (offline, default) or mnist (downloads)")
    train.add_argument("--epochs", type=_positive_int, default=60)
    train.add_argument("--batch-size", type=_positive_int, default=64)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--output", default="runs/digits", help="output folder")
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


def train(args):
    """Until the WGAN-GP model lands: distances on the real digits data."""
    import numpy as np

    from keras_wass import ops
    from keras_wass.data import load_images

    output = _check_output(args.output)
    train_images, test_images = load_images(args.data)
    rng = np.random.default_rng(args.seed)
    noise = np.clip(rng.normal(size=test_images.shape), -1, 1).astype("float32")
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    metrics = {}
    for name, other in (("train_vs_test", train_images), ("noise_vs_test", noise)):
        metrics[name] = {
            "frechet_distance": float(ops.frechet_distance(flat(other), flat(test_images))),
            "sliced_wasserstein": float(ops.sliced_wasserstein(flat(other), flat(test_images), seed=args.seed)),
        }
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(json.dumps(metrics, indent=2))
    return 0


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return train(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
