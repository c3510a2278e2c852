"""Closed-form W2 between Gaussians and the Frechet distance."""

import keras
import numpy as np
from keras import ops

from keras_wass import backend
from keras_wass.ops import _checks


def precise_dtype():
    """float64 where the backend allows it (JAX needs ``jax_enable_x64``)."""
    return "float64" if backend.supports_float64() else "float32"


def _symmetrize(m):
    return 0.5 * (m + ops.swapaxes(m, -1, -2))


def sqrtm_psd(m):
    """Symmetric square root of a symmetric PSD matrix via ``eigh``.

    Negative eigenvalues from rounding are clamped to 0, so the result is
    always real and PSD.
    """
    eigenvalues, eigenvectors = _eigh_or_nan(_symmetrize(m))
    roots = _checks.safe_sqrt(eigenvalues)
    return _checks.matmul(
        eigenvectors * ops.expand_dims(roots, -2), ops.swapaxes(eigenvectors, -1, -2)
    )


def _matmul(a, b):
    """``a @ b`` in the inputs' dtype: ``ops.matmul`` (BLAS) on NumPy, whose
    ``einsum`` is not BLAS; ``_checks.matmul`` (float64-safe) elsewhere."""
    if keras.backend.backend() == "numpy":
        return ops.matmul(a, b)
    return _checks.matmul(a, b)


def _cholesky_factor(cov):
    """The lower Cholesky factor of ``cov`` when its values are concrete and it
    is positive definite; None otherwise (singular, or inside a compiled
    function, where a failed factorisation could not be recovered from)."""
    if backend.is_tracing(cov):
        return None
    try:
        factor = ops.cholesky(cov)
    except Exception:  # each framework raises its own error for a singular matrix
        return None
    if not bool(ops.convert_to_numpy(ops.all(ops.isfinite(factor)))):  # JAX: NaN
        return None
    return factor


def trace_sqrt_product(cov1, cov2):
    """``tr((cov1^1/2 cov2 cov1^1/2)^1/2)``, always real and >= 0.

    With any factor ``F F^T = cov1``, ``F^T cov2 F`` has the eigenvalues of
    ``cov1^1/2 cov2 cov1^1/2`` (both are similar to ``cov1 cov2``), so one
    symmetric eigen-decomposition of it gives the trace. ``F`` is the Cholesky
    factor when ``cov1`` is positive definite (cheap), else ``V diag(sqrt(l))``
    from ``eigh(cov1)`` with eigenvalues clamped at 0 (singular covariances,
    and always under ``jit``).
    """
    factor = _cholesky_factor(cov1)
    if factor is None:
        eigenvalues, eigenvectors = _eigh_or_nan(_symmetrize(cov1))
        factor = eigenvectors * ops.expand_dims(_checks.safe_sqrt(eigenvalues), -2)
    inner = _symmetrize(_matmul(_matmul(ops.swapaxes(factor, -1, -2), cov2), factor))
    eigenvalues, _ = _eigh_or_nan(inner)
    # NaN stays NaN (the clamp in ``safe_sqrt`` would make it 0).
    return ops.where(_finite(inner), ops.sum(_checks.safe_sqrt(eigenvalues), axis=-1),
                     ops.convert_to_tensor(float("nan"), dtype=eigenvalues.dtype))


def _finite(m):
    """Per matrix of a batch: no NaN or inf."""
    return ops.all(ops.isfinite(m), axis=(-2, -1))


def _eigh_or_nan(m):
    """``eigh(m)``, NaN for matrices with a NaN or inf (in a batch, per matrix).

    JAX and TensorFlow return NaN for those; PyTorch raises "failed to
    converge". Keras's symbolic build of ``fit``/``evaluate`` under PyTorch
    can show a metric's ``result()`` uninitialised memory in place of its
    state (a "meta" placeholder made real by ``torch.empty_like``), so a
    raise there would fail a correct model. Non-finite matrices are replaced
    by the identity before the decomposition and their results by NaN.
    """
    finite = _finite(m)
    eye = ops.broadcast_to(ops.eye(m.shape[-1], dtype=m.dtype), ops.shape(m))
    eigenvalues, eigenvectors = ops.eigh(ops.where(finite[..., None, None], m, eye))
    nan = ops.convert_to_tensor(float("nan"), dtype=eigenvalues.dtype)
    eigenvalues = ops.where(finite[..., None], eigenvalues, nan)
    eigenvectors = ops.where(finite[..., None, None], eigenvectors, nan)
    return eigenvalues, eigenvectors


def bures_squared(mean1, cov1, mean2, cov2):
    """Squared W2 between Gaussians, clamped at 0 against rounding."""
    mean_term = ops.sum(ops.square(mean1 - mean2), axis=-1)
    trace = ops.trace(cov1, axis1=-2, axis2=-1) + ops.trace(cov2, axis1=-2, axis2=-1)
    value = mean_term + trace - 2.0 * trace_sqrt_product(cov1, cov2)
    return _checks.clamp_min(value, 0.0)


def _check_covariance(cov, name, d, batch_shape):
    if tuple(cov.shape) != tuple(batch_shape) + (d, d):
        raise ValueError(
            f"`{name}` should have shape {tuple(batch_shape) + (d, d)} to match "
            f"its mean. Received: {name}.shape={tuple(cov.shape)}"
        )
    _checks.check_finite(cov, name)
    values = _checks.concrete(cov)
    if values is None:
        return
    values = values.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(values))))
    if not np.allclose(values, np.swapaxes(values, -1, -2), rtol=1e-5, atol=1e-6 * scale):
        raise ValueError(
            f"`{name}` should be a symmetric positive semi-definite matrix. "
            f"Received: a matrix that is not symmetric"
        )
    smallest = float(np.min(np.linalg.eigvalsh(0.5 * (values + np.swapaxes(values, -1, -2)))))
    if smallest < -1e-5 * scale:
        raise ValueError(
            f"`{name}` should be a symmetric positive semi-definite matrix. "
            f"Received: a matrix with smallest eigenvalue {smallest:.6g}"
        )


def gaussian_wasserstein(mean1, cov1, mean2, cov2):
    r"""Closed-form 2-Wasserstein distance between two Gaussians.

    $$W_2^2 = \|m_1 - m_2\|^2 + \operatorname{tr}\left(\Sigma_1 + \Sigma_2
    - 2\left(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2}\right)^{1/2}\right)$$

    Matrix square roots are taken by symmetric eigen-decomposition with
    eigenvalues clamped at 0, so the result is real and ``>= 0`` even for
    singular or rounding-indefinite covariances. Computed in float64 where the
    backend allows it (TensorFlow, PyTorch, JAX with ``jax_enable_x64``).

    Args:
        mean1: mean of the first Gaussian, shape ``(d,)`` or ``(batch, d)``.
        cov1: its covariance, ``(d, d)`` or ``(batch, d, d)``, symmetric PSD.
        mean2: mean of the second Gaussian, same shape as ``mean1``.
        cov2: its covariance, same shape as ``cov1``.

    Returns:
        ``W_2`` (with the square root): a scalar, or shape ``(batch,)``, in
        the inputs' floating dtype (at least float32).

    Raises:
        ValueError: mismatched shapes, non-finite values, or a covariance that
            is not symmetric positive semi-definite (checked when values are
            concrete).

    Example:
        >>> from keras_wass import ops
        >>> w = ops.gaussian_wasserstein([0.0, 0.0], [[1.0, 0.0], [0.0, 4.0]],
        ...                              [3.0, 4.0], [[9.0, 0.0], [0.0, 1.0]])
        >>> round(float(w) ** 2, 4)
        30.0

    References:
        Dowson and Landau, "The Frechet distance between multivariate normal
        distributions" (1982). Givens and Shortt, "A class of Wasserstein
        metrics for probability distributions" (1984).
    """
    mean1 = _checks.to_tensor(mean1, "mean1")
    mean2 = _checks.to_tensor(mean2, "mean2")
    cov1 = _checks.to_tensor(cov1, "cov1")
    cov2 = _checks.to_tensor(cov2, "cov2")
    out_dtype = _checks.compute_dtype(mean1, mean2, cov1, cov2)
    _checks.check_rank(mean1, "mean1", (1, 2))
    if tuple(mean2.shape) != tuple(mean1.shape):
        raise ValueError(
            f"`mean2` should have the shape of `mean1`. Received: "
            f"mean1.shape={tuple(mean1.shape)}, mean2.shape={tuple(mean2.shape)}"
        )
    _checks.check_not_empty(mean1, "mean1", (-1,))
    _checks.check_finite(mean1, "mean1")
    _checks.check_finite(mean2, "mean2")
    d, batch_shape = mean1.shape[-1], mean1.shape[:-1]
    _check_covariance(cov1, "cov1", d, batch_shape)
    _check_covariance(cov2, "cov2", d, batch_shape)
    dtype = precise_dtype() if out_dtype != "float64" else "float64"
    value = bures_squared(
        ops.cast(mean1, dtype), ops.cast(cov1, dtype),
        ops.cast(mean2, dtype), ops.cast(cov2, dtype),
    )
    return ops.cast(_checks.safe_sqrt(value), out_dtype)


def mean_and_covariance(features, dtype):
    """Sample mean and unbiased covariance over axis -2 (the samples)."""
    features = ops.cast(features, dtype)
    n = features.shape[-2]
    mean = _checks.mean(features, axis=-2)
    centred = features - ops.expand_dims(mean, -2)
    cov = _matmul(ops.swapaxes(centred, -1, -2), centred) / (n - 1)
    return mean, cov


def frechet_distance(features1, features2):
    r"""Frechet distance (FID-style squared W2) between two feature sets.

    Fits a Gaussian (mean and unbiased covariance) to each set and returns
    the squared 2-Wasserstein distance between the Gaussians,

    $$d_F^2 = \|m_1 - m_2\|^2 + \operatorname{tr}\left(\Sigma_1 + \Sigma_2 -
    2(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}\right),$$

    the quantity reported as FID when the features are Inception-v3 pool
    features. Statistics and square roots are computed in float64 where the
    backend allows it; the symmetric square root never leaks a complex part
    and the result is clamped at 0, so a set against itself gives 0, never a
    small negative number.

    Args:
        features1: ``(n1, d)`` or ``(batch, n1, d)`` features, ``n1 >= 2``.
        features2: ``(n2, d)`` or ``(batch, n2, d)`` features, ``n2 >= 2``.

    Returns:
        The squared distance (no square root, like FID): a scalar or
        ``(batch,)``.

    Raises:
        ValueError: mismatched feature dimension or rank, fewer than 2
            samples, non-finite values.

    Example:
        >>> import numpy as np
        >>> from keras_wass import ops
        >>> x = np.random.default_rng(0).normal(size=(500, 3))
        >>> round(float(ops.frechet_distance(x, x)), 6)  # float32 rounding aside
        0.0

    References:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium" (NeurIPS 2017), arXiv:1706.08500.
    """
    from keras_wass.ops._sliced import prepare_clouds

    f1, f2, _, _ = prepare_clouds(features1, features2, names=("features1", "features2"))
    for name, f in (("features1", f1), ("features2", f2)):
        if f.shape[-2] is not None and f.shape[-2] < 2:
            raise ValueError(
                f"`{name}` should have at least 2 samples to estimate a "
                f"covariance. Received: {name}.shape={tuple(f.shape)}"
            )
    out_dtype = f1.dtype
    dtype = precise_dtype() if out_dtype != "float64" else "float64"
    m1, c1 = mean_and_covariance(f1, dtype)
    m2, c2 = mean_and_covariance(f2, dtype)
    return ops.cast(bures_squared(m1, c1, m2, c2), out_dtype)
