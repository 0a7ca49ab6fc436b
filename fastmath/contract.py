"""The accuracy contract of each function: the one table that tests, docs and the emitter read.

``max_ulp`` is a strict bound: for every float32 input x, |fastmath.f(x) - f(x)| < max_ulp
ulp32(f(x)), where f(x) is the exact value and ulp32(e) = 2^(max(floor(log2 |e|), -126) - 23)
(so 2^-149 below 2^-126, and the top binade's 2^104 beyond FLT_MAX). Non-finite and
signed-zero results must match C99 Annex F exactly (see ``generator/verify.py``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Contract:
    name: str
    domain: str
    max_ulp: float
    reference: str  # what the exhaustive check (make verify) compares against
    mp_reference: str  # mpmath function used by the property tests
    symmetry: str | None  # "odd" or None
    monotonic: bool  # non-decreasing on the whole domain (float32 results)
    special_values: tuple[tuple[float, float], ...]  # (input, exact expected output)


INF = float("inf")
NAN = float("nan")

CONTRACTS = {
    "exp": Contract("exp", "all float32; overflows to +inf above 88.7228, underflows to 0 below -103.98",
                    1.0, "float64 libm exp (glibc, < 1 ULP of float64)", "exp", None, True,
                    ((0.0, 1.0), (-0.0, 1.0), (INF, INF), (-INF, 0.0), (NAN, NAN), (100.0, INF), (-110.0, 0.0))),
    "log": Contract("log", "all float32; x < 0 gives NaN (invalid), ±0 gives -inf (divide-by-zero)",
                    1.0, "float64 libm log (glibc, < 1 ULP of float64)", "log", None, True,
                    ((1.0, 0.0), (0.0, -INF), (-0.0, -INF), (-1.0, NAN), (INF, INF), (-INF, NAN), (NAN, NAN))),
    "sin": Contract("sin", "all finite float32, reduced exactly mod pi/2 however large; ±inf gives NaN (invalid)",
                    1.0, "float64 libm sin (glibc, < 1 ULP of float64, exact reduction)", "sin", "odd", False,
                    ((0.0, 0.0), (-0.0, -0.0), (INF, NAN), (-INF, NAN), (NAN, NAN))),
    "erf": Contract("erf", "all float32; |x| >= 3.92 gives ±1",
                    1.0, "float64 libm erf (glibc, < 1 ULP of float64)", "erf", "odd", True,
                    ((0.0, 0.0), (-0.0, -0.0), (INF, 1.0), (-INF, -1.0), (NAN, NAN), (10.0, 1.0))),
}

FUNCTIONS = tuple(CONTRACTS)
