"""WassersteinFairnessLoss and WassersteinFairnessGap, and training on German credit."""

import keras
import numpy as np
import pytest

from keras_wass import losses
from keras_wass import metrics
from keras_wass import ops
from tests.helpers import grad, to_numpy


def _batch(rng, n=64):
    labels = (rng.random(n) < 0.6).astype("float32")
    groups = rng.integers(0, 2, size=n).astype("float32")
    scores = rng.uniform(0.05, 0.95, size=(n, 1)).astype("float32")
    return np.stack([labels, groups], axis=1), scores


def test_loss_is_base_plus_weighted_penalty(rng):
    y_true, y_pred = _batch(rng)
    base = float(np.mean(to_numpy(keras.losses.binary_crossentropy(y_true[:, :1], y_pred))))
    gap = float(to_numpy(ops.wasserstein_fairness(y_pred[:, 0], y_true[:, 1].astype("int32"))))
    for weight in (0.0, 0.5, 3.0):
        value = float(to_numpy(losses.WassersteinFairnessLoss(fairness_weight=weight)(y_true, y_pred)))
        assert value == pytest.approx(base + weight * gap, rel=1e-5)
    mse = losses.WassersteinFairnessLoss(base_loss="mse", fairness_weight=1.0, p=2, reference="overall")
    expected = float(np.mean((y_true[:, 0] - y_pred[:, 0]) ** 2)) + float(to_numpy(
        ops.wasserstein_fairness(y_pred[:, 0], y_true[:, 1].astype("int32"), p=2, reference="overall")))
    assert float(to_numpy(mse(y_true, y_pred))) == pytest.approx(expected, rel=1e-5)


def test_loss_gradient_is_finite(rng):
    y_true, y_pred = _batch(rng, 16)
    (g,) = grad(lambda s: losses.WassersteinFairnessLoss(fairness_weight=2.0)(y_true, s), y_pred)
    assert np.all(np.isfinite(g))


def test_loss_config_and_bad_arguments():
    loss = losses.WassersteinFairnessLoss(base_loss="mse", fairness_weight=0.3, p=2, num_groups=3,
                                          reference="overall", reduction_over_groups="mean")
    clone = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()
    for kwargs, name in ((dict(fairness_weight=-1.0), "`fairness_weight`"), (dict(p=0), "`p`"),
                         (dict(reference="x"), "`reference`"), (dict(num_groups=0), "`num_groups`")):
        with pytest.raises(ValueError, match=name):
            losses.WassersteinFairnessLoss(**kwargs)
    with pytest.raises(ValueError, match="`y_true`"):
        losses.WassersteinFairnessLoss()(np.zeros((4, 1)), np.zeros((4, 1)))


def test_gap_metric_streams_over_the_whole_set(rng):
    y_true, y_pred = _batch(rng, 300)
    metric = metrics.WassersteinFairnessGap()
    for start in range(0, 300, 110):  # uneven batches
        metric.update_state(y_true[start:start + 110], y_pred[start:start + 110])
    exact = float(to_numpy(ops.wasserstein_fairness(y_pred[:, 0], y_true[:, 1].astype("int32"))))
    assert float(to_numpy(metric.result())) == pytest.approx(exact, abs=1e-3)
    # Not the mean of per-batch values: each batch holds one group only (a
    # per-batch gap of 0), yet the groups differ by 0.6 over the whole set.
    split = metrics.WassersteinFairnessGap()
    split.update_state(np.array([[1, 0]] * 5), np.full((5, 1), 0.2))
    split.update_state(np.array([[1, 1]] * 3), np.full((3, 1), 0.8))
    assert float(to_numpy(split.result())) == pytest.approx(0.6, abs=1e-6)
    metric.reset_state()
    assert float(to_numpy(metric.result())) == 0.0
    clone = metrics.WassersteinFairnessGap.from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    with pytest.raises(ValueError, match="`bins`"):
        metrics.WassersteinFairnessGap(bins=0)
    with pytest.raises(ValueError, match="`value_range`"):
        metrics.WassersteinFairnessGap(value_range=(1.0, 1.0))


def _train_on_credit(weight, jit_compile):
    from keras_wass.data import load_german_credit

    data = load_german_credit()
    x = data["features"]
    young = (data["age"] < 25).astype("float32")  # the group the model's scores separate most
    y = np.stack([data["labels"], young], axis=1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=losses.WassersteinFairnessLoss(fairness_weight=weight),
                  metrics=[metrics.WassersteinFairnessGap()], jit_compile=jit_compile)
    history = model.fit(x, y, batch_size=250, epochs=15, verbose=0)
    result = model.evaluate(x, y, batch_size=250, verbose=0, return_dict=True)
    return history, result


def test_fairness_weight_shrinks_the_gap_on_german_credit():
    jit_compile = "auto"  # what users get: XLA on TF and JAX (both paths: tests/losses/test_losses.py)
    # Applicants under 25 against the rest; the gap is measured on all 1,000
    # (JAX: 0.108 without the penalty, 0.015 with fairness_weight=1).
    history, plain = _train_on_credit(0.0, jit_compile)
    _, fair = _train_on_credit(1.0, jit_compile)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert fair["wasserstein_fairness_gap"] < 0.5 * plain["wasserstein_fairness_gap"]
