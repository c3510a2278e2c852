"""Image data for the WGAN-GP job: scikit-learn's 8x8 digits (offline)."""

import numbers

import numpy as np

DATASETS = ("digits", "mnist")
"""Names `load_images` accepts: ``"digits"`` ships offline, ``"mnist"`` downloads."""


def _require_sklearn():
    try:
        import sklearn.datasets  # noqa: F401
    except ImportError:
        raise ImportError(
            "The digits data set ships with scikit-learn, which is not "
            "installed. Install it with `pip install scikit-learn` (or "
            "`pip install keras-wass[cli]`)."
        ) from None


def load_digits(test_fraction=0.25, seed=0):
    """scikit-learn's 1,797 handwritten 8x8 digits, scaled to ``[-1, 1]``.

    The data ship inside scikit-learn, so nothing is downloaded.

    Args:
        test_fraction: fraction held out for evaluation. Defaults to 0.25.
        seed: seed of the split. Defaults to 0.

    Returns:
        ``(train, test)`` float32 arrays of shape ``(n, 8, 8, 1)``.

    Raises:
        ImportError: scikit-learn is missing (with the command that installs it).
        ValueError: ``test_fraction`` not a number in ``(0, 1)``, or
            ``seed`` not a non-negative integer.

    Example:
        >>> from keras_wass.data import load_digits
        >>> train, test = load_digits()
        >>> train.shape, test.shape
        ((1348, 8, 8, 1), (449, 8, 8, 1))

    References:
        Alpaydin and Kaynak, "Optical Recognition of Handwritten Digits",
        UCI Machine Learning Repository (1998).
    """
    if (isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real)
            or not 0 < test_fraction < 1):
        raise ValueError(
            f"`test_fraction` should be a number in (0, 1). Received: test_fraction={test_fraction!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` should be an integer >= 0. Received: seed={seed!r}")
    _require_sklearn()
    from sklearn.datasets import load_digits as sk_load_digits

    images = sk_load_digits().images.astype("float32")  # values 0..16
    images = images / 8.0 - 1.0
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    images = images[order][..., None]
    return images[n_test:], images[:n_test]


def _load_mnist():
    import keras

    (x_train, _), (x_test, _) = keras.datasets.mnist.load_data()  # downloads
    scale = lambda x: (x.astype("float32") / 127.5 - 1.0)[..., None]  # noqa: E731
    return scale(x_train), scale(x_test)


def load_images(name="digits"):
    """Loads one of `DATASETS` as ``(train, test)`` images in ``[-1, 1]``.

    ``"digits"`` ships offline with scikit-learn; ``"mnist"`` is downloaded by
    ``keras.datasets`` and needs internet access.

    Args:
        name: ``"digits"`` or ``"mnist"``. Defaults to ``"digits"``.

    Returns:
        ``(train, test)`` float32 arrays of shape ``(n, height, width, 1)``.

    Raises:
        ValueError: an unknown name.

    Example:
        >>> from keras_wass.data import load_images
        >>> train, test = load_images("digits")
        >>> train.shape[1:], float(train.min()) >= -1.0
        ((8, 8, 1), True)

    References:
        Alpaydin and Kaynak, "Optical Recognition of Handwritten Digits"
        (UCI Machine Learning Repository, 1998), doi:10.24432/C50P49;
        LeCun, Cortes and Burges, the MNIST database (1998).
    """
    if name == "digits":
        return load_digits()
    if name == "mnist":
        return _load_mnist()
    raise ValueError(f"`name` should be one of {DATASETS}. Received: name={name!r}")
