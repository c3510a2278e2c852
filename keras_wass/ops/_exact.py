"""Exact optimal transport for small problems (SciPy's HiGHS LP solver)."""

import numpy as np

from keras_wass.ops import _checks


def _as_numpy(x, name, ndim):
    try:
        if isinstance(x, (np.ndarray, list, tuple)):
            values = np.asarray(x, dtype=np.float64)  # NumPy input: full precision
        else:
            values = np.asarray(
                _checks.concrete(_checks.to_tensor(x, name)), dtype=np.float64
            )
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` should be a concrete numeric array (emd runs in NumPy, "
            f"not under jit). Received: {name} of type {type(x).__name__}"
        ) from None
    if values.ndim != ndim:
        raise ValueError(
            f"`{name}` should have rank {ndim}. Received: {name}.shape={values.shape}"
        )
    if values.size == 0:
        raise ValueError(f"`{name}` should not be empty. Received: {name}.shape={values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"`{name}` should contain only finite values.")
    return values


def emd(a, b, cost_matrix, return_plan=False):
    r"""Exact optimal transport cost between two histograms (linear program).

    $$\min_{P \ge 0,\ P 1 = a,\ P^\top 1 = b} \langle P, C\rangle$$

    solved with SciPy's HiGHS solver. Weights are normalised to sum 1. Meant
    for small problems (a few hundred points per side) and as the reference
    for the entropic solvers; it runs in NumPy, is not differentiable and
    does not run under ``jit``.

    Args:
        a: non-negative weights ``(n,)`` with a positive sum.
        b: non-negative weights ``(m,)`` with a positive sum.
        cost_matrix: ``(n, m)`` ground cost (for ``W_p^p`` between point
            clouds, ``|x_i - y_j|^p``).
        return_plan: also return the optimal plan ``(n, m)``. Defaults to
            False.

    Returns:
        The optimal cost as a NumPy float64 scalar (in the units of the cost,
        e.g. ``W_p^p``), or ``(cost, plan)`` when ``return_plan``.

    Raises:
        ValueError: negative or zero-sum weights, non-finite values, shapes
            that do not match the cost matrix, or a solver failure.

    Example:
        >>> from keras_wass import ops
        >>> float(ops.emd([0.5, 0.5], [0.5, 0.5], [[0.0, 1.0], [1.0, 0.0]]))
        0.0

    References:
        Kantorovich, "On the translocation of masses" (1942).
        Peyre and Cuturi, "Computational Optimal Transport" (2019),
        arXiv:1803.00567, Chapter 3.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    a = _as_numpy(a, "a", 1)
    b = _as_numpy(b, "b", 1)
    cost = _as_numpy(cost_matrix, "cost_matrix", 2)
    if cost.shape != (a.size, b.size):
        raise ValueError(
            f"`cost_matrix` should have shape (len(a), len(b)) = "
            f"({a.size}, {b.size}). Received: cost_matrix.shape={cost.shape}"
        )
    for name, w in (("a", a), ("b", b)):
        if np.any(w < 0):
            raise ValueError(f"`{name}` should be non-negative. Received: {name} with minimum {w.min()}")
        if w.sum() <= 0:
            raise ValueError(f"`{name}` should have a positive sum. Received: {name} summing to {w.sum()}")
    a, b = a / a.sum(), b / b.sum()
    n, m = cost.shape
    rows = np.repeat(np.arange(n), m)
    cols = np.arange(n * m)
    row_sums = coo_matrix((np.ones(n * m), (rows, cols)), shape=(n, n * m))
    col_sums = coo_matrix((np.ones(n * m), (np.tile(np.arange(m), n), cols)), shape=(m, n * m))
    constraints = vstack([row_sums, col_sums]).tocsr()
    # One marginal constraint is redundant; HiGHS handles it.
    result = linprog(
        cost.ravel(), A_eq=constraints, b_eq=np.concatenate([a, b]),
        bounds=(0, None), method="highs",
    )
    if not result.success:
        raise ValueError(f"emd: the linear program failed: {result.message}")
    value = np.float64(np.dot(cost.ravel(), result.x))
    if return_plan:
        return value, result.x.reshape(n, m)
    return value
