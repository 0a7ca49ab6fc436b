"""Hypothesis properties against mpmath (independent of the float64 libm reference that
`make verify` uses): ULP bound, odd/even symmetry, monotonicity (as fastmath.contract states them)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import fastmath
from fastmath.contract import CONTRACTS

from ..conftest import ulp_error_mp

finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
DOMAIN = {
    "exp": st.floats(-103.5, 88.5, width=32),
    "log": st.floats(0, None, width=32, exclude_min=True, allow_infinity=False),
    "sin": finite32,
    "cos": finite32,
    "erf": finite32,
}
ODD = [f for f, c in CONTRACTS.items() if c.symmetry == "odd"]
EVEN = [f for f, c in CONTRACTS.items() if c.symmetry == "even"]
MONOTONIC = [f for f, c in CONTRACTS.items() if c.monotonic]


def _check_ulp(function, x):
    x = np.float32(x)
    y = getattr(fastmath, function)(x)
    assert np.isfinite(y)
    err = ulp_error_mp(function, x, y)
    assert err < CONTRACTS[function].max_ulp, f"{function}({float(x).hex()}) = {float(y).hex()}: {err} ULP"


@settings(max_examples=400, deadline=None)
@given(DOMAIN["exp"])
def test_exp_ulp_bound(x):
    _check_ulp("exp", x)


@settings(max_examples=400, deadline=None)
@given(DOMAIN["log"])
def test_log_ulp_bound(x):
    _check_ulp("log", x)


@settings(max_examples=400, deadline=None)
@given(DOMAIN["sin"])
def test_sin_ulp_bound(x):
    _check_ulp("sin", x)


@settings(max_examples=200, deadline=None)
@given(st.floats(-32768.0, 32768.0, width=32) | st.floats(-0.0009765625, 0.0009765625, width=32))
def test_sin_ulp_bound_moderate_and_tiny(x):
    _check_ulp("sin", x)


@settings(max_examples=400, deadline=None)
@given(DOMAIN["cos"])
def test_cos_ulp_bound(x):
    _check_ulp("cos", x)


@settings(max_examples=200, deadline=None)
@given(st.floats(-32768.0, 32768.0, width=32) | st.floats(-0.0009765625, 0.0009765625, width=32))
def test_cos_ulp_bound_moderate_and_tiny(x):
    _check_ulp("cos", x)


@settings(max_examples=400, deadline=None)
@given(DOMAIN["erf"])
def test_erf_ulp_bound(x):
    _check_ulp("erf", x)


@settings(max_examples=200, deadline=None)
@given(st.floats(-4.5, 4.5, width=32))
def test_erf_ulp_bound_transition_region(x):
    _check_ulp("erf", x)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ODD), st.floats(width=32, allow_nan=False))
def test_odd_symmetry(function, x):
    f = getattr(fastmath, function)
    x = np.float32(x)
    a, b = f(x), f(-x)
    if np.isnan(a):
        assert np.isnan(b)
    else:
        assert b == -a and np.signbit(b) != np.signbit(a)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EVEN), st.floats(width=32, allow_nan=False))
def test_even_symmetry(function, x):
    f = getattr(fastmath, function)
    x = np.float32(x)
    a, b = f(x), f(-x)
    assert (np.isnan(a) and np.isnan(b)) or a.view(np.uint32) == b.view(np.uint32)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MONOTONIC),
       st.lists(st.floats(width=32, allow_nan=False), min_size=2, max_size=64))
def test_monotonic(function, xs):
    f = getattr(fastmath, function)
    x = np.sort(np.array(xs, np.float32))
    if function == "log":
        x = x[x >= 0]
    y = f(x)
    assert np.all(y[1:] >= y[:-1]), (x, y)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MONOTONIC), st.integers(0, 2**31 - 2))
def test_monotonic_adjacent_floats(function, bits):
    """Neighbouring float32 inputs never give decreasing results (where monotonicity
    is most fragile: at binade and reduction-interval edges)."""
    f = getattr(fastmath, function)
    x = np.array([bits, bits + 1], np.uint32).view(np.float32)
    x = np.concatenate([x, -x[::-1]]) if function != "log" else x
    x = np.sort(x[np.isfinite(x)])
    y = f(x)
    assert np.all(y[1:] >= y[:-1]), (x, y)
