"""Shared pieces of the benchmark scripts (not a public module).

Every script runs in its own process with one Keras backend
(``KERAS_BACKEND``), builds its problems with NumPy, runs ours and the peer
alternately in that process and prints one JSON line (its last line of
stdout) that ``benchmarks/run.py`` turns into tables and plots.

Timing protocol (``alternate``): every callable returns a Python float (so the
device has finished: a float needs the value), is called once untimed
(warm-up: imports, caches, JAX/TF compilation), and then the callables run in
turn, ``ours, peer, ours, peer, ...``, ``repeats`` times each, each after an
untimed 0.3 s pause (so that one library's spinning worker threads do not
slow the other's call); the reported time is the median of each one's
repeats.

Value checks (``check_close``) run before any time is reported: a mismatch
raises ``ValueError``, the script exits with an error and ``run.py`` stops
with that message. Nothing is ever skipped quietly.
"""

import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def quick():
    return "--quick" in sys.argv[1:]


def argument(name, default=None):
    """``--name=value`` from the command line, else ``default``."""
    prefix = f"--{name}="
    for arg in sys.argv[1:]:
        if arg.startswith(prefix):
            return arg[len(prefix):]
    return default


def backend():
    import keras

    return keras.backend.backend()


def device():
    """Where Keras puts this backend's tensors (so peers get the same device)."""
    name = backend()
    if name == "torch":
        from keras.src.backend.torch.core import get_device

        return str(get_device())
    if name == "jax":
        import jax

        return str(jax.devices()[0].platform)
    if name == "tensorflow":
        import tensorflow as tf

        return "gpu" if tf.config.list_logical_devices("GPU") else "cpu"
    return "cpu"


def to_backend(array):
    """A NumPy array as a tensor of the current backend, on Keras's device."""
    from keras import ops

    return ops.convert_to_tensor(array, dtype=str(array.dtype))


PAUSE_S = 0.3


def alternate(fns, repeats, warmup=None, pause=PAUSE_S):
    """Times ``fns`` (name -> zero-argument callable returning a float).

    ``warmup`` names the callables to call once untimed first (all of them by
    default). Before each timed call the process sleeps ``pause`` seconds
    (untimed): thread pools that spin-wait after their work (OpenBLAS under
    NumPy/SciPy, Eigen under TensorFlow, XLA) would otherwise take CPU from
    the next call, which belongs to the other library, on a 2-core machine.
    Returns ``(medians_s, values, all_times_s)``; ``values`` holds the last
    value each callable returned.
    """
    warmup = list(fns) if warmup is None else warmup
    values = {}
    for name in warmup:
        values[name] = float(fns[name]())
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(pause)
            start = time.perf_counter()
            values[name] = float(fn())
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    return medians, values, times


def check_close(what, value, reference, rtol, atol=0.0):
    """Raises ``ValueError`` unless ``|value - reference| <= atol + rtol |reference|``."""
    value, reference = float(value), float(reference)
    if not abs(value - reference) <= atol + rtol * abs(reference):
        raise ValueError(
            f"benchmark value mismatch in {what}: {value!r} against {reference!r} "
            f"(relative difference {abs(value - reference) / max(abs(reference), 1e-300):.3g}, "
            f"allowed rtol={rtol}, atol={atol}); times are not compared")
    return abs(value - reference) / max(abs(reference), 1e-300)


def peak_rss_mib():
    """This process's peak resident memory (``getrusage`` ``ru_maxrss``), MiB."""
    import resource

    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024.0 if sys.platform != "darwin" else kib / 2**20


def current_rss_mib():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def emit(result):
    """Prints the result as the last line of stdout."""
    result.setdefault("backend", backend())
    result.setdefault("device", device())
    sys.stdout.flush()
    print(json.dumps(result), flush=True)
