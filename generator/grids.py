"""Chebyshev-clustered point grids, and the exact max error of a program on one.

The errors of near-minimax approximations peak near the ends of their interval, so every
error measurement uses points clustered there: the extrema of a Chebyshev polynomial
(in float64, or in mpmath at its working precision), or its roots rounded to float64
with both ends added. The error itself is measured in mpmath, the program evaluated
exactly (``Program.evaluate_mp``): float64 constant rounding counts, evaluation
rounding does not.
"""
from __future__ import annotations

import mpmath
import numpy as np


def chebyshev_points(lo: float, hi: float, n: int) -> np.ndarray:
    """The n extrema of T_(n-1) mapped to [lo, hi], computed in float64, ascending (both
    ends included)."""
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * np.arange(n) / (n - 1))[::-1]


def chebyshev_points_mp(lo, hi, n: int) -> list:
    """The same n points computed in mpmath at its working precision (not rounded to
    float64), descending."""
    lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
    return [(lo + hi) / 2 + (hi - lo) / 2 * mpmath.cos(mpmath.pi * k / (n - 1)) for k in range(n)]


def chebyshev_nodes(lo, hi, count: int) -> list:
    """The count roots of T_count mapped to [lo, hi] and both ends, rounded to float64
    (program inputs): distinct mpf values, ascending."""
    lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
    c, h = (lo + hi) / 2, (hi - lo) / 2
    pts = {float(c - h * mpmath.cos(mpmath.pi * (k + mpmath.mpf(1) / 2) / count)) for k in range(count)}
    pts |= {float(lo), float(hi)}
    return sorted(mpmath.mpf(p) for p in pts if lo <= p <= hi)


def max_error(program, target, points, relative: bool = True) -> float:
    """Max error, relative or absolute, of the program evaluated exactly against the
    mpmath function `target` at the points (at mpmath's working precision). A relative
    error skips the points where the target is 0 (it is undefined there). A NaN result
    (0 / 0, inf - inf) is an infinite error."""
    worst = mpmath.mpf(0)
    for u in points:
        exact = target(u)
        if relative and exact == 0:
            continue
        err = abs(program.evaluate_mp(u) - exact)
        if relative:
            err /= abs(exact)
        if mpmath.isnan(err):
            return float("inf")
        worst = max(worst, err)
    return float(worst)
