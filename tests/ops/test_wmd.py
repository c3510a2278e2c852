"""Word Mover's Distance: handed case C10, POT references, RWMD, pruned k-NN, real embeddings."""

import warnings

import numpy as np
import ot
import pytest

from keras_wass import ops

C10 = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0]), "c": np.array([1.0, 1.0])}


def test_c10_handed_case():
    # gensim once returned inf for a document against itself.
    assert ops.word_movers_distance(["a"], ["a"], C10) == 0.0
    assert ops.word_movers_distance(["a", "a", "a", "a", "a"], ["a"], C10) == 0.0
    assert ops.word_movers_distance(["a"], ["c"], C10) == pytest.approx(1.0)


def _random_corpus(rng, vocab=40, dim=5, docs=12):
    vocabulary = [f"w{i}" for i in range(vocab)]
    matrix = rng.normal(size=(vocab, dim))
    documents = [list(rng.choice(vocabulary, size=rng.integers(2, 9))) for _ in range(docs)]
    return matrix, vocabulary, documents


def _pot_wmd(d1, d2, matrix, vocabulary):
    index = {t: i for i, t in enumerate(vocabulary)}
    t1, c1 = np.unique(d1, return_counts=True)
    t2, c2 = np.unique(d2, return_counts=True)
    x, y = matrix[[index[t] for t in t1]], matrix[[index[t] for t in t2]]
    return ot.emd2(c1 / c1.sum(), c2 / c2.sum(), ot.dist(x, y, metric="euclidean"))


def test_matches_pot_and_is_symmetric(rng):
    matrix, vocabulary, documents = _random_corpus(rng)
    for d1, d2 in zip(documents[:6], documents[6:]):
        value = ops.word_movers_distance(d1, d2, matrix, vocabulary)
        # HiGHS and POT's network simplex agree to the LP's feasibility tolerance.
        assert value == pytest.approx(_pot_wmd(d1, d2, matrix, vocabulary), rel=1e-7, abs=1e-12)
        assert ops.word_movers_distance(d2, d1, matrix, vocabulary) == pytest.approx(value, rel=1e-7)
        assert ops.word_movers_distance(d1, d1, matrix, vocabulary) == pytest.approx(0.0, abs=1e-12)
        # The same embeddings as a mapping, and a bag with counts as weights.
        mapping = {t: matrix[i] for i, t in enumerate(vocabulary)}
        bag = {t: float(d1.count(t)) for t in set(d1)}
        assert ops.word_movers_distance(bag, d2, mapping) == pytest.approx(value, rel=1e-7)


def test_relaxed_is_a_lower_bound(rng):
    matrix, vocabulary, documents = _random_corpus(rng, docs=20)
    for i in range(20):
        for j in range(i + 1, 20):
            exact = ops.word_movers_distance(documents[i], documents[j], matrix, vocabulary)
            relaxed = ops.relaxed_word_movers_distance(documents[i], documents[j], matrix, vocabulary)
            assert 0.0 <= relaxed <= exact + 1e-12


def test_pruned_neighbours_equal_brute_force(rng):
    matrix, vocabulary, documents = _random_corpus(rng, vocab=60, docs=60)
    for query in documents[:3]:
        for k in (1, 5):
            pruned = ops.word_movers_neighbors(query, documents, matrix, vocabulary, k=k)
            brute = ops.word_movers_neighbors(query, documents, matrix, vocabulary, k=k, prune=False)
            assert pruned[0] == brute[0]
            np.testing.assert_allclose(pruned[1], brute[1], rtol=1e-12)
            assert brute[2] == 60 and pruned[2] < 60


def test_sinkhorn_method_is_close_to_exact(rng):
    matrix, vocabulary, documents = _random_corpus(rng)
    exact = ops.word_movers_distance(documents[0], documents[1], matrix, vocabulary)
    entropic = ops.word_movers_distance(documents[0], documents[1], matrix, vocabulary,
                                        method="sinkhorn", epsilon=0.01, max_iterations=2000)
    assert entropic == pytest.approx(exact, rel=2e-2)


def test_out_of_vocabulary_tokens_are_dropped_with_a_warning():
    with pytest.warns(UserWarning, match="'zebra'"):
        value = ops.word_movers_distance(["a", "zebra"], ["a"], C10)
    assert value == 0.0
    with pytest.raises(ValueError, match="`doc2`"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ops.word_movers_distance(["a"], ["zebra", "okapi"], C10)


def test_zero_vectors_do_not_give_nan():
    vectors = {"zero": [0.0, 0.0], "a": [3.0, 4.0]}
    for normalize in (False, True):
        value = ops.word_movers_distance(["zero"], ["a"], vectors, normalize=normalize)
        assert np.isfinite(value)
        assert value == pytest.approx(1.0 if normalize else 5.0)
    assert ops.word_movers_distance(["a"], ["a"], {"a": [3.0, 4.0]}, normalize=True) == 0.0


@pytest.mark.parametrize("call, name", [
    (lambda: ops.word_movers_distance("a b", ["a"], C10), "`doc1`"),
    (lambda: ops.word_movers_distance(["a"], {"a": -1.0}, C10), "`doc2`"),
    (lambda: ops.word_movers_distance(["a"], ["a"], np.eye(3)), "`vocabulary`"),
    (lambda: ops.word_movers_distance(["a"], ["a"], np.eye(2), vocabulary=["a", "b", "c"]), "`vocabulary`"),
    (lambda: ops.word_movers_distance(["a"], ["a"], C10, vocabulary=["a"]), "`vocabulary`"),
    (lambda: ops.word_movers_distance(["a"], ["b"], C10, method="fast"), "`method`"),
    (lambda: ops.word_movers_neighbors(["a"], [["a"]], C10, k=2), "`k`"),
    (lambda: ops.word_movers_neighbors(["a"], [], C10), "`documents`"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.fixture(scope="module")
def minilm():
    from keras_wass.data import load_word_embeddings

    return load_word_embeddings()


def test_paper_example_with_real_embeddings(minilm):
    # Kusner et al. (2015), Figure 1, stop words removed: the two news
    # sentences share no word yet are closer than an unrelated sentence.
    embeddings, vocabulary = minilm
    obama = "obama speaks media illinois".split()
    president = "president greets press chicago".split()
    band = "band gave concert japan".split()
    with pytest.warns(UserWarning, match="'greets'"):  # a word piece only
        near = ops.word_movers_distance(obama, president, embeddings, vocabulary)
    far = ops.word_movers_distance(obama, band, embeddings, vocabulary)
    assert near < far
    assert ops.relaxed_word_movers_distance(obama, band, embeddings, vocabulary) <= far
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        indices, _, _ = ops.word_movers_neighbors(obama, [band, president, "chef cooked pasta".split()],
                                                  embeddings, vocabulary, k=1, normalize=True)
    assert indices == [1]
