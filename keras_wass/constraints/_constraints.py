"""Weight clipping and spectral normalisation."""

import numbers

import keras
from keras import ops

from keras_wass.ops import _checks


@keras.saving.register_keras_serializable(package="keras_wass")
class WeightClip(keras.constraints.Constraint):
    r"""Clamps every weight to ``[-clip_value, clip_value]``.

    The Lipschitz device of the original WGAN: after each optimizer step the
    critic's weights are clipped, which bounds its Lipschitz constant (crudely;
    see `SpectralNorm` and the gradient penalty of ``WGANGP``).

    Args:
        clip_value: positive bound ``c``. Defaults to 0.01.

    Returns:
        A ``keras.constraints.Constraint``; calling it on a weight returns
        the clipped weight.

    Raises:
        ValueError: ``clip_value`` not a positive finite number.

    Example:
        >>> import numpy as np
        >>> from keras_wass import constraints
        >>> clip = constraints.WeightClip(0.01)
        >>> np.asarray(clip([[1.0, -1.0], [0.5, -0.005]]), 'float64').round(6).tolist()
        [[0.01, -0.01], [0.01, -0.005]]

    References:
        Arjovsky, Chintala and Bottou, "Wasserstein GAN" (ICML 2017),
        arXiv:1701.07875.
    """

    def __init__(self, clip_value=0.01):
        if (
            isinstance(clip_value, bool)
            or not isinstance(clip_value, numbers.Real)
            or not clip_value > 0
            or clip_value == float("inf")
        ):
            raise ValueError(
                "`clip_value` should be a positive finite number. "
                f"Received: clip_value={clip_value!r}"
            )
        self.clip_value = float(clip_value)

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}


def spectral_norm(matrix, power_iterations=None):
    """Largest singular value of a 2-D float32 matrix.

    ``power_iterations=None`` takes the largest eigenvalue of the smaller
    Gram matrix (exact up to float32 rounding); an integer runs that many
    power iterations on it from a fixed start (stateless, so it can run inside
    compiled optimizer steps).
    """
    rows, cols = matrix.shape
    if cols <= rows:
        gram = _checks.matmul(ops.transpose(matrix), matrix)
    else:
        gram = _checks.matmul(matrix, ops.transpose(matrix))
    size = gram.shape[0]
    if power_iterations is None:
        eigenvalues, _ = ops.eigh(gram)
        top = eigenvalues[-1]
    else:
        v = ops.cos(ops.arange(size, dtype="float32") * 0.7 + 0.3) + 1.5
        v = v / ops.norm(v)
        for _ in range(power_iterations):
            v = _checks.matmul(gram, v)
            v = v / _checks.clamp_min(ops.norm(v), 1e-30)
        top = ops.sum(v * _checks.matmul(gram, v))
    return ops.sqrt(_checks.clamp_min(top, 0.0))


@keras.saving.register_keras_serializable(package="keras_wass")
class SpectralNorm(keras.constraints.Constraint):
    r"""Divides a kernel by its largest singular value when that exceeds 1.

    The kernel is viewed as a matrix ``W`` of shape ``(-1, out_channels)``
    (a Dense kernel as it is, a Conv kernel with its spatial and input axes
    flattened, as in Miyato et al.), and replaced by
    ``W / max(sigma(W), 1)``. The constraint is stateless like every Keras
    constraint, so it runs inside compiled optimizer steps on every backend.
    With ``power_iterations=None`` the singular value is exact (largest
    eigenvalue of the smaller Gram matrix), so afterwards ``sigma = 1`` within
    1e-3 whenever it was above 1; an integer trades accuracy for speed. The
    maths is float32 whatever the kernel dtype (float16/bfloat16 kernels are
    converted back at the end).

    Args:
        power_iterations: None for the exact value, or the number of power
            iterations (``>= 1``). Defaults to None.

    Returns:
        A ``keras.constraints.Constraint``.

    Raises:
        ValueError: ``power_iterations`` not None or an integer ``>= 1``.

    Example:
        >>> import numpy as np
        >>> from keras_wass import constraints
        >>> w = constraints.SpectralNorm()(np.diag([3.0, 0.5]))
        >>> np.asarray(w, 'float64').round(4).tolist()
        [[1.0, 0.0], [0.0, 0.1667]]

    References:
        Miyato, Kataoka, Koyama and Yoshida, "Spectral Normalization for
        Generative Adversarial Networks" (ICLR 2018), arXiv:1802.05957.
    """

    def __init__(self, power_iterations=None):
        if power_iterations is not None:
            power_iterations = _checks.check_positive_int(power_iterations, "power_iterations")
        self.power_iterations = power_iterations

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        dtype = w.dtype
        shape = w.shape
        columns = shape[-1] if len(shape) >= 1 else 1
        matrix = ops.reshape(ops.cast(w, "float32"), (-1, columns))
        sigma = spectral_norm(matrix, self.power_iterations)
        factor = ops.where(sigma > 1.0, 1.0 / _checks.clamp_min(sigma, 1.0), 1.0)
        return ops.cast(ops.cast(w, "float32") * factor, dtype)

    def get_config(self):
        return {"power_iterations": self.power_iterations}
