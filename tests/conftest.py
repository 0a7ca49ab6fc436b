import math

import mpmath
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS


def ulp32(e) -> float:
    """ulp32 of an exact value, as the contract defines it (fastmath.contract)."""
    e = abs(float(e))
    if e == 0 or e < 2.0 ** -126:
        return 2.0 ** -149
    exponent = min(math.frexp(e)[1] - 1, 127)
    return 2.0 ** (exponent - 23)


def mp_exact(function: str, x: float):
    with mpmath.workdps(60):
        return getattr(mpmath, CONTRACTS[function].mp_reference)(mpmath.mpf(float(x)))


def ulp_error_mp(function: str, x, y) -> float:
    """Error of float32 result y at float32 x, in ULP of the mpmath value (finite results only)."""
    with mpmath.workdps(60):
        e = mp_exact(function, x)
        return float(abs(mpmath.mpf(float(y)) - e) / ulp32(e))


@pytest.fixture(params=FUNCTIONS)
def function(request):
    return request.param


@pytest.fixture
def ufunc(function):
    return getattr(fastmath, function)
