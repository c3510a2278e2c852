#!/usr/bin/env python3
"""One-file task runner: needs nothing but Python 3.10+.

    python3 tasks.py train [keras-wass train options]   # set up, run the main job
    python3 tasks.py test  [--backends jax,torch] [pytest options]
    python3 tasks.py setup                               # only the environment

It creates ``.venv`` beside this file, installs the package with its test,
docs, notebook and CLI extras and the CPU builds of TensorFlow, JAX and
PyTorch (requirements/cpu.txt), then runs the job. ``test`` runs the whole
suite (unit tests, doctests, notebooks) once per Keras backend, each in its own
process, then builds the docs with ``mkdocs build --strict``; it exits non-zero
if any backend fails or runs no test.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".keras_wass_installed"
BACKENDS = ("tensorflow", "jax", "torch")
INPUTS = ("pyproject.toml", "requirements/cpu.txt")


def run(cmd, env=None):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def setup():
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in INPUTS)).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check"]
    steps = [
        pip + ["--upgrade", "pip"],
        pip + ["-r", ROOT / "requirements/cpu.txt"],
        pip + ["-e", f"{ROOT}[test,docs,notebooks,cli]"],
    ]
    for step in steps:
        if run(step) != 0:
            sys.exit("set-up failed: see the pip output above")
    STAMP.write_text(digest)


def train(args):
    setup()
    env = dict(os.environ)
    env.setdefault("KERAS_BACKEND", "jax")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return run([BIN / "keras-wass", "train", *args], env=env)


def test(args):
    setup()
    backends = BACKENDS
    if args[:1] == ["--backends"]:
        backends, args = tuple(args[1].split(",")), args[2:]
    results = {}
    for backend in backends:
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        start = time.time()
        rc = run([PY, "-m", "pytest", "tests", "keras_wass", "--doctest-modules",
                  "-p", "no:cacheprovider", *args], env=env)
        results[backend] = (rc, time.time() - start)
    start = time.time()
    with tempfile.TemporaryDirectory() as site:
        docs_rc = run([BIN / "mkdocs", "build", "--strict", "--site-dir", site])
    results["docs"] = (docs_rc, time.time() - start)
    print("\nsummary:")
    failed = False
    for name, (rc, seconds) in results.items():
        status = {0: "passed", 5: "FAILED (no test ran)"}.get(rc, f"FAILED (exit {rc})")
        failed |= rc != 0
        print(f"  {name:<11} {status:<22} {seconds:7.1f} s")
    return 1 if failed else 0


def main(argv):
    if not argv or argv[0] not in ("setup", "train", "test"):
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if command == "setup":
        setup()
        return 0
    return train(args) if command == "train" else test(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
