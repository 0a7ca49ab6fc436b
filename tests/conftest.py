"""Shared test helpers: the contract's accuracy rule (fastmath.contract) checked against mpmath.

``contract_error(function, x, y)`` is the one implementation of the rule, used by the
Hypothesis properties, the peer-data tests and the special-value tests alike:

* the exact value f(x) is mpmath's at 60 digits, with C99 Annex F's special cases: NaN for a
  NaN input or an input outside the domain (mpmath's complex log of a negative), the limits
  at ±inf, and exact zeros signed (f(-0) = -0 for odd functions, otherwise +0);
* NaN in, NaN out: y is NaN exactly when the exact value is;
* an exact infinity (exp(inf), log(0)) must be returned exactly;
* y = ±inf for a finite exact value only if that value rounds to that infinity in float32
  (|e| >= 2^128 - 2^103: overflow);
* an exact zero must be returned as a zero of the same sign, and a zero result (underflow)
  must carry the sign of the exact value;
* otherwise |y - e| < max_ulp ulp32(e), ulp32(e) = 2^(max(floor(log2 |e|), -126) - 23),
  2^104 from 2^128 up (the top binade's ulp).

Hypothesis keeps its failure database in .hypothesis/ (git-ignored): failures found are kept
as explicit examples in tests/accuracy/regressions.py, which every clone replays.
"""
import math

import mpmath
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS

MP_DPS = 60
FLT_MAX = float.fromhex("0x1.fffffep127")
OVERFLOW = 2**128 - 2**103  # exact values of at least this magnitude round to inf in float32
_NAN = mpmath.mpf("nan")


def ulp32(e) -> float:
    """ulp32 of an exact value (float or mpmath mpf), as the contract defines it."""
    a = abs(mpmath.mpf(e)) if isinstance(e, (mpmath.mpf, int)) else abs(mpmath.mpf(float(e)))
    if a < 2.0**-126:
        return 2.0**-149
    if a >= 2.0**127:
        return 2.0**104
    return 2.0 ** (mpmath.frexp(a)[1] - 1 - 23)


def mp_exact(function: str, x):
    """mpmath's value of the function at float x (60 digits); unsigned zero, complex outside the domain."""
    with mpmath.workdps(MP_DPS):
        return getattr(mpmath, CONTRACTS[function].mp_reference)(mpmath.mpf(float(x)))


def exact_value(function: str, x):
    """The exact value of the function at float32 x with C99's special cases: an mpmath mpf
    (NaN, ±inf or a nonzero real) or, for an exact zero, a Python float ±0.0 carrying its sign."""
    x = float(x)
    if math.isnan(x):
        return _NAN
    e = mp_exact(function, x)
    if isinstance(e, mpmath.mpc):  # outside the real domain (log of a negative number)
        return e.real if e.imag == 0 else _NAN
    if e == 0:
        odd = CONTRACTS[function].symmetry == "odd"
        return math.copysign(0.0, x) if (odd and x == 0) else 0.0
    return e


def round32(e) -> float:
    """The float32 (as a Python float) nearest the exact value e, ties to even; signed zeros
    and overflow to ±inf as in float32."""
    if isinstance(e, float) or mpmath.isnan(e) or mpmath.isinf(e):
        return float(e)
    a = abs(e)
    sign = -1.0 if e < 0 else 1.0
    if a >= OVERFLOW:
        return sign * math.inf
    with mpmath.workdps(MP_DPS):
        q = mpmath.mpf(ulp32(a))  # a power of two: a / q and the rounding are exact
        r = mpmath.nint(a / q) * q  # nint rounds ties to even; below OVERFLOW, r <= FLT_MAX
    return math.copysign(float(r), sign)


def from_bits(bits: int) -> np.float32:
    return np.array([bits], np.uint32).view(np.float32)[0]


def to_bits(x) -> int:
    return int(np.array([x], np.float32).view(np.uint32)[0])


def contract_error(function: str, x, y, exact=None) -> float:
    """The error of float32 result y = fastmath.<function>(x) in ULP as the contract measures
    it (see the module docstring): 0.0 when a special case is matched, inf when a rule of
    Annex F is broken. ``exact`` may pass a precomputed exact_value(function, x)."""
    e = exact_value(function, x) if exact is None else exact
    y = float(y)
    e_nan = isinstance(e, mpmath.mpf) and mpmath.isnan(e)
    if e_nan or math.isnan(y):
        return 0.0 if (e_nan and math.isnan(y)) else math.inf
    if isinstance(e, float):  # an exact (signed) zero
        return 0.0 if (y == 0 and math.copysign(1, y) == math.copysign(1, e)) else math.inf
    if mpmath.isinf(e):
        return 0.0 if y == e else math.inf
    if math.isinf(y):
        return 0.0 if round32(e) == y else math.inf
    if y == 0 and (math.copysign(1, y) < 0) != (e < 0):
        return math.inf  # underflow to a zero of the wrong sign
    with mpmath.workdps(MP_DPS):
        return float(abs(mpmath.mpf(y) - e) / ulp32(e))


def describe(function: str, x, y, exact=None) -> str:
    e = exact_value(function, x) if exact is None else exact
    return (f"fastmath.{function}({float(x).hex()} = bits 0x{to_bits(x):08x}) = {float(y).hex()}; "
            f"exact {mpmath.nstr(e, 20) if not isinstance(e, float) else e} "
            f"(float32 {round32(e).hex()}): {contract_error(function, x, y, e)} ULP")


def assert_contract(function: str, x, y, exact=None):
    """y = fastmath.<function>(x) must meet the contract: error < max_ulp and Annex F exactly."""
    assert np.asarray(y).dtype == np.float32, (function, x, y)
    e = exact_value(function, x) if exact is None else exact
    err = contract_error(function, x, y, e)
    assert err < CONTRACTS[function].max_ulp, describe(function, x, y, e)


def assert_special_exact(function: str, x, y, expected):
    """Where the correctly rounded value is NaN, ±inf or ±0, y must be exactly it (and its sign)."""
    expected = float(expected)
    y = float(y)
    if math.isnan(expected):
        assert math.isnan(y), (function, float(x).hex(), y, expected)
    elif math.isinf(expected) or expected == 0:
        assert y == expected and math.copysign(1, y) == math.copysign(1, expected), \
            (function, float(x).hex(), y, expected)


def call(function: str, x):
    """fastmath.<function>(x) on float32, floating-point warnings silenced."""
    with np.errstate(all="ignore"):
        return getattr(fastmath, function)(np.asarray(x, np.float32) if np.ndim(x) else np.float32(x))


@pytest.fixture(params=FUNCTIONS)
def function(request):
    return request.param


@pytest.fixture
def ufunc(function):
    return getattr(fastmath, function)
