"""Bad input gives a ValueError or TypeError that names the argument.

keras_wass raises ValueError for arguments of the wrong type too (a float
seed, a string ``p``), as its docstrings say; TypeError comes from Python
itself (a missing argument).

One table for the public functions, losses, metrics, constraints and model
constructors; the test enumerates it on every backend. Each row is
``(id, call, exception, text)``: ``call()`` must raise ``exception`` with
``text`` (the argument's name in backticks) in its message.
"""

import keras
import numpy as np
import pytest

from keras_wass import constraints, data, losses, metrics, models, ops

X = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
Y = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
U = np.array([0.0, 1.0, 2.0], "float32")
V = np.array([0.5, 1.5], "float32")
NAN = np.array([0.0, np.nan], "float32")
INF = np.array([[0.0, np.inf], [1.0, 1.0]], "float32")
COST = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
H = np.array([0.5, 0.5], "float32")
EMB = np.random.default_rng(5).normal(size=(4, 3)).astype("float32")
VOCAB = ["a", "b", "c", "d"]
CLOUDS = np.random.default_rng(2).normal(size=(4, 5, 2)).astype("float32")
FEATURES = np.random.default_rng(3).normal(size=(6, 3)).astype("float32")
GROUPS = np.stack([np.zeros(6), np.arange(6) % 2], axis=1).astype("float32")
SCORES = np.random.default_rng(4).uniform(size=(6, 1)).astype("float32")


def _update(metric, *args, **kwargs):
    metric.update_state(*args, **kwargs)


def _generator():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])


def _critic():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])


def _fit_gan(cls, x, evaluate=False):
    gan = cls(_generator(), _critic(), latent_dim=2, critic_steps=1)
    gan.compile()
    return gan.evaluate(x, batch_size=4, verbose=0) if evaluate else gan.fit(x, batch_size=4, verbose=0)


HIST4 = np.full((2, 4), 0.25, "float32")
ORDINAL4 = np.abs(np.subtract.outer(np.arange(4.0), np.arange(4.0)))
# A valid (loss, y_true, y_pred) per loss, for the bad-call rows below.
LOSS_CALLS = {
    "wasserstein": (losses.WassersteinLoss, np.array([[-1.0], [1.0], [1.0]]), np.ones((3, 1))),
    "1d": (losses.Wasserstein1DLoss, np.ones((3, 4)), np.zeros((3, 5))),
    "histogram": (losses.HistogramWasserstein1DLoss, np.array([0, 1, 3]), np.full((3, 4), 0.25)),
    "sliced": (lambda: losses.SlicedWassersteinLoss(seed=0), CLOUDS[:3], CLOUDS[1:]),
    "sinkhorn": (losses.SinkhornLoss, CLOUDS[:3], CLOUDS[1:]),
    "sinkhorn-histogram": (lambda: losses.SinkhornLoss(cost_matrix=ORDINAL4), np.array([0, 1, 3]),
                           np.full((3, 4), 0.25)),
    "fairness": (losses.WassersteinFairnessLoss, GROUPS[:3], SCORES[:3]),
    "wmd": (losses.WordMoversLoss, CLOUDS[:3], CLOUDS[1:]),
}


def _call_loss(case, bad):
    make, y_true, y_pred = LOSS_CALLS[case]
    y_true, y_pred = np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")
    make()(y_true, y_pred)  # the valid call works
    if bad == "batch":
        y_true = y_true[:-1]
    elif bad == "empty":
        y_true, y_pred = y_true[:0], y_pred[:0]
    elif bad == "scalar":
        y_true, y_pred = y_true.ravel()[0], y_pred.ravel()[0]
    elif bad == "nan":
        y_pred = y_pred.copy()
        y_pred.flat[0] = np.nan
    else:
        y_pred = np.full(y_pred.shape, "a")
    make()(y_true, y_pred)


CASES = [
    # wasserstein_1d
    ("1d-p<1", lambda: ops.wasserstein_1d(U, V, p=0.5), ValueError, "`p`"),
    ("1d-p-nan", lambda: ops.wasserstein_1d(U, V, p=float("nan")), ValueError, "`p`"),
    ("1d-p-str", lambda: ops.wasserstein_1d(U, V, p="2"), ValueError, "`p`"),
    ("1d-rank", lambda: ops.wasserstein_1d(X[None], Y[None]), ValueError, "`u`"),
    ("1d-empty", lambda: ops.wasserstein_1d(np.zeros((0,), "float32"), V), ValueError, "`u`"),
    ("1d-nan", lambda: ops.wasserstein_1d(NAN, V), ValueError, "`u`"),
    ("1d-batch", lambda: ops.wasserstein_1d(np.zeros((2, 3)), np.zeros((3, 3))), ValueError, "batch"),
    ("1d-negative-weights", lambda: ops.wasserstein_1d(U, V, u_weights=[1.0, -1.0, 1.0]), ValueError,
     "`u_weights`"),
    ("1d-zero-sum-weights", lambda: ops.wasserstein_1d(U, V, v_weights=[0.0, 0.0]), ValueError,
     "`v_weights`"),
    ("1d-weights-shape", lambda: ops.wasserstein_1d(U, V, u_weights=[1.0, 1.0]), ValueError, "`u_weights`"),
    ("1d-string", lambda: ops.wasserstein_1d(["a", "b"], V), ValueError, "`u`"),
    # sliced / max-sliced
    ("sliced-p<1", lambda: ops.sliced_wasserstein(X, Y, p=0), ValueError, "`p`"),
    ("sliced-n_projections", lambda: ops.sliced_wasserstein(X, Y, n_projections=0), ValueError,
     "`n_projections`"),
    ("sliced-n_projections-float", lambda: ops.sliced_wasserstein(X, Y, n_projections=2.5), ValueError,
     "`n_projections`"),
    ("sliced-seed", lambda: ops.sliced_wasserstein(X, Y, seed=1.5), ValueError, "`seed`"),
    ("sliced-dimension", lambda: ops.sliced_wasserstein(X, Y[:, :1]), ValueError, "dimension"),
    ("sliced-rank", lambda: ops.sliced_wasserstein(U, V), ValueError, "`x`"),
    ("sliced-inf", lambda: ops.sliced_wasserstein(INF, X), ValueError, "`x`"),
    ("sliced-projections", lambda: ops.sliced_wasserstein(X, Y, projections=np.ones((3, 4))), ValueError,
     "`projections`"),
    ("sliced-weights", lambda: ops.sliced_wasserstein(X, Y, a=-np.ones(5)), ValueError, "`a`"),
    ("max-sliced-n_projections", lambda: ops.max_sliced_wasserstein(X, Y, n_projections=-1), ValueError,
     "`n_projections`"),
    # Sinkhorn
    ("sinkhorn-epsilon-0", lambda: ops.sinkhorn(X, Y, epsilon=0.0), ValueError, "`epsilon`"),
    ("sinkhorn-epsilon-negative", lambda: ops.sinkhorn(X, Y, epsilon=-1.0), ValueError, "`epsilon`"),
    ("sinkhorn-p", lambda: ops.sinkhorn(X, Y, p=0.5), ValueError, "`p`"),
    ("sinkhorn-max_iterations", lambda: ops.sinkhorn(X, Y, max_iterations=0), ValueError,
     "`max_iterations`"),
    ("sinkhorn-reach", lambda: ops.sinkhorn(X, Y, reach=0.0), ValueError, "`reach`"),
    ("sinkhorn-weights", lambda: ops.sinkhorn(X, Y, b=np.zeros(4)), ValueError, "`b`"),
    ("sinkhorn-dimension", lambda: ops.sinkhorn(X, Y[:, :1]), ValueError, "dimension"),
    ("sinkhorn-cost-shape", lambda: ops.sinkhorn(H, np.ones(3) / 3, cost_matrix=COST), ValueError,
     "`cost_matrix`"),
    ("sinkhorn-cost-negative", lambda: ops.sinkhorn(H, H, cost_matrix=-COST), ValueError, "`cost_matrix`"),
    ("sinkhorn-nan", lambda: ops.sinkhorn(NAN[:, None], X), ValueError, "`x`"),
    ("divergence-epsilon", lambda: ops.sinkhorn_divergence(X, Y, epsilon=0), ValueError, "`epsilon`"),
    # exact, Gaussian, Frechet
    ("emd-negative", lambda: ops.emd([-1.0, 2.0], H, COST), ValueError, "`a`"),
    ("emd-shape", lambda: ops.emd(H, H, np.ones((3, 2))), ValueError, "`cost_matrix`"),
    ("emd-nan", lambda: ops.emd(H, H, np.array([[0.0, np.nan], [1.0, 0.0]])), ValueError, "`cost_matrix`"),
    ("gaussian-shape", lambda: ops.gaussian_wasserstein(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)),
     ValueError, "`cov1`"),
    ("gaussian-nan", lambda: ops.gaussian_wasserstein(np.array([np.nan, 0.0]), np.eye(2), np.zeros(2),
                                                      np.eye(2)), ValueError, "`mean1`"),
    ("frechet-dimension", lambda: ops.frechet_distance(X, np.ones((4, 3))), ValueError, "`features"),
    ("frechet-one-sample", lambda: ops.frechet_distance(X[:1], Y), ValueError, "`features1`"),
    # WMD and fairness
    ("wmd-method", lambda: ops.word_movers_distance([0, 1], [1], np.ones((3, 2)), method="newton"), ValueError,
     "`method`"),
    ("fairness-p", lambda: ops.wasserstein_fairness(U, [0, 1, 1], p=0.1), ValueError, "`p`"),
    ("fairness-groups-shape", lambda: ops.wasserstein_fairness(U, [0, 1]), ValueError, "`groups`"),
    ("fairness-reduction", lambda: ops.wasserstein_fairness(U, [0, 1, 1], reduction="median"), ValueError,
     "`reduction`"),
    ("wmd-vocabulary-length", lambda: ops.word_movers_distance(["a"], ["b"], EMB, vocabulary=VOCAB[:3]),
     ValueError, "`vocabulary`"),
    ("wmd-embeddings-rank", lambda: ops.word_movers_distance(["a"], ["b"], EMB[0], vocabulary=VOCAB), ValueError,
     "`embeddings`"),
    ("wmd-embeddings-nan",
     lambda: ops.word_movers_distance(["a"], ["b"], np.full((4, 3), np.nan), vocabulary=VOCAB), ValueError,
     "`embeddings`"),
    ("wmd-no-vocabulary", lambda: ops.word_movers_distance(["a"], ["b"], EMB), ValueError, "`vocabulary`"),
    ("wmd-empty", lambda: ops.word_movers_distance([], ["b"], EMB, vocabulary=VOCAB), ValueError, "`doc1`"),
    ("wmd-epsilon", lambda: ops.word_movers_distance(["a"], ["b"], EMB, vocabulary=VOCAB, method="sinkhorn",
                                                     epsilon=0.0), ValueError, "`epsilon`"),
    ("wmd-max_iterations", lambda: ops.word_movers_distance(["a"], ["b"], EMB, vocabulary=VOCAB,
                                                            method="sinkhorn", max_iterations=0), ValueError,
     "`max_iterations`"),
    ("wmd-normalize", lambda: ops.word_movers_distance(["a"], ["b"], EMB, vocabulary=VOCAB, normalize="yes"),
     ValueError, "`normalize`"),
    ("rwmd-only-unknown-words",
     lambda: ops.relaxed_word_movers_distance(["a"], ["zz"], EMB, vocabulary=VOCAB), ValueError, "`doc2`"),
    ("wmd-neighbors-k", lambda: ops.word_movers_neighbors(["a"], [["b"], ["c"]], EMB, vocabulary=VOCAB, k=3),
     ValueError, "`k`"),
    ("wmd-neighbors-empty-document",
     lambda: ops.word_movers_neighbors(["a"], [["b"], ["zz"]], EMB, vocabulary=VOCAB), ValueError, "`documents[1]`"),
    ("wmd-neighbors-empty-query",
     lambda: ops.word_movers_neighbors(["zz"], [["b"]], EMB, vocabulary=VOCAB), ValueError, "`query`"),
    ("wmd-neighbors-no-documents", lambda: ops.word_movers_neighbors(["a"], [], EMB, vocabulary=VOCAB),
     ValueError, "`documents`"),
    ("wmd-neighbors-prune",
     lambda: ops.word_movers_neighbors(["a"], [["b"], ["c"]], EMB, vocabulary=VOCAB, prune="yes"),
     ValueError, "`prune`"),
    # losses
    ("loss-1d-p", lambda: losses.Wasserstein1DLoss(p=0.5), ValueError, "`p`"),
    ("loss-histogram-p", lambda: losses.HistogramWasserstein1DLoss(p=0), ValueError, "`p`"),
    ("loss-sliced-n_projections", lambda: losses.SlicedWassersteinLoss(n_projections=0), ValueError,
     "`n_projections`"),
    ("loss-sliced-seed", lambda: losses.SlicedWassersteinLoss(seed="a"), ValueError, "`seed`"),
    ("loss-sinkhorn-epsilon", lambda: losses.SinkhornLoss(epsilon=0.0), ValueError, "`epsilon`"),
    ("loss-sinkhorn-max_iterations", lambda: losses.SinkhornLoss(max_iterations=0), ValueError,
     "`max_iterations`"),
    ("loss-sinkhorn-cost", lambda: losses.SinkhornLoss(cost_matrix=-COST), ValueError, "`cost_matrix`"),
    ("loss-fairness-weight", lambda: losses.WassersteinFairnessLoss(fairness_weight=-1.0), ValueError,
     "`fairness_weight`"),
    ("loss-wmd-epsilon", lambda: losses.WordMoversLoss(epsilon=-1.0), ValueError, "`epsilon`"),
    ("loss-wasserstein-reduction", lambda: losses.WassersteinLoss(reduction="bogus"), ValueError, "`reduction`"),
    # loss calls: the label-convention function and the histogram modes
    ("wloss-fn-labels-shape", lambda: losses.wasserstein_loss(np.ones((4, 1)), np.ones((3, 1))), ValueError,
     "`y_true`"),
    ("wloss-fn-labels-wide", lambda: losses.wasserstein_loss(np.ones((4, 2)), np.ones((4, 3))), ValueError,
     "`y_true`"),
    ("wloss-fn-scalar", lambda: losses.wasserstein_loss(1.0, 2.0), ValueError, "`y_pred`"),
    ("wloss-fn-empty", lambda: losses.wasserstein_loss(np.ones((0, 1)), np.ones((0, 1))), ValueError, "`y_pred`"),
    ("wloss-fn-nan", lambda: losses.wasserstein_loss(np.ones((2, 1)), np.array([[1.0], [np.nan]])), ValueError,
     "`y_pred`"),
    ("wloss-fn-labels-inf", lambda: losses.wasserstein_loss(np.array([[1.0], [np.inf]]), np.ones((2, 1))),
     ValueError, "`y_true`"),
    ("wloss-fn-labels-str", lambda: losses.wasserstein_loss(np.array([["real"]]), np.ones((1, 1))), ValueError,
     "`y_true`"),
    ("wloss-fn-scores-str", lambda: losses.wasserstein_loss(np.ones((1, 1)), "a"), ValueError, "`y_pred`"),
    *[(f"{loss}-class-ids-{label}", lambda make=make, ids=ids: make()(ids, HIST4), ValueError, "`y_true`")
      for loss, make in (("histogram", lambda: losses.HistogramWasserstein1DLoss()),
                         ("sinkhorn-histogram", lambda: losses.SinkhornLoss(cost_matrix=ORDINAL4)))
      for label, ids in (("too-large", np.array([0, 4])), ("negative", np.array([-1, 0])),
                         ("fractional", np.array([0.0, 1.5])))],
    *[(f"{loss}-{label}", lambda make=make, true=true, pred=pred: make()(true, pred), ValueError, text)
      for loss, make in (("histogram", lambda: losses.HistogramWasserstein1DLoss()),
                         ("sinkhorn-histogram", lambda: losses.SinkhornLoss(cost_matrix=ORDINAL4)))
      for label, true, pred, text in (("negative-prediction", np.array([0, 1]), HIST4 - 0.5, "`y_pred`"),
                                      ("zero-sum-prediction", np.array([0, 1]), 0 * HIST4, "`y_pred`"),
                                      ("negative-target", HIST4 - 0.5, HIST4, "`y_true`"))],
    # loss calls: the same bad batches for every loss
    *[(f"{case}-call-{label}", lambda case=case, bad=bad: _call_loss(case, bad), ValueError, text)
      for case in LOSS_CALLS
      for label, bad, text in (("batch", "batch", "`y_true`"), ("empty", "empty", "`y_true`"),
                               ("scalar", "scalar", "`y_true`"), ("nan", "nan", "`y_pred`"),
                               ("string", "string", "`y_pred`"))],
    # metrics
    ("metric-sliced-n_projections", lambda: metrics.SlicedWassersteinMetric(n_projections=0), ValueError,
     "`n_projections`"),
    ("metric-fairness-groups", lambda: metrics.WassersteinFairnessGap(num_groups=0), ValueError,
     "`num_groups`"),
    ("metric-sliced-update-dimension",
     lambda: _update(metrics.SlicedWassersteinMetric(seed=0), CLOUDS, CLOUDS[..., :1]), ValueError, "dimension"),
    ("metric-sliced-update-nan",
     lambda: _update(metrics.SlicedWassersteinMetric(seed=0), np.where(CLOUDS > 1, np.nan, CLOUDS), CLOUDS),
     ValueError, "`x`"),
    ("metric-sliced-update-batch",
     lambda: _update(metrics.SlicedWassersteinMetric(seed=0), CLOUDS, CLOUDS[:2]), ValueError, "batch"),
    ("metric-sliced-update-negative-weight",
     lambda: _update(metrics.SlicedWassersteinMetric(seed=0), CLOUDS, CLOUDS, sample_weight=[1, -1, 1, 1]),
     ValueError, "`sample_weight`"),
    ("metric-sliced-update-weight-shape",
     lambda: _update(metrics.SlicedWassersteinMetric(seed=0), CLOUDS, CLOUDS, sample_weight=[1, 1]),
     ValueError, "`sample_weight`"),
    ("metric-frechet-update-dimension",
     lambda: _update(metrics.FrechetDistance(), FEATURES, FEATURES[:, :2]), ValueError, "dimension"),
    ("metric-frechet-update-num_features",
     lambda: _update(metrics.FrechetDistance(num_features=4), FEATURES, FEATURES), ValueError, "`num_features`"),
    ("metric-frechet-update-nan",
     lambda: _update(metrics.FrechetDistance(), np.where(FEATURES > 1, np.nan, FEATURES), FEATURES),
     ValueError, "`y_true`"),
    ("metric-frechet-update-empty", lambda: _update(metrics.FrechetDistance(), FEATURES[:0], FEATURES[:0]),
     ValueError, "`y_true`"),
    ("metric-frechet-update-rank", lambda: _update(metrics.FrechetDistance(), FEATURES[0], FEATURES[0]),
     ValueError, "`y_true`"),
    ("metric-frechet-update-weight-batch",
     lambda: _update(metrics.FrechetDistance(), FEATURES, FEATURES[:4], sample_weight=np.ones(6)),
     ValueError, "`sample_weight`"),
    ("metric-frechet-update-negative-weight",
     lambda: _update(metrics.FrechetDistance(), FEATURES, FEATURES, sample_weight=-np.ones(6)),
     ValueError, "`sample_weight`"),
    ("metric-fairness-update-y_true-shape",
     lambda: _update(metrics.WassersteinFairnessGap(), np.zeros(6), SCORES), ValueError, "`y_true`"),
    ("metric-fairness-update-group-range",
     lambda: _update(metrics.WassersteinFairnessGap(), GROUPS + [0, 2], SCORES), ValueError, "`y_true`"),
    ("metric-fairness-update-nan",
     lambda: _update(metrics.WassersteinFairnessGap(), GROUPS, np.full((6, 1), np.nan)), ValueError, "`y_pred`"),
    ("metric-fairness-update-batch",
     lambda: _update(metrics.WassersteinFairnessGap(), GROUPS, SCORES[:4]), ValueError, "`y_pred`"),
    ("metric-fairness-update-negative-weight",
     lambda: _update(metrics.WassersteinFairnessGap(), GROUPS, SCORES, sample_weight=-np.ones(6)),
     ValueError, "`sample_weight`"),
    # data loaders (argument checks come before any file is read)
    ("data-digits-test_fraction", lambda: data.load_digits(test_fraction=1.5), ValueError, "`test_fraction`"),
    ("data-digits-test_fraction-str", lambda: data.load_digits(test_fraction="a"), ValueError,
     "`test_fraction`"),
    ("data-digits-seed", lambda: data.load_digits(seed=0.5), ValueError, "`seed`"),
    ("data-images-name", lambda: data.load_images("mnistt"), ValueError, "`name`"),
    ("data-embeddings-flag", lambda: data.load_word_embeddings(whole_words_only="yes"), ValueError,
     "`whole_words_only`"),
    # constraints
    ("clip-value", lambda: constraints.WeightClip(0.0), ValueError, "`clip_value`"),
    ("clip-value-str", lambda: constraints.WeightClip("a"), ValueError, "`clip_value`"),
    ("spectral-power_iterations", lambda: constraints.SpectralNorm(power_iterations=0), ValueError,
     "`power_iterations`"),
    # models
    ("wgangp-critic_steps", lambda: models.WGANGP(_generator(), _critic(), latent_dim=2, critic_steps=0),
     ValueError, "`critic_steps`"),
    ("wgangp-latent_dim", lambda: models.WGANGP(_generator(), _critic(), latent_dim=0), ValueError,
     "`latent_dim`"),
    ("wgangp-gp_weight", lambda: models.WGANGP(_generator(), _critic(), latent_dim=2, gp_weight=-1.0),
     ValueError, "`gp_weight`"),
    ("wgangp-seed", lambda: models.WGANGP(_generator(), _critic(), latent_dim=2, seed=0.5), ValueError,
     "`seed`"),
    ("wgangp-penalty", lambda: models.WGANGP(_generator(), _critic(), latent_dim=2, penalty="both"),
     ValueError, "`penalty`"),
    ("wgan-clip_value", lambda: models.WGAN(_generator(), _critic(), latent_dim=2, clip_value=0.0),
     ValueError, "`clip_value`"),
    ("wgan-critic_steps-float", lambda: models.WGAN(_generator(), _critic(), latent_dim=2, critic_steps=1.5),
     ValueError, "`critic_steps`"),
    ("wgangp-latent_dim-not-the-generator-input",
     lambda: models.WGANGP(_generator(), _critic(), latent_dim=3), ValueError, "`latent_dim`"),
    ("wgan-critic-input-not-the-sample-shape",
     lambda: models.WGAN(_generator(), keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]), latent_dim=2),
     ValueError, "`critic`"),
    ("wgangp-fit-x-shape", lambda: _fit_gan(models.WGANGP, np.zeros((8, 3), "float32")), ValueError, "`x`"),
    ("wgan-evaluate-x-shape", lambda: _fit_gan(models.WGAN, np.zeros((8, 2, 1), "float32"), evaluate=True),
     ValueError, "`x`"),
    ("mlp-generator-latent_dim", lambda: models.build_mlp_generator(0, (2,)), ValueError, "`latent_dim`"),
    ("mlp-critic-input_shape", lambda: models.build_mlp_critic(()), ValueError, "`input_shape`"),
]


@pytest.mark.parametrize("call,exception,text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_names_the_argument(call, exception, text):
    with pytest.raises(exception) as info:
        call()
    assert text in str(info.value), f"message does not name {text}: {info.value}"


# Public names with no argument a caller could get wrong.
NO_ARGUMENTS = {"DATASETS": "a constant", "load_german_credit": "takes no arguments",
                "load_fifa_ratings": "takes no arguments"}


def _names_reached(obj, seen):
    """Names of the attributes, functions and classes a table row reaches."""
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    if isinstance(obj, type):
        return {obj.__name__}
    if isinstance(obj, (dict, tuple, list)):
        items = obj.values() if isinstance(obj, dict) else obj
        return set().union(*(_names_reached(item, seen) for item in items))
    code = getattr(obj, "__code__", None)
    if code is None:
        return set()
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names |= set(current.co_names)
        codes += [c for c in current.co_consts if hasattr(c, "co_names")]
    for value in (*(obj.__defaults__ or ()), *(globals().get(n) for n in set(names))):
        if value is not None and getattr(value, "__module__", __name__) == __name__ or isinstance(value, dict):
            names |= _names_reached(value, seen)
        elif isinstance(value, type):
            names.add(value.__name__)
    return names


def test_every_public_name_has_a_bad_input_row():
    reached = set()
    for _, call, _, _ in CASES:
        reached |= _names_reached(call, set())
    missing = [f"{module.__name__}.{name}" for module in (ops, losses, metrics, constraints, models, data)
               for name in module.__all__ if name not in reached and name not in NO_ARGUMENTS]
    assert not missing, f"no bad-input row calls {missing}"
