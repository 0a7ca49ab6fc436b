"""Classical baseline fits of a core: near-minimax polynomials computed with mpmath.

A core is asked to approximate ``target(u)`` on ``[lo, hi]`` in one of three forms
(see ``Program.polynomial``). The fit interpolates at Chebyshev nodes in mpmath
(``mpmath.chebyfit``), rounds the coefficients to float64, and measures the error of
the *rounded* program exactly in mpmath on a dense grid. ``fit_core`` returns the
lowest degree whose measured error meets the budget.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath

from .grids import chebyshev_points_mp, max_error
from .program import Program
from .scaffold import CoreSpec

WORKING_DIGITS = 40


@dataclass(frozen=True)
class Fit:
    program: Program
    degree: int
    max_error: float  # measured in mpmath on the grid, of the float64-rounded program


def measure_error(spec: CoreSpec, program: Program, points: int = 2000) -> float:
    """Max error (relative or absolute, per spec) of the program on points + 1 Chebyshev
    extrema of the spec's interval, evaluated exactly at the working precision."""
    with mpmath.workdps(WORKING_DIGITS):
        # not u = 0, where odd targets vanish
        grid = [u for u in chebyshev_points_mp(spec.lo, spec.hi, points + 1) if u != 0]
        return max_error(program, spec.target, grid, spec.error == "relative")


def fit_degree(spec: CoreSpec, degree: int) -> Program:
    """Chebyshev-interpolation fit of the given degree (in v), coefficients rounded to float64."""
    with mpmath.workdps(WORKING_DIGITS):
        lo, hi = spec.fit_interval()
        # chebyfit samples at interior Chebyshev nodes only, so v = 0 is never evaluated
        poly = mpmath.chebyfit(spec.reduced_target, [lo, hi], degree + 1)
        coeffs = [float(c) for c in reversed(poly)]  # lowest degree first
    return Program.polynomial(coeffs, spec.form)


def fit_core(spec: CoreSpec, budget: float, max_degree: int = 24) -> Fit:
    """The lowest-degree baseline fit whose measured error is within budget."""
    for degree in range(1, max_degree + 1):
        program = fit_degree(spec, degree)
        err = measure_error(spec, program, points=400)
        if err <= budget:
            err = measure_error(spec, program)
            if err <= budget:
                return Fit(program, degree, err)
    raise RuntimeError(f"core {spec.name}: no polynomial up to degree {max_degree} "
                       f"reaches {spec.error} error {budget:.3g}")
