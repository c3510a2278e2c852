"""WordMoversLoss: the entropic WMD of embedded token clouds, padding, weights, gradients."""

import numpy as np
import pytest

from keras_wass import losses
from keras_wass import ops
from tests.helpers import grad, to_numpy


def test_value_is_the_entropic_wmd_and_padding_is_ignored(rng):
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    y = rng.normal(size=(3, 4, 4)).astype("float32")
    loss = losses.WordMoversLoss(epsilon=0.05, max_iterations=200, reduction=None)
    values = to_numpy(loss(x, y))
    expected = to_numpy(ops.sinkhorn(x, y, epsilon=0.05, p=1, max_iterations=200))
    np.testing.assert_allclose(values, expected, rtol=1e-5)
    # Zero rows are padding: the value does not change.
    padded = np.concatenate([x, np.zeros((3, 2, 4), "float32")], axis=1)
    np.testing.assert_allclose(to_numpy(loss(padded, y)), values, rtol=1e-5)
    # Close to the exact WMD (the Euclidean EMD of the clouds) for small epsilon.
    cost = np.sqrt(((x[0][:, None] - y[0][None]) ** 2).sum(-1))
    exact = float(ops.emd(np.full(5, 0.2), np.full(4, 0.25), cost))
    assert values[0] == pytest.approx(exact, rel=0.05)


def test_weights_in_the_last_channel(rng):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    y = rng.normal(size=(2, 2, 4)).astype("float32")
    wx = np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]], "float32")
    wy = np.array([[1.0, 3.0], [1.0, 0.0]], "float32")
    loss = losses.WordMoversLoss(epsilon=0.05, max_iterations=200, weighted=True, reduction=None)
    values = to_numpy(loss(np.concatenate([x, wx[..., None]], -1), np.concatenate([y, wy[..., None]], -1)))
    a, b = wx / wx.sum(1, keepdims=True), wy / wy.sum(1, keepdims=True)
    expected = to_numpy(ops.sinkhorn(x, y, a, b, epsilon=0.05, p=1, max_iterations=200))
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_gradients_are_finite_even_for_equal_clouds(rng):
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    for debias in (False, True):
        loss = losses.WordMoversLoss(epsilon=0.1, debias=debias)
        (g,) = grad(lambda t: loss(x, t), x.copy())
        assert np.all(np.isfinite(g))
        (g,) = grad(lambda t: loss(x, t), x + 0.5)
        assert np.all(np.isfinite(g)) and np.any(g != 0)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="`epsilon`"):
        losses.WordMoversLoss(epsilon=0.0)
    with pytest.raises(ValueError, match="`max_iterations`"):
        losses.WordMoversLoss(max_iterations=0)
    with pytest.raises(ValueError, match="`y_true`"):
        losses.WordMoversLoss()(np.zeros((2, 3)), np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="same size"):
        losses.WordMoversLoss()(np.ones((2, 3, 2)), np.ones((2, 3, 4)))
