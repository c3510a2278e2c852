"""emd against POT's exact solver."""

import numpy as np
import ot
import pytest

from keras_wass import ops


def test_matches_pot_emd2(rng):
    x, y = rng.normal(size=(12, 2)), rng.normal(size=(9, 2))
    a, b = rng.uniform(0.1, 1, 12), rng.uniform(0.1, 1, 9)
    a, b = a / a.sum(), b / b.sum()
    cost = ot.dist(x, y)
    assert ops.emd(a, b, cost) == pytest.approx(ot.emd2(a, b, cost), rel=1e-7)
    value, plan = ops.emd(a, b, cost, return_plan=True)
    np.testing.assert_allclose(plan.sum(1), a, atol=1e-9)
    np.testing.assert_allclose(plan.sum(0), b, atol=1e-9)
    assert value == pytest.approx((plan * cost).sum())


def test_zero_mass_bins_hand_computed():
    # Every admissible plan moves 0.5 by one bin and 0.5 by one bin: cost 1.
    cost = np.abs(np.arange(3)[:, None] - np.arange(3)[None, :]).astype(float)
    assert ops.emd([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], cost) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "args, name",
    [
        (([1.0, -1.0], [1.0, 1.0], np.zeros((2, 2))), "`a`"),
        (([1.0, 1.0], [0.0, 0.0], np.zeros((2, 2))), "`b`"),
        (([1.0, 1.0], [1.0, 1.0], np.zeros((2, 3))), "`cost_matrix`"),
        (([], [1.0], np.zeros((0, 1))), "`a`"),
        (([1.0], [1.0], [[np.nan]]), "`cost_matrix`"),
    ],
)
def test_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        ops.emd(*args)
