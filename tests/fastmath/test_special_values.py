"""Special values from the contract table, plus subnormals and overflow/underflow edges.

Every result is also held to the contract's rule against mpmath (tests/conftest.py:
assert_contract): error < max_ulp ulp32(exact), NaN, infinities and signed zeros exactly."""
import math

import mpmath
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS

from ..conftest import FLT_MAX, assert_contract, call, exact_value, from_bits, round32


def same(y, expected) -> bool:
    """Equal as float32 values including the sign of zero, NaN equal to NaN."""
    y, expected = float(y), float(expected)
    if math.isnan(expected):
        return math.isnan(y)
    return y == expected and math.copysign(1, y) == math.copysign(1, expected)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_contract_special_values(function):
    f = getattr(fastmath, function)
    for x, expected in CONTRACTS[function].special_values:
        with np.errstate(all="ignore"):
            y = f(np.float32(x))
        assert y.dtype == np.float32
        assert same(y, expected), (function, x, y)
        # the table itself is the correctly rounded exact value (mpmath, C99 Annex F)
        assert same(round32(exact_value(function, x)), expected), (function, x, expected)
        assert_contract(function, x, y)


def test_exp_overflow_underflow_thresholds():
    big = np.float32(88.72283)  # largest float32 whose exp is finite
    after = np.nextafter(big, np.float32(np.inf))
    assert math.isfinite(round32(exact_value("exp", big))) and round32(exact_value("exp", after)) == math.inf
    assert np.isfinite(fastmath.exp(big))
    assert_contract("exp", big, fastmath.exp(big))
    with np.errstate(over="ignore"):
        assert fastmath.exp(after) == np.inf
    # smallest subnormal result and below
    x = np.float32(-103.27893)
    assert round32(exact_value("exp", x)) == 2.0**-149
    assert fastmath.exp(x) > 0
    assert_contract("exp", x, fastmath.exp(x))
    y = fastmath.exp(np.float32(-104.0))
    assert y == 0 and not np.signbit(y)  # below 2^-150: rounds to +0
    assert_contract("exp", -104.0, y)
    # where results become subnormal: just below FLT_MIN
    x = np.float32(-87.33655)
    assert round32(exact_value("exp", x)) < 2.0**-126 <= round32(exact_value("exp", np.nextafter(x, np.float32(0))))
    assert fastmath.exp(x) < np.finfo(np.float32).tiny * 1.0001
    assert_contract("exp", x, fastmath.exp(x))
    # the last input whose exact result rounds to +0, and the first that rounds to 2^-149
    zero, first = from_bits(0xC2CFF1B5), from_bits(0xC2CFF1B4)
    assert round32(exact_value("exp", zero)) == 0 and round32(exact_value("exp", first)) == 2.0**-149
    for x in (zero, first, np.float32(-FLT_MAX), np.float32(-np.inf)):
        y = fastmath.exp(x)
        assert y >= 0 and not np.signbit(y)  # never -0
        assert_contract("exp", x, y)


def test_subnormal_inputs():
    tiny = np.array([1e-45, 1e-40, 1.1754942e-38], np.float32)  # subnormals
    np.testing.assert_array_equal(fastmath.exp(tiny), np.float32(1.0))
    np.testing.assert_array_equal(fastmath.sin(tiny), tiny)
    np.testing.assert_array_equal(fastmath.cos(tiny), np.float32(1.0))
    # erf x = 2x/sqrt(pi) (1 - x^2/3 + ...): for a subnormal x, erf(x) and 2x/sqrt(pi) round alike
    erfs = fastmath.erf(tiny)
    with mpmath.workdps(60):
        linear = [round32(2 * mpmath.mpf(float(x)) / mpmath.sqrt(mpmath.pi)) for x in tiny]
    assert linear == [round32(exact_value("erf", x)) for x in tiny]
    for x, y in zip(tiny, erfs):
        assert_contract("erf", x, y)  # within 2^-149 of 2x/sqrt(pi): a neighbour of the above
    logs = fastmath.log(tiny)  # (was rtol=2e-7 against float64 log: up to ~2.4 ULP at -92)
    for x, y in zip(tiny, logs):
        assert_contract("log", x, y)
    assert fastmath.log(np.float32(1e-45)) == np.float32(np.log(2.0**-149))
    for function in FUNCTIONS:  # and all of them by the contract, negative subnormals too
        for x in np.concatenate([tiny, -tiny]):
            assert_contract(function, x, call(function, x))


def test_exp_of_tiny_x_raises_no_underflow():
    """e^x = 1 for tiny x: C99 allows no underflow there (NumPy raises none for normal tiny x;
    for subnormal x its AVX-512 code does, fastmath's does not)."""
    x = np.array([1e-30, -1e-30, 2.0**-27, -(2.0**-27), 1e-45, -1e-40], np.float32)
    with np.errstate(under="raise"):
        np.testing.assert_array_equal(fastmath.exp(x), np.float32(1.0))
        np.exp(x[:4])  # NumPy agrees on the normal ones


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("n", [1, 3, 4, 16, 17, 32, 100])
def test_nan_raises_no_flag_at_any_length(function, n):
    """A quiet NaN in, a NaN out, and no floating-point flag (C99; NumPy's own tests check it
    for 1 and 32 elements): every length, so the vector loop, its remainder and the scalar
    path are all covered (exp once raised 'invalid' for one element only: a float compare or
    min/max that LLVM moved before the NaN was set aside)."""
    x = np.full(n, np.nan, np.float32)
    with np.errstate(all="raise"):
        assert np.isnan(getattr(fastmath, function)(x)).all()
        assert np.isnan(getattr(fastmath, function)(x.astype(np.float16))).all() or function == "erf"


def test_log_of_negatives_and_zero_as_numpy():
    x = np.array([-1.0, -1e-45, -np.inf, 0.0, -0.0, np.nan], np.float32)
    with np.errstate(all="ignore"):
        ours, theirs = fastmath.log(x), np.log(x)
    np.testing.assert_array_equal(ours, theirs)
    finite = ~np.isnan(theirs)  # the sign of a NaN means nothing; of -inf it does
    assert np.array_equal(np.signbit(ours[finite]), np.signbit(theirs[finite]))
    for xi, yi in zip(x, ours):
        assert_contract("log", xi, yi)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_huge_arguments(function):
    """Huge arguments (sin and cos reduce them exactly), by the contract's rule against mpmath."""
    x = np.array([1e30, -1e30, 3.4028235e38, -3.4028235e38, 16777216.0, 1e10, 1.0e20, 2.0**127], np.float32)
    ours = call(function, x)
    for xi, yi in zip(x, ours):
        assert_contract(function, xi, yi)


_FLAG = {"overflow": "over", "underflow": "under", "invalid value": "invalid", "divide by zero": "divide"}


@pytest.mark.parametrize("function,dtype", [(f, t) for f in FUNCTIONS for t in (np.float16, np.float32, np.float64)
                                            if np.dtype(t).char in CONTRACTS[f].loops])  # (erf: no float16 loop)
def test_the_ufunc_raises_only_its_functions_flags(function, dtype):
    """Random bit patterns (every exponent, NaN of both signs, infinities, subnormals) in calls
    of every size the loop treats differently: each call raises only flags the function itself
    raises (Contract.flags), none left over from a path that met an input it is not for (sin's
    common path overflows on |x| >= 2^25, and a speculative block must undo it)."""
    contract = CONTRACTS[function]
    itemsize = np.dtype(dtype).itemsize
    rng = np.random.default_rng(itemsize)
    raw = rng.integers(0, 256, (1 << 16) * itemsize, dtype=np.uint8)
    bits = raw.view(dtype)
    raised = set()
    with np.errstate(all="call", call=lambda kind, flag: raised.add(_FLAG[kind])):
        for n in (1, 15, 100, 1500, 5000, 1 << 16):
            getattr(fastmath, function)(bits[:n])
        sparse = np.ones(1 << 15, dtype)  # one uncommon input among common ones, per block
        sparse[::3001] = bits[:len(sparse[::3001])]
        getattr(fastmath, function)(sparse)
    assert raised <= set(contract.flags), (function, np.dtype(dtype).name, raised)
