"""float64 kernels against expected values other projects computed (tests/data/SOURCES.md):
glibc's binary64 round-to-nearest cases (sin, cos, erf, exp, log) and NumPy's float64 validation
rows (sin, cos, exp, log). The kernel is run as @njit code inlines it (the ufunc of exp and log
runs NumPy's own loop: ``Contract.ufunc64``).
Each result must be under 1 ULP of the exact value (mpmath, 200 bits), and the peer's value
must agree with it (glibc's: mpmath's correctly rounded value; NumPy's float64 rows, which are
not all correctly rounded: within 1 ULP), so that a wrong exact value cannot hide."""
import functools
import math
from pathlib import Path

import mpmath
import numba
import numpy as np
import pytest

from fastmath import _kernels
from fastmath.contract import FUNCTIONS

DATA = Path(__file__).resolve().parent.parent / "data"
WITH_KERNEL = [f for f in FUNCTIONS if _kernels.float64_module(f) is not None]
_NAMED = {"plus_infty": math.inf, "minus_infty": -math.inf, "qnan_value": math.nan, "plus_zero": 0.0,
          "minus_zero": -0.0}


def glibc_cases(function):
    for line in (DATA / f"auto-libm-test-out-{function}.binary64").read_text().splitlines():
        fields = line.split()  # = <func> tonearest binary64 <x> : <expected> : <flags>
        if len(fields) >= 7 and fields[0] == "=" and fields[2:4] == ["tonearest", "binary64"]:
            yield tuple(_NAMED[t] if t in _NAMED else float.fromhex(t) for t in (fields[4], fields[6]))


def numpy_cases(function):
    for line in (DATA / f"umath-validation-set-{function}.csv").read_text().splitlines():
        if line.startswith("np.float64"):
            _, x, y, _ = line.split(",")
            yield tuple(float(np.array([int(v, 16)], np.uint64).view(np.float64)[0]) for v in (x, y))


def rounded(exact) -> float:
    """exact rounded to the nearest float64, subnormals included (mpmath's float() rounds to 53
    bits first, which double-rounds a subnormal)."""
    if abs(exact) < mpmath.mpf(2) ** -1022:
        return math.ldexp(int(mpmath.nint(exact * mpmath.mpf(2) ** 1074)), -1074)
    return float(exact)


def ulp_error(y: float, exact) -> float:
    e = float(exact)
    if e == 0:
        return 0.0 if y == 0 else math.inf
    return float(abs(mpmath.mpf(y) - exact) / mpmath.mpf(2) ** (max(mpmath.frexp(exact)[1] - 1, -1022) - 52))


@functools.cache
def kernel_loop(function):
    """An @njit loop of the function's float64 kernel (vectorised, as in user code)."""
    kernel = _kernels.kernel(function, "float64")

    @numba.njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = kernel(x[i])
    return loop


SOURCES = {"glibc": "auto-libm-test-out-{}.binary64", "numpy": "umath-validation-set-{}.csv"}
CASES = [(f, source) for f in WITH_KERNEL for source, name in SOURCES.items() if (DATA / name.format(f)).exists()]


def test_every_float64_kernel_has_peer_cases():
    assert {f for f, _ in CASES} == set(WITH_KERNEL)


def level(function) -> float:
    """The sampled check's level for this kernel (its manifest max, 2^-10 ULP of slack for the
    reference), or 0.52 if that is higher: peer data must not find worse than the check did."""
    check = _kernels.manifest()["functions"][function]["float64"]["verification"]
    return max(0.52, check["max_ulp"] + 2.0**-10)


@pytest.mark.parametrize("function, source", CASES)
def test_float64_kernel_on_peer_cases(function, source):
    cases = list(glibc_cases(function) if source == "glibc" else numpy_cases(function))
    assert len(cases) > 50
    x = np.array([c[0] for c in cases])
    y = np.empty_like(x)
    with np.errstate(all="ignore"):
        kernel_loop(function)(x, y)
    worst = 0.0
    for xi, yi, (_, expected) in zip(x.tolist(), y.tolist(), cases):
        if math.isnan(expected) or math.isinf(xi) or math.isinf(expected):  # sin(inf), exp(±inf), overflow
            assert (math.isnan(yi) and math.isnan(expected)) or (yi == expected and math.copysign(1, yi) ==
                                                                 math.copysign(1, expected)), (function, xi)
            continue
        with mpmath.workprec(200):
            exact = getattr(mpmath, function)(mpmath.mpf(xi))
            if source == "glibc":  # MPFR's correctly rounded value
                assert rounded(exact) == expected, (function, xi.hex())
            else:  # NumPy's float64 rows are within its tolerance, not all correctly rounded
                assert exact == 0 or ulp_error(expected, exact) < 1, (function, xi.hex())
            if exact == 0:  # sin(±0)
                assert yi == 0 and math.copysign(1, yi) == math.copysign(1, xi)
                continue
            error = ulp_error(yi, exact)
        assert error < 1, (function, xi.hex(), yi, error)
        worst = max(worst, error)
    assert worst < level(function), worst  # the sampled check's level, not just < 1
