"""Hypothesis properties against mpmath (independent of the float64 libm reference that
`make verify` uses), all driven by fastmath.contract: the contract's accuracy rule
(tests/conftest.py: contract_error) over the whole float32 line of every function, NaN and
±inf included; odd/even symmetry; monotonicity. Known hard inputs (tests/accuracy/regressions.py
and each published version's worst input) are replayed explicitly on every run."""
import functools

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fastmath import _kernels
from fastmath.contract import CONTRACTS, FUNCTIONS

from ..conftest import assert_contract, call, contract_error, describe, exact_value, from_bits, round32, to_bits
from .regressions import REGRESSIONS

ODD = [f for f, c in CONTRACTS.items() if c.symmetry == "odd"]
EVEN = [f for f, c in CONTRACTS.items() if c.symmetry == "even"]
MONOTONIC = [f for f, c in CONTRACTS.items() if c.monotonic]

# The float32 line without NaNs, as integers in order: -inf is LOWEST, -0.0 is -1, +0.0 is 0,
# +inf is HIGHEST; neighbouring floats differ by 1.
HIGHEST = 0x7F800000
LOWEST = -1 - HIGHEST


def from_ordered(k: int) -> np.float32:
    return from_bits(k if k >= 0 else 0x80000000 + (-1 - k))


def to_ordered(x) -> int:
    bits = to_bits(x)
    return bits if bits < 0x80000000 else -1 - (bits - 0x80000000)


def result_class(function: str, k: int) -> str:
    """What the correctly rounded result at ordered input k is: nan, or a sign and one of inf,
    normal, subnormal, zero or one (±1, where exp and erf saturate). Finite nonzero results of
    a function that is not monotonic are not signed, so that the sign changes of sin and cos
    at huge arguments (neighbouring floats periods apart) are not edges."""
    r = round32(exact_value(function, from_ordered(k)))
    if np.isnan(r):
        return "nan"
    a = abs(r)
    sign = "-" if np.signbit(r) else "+"
    if a != 0 and a != 1 and np.isfinite(a):
        kind = "subnormal" if a < 2.0**-126 else "normal"
        return sign + kind if CONTRACTS[function].monotonic else kind
    return sign + ("inf" if np.isinf(a) else "one" if a == 1 else "zero")


@functools.cache
def edges(function: str, samples: int = 513, limit: int = 200) -> tuple[int, ...]:
    """Ordered inputs k at which the class of the correctly rounded result changes between
    k - 1 and k: overflow and underflow thresholds, where subnormal results start, where exp and
    erf saturate to ±1 (and where exp rounds to 1), zeros, domain edges. Found by bisection
    from evenly spaced samples of the whole line: all of them for a monotonic function."""
    found = set()

    def search(a, ca, b, cb):  # classes ca at a and cb at b differ
        while b - a > 1 and len(found) < limit:
            m = (a + b) // 2
            cm = result_class(function, m)
            if cm != ca:
                if cm != cb:  # changes on both sides: search the right one separately
                    search(m, cm, b, cb)
                b, cb = m, cm
            else:
                a, ca = m, cm
        if b - a == 1:
            found.add(b)

    ks = np.linspace(LOWEST, HIGHEST, samples).astype(np.int64).tolist()
    classes = [result_class(function, k) for k in ks]
    for (a, ca), (b, cb) in zip(zip(ks, classes), zip(ks[1:], classes[1:])):
        if ca != cb:
            search(a, ca, b, cb)
    return tuple(sorted(found))


def near(points, spreads=(0, 64, 1 << 12, 1 << 18, 1 << 22)):
    """Floats up to a spread of ulps from one of the ordered points (on either side)."""
    return st.builds(lambda k, spread, u: from_ordered(min(max(k + round(u * spread), LOWEST), HIGHEST)),
                     st.sampled_from(points), st.sampled_from(spreads), st.floats(-1, 1))


# Any bit pattern, every binade alike (huge, tiny, NaN payloads): Hypothesis draws small
# integers more often, so they are scrambled (an odd multiplier is a bijection mod 2^32).
ANY_BITS = st.integers(0, 2**32 - 1).map(lambda i: from_bits(i * 0x9E3779B1 % 2**32))
TINY = st.integers(0, 0x00FFFFFF).map(from_bits) | st.integers(0x80000000, 0x80FFFFFF).map(from_bits)
# Uniform in value on [-m, m] for m from 1 to 32768: where functions are mostly used, and where
# exp, erf and log do their work (a 53-bit fraction, scrambled as ANY_BITS is, then rounded).
MODERATE = st.builds(lambda m, i: np.float32(m * ((i * 0x9E3779B97F4A7C15 % 2**53) / 2**52 - 1)),
                     st.sampled_from([2.0**k for k in (0, 1, 2, 3, 4, 5, 6, 7, 10, 15)]), st.integers(0, 2**53 - 1))


@functools.cache
def inputs(function: str):
    """Every float32 may be drawn (NaN and ±inf too), with weight on the edges of the function."""
    return st.one_of(
        st.floats(width=32).map(np.float32),  # Hypothesis' mix of special and boundary values
        ANY_BITS,
        TINY,  # subnormals and the smallest normals, both signs
        MODERATE,
        near(edges(function)),
        near([to_ordered(from_bits(b)) for b in REGRESSIONS[function]], spreads=(0, 1, 16, 1 << 10)),
    )


def kind(v) -> str:
    """nan, inf, zero, subnormal, one or normal, signed (for Hypothesis's statistics)."""
    if np.isnan(v):
        return "nan"
    a = abs(float(v))
    return ("-" if np.signbit(v) else "+") + ("inf" if a == np.inf else "zero" if a == 0 else "one" if a == 1
                                              else "subnormal" if a < 2.0**-126 else "normal")


def check(function, x):
    x = np.float32(x)
    y = call(function, x)
    assert_contract(function, x, y)
    return y


@pytest.mark.parametrize("function", FUNCTIONS)
@settings(max_examples=1500, deadline=None)
@given(data=st.data())
def test_ulp_bound(function, data):
    """The contract's rule (error < max_ulp ulp32(exact), Annex F's non-finite and signed-zero
    results exactly) on the whole float32 line of the function; each example is a batch of up
    to 16 inputs (a failure shrinks to one)."""
    x = np.array(data.draw(st.lists(inputs(function), min_size=1, max_size=16), label="xs"), np.float32)
    y = call(function, x)
    for xi, yi in zip(x, y):
        assert_contract(function, xi, yi)
        event(f"x {kind(xi)}, result {kind(yi)}")  # pytest --hypothesis-show-statistics


def published_worst_inputs(function):
    """The worst input of the exhaustive verification of every published kernel version."""
    for version in _kernels.available_versions():
        entry = _kernels.manifest(version)["functions"].get(function)
        if entry:
            yield int(entry["verification"]["worst_input"], 16)


def regression_cases():
    for function in FUNCTIONS:
        for bits in sorted(set(REGRESSIONS[function]) | set(published_worst_inputs(function))):
            yield pytest.param(function, bits, id=f"{function}-0x{bits:08x}")


@pytest.mark.parametrize("function,bits", list(regression_cases()))
def test_regressions(function, bits):
    """Known hard inputs: the contract's rule, and also at -x (the neighbours are what
    Hypothesis tries, from test_ulp_bound)."""
    x = from_bits(bits)
    check(function, x)
    check(function, -x)


def test_regressions_are_float32_bit_patterns():
    assert set(REGRESSIONS) == set(FUNCTIONS), "one list of regression inputs per function of the contract"
    for function, patterns in REGRESSIONS.items():
        assert all(isinstance(b, int) and 0 <= b < 2**32 for b in patterns), function


@pytest.mark.parametrize("function", FUNCTIONS)
def test_edges_replayed(function):
    """Every edge of the function (edges()) and its two neighbours, checked on every run."""
    k = np.array(edges(function), np.int64)
    ks = np.unique(np.concatenate([k - 1, k, k + 1]).clip(LOWEST, HIGHEST))
    x = np.array([from_ordered(int(i)) for i in ks], np.float32)
    y = call(function, x)
    for xi, yi in zip(x, y):
        assert_contract(function, xi, yi)


def _assert_nan_only_outside_domain(function, x, y):
    """Results that are NaN must be for inputs whose exact value is NaN (checked with mpmath)."""
    for xi in x[np.isnan(y)]:
        assert contract_error(function, xi, np.float32(np.nan)) == 0, describe(function, xi, np.nan)


@pytest.mark.parametrize("function", ODD)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_odd_symmetry(function, data):
    x = data.draw(inputs(function), label="x")
    a, b = call(function, x), call(function, -x)
    if np.isnan(a):
        assert np.isnan(b)
    else:
        assert b == -a and np.signbit(b) != np.signbit(a), (x, a, b)


@pytest.mark.parametrize("function", EVEN)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_even_symmetry(function, data):
    x = data.draw(inputs(function), label="x")
    a, b = call(function, x), call(function, -x)
    assert (np.isnan(a) and np.isnan(b)) or to_bits(a) == to_bits(b), (x, a, b)


@pytest.mark.parametrize("function", MONOTONIC)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_monotonic(function, data):
    """Non-decreasing on the domain (where the result is not NaN; NaN only outside it)."""
    xs = data.draw(st.lists(inputs(function), min_size=2, max_size=64), label="xs")
    x = np.sort(np.array(xs, np.float32))
    y = call(function, x)
    _assert_nan_only_outside_domain(function, x, y)
    y = y[~np.isnan(y)]
    assert np.all(y[1:] >= y[:-1]), (x, y)


@pytest.mark.parametrize("function", MONOTONIC)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_monotonic_adjacent_floats(function, data):
    """Neighbouring float32 inputs never give decreasing results (where monotonicity
    is most fragile: at binade and reduction-interval edges, and the function's edges)."""
    x = np.float32(data.draw(inputs(function).filter(lambda v: not np.isnan(v)), label="x"))
    with np.errstate(over="ignore"):
        x = np.array([x, np.nextafter(x, np.float32(np.inf))], np.float32)
    x = np.unique(np.concatenate([x, -x]))  # sorted; -0.0 and 0.0 count as one
    y = call(function, x)
    _assert_nan_only_outside_domain(function, x, y)
    y = y[~np.isnan(y)]
    assert np.all(y[1:] >= y[:-1]), (x, y)
