"""Constant tuning: CMA-ES (Hansen's covariance matrix adaptation evolution strategy).

The search tunes the constants of every mutated program to minimise a loss (the log of
its max error), as the paper does (CMA-ES, sigma 0.1). Max error is not smooth, which is
why a derivative-free, rank-based optimiser is used: CMA-ES only compares losses.

Each coordinate is searched in units of its own starting magnitude (x = x0 + scale * z,
scale = max(|x0|, SCALE_FLOOR)), so sigma = 0.1 means "about 10% of each constant" for
constants of any size. Everything random comes from the ``rng`` passed in: the same rng
state gives the same result.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SCALE_FLOOR = 1e-3
LP_MAX_ITERATIONS = 2000  # per LP of ``polish`` (they take tens)


@dataclass(frozen=True)
class TuneResult:
    x: np.ndarray  # best point found
    loss: float  # its loss
    evaluations: int  # loss evaluations spent (points, not batches)
    iterations: int


def minimize(loss_batch, x0, rng: np.random.Generator, sigma: float = 0.1, popsize: int | None = None,
             max_iterations: int = 200, tol: float = 1e-13, patience: int = 30) -> TuneResult:
    """Minimise loss_batch over R^n by CMA-ES from x0.

    loss_batch maps a (popsize, n) array of points to a (popsize,) array of losses
    (non-finite losses rank last). Stops after max_iterations, when the step size is
    below tol (relative to the scales), or after `patience` iterations without a better
    best loss.
    """
    x0 = np.asarray(x0, np.float64)
    n = x0.size
    if n == 0:
        loss = float(loss_batch(x0[None, :])[0])
        return TuneResult(x0, loss, 1, 0)
    lam = popsize or 4 + int(3 * math.log(n))
    mu = lam // 2
    weights = math.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    weights /= weights.sum()
    mueff = 1.0 / np.sum(weights**2)
    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 1 + 2 * max(0.0, math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
    chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))

    scale = np.maximum(np.abs(x0), SCALE_FLOOR)
    mean = np.zeros(n)
    pc, ps = np.zeros(n), np.zeros(n)
    B, D = np.eye(n), np.ones(n)
    C = np.eye(n)
    best_x, best_loss = x0.copy(), float(loss_batch(x0[None, :])[0])
    if not math.isfinite(best_loss):
        best_loss = math.inf
    evaluations, stale, it = 1, 0, 0
    for it in range(1, max_iterations + 1):
        z = rng.standard_normal((lam, n))
        y = (z * D) @ B.T  # ~ N(0, C)
        cand = mean + sigma * y
        with np.errstate(all="ignore"):  # a diverging step gives inf/NaN points: they rank last
            xs = x0 + scale * cand
        losses = np.asarray(loss_batch(xs), np.float64)
        evaluations += lam
        losses = np.where(np.isfinite(losses), losses, np.inf)
        order = np.argsort(losses, kind="stable")
        if losses[order[0]] < best_loss:
            best_loss, best_x, stale = float(losses[order[0]]), xs[order[0]].copy(), 0
        else:
            stale += 1
        if not math.isfinite(losses[order[mu - 1]]):
            sigma *= 0.5  # most samples invalid (e.g. divisions by ~0): look closer
            continue
        y_sel = y[order[:mu]]
        y_w = weights @ y_sel
        mean = mean + sigma * y_w
        # step-size and covariance paths
        inv_sqrt_c_yw = B @ ((B.T @ y_w) / D)
        ps = (1 - cs) * ps + math.sqrt(cs * (2 - cs) * mueff) * inv_sqrt_c_yw
        hsig = np.linalg.norm(ps) / math.sqrt(1 - (1 - cs) ** (2 * it)) / chi_n < 1.4 + 2 / (n + 1)
        pc = (1 - cc) * pc + hsig * math.sqrt(cc * (2 - cc) * mueff) * y_w
        C = ((1 - c1 - cmu) * C + c1 * (np.outer(pc, pc) + (not hsig) * cc * (2 - cc) * C)
             + cmu * (y_sel.T * weights) @ y_sel)
        sigma *= math.exp(min(1.0, (cs / damps) * (np.linalg.norm(ps) / chi_n - 1)))  # capped, as pycma
        C = np.triu(C) + np.triu(C, 1).T
        eigvals, B = np.linalg.eigh(C)
        D = np.sqrt(np.maximum(eigvals, 1e-300))
        if sigma * D.max() < tol or stale >= patience:
            break
    return TuneResult(best_x, best_loss, evaluations, it)


def polish(program, u: np.ndarray, exact: np.ndarray, weight: np.ndarray, iterations: int = 10,
           lp_points: int = 96, tol: float = 1e-4, limits: bool = False):
    """Refine a program's constants towards the minimax of |(program - exact) * weight| on
    the points u: at each step the residuals are linearised in the constants (exact
    forward-mode derivatives) and the step minimising the max linearised residual within
    a trust region is found by linear programming (the idea of Remez's and Stiefel's
    exchange methods, for any program shape); a step is kept only if the true max
    residual drops. Each LP uses `lp_points` evenly spread points plus the 32 of largest
    residual (as an exchange method would); it stops when a step gains less than `tol`
    (relative). A derivative that is not finite where the residual is stops the polish,
    or, with `limits`, counts as 0: the limit of such a point's derivative when its value
    comes through an infinity (d/dc of c4 / (x + c / x) at x = 0, where the value is c4 / inf
    = 0 for every c). Returns (program, its max residual, LP steps taken)."""
    from scipy.optimize import linprog

    from .evaluation import evaluate_jacobian

    c = np.asarray(program.constants(), np.float64)
    if c.size == 0:
        return program, math.inf, 0

    def max_residual(cs):
        values, _ = evaluate_jacobian(program, cs, u)
        r = np.abs((values - exact) * weight)
        return float(np.max(np.where(np.isnan(r), np.inf, r)))

    best = max_residual(c)
    trust = np.maximum(np.abs(c), SCALE_FLOOR) * 0.5
    spread = np.unique(np.linspace(0, u.size - 1, min(lp_points, u.size)).astype(int))
    steps = 0
    for _ in range(iterations):
        values, jac = evaluate_jacobian(program, c, u)
        r, J = (values - exact) * weight, jac * weight[:, None]
        if limits and np.all(np.isfinite(r)):
            J = np.where(np.isfinite(J), J, 0.0)
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(J))):
            break
        rows = np.union1d(spread, np.argsort(-np.abs(r))[:32])
        r, J = r[rows], J[rows]
        k = c.size
        # variables (d_1..d_k, t): minimise t subject to -t <= r + J d <= t, |d| <= trust;
        # solved in units where the residuals and the trust region are of order 1 (d = trust
        # * e, residuals / their max): the LP solver's tolerances (~1e-7, absolute) would
        # otherwise call any step optimal once the residuals are that small.
        size = float(np.max(np.abs(r)))
        if size == 0.0:
            break
        with np.errstate(all="ignore"):
            r, J = r / size, J * (trust / size)
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(J))):
            break
        cost = np.zeros(k + 1)
        cost[-1] = 1.0
        ones = np.ones((r.size, 1))
        a_ub = np.vstack([np.hstack([J, -ones]), np.hstack([-J, -ones])])
        b_ub = np.concatenate([-r, r])
        bounds = [(-1.0, 1.0)] * k + [(0, None)]
        # (An iteration cap, which is deterministic, unlike a time limit: one LP of a float64
        # core's search ran in HiGHS for minutes without returning.)
        sol = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs", options={"maxiter": LP_MAX_ITERATIONS})
        if sol.status != 0:
            break
        d = sol.x[:k] * trust
        for step in (1.0, 0.5, 0.25, 0.125):
            trial = c + step * d
            err = max_residual(trial)
            if err < best:
                gain = (best - err) / best
                c, best = trial, err
                steps += 1
                if step == 1.0:
                    trust *= 2.0
                break
        else:
            gain = None
        if gain is None:
            trust *= 0.25
            if np.all(trust < 1e-15 * np.maximum(np.abs(c), SCALE_FLOOR)):
                break
        elif gain < tol:
            break
    return program.with_constants(c), best, steps


def least_squares_fit(program, u: np.ndarray, exact: np.ndarray, weight: np.ndarray, evaluations: int = 300):
    """Move a program's constants to a local minimum of the sum of squared residuals
    (program - exact) * weight on the points u by Levenberg-Marquardt (scipy's MINPACK
    ``lm``, exact forward-mode derivatives, each constant scaled by its column of the
    Jacobian). Unlike CMA-ES (steps of about 10% of each constant) and the LP steps (a box
    trust region per constant), it follows a curved, badly scaled valley in which several
    constants must move far together: a new term of a continued fraction (u + 0 / u), whose
    coefficient is of the order of u^2 while the others rescale to make room for it.
    Non-finite residuals count as 1e3 and non-finite derivatives as 0 (their limit where a
    value comes through an infinity). Returns (program, its max residual, evaluations); the
    program is the given one if the fit did not lower the max residual."""
    from scipy.optimize import least_squares

    from .evaluation import evaluate_jacobian

    c0 = np.asarray(program.constants(), np.float64)
    if c0.size == 0 or c0.size > u.size:
        return program, math.inf, 0

    def residuals(c):
        values, _ = evaluate_jacobian(program, c, u)
        with np.errstate(all="ignore"):
            r = (values - exact) * weight
        return np.where(np.isfinite(r), r, 1e3)

    def jacobian(c):
        _, jac = evaluate_jacobian(program, c, u)
        with np.errstate(all="ignore"):
            J = jac * weight[:, None]
        return np.where(np.isfinite(J), J, 0.0)

    def max_residual(c):
        values, _ = evaluate_jacobian(program, c, u)
        with np.errstate(all="ignore"):
            r = np.abs((values - exact) * weight)
        return float(np.max(np.where(np.isnan(r), np.inf, r)))

    start = max_residual(c0)
    try:
        with np.errstate(all="ignore"):
            fit = least_squares(residuals, c0, jac=jacobian, method="lm", x_scale="jac", xtol=1e-15, ftol=1e-15,
                                gtol=1e-15, max_nfev=evaluations)
    except (ValueError, np.linalg.LinAlgError):
        return program, start, 0
    spent = int(fit.nfev) + int(fit.njev or 0)
    if not np.all(np.isfinite(fit.x)):
        return program, start, spent
    end = max_residual(fit.x)
    if not end < start:
        return program, start, spent
    return program.with_constants(fit.x), end, spent

