"""Losses: reference values, compile + fit (jit on and off), config, saving."""

import keras
import numpy as np
import ot
import pytest
import scipy.stats

from keras_wass import losses
from tests.helpers import BACKEND, grad, to_numpy


def test_c07_wasserstein_loss_label_convention():
    # C07: reals [2, 4] labelled -1 give -3, fakes [1, 1] labelled +1 give +1,
    # and the four in one batch give (-2 - 4 + 1 + 1) / 4 = -1.
    loss = losses.WassersteinLoss()
    real = np.array([[2.0], [4.0]])
    fake = np.array([[1.0], [1.0]])
    assert float(loss(-np.ones((2, 1)), real)) == -3.0
    assert float(loss(np.ones((2, 1)), fake)) == 1.0
    labels = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    assert float(loss(labels, np.concatenate([real, fake]))) == -1.0
    np.testing.assert_allclose(to_numpy(losses.wasserstein_loss(labels, np.concatenate([real, fake]))), [-2, -4, 1, 1])


def test_wasserstein_loss_takes_one_label_per_sample():
    # Labels (batch,) against scores (batch, 1) must not broadcast to
    # (batch, batch): that gave mean(labels) * score = 0 for every row (and
    # 0.0 from the class) before this was fixed. By hand: -1 * 2 = -2 and
    # +1 * 4 = 4; with scores (batch, 3), each row's mean times its label;
    # the class reduces (-2 + 6) / 2 = 2.
    labels = np.array([-1.0, 1.0])
    np.testing.assert_allclose(to_numpy(losses.wasserstein_loss(labels, np.array([[2.0], [4.0]]))), [-2.0, 4.0])
    scores = np.array([[1.0, 2.0, 3.0], [0.0, 3.0, 6.0]])
    np.testing.assert_allclose(to_numpy(losses.wasserstein_loss(labels, scores)), [-2.0, 3.0])
    assert float(losses.WassersteinLoss()(labels, np.array([[2.0], [6.0]]))) == 2.0


def test_wasserstein_1d_loss_matches_scipy(rng):
    y_true, y_pred = rng.normal(size=(4, 12)), rng.normal(size=(4, 7))
    values = to_numpy(losses.Wasserstein1DLoss(reduction=None)(y_true, y_pred))
    expected = [scipy.stats.wasserstein_distance(y_true[i], y_pred[i]) for i in range(4)]
    np.testing.assert_allclose(values, expected, rtol=1e-5)


@pytest.mark.parametrize("p", [1, 2])
def test_histogram_loss_matches_pot(rng, p):
    k = 6
    positions = np.sort(rng.uniform(0, 10, size=k))
    true = rng.dirichlet(np.ones(k), size=3)
    pred = rng.dirichlet(np.ones(k), size=3)
    loss = losses.HistogramWasserstein1DLoss(p=p, bin_positions=positions, reduction=None)
    got = to_numpy(loss(true, pred))
    expected = [ot.wasserstein_1d(positions, positions, true[i], pred[i], p=p) ** (1 / p) for i in range(3)]
    np.testing.assert_allclose(got, expected, rtol=2e-5)


def test_histogram_loss_is_ordinal():
    loss = losses.HistogramWasserstein1DLoss(reduction=None)
    pred = np.eye(4)
    # Class ids (sparse) or one-hot give the same; cost grows with distance.
    sparse = to_numpy(loss(np.zeros(4, dtype="int32"), pred))
    np.testing.assert_allclose(sparse, [0, 1, 2, 3])
    np.testing.assert_allclose(to_numpy(loss(np.tile([1.0, 0, 0, 0], (4, 1)), pred)), [0, 1, 2, 3])


def test_sliced_loss_per_element(rng):
    x, y = rng.normal(size=(3, 10, 2)), rng.normal(size=(3, 10, 2))
    values = to_numpy(losses.SlicedWassersteinLoss(seed=1, reduction=None)(x, y))
    assert values.shape == (3,) and np.all(values > 0)


@pytest.mark.parametrize("factory", [
    lambda: losses.Wasserstein1DLoss(p=2),
    lambda: losses.HistogramWasserstein1DLoss(p=2),
    lambda: losses.SlicedWassersteinLoss(n_projections=8, seed=0),
    lambda: losses.SinkhornLoss(max_iterations=20),
    lambda: losses.SinkhornLoss(cost_matrix=ORDINAL4, max_iterations=20),
])
def test_gradients_finite_at_identical_inputs(factory):
    loss = factory()
    if isinstance(loss, losses.SinkhornLoss) and loss.cost_matrix is not None:
        x = np.full((2, 4), 0.25, dtype="float32")
    elif isinstance(loss, (losses.SlicedWassersteinLoss, losses.SinkhornLoss)):
        x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    elif isinstance(loss, losses.HistogramWasserstein1DLoss):
        x = np.full((2, 4), 0.25, dtype="float32")
    else:
        x = np.random.default_rng(0).normal(size=(2, 5)).astype("float32")
    (g,) = grad(lambda a: loss(x, a), x)
    assert np.all(np.isfinite(g))


def _fit_case(name):
    keras.utils.set_random_seed(0)  # the initial weights too: fixed across test orders
    rng = np.random.default_rng(0)
    if name == "wasserstein":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = np.where(rng.uniform(size=(32, 1)) < 0.5, -1.0, 1.0).astype("float32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        return model, losses.WassersteinLoss(), x, y
    if name == "1d":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = rng.normal(2.0, 1.0, size=(32, 8)).astype("float32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8)])
        return model, losses.Wasserstein1DLoss(p=2), x, y
    if name == "histogram":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = rng.integers(0, 4, size=(32,)).astype("int32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
        return model, losses.HistogramWasserstein1DLoss(), x, y
    if name == "sinkhorn_histogram":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = rng.integers(0, 4, size=(32,)).astype("int32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
        return model, losses.SinkhornLoss(epsilon=0.1, cost_matrix=ORDINAL4, max_iterations=50), x, y
    if name == "fairness":
        x = rng.normal(size=(32, 3)).astype("float32")
        y = np.stack([x[:, 0] > 0, rng.integers(0, 2, size=32)], axis=1).astype("float32")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
        return model, losses.WassersteinFairnessLoss(fairness_weight=1.0), x, y
    x = rng.normal(size=(32, 6, 2)).astype("float32")
    y = (rng.normal(size=(32, 6, 2)) + 1.0).astype("float32")
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.Dense(2)])
    if name == "word_movers":
        return model, losses.WordMoversLoss(epsilon=0.1, max_iterations=50), x, y
    if name == "sinkhorn":
        return model, losses.SinkhornLoss(epsilon=0.1, max_iterations=50), x, y
    return model, losses.SlicedWassersteinLoss(n_projections=16), x, y


ORDINAL4 = np.abs(np.subtract.outer(np.arange(4.0), np.arange(4.0)))


ALL_CASES = ["wasserstein", "1d", "histogram", "sliced", "sinkhorn", "sinkhorn_histogram", "fairness",
             "word_movers"]


@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("name", ALL_CASES)
def test_compile_fit(name, jit_compile):
    model, loss, x, y = _fit_case(name)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss, jit_compile=jit_compile)
    # 30 samples in batches of 8: the last batch is short (an unknown batch
    # size inside TensorFlow's graph).
    history = model.fit(x[:30], y[:30], batch_size=8, epochs=3, verbose=0)
    values = history.history["loss"]
    assert np.all(np.isfinite(values))
    if name != "wasserstein":  # the critic loss is unbounded below
        assert values[-1] < values[0]


@pytest.mark.parametrize("loss", [
    losses.WassersteinLoss(),
    losses.Wasserstein1DLoss(p=3),
    losses.HistogramWasserstein1DLoss(p=2, bin_positions=[0.0, 1.0, 5.0]),
    losses.SlicedWassersteinLoss(n_projections=7, p=1, seed=3),
    losses.SinkhornLoss(epsilon=0.2, p=1, max_iterations=30, debias=False, reach=2.0),
    losses.SinkhornLoss(cost_matrix=[[0.0, 1.0], [1.0, 0.0]], tolerance=1e-4),
    losses.WassersteinFairnessLoss(base_loss="mse", fairness_weight=0.5, num_groups=3),
    losses.WordMoversLoss(epsilon=0.2, debias=True, weighted=True, normalize=True),
])
def test_config_round_trip(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config


@pytest.mark.parametrize("name", ALL_CASES)
def test_keras_save_load(tmp_path, name):
    model, loss, x, y = _fit_case(name)
    model.compile(optimizer="adam", loss=loss)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored.loss) is type(loss)
    assert restored.loss.get_config() == loss.get_config()
    np.testing.assert_allclose(to_numpy(restored.predict(x, verbose=0)), to_numpy(model.predict(x, verbose=0)), rtol=1e-6)
    restored.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("factory, name", [
    (lambda: losses.Wasserstein1DLoss(p=0), "`p`"),
    (lambda: losses.HistogramWasserstein1DLoss(bin_positions=[0, 0, 1]), "`bin_positions`"),
    (lambda: losses.SlicedWassersteinLoss(n_projections=0), "`n_projections`"),
    (lambda: losses.SlicedWassersteinLoss(seed=0.5), "`seed`"),
    (lambda: losses.SinkhornLoss(epsilon=0.0), "`epsilon`"),
    (lambda: losses.SinkhornLoss(max_iterations=0), "`max_iterations`"),
    (lambda: losses.SinkhornLoss(cost_matrix=np.ones((2, 3))), "`cost_matrix`"),
    (lambda: losses.SinkhornLoss(cost_matrix=-np.ones((2, 2))), "`cost_matrix`"),
    (lambda: losses.SinkhornLoss(reach=-1.0), "`reach`"),
])
def test_bad_constructor_arguments(factory, name):
    with pytest.raises(ValueError, match=name):
        factory()


def test_sinkhorn_loss_reference_values(rng):
    # Histogram mode: class ids against a softmax, transport cost by hand
    # (all mass moves from bin 2 to bin 0: cost 2); debiased: 0 when equal.
    loss = losses.SinkhornLoss(epsilon=0.01, cost_matrix=ORDINAL4, debias=False, reduction=None)
    np.testing.assert_allclose(to_numpy(loss(np.array([0, 3]), np.array([[0, 0, 1.0, 0], [0, 0, 0, 1.0]]))),
                               [2.0, 0.0], atol=1e-4)
    pred = rng.dirichlet(np.ones(4), size=3).astype("float32")
    assert np.all(np.abs(to_numpy(losses.SinkhornLoss(cost_matrix=ORDINAL4, reduction=None)(pred, pred))) < 1e-6)
    # Point clouds: one value per element, each the ops value (POT-checked there).
    from keras_wass import ops

    x, y = rng.normal(size=(2, 6, 2)), rng.normal(size=(2, 5, 2))
    values = to_numpy(losses.SinkhornLoss(epsilon=0.1, reduction=None)(x, y))
    np.testing.assert_allclose(values, to_numpy(ops.sinkhorn_divergence(x, y, epsilon=0.1)), rtol=1e-6)


def test_sinkhorn_loss_is_ordinal_unlike_cross_entropy():
    # Predicting the class next to the true one costs less than two away.
    loss = losses.SinkhornLoss(epsilon=0.05, cost_matrix=ORDINAL4, reduction=None)
    near = np.array([[0.1, 0.8, 0.05, 0.05]])
    far = np.array([[0.1, 0.05, 0.05, 0.8]])
    assert float(to_numpy(loss(np.array([0]), near))[0]) < float(to_numpy(loss(np.array([0]), far))[0])


def test_bad_call_inputs():
    with pytest.raises(ValueError, match="`y_true`"):
        losses.Wasserstein1DLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="`y_true`"):
        losses.HistogramWasserstein1DLoss()(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="`bin_positions`"):
        losses.HistogramWasserstein1DLoss(bin_positions=[0.0, 1.0])(np.eye(3)[:2], np.ones((2, 3)))
    with pytest.raises(ValueError, match="dimension"):
        losses.SlicedWassersteinLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match="`y_pred`"):
        losses.SinkhornLoss(cost_matrix=ORDINAL4)(np.zeros((2,), "int32"), np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match="dimension"):
        losses.SinkhornLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3, 2)))
