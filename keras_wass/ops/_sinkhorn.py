"""Entropic optimal transport: log-domain Sinkhorn with epsilon scaling.

The maths is split as in POT and OTT-JAX: a *geometry* (the cost, either a
dense matrix or computed block by block from the point clouds), a *solver
loop* (log-domain soft-min updates of the dual potentials with epsilon
scaling) and the *outputs* (transport cost, entropic objective, plan,
potentials), whose gradients come from the final potentials rather than from
the iterations.
"""

import numbers

import keras
import numpy as np
from keras import ops

from keras_wass import backend
from keras_wass.ops import _checks
from keras_wass.ops._sliced import prepare_clouds

_NEG = -1e30  # log of a zero weight: exp() of it is exactly 0, never NaN
_MAX_LOG = 80.0  # exp() arguments are clipped here (e^80 is finite in float32)
_ONLINE_ENTRIES = 2**24  # auto mode: above this many cost entries, go online
_BLOCK_ENTRIES = 2**22  # online mode: cost entries held at once (16 MiB in float32)
_STALL = 80  # Anderson: iterations without halving the best error before falling back to plain steps


def _log_weights(w):
    positive = w > 0
    return ops.where(positive, ops.log(ops.where(positive, w, ops.ones_like(w))), _NEG)


def pairwise_cost(x, y, p):
    """``|x_i - y_j|^p`` for clouds ``(..., n, d)``, ``(..., m, d)`` -> ``(..., n, m)``.

    Squared distances come from ``|x|^2 + |y|^2 - 2 x.y`` (clamped at 0); the
    root is guarded, so gradients are finite at ``x_i = y_j``.
    """
    xx = ops.sum(ops.square(x), axis=-1)[..., :, None]
    yy = ops.sum(ops.square(y), axis=-1)[..., None, :]
    squared = _checks.clamp_min(xx + yy - 2.0 * _checks.matmul(x, ops.swapaxes(y, -1, -2)), 0.0)
    if p == 2.0:
        return squared
    distance = _checks.safe_sqrt(squared)
    return distance if p == 1.0 else _checks.abs_power(distance, p)


def _lse_rows(log_w, h, cost, eps):
    """``log sum_j exp(log_w_j + (h_j - C_ij) / eps)`` for each row i."""
    return ops.logsumexp(log_w[..., None, :] + (h[..., None, :] - cost) / eps, axis=-1)


def _spd_solve(matrix, rhs):
    """Solves ``matrix @ x = rhs`` for small symmetric positive definite ``(..., k, k)``.

    An unrolled Cholesky factorisation in elementwise ops: for the tiny
    Anderson systems it is much cheaper than a batched LAPACK call per
    iteration (PyTorch's takes about 10 ms on a CPU), and it compiles
    everywhere.
    """
    k = matrix.shape[-1]
    lower = [[None] * k for _ in range(k)]
    for j in range(k):
        diagonal = matrix[..., j, j] - sum((lower[j][t] ** 2 for t in range(j)), 0.0)
        lower[j][j] = ops.sqrt(_checks.clamp_min(diagonal, 0.0) + 1e-30)
        for i in range(j + 1, k):
            off = matrix[..., i, j] - sum((lower[i][t] * lower[j][t] for t in range(j)), 0.0)
            lower[i][j] = off / lower[j][j]
    z = [None] * k
    for i in range(k):
        z[i] = (rhs[..., i] - sum((lower[i][t] * z[t] for t in range(i)), 0.0)) / lower[i][i]
    x = [None] * k
    for i in reversed(range(k)):
        x[i] = (z[i] - sum((lower[t][i] * x[t] for t in range(i + 1, k)), 0.0)) / lower[i][i]
    return ops.stack(x, axis=-1)


# --- geometries --------------------------------------------------------------


class DenseGeometry:
    """A cost matrix ``(..., n, m)`` held in memory."""

    online = False

    def __init__(self, cost):
        self.cost = cost

    def max_cost(self):
        return ops.max(ops.stop_gradient(self.cost))

    def softmin_rows(self, log_b, g, eps):
        """``-eps log sum_j b_j exp((g_j - C_ij) / eps)``: shape ``(..., n)``."""
        return -eps * _lse_rows(log_b, g, ops.stop_gradient(self.cost), eps)

    def softmin_cols(self, log_a, f, eps):
        cost_t = ops.swapaxes(ops.stop_gradient(self.cost), -1, -2)
        return -eps * _lse_rows(log_a, f, cost_t, eps)

    def log_plan(self, log_a, log_b, f, g, eps, cost=None):
        cost = self.cost if cost is None else cost
        return log_a[..., :, None] + log_b[..., None, :] + (f[..., :, None] + g[..., None, :] - cost) / eps

    def sums(self, log_a, log_b, f, g, eps):
        """``(sum P, <P, C>)`` of the plan of ``(f, g)``, no gradient."""
        cost = ops.stop_gradient(self.cost)
        plan = ops.exp(_checks.clamp_max(self.log_plan(log_a, log_b, f, g, eps, cost), _MAX_LOG))
        return ops.sum(plan, axis=(-2, -1)), ops.sum(plan * cost, axis=(-2, -1))


class OnlineGeometry:
    """The cost ``|x_i - y_j|^p`` of two clouds, computed block by block.

    No ``(n, m)`` matrix is ever held: each soft-min runs over blocks of
    rows (or columns) with ``ops.map``, holding ``block x m`` entries at a
    time. Gradients with respect to the points are assembled from blockwise
    sums too (envelope theorem), so the backward pass does not store the
    blocks either.
    """

    online = True

    def __init__(self, x, y, p, block_size=None):
        self.x, self.y, self.p = x, y, p
        n, m = x.shape[-2], y.shape[-2]
        batch = int(np.prod([s for s in x.shape[:-2] if s is not None]))
        if block_size is None:
            block_size = max(1, _BLOCK_ENTRIES // max(batch * max(n, m), 1))
        self.block_size = int(block_size)

    def max_cost(self):
        # An upper bound of the largest cost: (radius about the mean)^p, doubled.
        x, y = ops.stop_gradient(self.x), ops.stop_gradient(self.y)
        centre = 0.5 * (_checks.mean(x, axis=-2, keepdims=True) + _checks.mean(y, axis=-2, keepdims=True))
        rx = ops.max(ops.sqrt(ops.sum(ops.square(x - centre), axis=-1)))
        ry = ops.max(ops.sqrt(ops.sum(ops.square(y - centre), axis=-1)))
        return _checks.power(rx + ry, self.p)

    def _blocks(self, points, extras):
        """Pads the point axis (-2) to whole blocks; puts the block axis first."""
        n = points.shape[-2]
        size = min(self.block_size, n)
        count = -(-n // size)
        pad = count * size - n
        lead = tuple(points.shape[:-2])

        def split(t, fill):
            # t has shape lead + (n,) + tail
            tail = tuple(t.shape[len(lead) + 1:])
            if pad:
                filler = ops.full(lead + (pad,) + tail, fill, dtype=t.dtype)
                t = ops.concatenate([t, filler], axis=len(lead))
            t = ops.reshape(t, lead + (count, size) + tail)
            return ops.moveaxis(t, len(lead), 0)

        blocks = [split(points, 0.0)] + [split(t, fill) for t, fill in extras]
        return blocks, n

    @staticmethod
    def _unblock(t, n, lead_rank):
        # (count, *lead, size, *tail) -> (*lead, n, *tail)
        t = ops.moveaxis(t, 0, lead_rank)
        shape = tuple(t.shape)
        t = ops.reshape(t, shape[:lead_rank] + (shape[lead_rank] * shape[lead_rank + 1],) + shape[lead_rank + 2:])
        return t[(slice(None),) * lead_rank + (slice(0, n),)]

    def _map_rows(self, rows, cols, fn, extras=()):
        """``fn(row_block, *extra_blocks) -> (..., size, *tail)`` over blocks of ``rows``."""
        rows = ops.stop_gradient(rows)
        blocks, n = self._blocks(rows, extras)
        del cols
        out = ops.map(lambda args: fn(*args), tuple(blocks))
        return self._unblock(out, n, len(rows.shape) - 2)

    def _cost(self, rows, cols):
        return pairwise_cost(rows, cols, self.p)

    def softmin_rows(self, log_b, g, eps):
        y = ops.stop_gradient(self.y)
        return self._map_rows(
            self.x, y, lambda xb: -eps * _lse_rows(log_b, g, self._cost(xb, y), eps)
        )

    def softmin_cols(self, log_a, f, eps):
        x = ops.stop_gradient(self.x)
        return self._map_rows(
            self.y, x, lambda yb: -eps * _lse_rows(log_a, f, self._cost(yb, x), eps)
        )

    def _row_sums(self, log_a, log_b, f, g, eps):
        """Per row i: ``(sum_j P_ij, sum_j P_ij C_ij)``."""
        y = ops.stop_gradient(self.y)

        def block(xb, log_ab, fb):
            cost = self._cost(xb, y)
            log_plan = log_ab[..., :, None] + log_b[..., None, :] + (fb[..., :, None] + g[..., None, :] - cost) / eps
            plan = ops.exp(_checks.clamp_max(log_plan, _MAX_LOG))
            return ops.stack([ops.sum(plan, axis=-1), ops.sum(plan * cost, axis=-1)], axis=-1)

        out = self._map_rows(self.x, y, block, extras=((log_a, _NEG), (f, 0.0)))
        return out[..., 0], out[..., 1]

    def sums(self, log_a, log_b, f, g, eps):
        mass, transport = self._row_sums(log_a, log_b, f, g, eps)
        return ops.sum(mass, axis=-1), ops.sum(transport, axis=-1)

    def point_gradients(self, log_a, log_b, f, g, eps):
        """``sum_j P_ij d C_ij / d x_i`` and ``sum_i P_ij d C_ij / d y_j``."""
        x, y, p = ops.stop_gradient(self.x), ops.stop_gradient(self.y), self.p

        def side(rows, cols, log_r, log_c, h_r, h_c):
            def block(rb, log_rb, hb):
                cost = self._cost(rb, cols)
                log_plan = log_rb[..., :, None] + log_c[..., None, :] + (hb[..., :, None] + h_c[..., None, :] - cost) / eps
                plan = ops.exp(_checks.clamp_max(log_plan, _MAX_LOG))
                if p == 2.0:
                    weight = 2.0 * plan
                else:
                    distance = _checks.safe_sqrt(pairwise_cost(rb, cols, 2.0))
                    positive = distance > 0
                    safe = ops.where(positive, distance, ops.ones_like(distance))
                    weight = ops.where(positive, p * plan * _checks.power(safe, p - 2.0), 0.0)
                # sum_j W_ij (r_i - c_j)
                return ops.sum(weight, axis=-1)[..., None] * rb - _checks.matmul(weight, cols)

            return self._map_rows(rows, cols, block, extras=((log_r, _NEG), (h_r, 0.0)))

        return side(x, y, log_a, log_b, f, g), side(y, x, log_b, log_a, g, f)


# --- the solver loop ----------------------------------------------------------


def solve_potentials(geometry, a, b, epsilon, max_iterations, tolerance, rho=None, scaling=0.5,
                     memory=5, regularization=1e-2, symmetric=False):
    """Log-domain Sinkhorn with epsilon scaling and Anderson acceleration (no gradient through the loop).

    One iteration is a full Sinkhorn update of the potentials,
    ``g = softmin_cols(f)`` then ``f <- T(f) = softmin_rows(g)``. The
    temperature starts at the largest cost and is multiplied by ``scaling`` at
    every iteration until it reaches ``epsilon``. At ``epsilon`` the fixed
    point ``f = T(f)`` is Anderson-accelerated (type II, Walker and Ni 2011):
    the next ``f`` combines the last ``memory`` iterates with weights that
    minimise the norm of their residuals ``T(f) - f`` (a small least-squares
    problem, Tikhonov-regularised by ``regularization`` times its scale), so
    the slow modes that make plain Sinkhorn take thousands of iterations at
    small epsilon are removed together. A step that makes the marginal error
    more than ten times worse than the best seen, or non-finite, is undone:
    the history is cleared and the loop restarts with a plain step from the
    best iterate. Anderson iterates can also stagnate (on some problems a
    rounding-level change of the cost decides it): when the best error has
    not halved in ``_STALL`` accelerated iterations (and is still above ten
    times ``tolerance``), that batch entry
    continues from the best iterate with plain steps, which always make
    progress, to the end. ``memory=0`` is plain Sinkhorn. The loop stops when the L1 error
    of the plan's marginals (against ``a`` and ``b``, or, for unbalanced
    transport, against the marginals that the KL penalty makes optimal) is at
    most ``tolerance`` in every batch entry, or after ``max_iterations``.

    ``symmetric=True`` (a problem against itself: the same points and weights
    on both sides, as in the debiasing terms) iterates the averaged update
    ``T(f) = (f + softmin(f)) / 2`` of Feydy et al. (2019) instead, with
    ``g = f``: the alternating updates oscillate on such problems.

    Returns:
        ``(f, g, iterations, error)``: potentials with
        ``P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)``, the iterations used
        and the final L1 marginal error (the largest over the batch).
    """
    a, b = ops.stop_gradient(a), ops.stop_gradient(b)
    log_a, log_b = _log_weights(a), _log_weights(b)
    dtype = a.dtype
    eps_final = ops.convert_to_tensor(epsilon, dtype=dtype)
    eps_start = _checks.maximum(ops.cast(geometry.max_cost(), dtype), eps_final)
    factor = ops.convert_to_tensor(scaling, dtype=dtype)
    memory = int(memory)
    # The balanced map commutes with adding a constant to f (g moves the other
    # way); residuals are compared with that direction removed.
    gauge = rho is None and not symmetric

    def temperature(i):
        return _checks.maximum(eps_final, eps_start * ops.power(factor, ops.cast(i, dtype)))

    def damping(eps):
        return 1.0 if rho is None else 1.0 / (1.0 + eps / rho)

    def row_error(f, s, eps):
        # Row sums of the plan of (f, g) are a_i exp((f_i - s_i) / eps), s the soft-min of g.
        rows = a * ops.exp(ops.clip((f - s) / eps, -_MAX_LOG, _MAX_LOG))
        target = a if rho is None else a * ops.exp(ops.clip(-f / rho, -_MAX_LOG, _MAX_LOG))
        return ops.sum(ops.abs(rows - target), axis=-1)

    def step(f, eps):
        """``(T(f), per-sample marginal error of the plan of f)``."""
        if symmetric:
            s = damping(eps) * geometry.softmin_rows(log_b, f, eps)
            return 0.5 * (f + s), row_error(f, s / damping(eps), eps)
        g = damping(eps) * geometry.softmin_cols(log_a, f, eps)
        s = damping(eps) * geometry.softmin_rows(log_b, g, eps)
        return s, row_error(f, s / damping(eps), eps)

    def anderson(i, f, r, count, xs, rs):
        """The accelerated iterate from ``f``, its residual and the history."""
        slots = ops.arange(memory, dtype="int32")
        age = ops.mod(i - 1 - slots, memory)
        valid = age < count[..., None]  # (..., memory)
        mask = ops.cast(valid, dtype)[..., None]
        dx = (xs - f[..., None, :]) * mask
        dr = (rs - r[..., None, :]) * mask
        gram = _checks.matmul(dr, ops.swapaxes(dr, -1, -2))
        scale = ops.sum(ops.sum(dr * dr, axis=-1), axis=-1) / memory
        ridge = regularization * scale + np.finfo(np.dtype(keras.backend.standardize_dtype(dtype))).tiny * 1e3
        eye = ops.eye(memory, dtype=dtype)
        gram = gram + eye * ridge[..., None, None] + eye * (1.0 - ops.cast(valid, dtype))[..., None, :]
        rhs = -_checks.matmul(dr, r[..., :, None])
        gamma = _spd_solve(gram, rhs[..., 0]) * ops.cast(valid, dtype)
        return f + r + _checks.matmul(gamma[..., None, :], dx + dr)[..., 0, :]

    def cond(i, f, error, *_):
        annealing = temperature(i) > eps_final
        return ops.logical_and(i < max_iterations, ops.logical_or(annealing, error > tolerance))

    def body(i, f, error, count, xs, rs, best_error, best_f, best_next, mark, since):
        eps = temperature(i)
        new, errors = step(f, eps)
        error = ops.max(errors)
        at_final = eps <= eps_final
        if memory == 0:
            return i + 1, new, error, count, xs, rs, best_error, best_f, best_next, mark, since
        r = new - f
        if gauge:
            r = r - _checks.mean(r, axis=-1, keepdims=True)
        accelerated = anderson(i, f, r, count, xs, rs)
        finite = ops.all(ops.isfinite(accelerated), axis=-1)
        improved = errors <= best_error
        best_error = ops.where(improved, errors, best_error)
        best_f = ops.where(improved[..., None], f, best_f)
        best_next = ops.where(improved[..., None], new, best_next)
        # Stagnation: no halving of the best error in _STALL iterations.
        # Near the tolerance (where rounding sets a floor) it is not a stall.
        progress = ops.logical_or(best_error <= 0.5 * mark, best_error <= 10.0 * tolerance)
        mark = ops.where(progress, best_error, mark)
        since = ops.where(ops.logical_or(progress, count < 0), ops.zeros_like(since), since + 1)
        stalled = since >= _STALL
        since = ops.where(stalled, ops.zeros_like(since), since)
        blown = ops.logical_or(errors > 10.0 * best_error, ops.logical_not(ops.isfinite(errors)))
        restart = ops.logical_or(ops.logical_or(blown, stalled), ops.logical_not(at_final))
        # Plain steps while annealing and after a restart; the history holds
        # iterates at the final epsilon only.
        plain = ops.where(ops.logical_or(blown, stalled)[..., None], best_next, new)
        f_next = ops.where(ops.logical_or(restart, ops.logical_not(finite))[..., None], plain, accelerated)
        write = ops.equal(ops.arange(memory, dtype="int32"), ops.mod(i, memory))[..., :, None]
        xs = ops.where(write, f[..., None, :], xs)
        rs = ops.where(write, r[..., None, :], rs)
        # A negative count (after a stall) means plain steps to the end.
        count = ops.where(ops.logical_or(stalled, count < 0), ops.zeros_like(count) - 1,
                          ops.where(restart, ops.zeros_like(count), ops.minimum(count + 1, memory)))
        # Stop on the best iterate's error: the solver returns that iterate.
        error = ops.where(at_final, ops.max(best_error), error)
        best_error = ops.where(at_final, best_error, np.inf)
        mark = ops.where(at_final, mark, np.inf)
        since = ops.where(at_final, since, ops.zeros_like(since))
        return i + 1, f_next, error, count, xs, rs, best_error, best_f, best_next, mark, since

    f = ops.zeros(ops.shape(a), dtype=dtype)
    inf = ops.convert_to_tensor(np.inf, dtype=dtype)
    zero = ops.convert_to_tensor(0, "int32")
    history = f[..., None, :] + ops.zeros((max(memory, 1), 1), dtype=dtype)
    count = ops.zeros_like(a[..., 0], dtype="int32")
    start = (zero, f, inf, count, history, history, ops.zeros_like(a[..., 0]) + inf, f, f,
             ops.zeros_like(a[..., 0]) + inf, count)
    iterations, f, _, _, _, _, best_error, best_f, _, _, _ = ops.while_loop(
        cond, body, start, maximum_iterations=max_iterations)
    if memory:
        # The accelerated iterates are not monotone: end on the best one (the
        # g-update below gives exactly the plan whose error it had).
        f = ops.where(ops.isfinite(best_error)[..., None], best_f, f)
    # A last plain g-update at epsilon: the plan's column sums are then exact
    # (so its mass is finite) even when the budget ended during annealing.
    if symmetric:
        f = 0.5 * (f + damping(eps_final) * geometry.softmin_rows(log_b, f, eps_final))
    g = damping(eps_final) * geometry.softmin_cols(log_a, f, eps_final)
    error = ops.max(row_error(f, geometry.softmin_rows(log_b, g, eps_final), eps_final))
    return ops.stop_gradient(f), ops.stop_gradient(g), iterations, ops.stop_gradient(error)


# --- outputs --------------------------------------------------------------------


def _dual_terms(a, b, f, g, rho):
    """``<a, phi(f)> + <b, phi(g)>``: phi is the identity (balanced) or the
    unbalanced conjugate ``-rho (exp(-f / rho) - 1)``."""
    if rho is None:
        return ops.sum(a * f, axis=-1) + ops.sum(b * g, axis=-1)
    phi = lambda h: -rho * (ops.exp(ops.clip(-h / rho, -_MAX_LOG, _MAX_LOG)) - 1.0)  # noqa: E731
    return ops.sum(a * phi(f), axis=-1) + ops.sum(b * phi(g), axis=-1)


def _stop(t):
    return ops.stop_gradient(t)


def _linear(value, grad, variable):
    """Adds ``<grad, variable - stop(variable)>``: zero in value, ``grad`` in gradient."""
    axes = tuple(range(len(value.shape), len(variable.shape)))
    return value + ops.sum(_stop(grad) * (variable - _stop(variable)), axis=axes)


def _implicit_adjoint(plan, kernel_rows, kernel_cols, cost, b):
    """Solves the linearised marginal equations for the transport cost's gradient.

    With ``u = (P * C) 1`` and ``v = (P * C)^T 1``, ``[lam, mu]`` solves
    ``[[diag(a), P], [P^T, diag(b)]] [lam; mu] = [u; v]`` (by its Schur
    complement on the columns, with the constant gauge direction fixed). Then
    ``d<P, C>/dC = P (1 + (lam_i + mu_j - C_ij) / eps)``, ``d/da = lam`` and
    ``d/db = mu`` exactly (implicit function theorem at the fixed point).
    ``kernel_rows = P / a`` row-wise and ``kernel_cols = P / b`` column-wise,
    both well defined for zero-mass rows and columns, where they give the
    derivative of adding mass there.
    """
    m = plan.shape[-1]
    plan_t = ops.swapaxes(plan, -1, -2)
    v = ops.sum(plan * cost, axis=-2)
    kc = ops.sum(kernel_rows * cost, axis=-1)  # u / a
    empty = ops.cast(b <= 0, plan.dtype)
    support = 1.0 - empty
    # diag(b) - P^T diag(1/a) P, + identity on empty columns, + 1 1^T on the support.
    schur = ops.eye(m, dtype=plan.dtype) * (b + empty)[..., None, :] - _checks.matmul(plan_t, kernel_rows)
    schur = schur + support[..., :, None] * support[..., None, :]
    # A tiny ridge keeps the solve defined when columns coincide (duplicated
    # points); it picks the smallest solution and changes nothing else.
    double = keras.backend.standardize_dtype(plan.dtype) == "float64"
    ridge = (1e-12 if double else 1e-6) * _checks.mean(b, axis=-1, keepdims=True)
    schur = schur + ops.eye(m, dtype=plan.dtype) * ridge[..., None]
    rhs = v - _checks.matmul(plan_t, kc[..., None])[..., 0]
    mu = ops.solve(schur, rhs[..., None])[..., 0] * support
    lam = kc - _checks.matmul(kernel_rows, mu[..., None])[..., 0]
    # mu from the column equations: the same on the support, right on empty columns.
    mu = ops.sum(kernel_cols * (cost - lam[..., :, None]), axis=-2)
    return lam, mu


def entropic_outputs(geometry, a, b, f, g, epsilon, rho=None, transport_gradient="implicit",
                     want_plan=False):
    """Transport cost, entropic objective and plan from fixed potentials.

    The objective is the dual value
    ``D = <a, phi(f)> + <b, phi(g)> - eps (sum P - 1)``; with ``f``, ``g`` held
    fixed its gradient is the exact gradient of the entropic OT value (envelope
    theorem): ``P`` for the cost, ``f - eps P1/a`` for ``a``, ``g - eps P^T1/b``
    for ``b``. The transport cost ``<P, C>`` takes the exact implicit gradient
    (``transport_gradient="implicit"``, dense balanced problems) or the
    objective's (``"envelope"``: it differs by a term of order ``epsilon``).

    Returns:
        ``(transport, objective, plan or None)``.
    """
    log_a, log_b = _log_weights(a), _log_weights(b)
    if not geometry.online:
        cost = geometry.cost
        log_plan = geometry.log_plan(log_a, log_b, f, g, epsilon)
        plan = ops.exp(_checks.clamp_max(log_plan, _MAX_LOG))  # differentiable in a, b, C
        mass = ops.sum(plan, axis=(-2, -1))
        objective = _dual_terms(a, b, f, g, rho) - epsilon * (mass - 1.0)
        transport_value = ops.sum(_stop(plan) * _stop(cost), axis=(-2, -1))
        if transport_gradient == "implicit" and rho is None:
            p_, c_ = _stop(plan), _stop(cost)
            core = (f[..., :, None] + g[..., None, :] - c_) / epsilon
            kernel_rows = ops.exp(_checks.clamp_max(_stop(log_b)[..., None, :] + core, _MAX_LOG))
            kernel_cols = ops.exp(_checks.clamp_max(_stop(log_a)[..., :, None] + core, _MAX_LOG))
            lam, mu = _implicit_adjoint(p_, kernel_rows, kernel_cols, c_, _stop(b))
            weight = p_ * (1.0 + (lam[..., :, None] + mu[..., None, :] - _stop(cost)) / epsilon)
            transport = _linear(transport_value, weight, cost)
            transport = _linear(transport, lam, a)
            transport = _linear(transport, mu, b)
        else:
            transport = transport_value + objective - _stop(objective)
        return transport, objective, (plan if want_plan else None)

    # Online: every sum is blockwise and gradient-free; gradients are added
    # explicitly (envelope theorem) so that nothing n x m is stored.
    mass, transport_value, s_rows, s_cols, grad_x, grad_y = _online_terms_fast(
        _stop(geometry.x), _stop(geometry.y), _stop(a), _stop(b), f, g,
        p=geometry.p, block_size=geometry.block_size, epsilon=epsilon,
    )
    objective = _dual_terms(_stop(a), _stop(b), f, g, rho) - epsilon * (mass - 1.0)
    ratio_rows = ops.exp(ops.clip((f - s_rows) / epsilon, -_MAX_LOG, _MAX_LOG))  # (P1)_i / a_i
    ratio_cols = ops.exp(ops.clip((g - s_cols) / epsilon, -_MAX_LOG, _MAX_LOG))
    if rho is None:
        grad_a, grad_b = f - epsilon * ratio_rows, g - epsilon * ratio_cols
    else:
        phi_prime = lambda h: ops.exp(ops.clip(-h / rho, -_MAX_LOG, _MAX_LOG)) * -rho + rho  # noqa: E731
        grad_a, grad_b = phi_prime(f) - epsilon * ratio_rows, phi_prime(g) - epsilon * ratio_cols
    objective = _linear(objective, grad_a, a)
    objective = _linear(objective, grad_b, b)
    objective = _linear(objective, grad_x, geometry.x)
    objective = _linear(objective, grad_y, geometry.y)
    transport = transport_value + objective - _stop(objective)
    return transport, objective, None


def _online_terms(x, y, a, b, f, g, *, p, block_size, epsilon):
    """Blockwise sums of an online plan: mass, transport cost, soft-mins and
    the envelope gradients with respect to the points (no gradient through)."""
    geometry = OnlineGeometry(x, y, p, block_size)
    log_a, log_b = _log_weights(a), _log_weights(b)
    mass, transport = geometry.sums(log_a, log_b, f, g, epsilon)
    s_rows = geometry.softmin_rows(log_b, g, epsilon)
    s_cols = geometry.softmin_cols(log_a, f, epsilon)
    grad_x, grad_y = geometry.point_gradients(log_a, log_b, f, g, epsilon)
    return mass, transport, s_rows, s_cols, grad_x, grad_y


_online_terms_fast = backend.compile_when_eager(_online_terms, ("p", "block_size", "epsilon"))


# --- argument checks and problem set-up -------------------------------------------


def _check_positive(value, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not np.isfinite(value) or value <= 0):
        raise ValueError(f"`{name}` should be a positive number. Received: {name}={value!r}")
    return float(value)


def _check_tolerance(tolerance):
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance >= 0:
        raise ValueError(f"`tolerance` should be a number >= 0. Received: tolerance={tolerance!r}")
    return float(tolerance)


def _check_online(online):
    if online is None or isinstance(online, bool):
        return online
    if isinstance(online, numbers.Integral) and online >= 1:
        return int(online)
    raise ValueError(
        "`online` should be None (automatic), True, False or a block size >= 1. "
        f"Received: online={online!r}"
    )


def _prepare_histograms(x, y, cost_matrix):
    a = _checks.to_tensor(x, "x")
    b = _checks.to_tensor(y, "y")
    cost = _checks.to_tensor(cost_matrix, "cost_matrix")
    dtype = _checks.compute_dtype(a, b, cost)
    a, b, cost = ops.cast(a, dtype), ops.cast(b, dtype), ops.cast(cost, dtype)
    _checks.check_rank(cost, "cost_matrix", (2,))
    for name, w in (("x", a), ("y", b)):
        _checks.check_rank(w, name, (1, 2))
    if len(a.shape) != len(b.shape):
        raise ValueError(
            "`x` and `y` should have the same rank (histograms (K,) or (batch, K)). "
            f"Received: x.shape={tuple(a.shape)}, y.shape={tuple(b.shape)}"
        )
    n, m = cost.shape
    if a.shape[-1] != n or b.shape[-1] != m:
        raise ValueError(
            f"`x` and `y` should be histograms over the rows and columns of `cost_matrix` "
            f"(last axes {n} and {m}). Received: x.shape={tuple(a.shape)}, "
            f"y.shape={tuple(b.shape)}, cost_matrix.shape={tuple(cost.shape)}"
        )
    _checks.check_not_empty(cost, "cost_matrix", (0, 1))
    _checks.check_finite(cost, "cost_matrix")
    values = _checks.concrete(cost)
    if values is not None and np.any(values < 0):
        raise ValueError(
            f"`cost_matrix` should be non-negative. Received: cost_matrix with minimum {values.min()}"
        )
    a = _checks.check_weights(a, "x", a.shape, dtype)
    b = _checks.check_weights(b, "y", b.shape, dtype)
    if len(a.shape) == 2 and len(b.shape) == 2 and None not in (a.shape[0], b.shape[0]) \
            and a.shape[0] != b.shape[0]:
        raise ValueError(
            "`x` and `y` should have the same batch size. "
            f"Received: x.shape={tuple(a.shape)}, y.shape={tuple(b.shape)}"
        )
    return a, b, cost


def _uniform_like(points):
    return ops.ones_like(points[..., 0]) / points.shape[-2]


class _Problem:
    """Weights and geometries of one call: (x, y) and, for debiasing, (x, x), (y, y)."""

    def __init__(self, x, y, a, b, p, cost_matrix, online):
        self.histograms = cost_matrix is not None
        if self.histograms:
            if a is not None or b is not None:
                raise ValueError(
                    "With `cost_matrix`, `x` and `y` are the histograms: do not pass `a` or `b`."
                )
            if online:
                raise ValueError(
                    "`online` computes costs from point clouds; it cannot be used with "
                    f"`cost_matrix`. Received: online={online!r}"
                )
            self.a, self.b, cost = _prepare_histograms(x, y, cost_matrix)
            self.cost_matrix = cost
            self.dtype = self.a.dtype
            return
        x, y, a, b = prepare_clouds(x, y, a, b)
        self.x, self.y, self.p = x, y, p
        self.a = _uniform_like(x) if a is None else a
        self.b = _uniform_like(y) if b is None else b
        self.dtype = x.dtype
        n, m = x.shape[-2], y.shape[-2]
        batch = int(np.prod(x.shape[:-2])) if len(x.shape) > 2 and None not in x.shape[:-2] else 1
        if online is None:
            online = batch * n * m > _ONLINE_ENTRIES
        self.online = online

    def geometry(self, which="xy"):
        if self.histograms:
            cost = self.cost_matrix
            sides = {"xy": (self.a, self.b), "xx": (self.a,), "yy": (self.b,)}[which]
            batched = [w for w in sides if len(w.shape) == 2]
            if batched:  # the batch size may be unknown (None) inside a graph
                cost = ops.broadcast_to(cost, (ops.shape(batched[0])[0],) + tuple(cost.shape))
            return DenseGeometry(cost)
        first, second = {"xy": (self.x, self.y), "xx": (self.x, self.x), "yy": (self.y, self.y)}[which]
        if self.online:
            block = None if self.online is True else self.online
            return OnlineGeometry(first, second, self.p, block)
        return DenseGeometry(pairwise_cost(first, second, self.p))

    def weights(self, which="xy"):
        return {"xy": (self.a, self.b), "xx": (self.a, self.a), "yy": (self.b, self.b)}[which]


def _potentials(first, second, a, b, *, p, block_size, epsilon, max_iterations, tolerance, rho,
                symmetric):
    """`solve_potentials` on plain arrays: a cost matrix (``second=None``) or two clouds."""
    geometry = DenseGeometry(first) if second is None else OnlineGeometry(first, second, p, block_size)
    return solve_potentials(geometry, a, b, epsilon, max_iterations, tolerance, rho, symmetric=symmetric)


_STATIC = ("p", "block_size", "epsilon", "max_iterations", "tolerance", "rho", "symmetric")
_potentials_fast = backend.compile_when_eager(_potentials, _STATIC)


def _solve(problem, which, epsilon, max_iterations, tolerance, rho, transport_gradient, want_plan):
    geometry = problem.geometry(which)
    a, b = problem.weights(which)
    if geometry.online:
        first, second, block = geometry.x, geometry.y, geometry.block_size
    else:
        first, second, block = geometry.cost, None, None
    f, g, iterations, error = _potentials_fast(
        ops.stop_gradient(first), None if second is None else ops.stop_gradient(second),
        ops.stop_gradient(a), ops.stop_gradient(b), p=getattr(geometry, "p", None), block_size=block,
        epsilon=epsilon, max_iterations=max_iterations, tolerance=tolerance, rho=rho,
        symmetric=which != "xy",
    )
    transport, objective, plan = entropic_outputs(
        geometry, a, b, f, g, epsilon, rho, transport_gradient, want_plan
    )
    return {"transport": transport, "objective": objective, "plan": plan, "f": f, "g": g,
            "iterations": iterations, "error": error}


def sinkhorn(x, y, a=None, b=None, epsilon=0.05, p=2, max_iterations=100, tolerance=1e-6,
             debias=False, cost_matrix=None, *, reach=None, online=None, return_plan=False,
             return_potentials=False, return_report=False, transport_gradient="implicit"):
    r"""Entropic optimal transport, log-domain Sinkhorn with epsilon scaling.

    Solves

    $$\mathrm{OT}_\varepsilon(\alpha, \beta) = \min_{P \in \Pi(a, b)}
    \langle P, C\rangle + \varepsilon\,\mathrm{KL}(P \,\|\, a \otimes b)$$

    with ``C_ij = |x_i - y_j|^p`` (or the given ``cost_matrix``) by alternating
    soft-min updates of the dual potentials in the log domain,
    ``f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps)`` and the same for
    ``g``, so it never overflows or divides by zero: ``epsilon`` down to a
    thousandth of the cost scale, costs of ``1e4`` and zero-mass points or bins
    are all fine. The temperature starts at the largest cost and is halved at
    every iteration until it reaches ``epsilon`` (epsilon scaling); there the
    iterations are Anderson-accelerated, so a small ``epsilon`` needs tens of
    iterations rather than thousands on point clouds (docs: "Choosing
    epsilon" has measured counts, and the hard case of many optimal plans).
    The loop stops when the L1 error of the plan's marginals is at most
    ``tolerance`` or after ``max_iterations`` (annealing included), and
    returns the iterate with the smallest error.

    By default the value is the transport cost ``<P, C>`` of the entropic plan
    (POT's ``sinkhorn2`` convention), in the units of the cost (like
    ``W_p^p``). ``debias=True`` gives the Sinkhorn divergence
    ``S = OT_eps(x, y) - OT_eps(x, x)/2 - OT_eps(y, y)/2`` of the full
    objective (Feydy et al. 2019): ``>= 0`` (clamped against rounding) and 0
    for identical inputs.

    Gradients are taken at the final potentials, not through the iterations,
    so memory does not grow with ``max_iterations``. The entropic objective,
    hence the divergence, gets its exact gradient by the envelope theorem
    (``P`` for the cost, the potentials for the weights). The transport cost
    gets its exact gradient by implicit differentiation of the fixed point (one
    linear solve of the size of the smaller side); with
    ``transport_gradient="envelope"``, in online mode and for unbalanced
    transport it takes the objective's gradient instead, which differs by a
    term of order ``epsilon``.

    Unbalanced transport (``reach``): the marginal constraints become
    penalties ``rho KL(P 1 | a) + rho KL(P^T 1 | b)`` with
    ``rho = reach^p`` (Chizat et al. 2018), so mass far away (beyond about
    ``reach``) is destroyed rather than transported; the updates are damped
    by ``1 / (1 + eps / rho)``.

    Online mode (point clouds only) never builds the ``n x m`` cost matrix:
    costs are computed in blocks of rows or columns inside each soft-min
    (``ops.map``), so memory grows like ``n + m``, and gradients are assembled
    blockwise too. ``online=None`` chooses it when the batch holds more than
    ``2**24`` cost entries.

    Args:
        x: point cloud ``(n, d)`` / ``(batch, n, d)``; with ``cost_matrix``, a
            histogram ``(n,)`` / ``(batch, n)``.
        y: point cloud ``(m, d)`` / ``(batch, m, d)``; with ``cost_matrix``, a
            histogram ``(m,)`` / ``(batch, m)``.
        a: optional weights of the points of ``x`` (non-negative, positive
            sum, normalised). Defaults to uniform.
        b: optional weights of the points of ``y``. Defaults to uniform.
        epsilon: entropic regularisation, absolute, in the units of the cost,
            ``> 0``. Defaults to 0.05.
        p: exponent of the ground cost ``|x - y|^p``, ``>= 1``. Defaults to 2.
        max_iterations: iteration budget, annealing included, ``>= 1``.
            Defaults to 100.
        tolerance: L1 marginal error to stop at, ``>= 0``. Defaults to 1e-6.
        debias: return the Sinkhorn divergence. Defaults to False.
        cost_matrix: optional ``(n, m)`` non-negative ground cost; then ``x``
            and ``y`` are histograms over its rows and columns (e.g. a loss
            with a ground metric between classes, Frogner et al. 2015). With
            ``debias=True`` it must be square (the same bins on both sides).
            Defaults to None.
        reach: None for balanced transport, or a positive length for
            unbalanced transport (see above). Defaults to None.
        online: None (automatic), True, False, or an integer block size
            (rows per block). Defaults to None.
        return_plan: also return the plan ``(..., n, m)`` (not in online
            mode). Defaults to False.
        return_potentials: also return the potentials ``f`` and ``g`` (with
            ``P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)``). Defaults to False.
        return_report: also return a dict with ``iterations`` (used),
            ``marginal_error`` (L1 error of the final plan's marginals, the
            largest over the batch and, with ``debias``, over the three
            problems) and ``converged`` (``marginal_error <= tolerance``).
            Defaults to False.
        transport_gradient: ``"implicit"`` (exact) or ``"envelope"`` (cheaper)
            for the gradient of the transport cost. Defaults to "implicit".

    Returns:
        The value (scalar or ``(batch,)``); with any ``return_*`` flag, a tuple
        ``(value, [plan], [f, g], [report])`` in that order.

    Raises:
        ValueError: ``epsilon <= 0``, ``p < 1``, negative or zero-sum weights,
            clouds of different dimensions, histograms that do not match the
            cost matrix's shape, a negative cost, non-finite values,
            ``max_iterations < 1``, ``reach <= 0``, or options that do not go
            together (``return_plan`` online, ``debias`` with a non-square
            cost matrix).

    Example:
        >>> import numpy as np
        >>> from keras_wass import ops
        >>> cost = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
        >>> round(float(ops.sinkhorn([0.5, 0.5, 0.0], [0.0, 0.5, 0.5],
        ...                          epsilon=0.01, cost_matrix=cost)), 4)
        1.0

    References:
        Cuturi, "Sinkhorn Distances: Lightspeed Computation of Optimal
        Transport" (NeurIPS 2013), arXiv:1306.0895.
        Schmitzer, "Stabilized Sparse Scaling Algorithms for Entropy
        Regularized Transport Problems" (2019), arXiv:1610.06519.
        Chizat, Peyre, Schmitzer and Vialard, "Scaling Algorithms for
        Unbalanced Transport Problems" (2018), arXiv:1607.05816.
        Feydy et al., "Interpolating between Optimal Transport and MMD using
        Sinkhorn Divergences" (AISTATS 2019), arXiv:1810.08278.
        Frogner et al., "Learning with a Wasserstein Loss" (NeurIPS 2015),
        arXiv:1506.05439.
    """
    epsilon = _check_positive(epsilon, "epsilon")
    p = _checks.check_p(p)
    max_iterations = _checks.check_positive_int(max_iterations, "max_iterations")
    tolerance = _check_tolerance(tolerance)
    rho = None if reach is None else _check_positive(reach, "reach") ** p
    online = _check_online(online)
    if transport_gradient not in ("implicit", "envelope"):
        raise ValueError(
            "`transport_gradient` should be 'implicit' or 'envelope'. "
            f"Received: transport_gradient={transport_gradient!r}"
        )
    if return_plan and online:
        raise ValueError("`return_plan` needs the dense cost: it cannot be used with `online`.")
    problem = _Problem(x, y, a, b, p, cost_matrix, online=False if return_plan else online)
    if debias and problem.histograms:
        n, m = problem.cost_matrix.shape
        if n != m:
            raise ValueError(
                "`debias=True` with `cost_matrix` needs a square cost matrix (the same "
                f"bins on both sides). Received: cost_matrix.shape={(n, m)}"
            )
    main = _solve(problem, "xy", epsilon, max_iterations, tolerance, rho,
                  "envelope" if debias else transport_gradient, return_plan)
    value, iterations, error = main["transport"], main["iterations"], main["error"]
    if debias:
        self_x = _solve(problem, "xx", epsilon, max_iterations, tolerance, rho, "envelope", False)
        self_y = _solve(problem, "yy", epsilon, max_iterations, tolerance, rho, "envelope", False)
        value = _checks.clamp_min(
            main["objective"] - 0.5 * self_x["objective"] - 0.5 * self_y["objective"], 0.0)
        for other in (self_x, self_y):
            iterations = ops.maximum(iterations, other["iterations"])
            error = _checks.maximum(error, other["error"])
    extras = []
    if return_plan:
        extras.append(main["plan"])
    if return_potentials:
        extras += [main["f"], main["g"]]
    if return_report:
        extras.append({"iterations": iterations, "marginal_error": error, "converged": error <= tolerance})
    return (value, *extras) if extras else value


def sinkhorn_divergence(x, y, a=None, b=None, epsilon=0.05, p=2, max_iterations=100,
                        tolerance=1e-6, cost_matrix=None, **kwargs):
    r"""Sinkhorn divergence (debiased entropic OT), ``>= 0``.

    $$S_\varepsilon(\alpha, \beta) = \mathrm{OT}_\varepsilon(\alpha, \beta)
    - \tfrac12 \mathrm{OT}_\varepsilon(\alpha, \alpha)
    - \tfrac12 \mathrm{OT}_\varepsilon(\beta, \beta)$$

    with the full entropic objective; the same as `sinkhorn` with
    ``debias=True``. It is 0 (with a zero gradient) for identical inputs,
    interpolates between ``W_p^p`` (``epsilon -> 0``) and an MMD (large
    ``epsilon``), and its gradients are exact (envelope theorem).

    Args:
        x: point cloud or histogram (see `sinkhorn`).
        y: point cloud or histogram.
        a: optional weights of ``x``'s points.
        b: optional weights of ``y``'s points.
        epsilon: regularisation, ``> 0``. Defaults to 0.05.
        p: cost exponent, ``>= 1``. Defaults to 2.
        max_iterations: Defaults to 100.
        tolerance: Defaults to 1e-6.
        cost_matrix: optional square ``(K, K)`` ground cost. Defaults to None.
        **kwargs: the keyword-only options of `sinkhorn` (``reach``,
            ``online``, ``return_plan``, ``return_potentials``,
            ``return_report``).

    Returns:
        The divergence (scalar or ``(batch,)``), or a tuple as in `sinkhorn`.

    Raises:
        ValueError: as `sinkhorn`.

    Example:
        >>> import numpy as np
        >>> from keras_wass import ops
        >>> x = np.random.default_rng(0).normal(size=(20, 2))
        >>> float(ops.sinkhorn_divergence(x, x))
        0.0

    References:
        Feydy et al., "Interpolating between Optimal Transport and MMD using
        Sinkhorn Divergences" (AISTATS 2019), arXiv:1810.08278.
    """
    return sinkhorn(x, y, a=a, b=b, epsilon=epsilon, p=p, max_iterations=max_iterations,
                    tolerance=tolerance, debias=True, cost_matrix=cost_matrix, **kwargs)
