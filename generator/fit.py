"""Classical baseline fits of a core: near-minimax polynomials computed with mpmath.

A core is asked to approximate ``target(u)`` on ``[lo, hi]`` in one of three forms
(see ``Program.polynomial``). The fit interpolates at Chebyshev nodes in mpmath
(``mpmath.chebyfit``), rounds the coefficients to float64, and measures the error of
the *rounded* program exactly in mpmath on a dense grid. ``fit_core`` returns the
lowest degree whose measured error meets the budget.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath

from .program import Program

WORKING_DIGITS = 40


@dataclass(frozen=True)
class CoreSpec:
    """What one core approximation must compute: the scaffold's contract with it."""
    name: str
    target: Callable  # mpmath function of the core input u
    lo: float
    hi: float
    form: str = "poly"  # "poly", "even" or "odd" (see Program.polynomial)
    error: str = "relative"  # how the budget is measured: "relative" or "absolute"
    note: str = ""
    precision: str = "float64"  # the core's arithmetic and constants: "float64" or "float32"

    def reduced_target(self, v):
        """The function the polynomial in v fits (v = u, or v = u^2 for even/odd forms)."""
        if self.form == "poly":
            return self.target(v)
        u = mpmath.sqrt(v)
        return self.target(u) / u if self.form == "odd" else self.target(u)

    def fit_interval(self):
        if self.form == "poly":
            return self.lo, self.hi
        m = max(abs(self.lo), abs(self.hi))
        return 0.0, m * m


@dataclass(frozen=True)
class Fit:
    program: Program
    degree: int
    max_error: float  # measured in mpmath on the grid, of the float64-rounded program


def measure_error(spec: CoreSpec, program: Program, points: int = 2000) -> float:
    """Max error (relative or absolute, per spec) of the program on a dense grid."""
    with mpmath.workdps(WORKING_DIGITS):
        worst = mpmath.mpf(0)
        for k in range(points + 1):
            # Chebyshev-clustered grid (errors of near-minimax fits peak near the ends)
            u = (mpmath.mpf(spec.lo) + spec.hi) / 2 + (mpmath.mpf(spec.hi) - spec.lo) / 2 * mpmath.cos(mpmath.pi * k / points)
            if u == 0:
                continue
            exact = spec.target(u)
            err = abs(program.evaluate_mp(u) - exact)
            if spec.error == "relative":
                err /= abs(exact)
            worst = max(worst, err)
        return float(worst)


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
