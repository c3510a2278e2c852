"""Wasserstein fairness: handed case C11, SciPy references, jit, gradients, bad input."""

import numpy as np
import pytest
import scipy.stats

from keras_wass import ops
from tests.helpers import BACKEND, grad, jit, to_numpy


def _scipy_gap(scores, groups, reference="pairwise", reduction="max"):
    ids = np.unique(groups)
    if reference == "pairwise":
        values = [scipy.stats.wasserstein_distance(scores[groups == i], scores[groups == j])
                  for k, i in enumerate(ids) for j in ids[k + 1:]]
        return max(values, default=0.0) if reduction == "max" else float(np.mean(values))
    values = np.array([scipy.stats.wasserstein_distance(scores[groups == i], scores) for i in ids])
    sizes = np.array([np.sum(groups == i) for i in ids])
    return values.max() if reduction == "max" else float((values * sizes).sum() / sizes.sum())


def test_c11_handed_case():
    # Group A = [0, 0, 0, 1], group B = [1, 1, 1, 1]: W1 = 0.75.
    scores = np.array([0, 0, 0, 1, 1, 1, 1, 1], "float32")
    groups = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert float(to_numpy(ops.wasserstein_fairness(scores, groups))) == pytest.approx(0.75, abs=1e-6)
    assert float(to_numpy(ops.wasserstein_fairness(scores[:, None], groups[:, None], num_groups=2))) == (
        pytest.approx(0.75, abs=1e-6))


@pytest.mark.parametrize("reference", ["pairwise", "overall"])
@pytest.mark.parametrize("reduction", ["max", "mean"])
@pytest.mark.parametrize("p", [1, 2])
def test_matches_scipy_with_unequal_groups(rng, reference, reduction, p):
    scores = rng.beta(2, 5, size=60)
    groups = rng.choice([0, 1, 2, 3], p=[0.5, 0.3, 0.15, 0.05], size=60)
    value = float(to_numpy(ops.wasserstein_fairness(scores, groups, p=p, reference=reference,
                                                    reduction=reduction)))
    if p == 1:
        expected = _scipy_gap(scores, groups, reference, reduction)
    else:  # W2 by the quantile formula, on a fine grid of levels
        levels = (np.arange(200000) + 0.5) / 200000

        def w2(u, v):
            return np.sqrt(np.mean((np.quantile(u, levels, method="inverted_cdf")
                                    - np.quantile(v, levels, method="inverted_cdf")) ** 2))
        ids = np.unique(groups)
        if reference == "pairwise":
            values = [w2(scores[groups == i], scores[groups == j]) for k, i in enumerate(ids) for j in ids[k + 1:]]
            expected = max(values) if reduction == "max" else np.mean(values)
        else:
            values = np.array([w2(scores[groups == i], scores) for i in ids])
            sizes = np.bincount(groups)[ids]
            expected = values.max() if reduction == "max" else (values * sizes).sum() / sizes.sum()
    assert value == pytest.approx(expected, rel=1e-4)


def test_any_ids_eagerly_and_absent_groups_are_ignored(rng):
    scores = rng.random(40)
    groups = rng.integers(0, 3, size=40)
    base = float(to_numpy(ops.wasserstein_fairness(scores, groups)))
    # Arbitrary integer labels, eagerly.
    assert float(to_numpy(ops.wasserstein_fairness(scores, groups * 10 - 7))) == pytest.approx(base, rel=1e-6)
    # Ids 3..5 never occur: ignored, not NaN.
    for reduction in ("max", "mean"):
        for reference in ("pairwise", "overall"):
            full = ops.wasserstein_fairness(scores, groups, num_groups=6, reference=reference, reduction=reduction)
            eager = ops.wasserstein_fairness(scores, groups, reference=reference, reduction=reduction)
            assert float(to_numpy(full)) == pytest.approx(float(to_numpy(eager)), rel=1e-6)
    # One group only: 0.
    assert float(to_numpy(ops.wasserstein_fairness(scores, np.zeros(40, "int32"), num_groups=2))) == 0.0


def test_under_jit_with_num_groups(rng):
    scores = rng.random(32).astype("float32")
    groups = rng.integers(0, 3, size=32).astype("int32")
    fn = jit(lambda s, g: ops.wasserstein_fairness(s, g, num_groups=4))
    value = float(to_numpy(fn(scores, groups)))
    assert value == pytest.approx(_scipy_gap(scores, groups), rel=1e-5)


@pytest.mark.skipif(BACKEND == "torch", reason="eager PyTorch has no symbolic values to refuse")
def test_jit_without_num_groups_says_what_to_do(rng):
    scores = rng.random(8).astype("float32")
    groups = rng.integers(0, 2, size=8).astype("int32")
    with pytest.raises(ValueError, match="num_groups"):
        jit(lambda s, g: ops.wasserstein_fairness(s, g))(scores, groups)


def test_gradients_are_finite_with_ties_and_absent_groups():
    scores = np.array([0.5, 0.5, 0.5, 0.5, 0.2, 0.9], "float32")
    groups = np.array([0, 1, 0, 1, 0, 1])
    for reference in ("pairwise", "overall"):
        (g,) = grad(lambda s: ops.wasserstein_fairness(s, groups, num_groups=5, reference=reference), scores)
        assert np.all(np.isfinite(g)) and np.any(g != 0)
    # Identical distributions: value 0, gradient finite.
    (g,) = grad(lambda s: ops.wasserstein_fairness(s, [0, 1, 0, 1], num_groups=2), np.array([0.1, 0.1, 0.3, 0.3]))
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("kwargs, name", [
    (dict(p=0.5), "`p`"),
    (dict(reference="each"), "`reference`"),
    (dict(reduction="sum"), "`reduction`"),
    (dict(num_groups=0), "`num_groups`"),
    (dict(groups=[0, 1, 0.5, 1]), "`groups`"),
    (dict(groups=[0, 1, 1]), "`groups`"),
    (dict(groups=[0, 1, 2, 1], num_groups=2), "`groups`"),
    (dict(y_pred=[0.1, np.nan, 0.2, 0.3]), "`y_pred`"),
    (dict(y_pred=np.ones((4, 2))), "`y_pred`"),
])
def test_bad_input_names_the_argument(kwargs, name):
    args = dict(y_pred=[0.1, 0.2, 0.3, 0.4], groups=[0, 1, 0, 1])
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        ops.wasserstein_fairness(**args)
