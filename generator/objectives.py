"""The reals objective, and what objectives share: mpmath targets, the tuning loss.

``RealsObjective``: max relative error of the program against an mpmath target on an
interval (the paper's reals experiment), cost = the paper's op count.

``KernelObjective`` (``generator.kernel_objective``): max ULP of the whole float32 kernel
with the program as one of its cores.

Both have the interface of ``generator.objective.Objective``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from .evaluation import evaluate_batch
from .grids import chebyshev_points, max_error
from .program import Program

TARGETS = {
    # name -> (mpmath function, numpy float64 function); the reals mode's targets
    "exp2": (lambda x: mpmath.mpf(2) ** x, np.exp2),
    "exp": (mpmath.exp, np.exp),
    "log1p": (mpmath.log1p, np.log1p),
    "sin": (mpmath.sin, np.sin),
    "erf": (mpmath.erf, None),
}


def mp_values(target, points, dps: int = 40) -> np.ndarray:
    """target at each point, computed in mpmath and rounded to float64."""
    with mpmath.workdps(dps):
        return np.array([float(target(mpmath.mpf(float(p)))) for p in points])


def tune_loss(program: Program, constants: np.ndarray, u, exact, weight) -> np.ndarray:
    """log of max |(program - exact) * weight| over the points u, for each row of constants."""
    values = evaluate_batch(program, constants, u)
    with np.errstate(all="ignore"):
        err = np.abs((values - exact[None, :]) * weight[None, :])
        err = np.where(np.isnan(err), np.inf, err).max(axis=-1)
        return np.log(err)


@dataclass
class RealsObjective:
    """Approximate `target` on [lo, hi]; error = max relative error (float64 evaluation,
    targets from mpmath); cost = ops depending on the input (+ - * / = 1, fma = 2)."""
    target: str = "exp2"
    lo: float = 0.0
    hi: float = 1.0
    tune_points: int = 256
    pool_points: int = 1 << 15

    def __post_init__(self):
        mp_fn, _ = TARGETS[self.target]
        self.tune_u = chebyshev_points(self.lo, self.hi, self.tune_points)
        self.tune_exact = mp_values(mp_fn, self.tune_u)
        self.tune_weight = 1.0 / np.abs(self.tune_exact)
        rng = np.random.default_rng(12345)  # the pool is part of the objective, not of a run
        pool = np.concatenate([chebyshev_points(self.lo, self.hi, 4097),
                               rng.uniform(self.lo, self.hi, self.pool_points - 4097)])
        self.pool_u, self.pool_exact = pool, mp_values(mp_fn, pool)

    def full(self, program: Program) -> Program:
        return program

    def cost(self, program: Program) -> int:
        return program.cost()

    def tune_loss(self, program: Program, constants: np.ndarray) -> np.ndarray:
        return tune_loss(program, constants, self.tune_u, self.tune_exact, self.tune_weight)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices of n fresh validation points from the pool (plus both ends)."""
        idx = rng.choice(self.pool_u.size, n - 2, replace=False)
        return np.concatenate([[0, 4096], idx])

    def error(self, program: Program, points: np.ndarray | None = None) -> float:
        """Max relative error on pool points (all of them if None)."""
        return self.error_and_worst(program, np.arange(self.pool_u.size) if points is None else points)[0]

    def error_and_worst(self, program: Program, points: np.ndarray) -> tuple[float, int]:
        """(max relative error on the pool points, the point where it occurs)."""
        values = evaluate_batch(program, np.array([program.constants()]), self.pool_u[points])[0]
        with np.errstate(all="ignore"):
            err = np.abs(values - self.pool_exact[points]) / np.abs(self.pool_exact[points])
        err = np.where(np.isnan(err), np.inf, err)
        at = int(np.argmax(err))
        return float(err[at]), int(points[at])

    def exact_error(self, program: Program, points: int = 2000) -> float:
        """Max relative error of the float64-constant program evaluated exactly (mpmath),
        on a Chebyshev-clustered grid: the number reported in tables."""
        mp_fn, _ = TARGETS[self.target]
        with mpmath.workdps(40):
            grid = [mpmath.mpf(float(u)) for u in chebyshev_points(self.lo, self.hi, points)]
            return max_error(program, mp_fn, grid)


def log_error(err: float) -> float:
    """log10 of an error, for selection (0 error -> -inf is clipped to -300)."""
    return math.log10(err) if err > 0 else -300.0
