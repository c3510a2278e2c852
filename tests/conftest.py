"""Test configuration: one pytest process per Keras backend.

The backend is the one ``KERAS_BACKEND`` names (the Makefile runs the suite
once per backend). A test that only makes sense on some backends is marked
``@pytest.mark.backends("jax", ...)``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

BACKEND = keras.backend.backend()


def pytest_report_header(config):
    return f"keras backend: {BACKEND} (keras {keras.__version__})"


def pytest_collection_modifyitems(config, items):
    for item in items:
        marker = item.get_closest_marker("backends")
        if marker is not None and BACKEND not in marker.args:
            item.add_marker(
                pytest.mark.skip(reason=f"only on {', '.join(marker.args)}")
            )


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
