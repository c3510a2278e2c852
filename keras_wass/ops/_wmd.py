"""Word Mover's Distance between documents (Kusner et al. 2015)."""

import collections
import numbers
import warnings
from collections.abc import Mapping

import numpy as np

from keras_wass.ops._exact import emd

_METHODS = ("exact", "sinkhorn")


def check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` should be True or False. Received: {name}={value!r}")
    return bool(value)


class _Lookup:
    """Token -> vector for a mapping, or a matrix plus its vocabulary."""

    def __init__(self, embeddings, vocabulary, normalize):
        if isinstance(embeddings, Mapping):
            if vocabulary is not None:
                raise ValueError(
                    "`vocabulary` is only for a (vocab, dim) matrix of embeddings; a "
                    "mapping token -> vector already names its tokens. Received: both"
                )
            self._index = None
            self._table = embeddings
        else:
            matrix = np.asarray(embeddings, dtype=np.float64)
            if matrix.ndim != 2:
                raise ValueError(
                    "`embeddings` should be a mapping token -> vector or a (vocab, dim) "
                    f"matrix. Received: embeddings of shape {matrix.shape}"
                )
            if vocabulary is None:
                raise ValueError(
                    "`vocabulary` (the tokens of the matrix rows) is needed when "
                    "`embeddings` is a matrix. Received: vocabulary=None"
                )
            if isinstance(vocabulary, Mapping):
                index = dict(vocabulary)  # may name a subset of the rows
            else:
                vocabulary = list(vocabulary)
                if len(vocabulary) != matrix.shape[0]:
                    raise ValueError(
                        f"`vocabulary` should name one token per row of `embeddings`. "
                        f"Received: {len(vocabulary)} tokens for embeddings.shape={matrix.shape}"
                    )
                index = {token: i for i, token in enumerate(vocabulary)}
            if len(index) and max(index.values()) >= matrix.shape[0]:
                raise ValueError(
                    f"`vocabulary` names {len(index)} tokens but `embeddings` has "
                    f"{matrix.shape[0]} rows. Received: embeddings.shape={matrix.shape}"
                )
            self._index, self._table = index, matrix
        self.normalize = check_bool(normalize, "normalize")

    def __contains__(self, token):
        return token in (self._table if self._index is None else self._index)

    def vectors(self, tokens):
        if self._index is None:
            rows = [np.asarray(self._table[t], dtype=np.float64).ravel() for t in tokens]
            sizes = {r.shape[0] for r in rows}
            if len(sizes) > 1:
                raise ValueError(
                    f"`embeddings` should map every token to a vector of one size. "
                    f"Received: sizes {sorted(sizes)}"
                )
            out = np.stack(rows)
        else:
            out = self._table[[self._index[t] for t in tokens]]
        if not np.all(np.isfinite(out)):
            raise ValueError("`embeddings` should contain only finite values.")
        if self.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            # A zero vector stays zero (no 0 / 0).
            out = out / np.where(norms > 0, norms, 1.0)
        return out


def _bag(doc, name):
    """``{token: weight}`` from a token list or a weighted bag."""
    if isinstance(doc, str):
        raise ValueError(
            f"`{name}` should be a list of tokens or a mapping token -> weight, not a "
            f"string (split it into tokens first). Received: {name}={doc[:40]!r}"
        )
    if isinstance(doc, Mapping):
        bag = {}
        for token, weight in doc.items():
            if not isinstance(weight, numbers.Real) or not np.isfinite(weight) or weight < 0:
                raise ValueError(
                    f"`{name}` weights should be finite and non-negative. "
                    f"Received: {name}[{token!r}]={weight!r}"
                )
            if weight > 0:
                bag[token] = float(weight)
        return bag
    try:
        return dict(collections.Counter(doc))
    except TypeError:
        raise ValueError(
            f"`{name}` should be a list of tokens or a mapping token -> weight. "
            f"Received: {name} of type {type(doc).__name__}"
        ) from None


def prepare_documents(doc1, doc2, embeddings, vocabulary, normalize, lookup=None,
                      names=("doc1", "doc2")):
    """``(a, b, x, y)``: normalised bag-of-words weights and the word vectors;
    errors and warnings name the documents ``names``."""
    lookup = lookup or _Lookup(embeddings, vocabulary, normalize)
    out = []
    for name, doc in zip(names, (doc1, doc2)):
        bag = _bag(doc, name)
        missing = [t for t in bag if t not in lookup]
        if missing:
            shown = ", ".join(repr(t) for t in missing[:10]) + (" ..." if len(missing) > 10 else "")
            warnings.warn(
                f"{len(missing)} token(s) of `{name}` are not in the embeddings and are "
                f"dropped: {shown}",
                UserWarning,
                stacklevel=3,
            )
        tokens = [t for t in bag if t in lookup]
        weights = np.array([bag[t] for t in tokens], dtype=np.float64)
        if not tokens or weights.sum() <= 0:
            raise ValueError(
                f"`{name}` has no token with an embedding (and positive weight) left, so "
                f"its distance is undefined. Received: {name} with {len(bag)} distinct "
                f"token(s), {len(missing)} of them out of vocabulary"
            )
        out.append((weights / weights.sum(), lookup.vectors(tokens)))
    (a, x), (b, y) = out
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"word vectors should have one size. Received: {x.shape[1]} and {y.shape[1]}")
    return a, b, x, y


def _distances(x, y):
    # From the differences (documents are short): exact 0 for equal vectors.
    return np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))


def word_movers_distance(doc1, doc2, embeddings, vocabulary=None, normalize=False, *,
                         method="exact", epsilon=0.01, max_iterations=1000):
    r"""Word Mover's Distance between two documents.

    Each document is a normalised bag of words (a histogram over its distinct
    tokens) placed at the tokens' embedding vectors; the WMD is the exact
    optimal transport cost between the two with the Euclidean distance as the
    ground cost (Kusner et al. 2015):

    $$\mathrm{WMD}(d, d') = \min_{T \ge 0,\ T1 = d,\ T^\top 1 = d'}
    \sum_{ij} T_{ij}\,\lVert x_i - x'_j\rVert_2.$$

    It is 0 for a document against itself (repeated words included) and
    symmetric. Tokens without an embedding are dropped with a ``UserWarning``
    that names them. This function takes Python tokens and runs in NumPy and
    SciPy (it is not differentiable and does not run under ``jit``); for a
    differentiable loss on embedded tokens use
    `keras_wass.losses.WordMoversLoss`.

    Args:
        doc1: a list of tokens (repeats count), or a mapping token -> weight.
        doc2: the same for the second document.
        embeddings: a mapping token -> vector, or a ``(vocab, dim)`` matrix
            (then ``vocabulary`` names its rows).
        vocabulary: the tokens of the matrix rows, as a list or a mapping
            token -> row. Defaults to None.
        normalize: unit-normalise the vectors first (the distance then
            depends only on directions, like cosine similarity; a zero vector
            stays zero). Defaults to False (Kusner et al. use raw word2vec
            vectors).
        method: ``"exact"`` (linear program, `keras_wass.ops.emd`) or
            ``"sinkhorn"`` (the entropic transport cost of
            `keras_wass.ops.sinkhorn`, close to exact for small ``epsilon``).
            Defaults to ``"exact"``.
        epsilon: entropic regularisation for ``"sinkhorn"``, in the units of
            the distances. Defaults to 0.01.
        max_iterations: Sinkhorn iterations for ``"sinkhorn"``. Defaults to
            1000.

    Returns:
        The distance as a Python float, in the units of the embeddings.

    Raises:
        ValueError: a document that is a string or has negative weights, a
            document left without any embedded token, a matrix without its
            ``vocabulary`` (or the reverse), a list ``vocabulary`` whose
            length is not the number of rows, vectors of different sizes or
            non-finite values, a non-bool ``normalize``, or an unknown
            ``method``.

    Example:
        >>> from keras_wass import ops
        >>> vectors = {"king": [1.0, 0.0], "queen": [0.8, 0.6], "apple": [0.0, 1.0]}
        >>> round(ops.word_movers_distance(["king"], ["queen"], vectors), 4)
        0.6325
        >>> ops.word_movers_distance(["king", "king"], ["king"], vectors)
        0.0

    References:
        Kusner, Sun, Kolkin and Weinberger, "From Word Embeddings To Document
        Distances" (ICML 2015).
    """
    if method not in _METHODS:
        raise ValueError(f"`method` should be one of {_METHODS}. Received: method={method!r}")
    a, b, x, y = prepare_documents(doc1, doc2, embeddings, vocabulary, normalize)
    cost = _distances(x, y)
    if method == "exact":
        return float(emd(a, b, cost))
    from keras_wass.ops._sinkhorn import sinkhorn
    from keras import ops as kops

    value = sinkhorn(a, b, epsilon=epsilon, cost_matrix=cost, max_iterations=max_iterations)
    return float(kops.convert_to_numpy(value))


def _relaxed(a, b, cost):
    return float(max(a @ cost.min(axis=1), b @ cost.min(axis=0)))


def relaxed_word_movers_distance(doc1, doc2, embeddings, vocabulary=None, normalize=False):
    r"""The relaxed Word Mover's Distance (RWMD), a lower bound of the WMD.

    Dropping one of the two marginal constraints of the WMD lets every word
    travel to its nearest word in the other document; the larger of the two
    one-sided relaxations is the RWMD of Kusner et al. (2015):

    $$\mathrm{RWMD} = \max\Bigl(\sum_i d_i \min_j c_{ij},\
    \sum_j d'_j \min_i c_{ij}\Bigr) \le \mathrm{WMD}.$$

    It costs one distance matrix (no linear program), which makes it the
    pruning bound of `keras_wass.ops.word_movers_neighbors`. Arguments and
    out-of-vocabulary handling are those of
    `keras_wass.ops.word_movers_distance`; NumPy only, not under ``jit``.

    Args:
        doc1: a list of tokens, or a mapping token -> weight.
        doc2: the same for the second document.
        embeddings: a mapping token -> vector, or a ``(vocab, dim)`` matrix.
        vocabulary: the tokens of the matrix rows. Defaults to None.
        normalize: unit-normalise the vectors first. Defaults to False.

    Returns:
        The lower bound as a Python float.

    Raises:
        ValueError: as `keras_wass.ops.word_movers_distance`.

    Example:
        >>> from keras_wass import ops
        >>> vectors = {"a": [0.0], "b": [1.0], "c": [3.0]}
        >>> ops.relaxed_word_movers_distance(["a", "c"], ["b"], vectors)
        1.5

    References:
        Kusner, Sun, Kolkin and Weinberger, "From Word Embeddings To Document
        Distances" (ICML 2015), Section 4.
    """
    a, b, x, y = prepare_documents(doc1, doc2, embeddings, vocabulary, normalize)
    return _relaxed(a, b, _distances(x, y))


def word_movers_neighbors(query, documents, embeddings, vocabulary=None, k=1, normalize=False,
                          prune=True):
    r"""The ``k`` documents nearest to ``query`` in Word Mover's Distance.

    As in Kusner et al. (2015): the documents are visited in order of their
    word-centroid distance (a cheap lower bound); the first ``k`` get their
    exact WMD, and each later one is skipped when its relaxed WMD (a tighter
    lower bound) is already at least the current ``k``-th best distance,
    otherwise its exact WMD is computed. Since both bounds are lower bounds,
    the neighbours are exactly those of a brute-force search; pruning only
    saves linear programs. NumPy and SciPy only (not under ``jit``).

    Args:
        query: a list of tokens, or a mapping token -> weight.
        documents: a list of documents in the same form.
        embeddings: a mapping token -> vector, or a ``(vocab, dim)`` matrix.
        vocabulary: the tokens of the matrix rows. Defaults to None.
        k: number of neighbours, ``1 <= k <= len(documents)``. Defaults to 1.
        normalize: unit-normalise the vectors first. Defaults to False.
        prune: skip documents by their RWMD bound. Defaults to True
            (``False`` computes every exact WMD: the brute-force reference).

    Returns:
        ``(indices, distances, exact_count)``: the indices into ``documents``
        of the ``k`` nearest, nearest first, their WMDs, and the number of
        exact WMDs that were computed.

    Raises:
        ValueError: ``k`` out of range, an empty ``documents`` list, a non-bool
            ``prune``, or anything `keras_wass.ops.word_movers_distance`
            rejects.

    Example:
        >>> from keras_wass import ops
        >>> vectors = {"a": [0.0], "b": [1.0], "c": [5.0]}
        >>> indices, distances, _ = ops.word_movers_neighbors(["a"], [["c"], ["b"], ["a", "c"]], vectors, k=2)
        >>> print(*indices)  # documents 1 and 2
        1 2

    References:
        Kusner, Sun, Kolkin and Weinberger, "From Word Embeddings To Document
        Distances" (ICML 2015), Section 4.
    """
    documents = list(documents)
    if not documents:
        raise ValueError("`documents` should hold at least one document. Received: an empty list")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= len(documents):
        raise ValueError(
            f"`k` should be an integer in [1, len(documents)={len(documents)}]. Received: k={k!r}"
        )
    prune = check_bool(prune, "prune")
    lookup = _Lookup(embeddings, vocabulary, normalize)
    problems = []
    for i, doc in enumerate(documents):
        a, b, x, y = prepare_documents(query, doc, None, None, normalize, lookup=lookup,
                                       names=("query", f"documents[{i}]"))
        problems.append((a, b, x, y))
    centroid = [float(np.linalg.norm(a @ x - b @ y)) for a, b, x, y in problems]
    order = np.argsort(centroid, kind="stable") if prune else np.arange(len(documents))
    best = []  # (distance, index)
    exact_count = 0
    for index in order:
        a, b, x, y = problems[index]
        cost = _distances(x, y)
        if prune and len(best) >= k:
            kth = best[k - 1][0]
            if centroid[index] >= kth:
                break  # every later document has a centroid bound >= kth too
            if _relaxed(a, b, cost) >= kth:
                continue
        best.append((float(emd(a, b, cost)), int(index)))
        exact_count += 1
        best.sort()
        best = best[:k]
    return [i for _, i in best], [d for d, _ in best], exact_count
