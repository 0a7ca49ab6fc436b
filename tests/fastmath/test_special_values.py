"""Special values from the contract table, plus subnormals and overflow/underflow edges."""
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS


@pytest.mark.parametrize("function", FUNCTIONS)
def test_contract_special_values(function):
    f = getattr(fastmath, function)
    for x, expected in CONTRACTS[function].special_values:
        with np.errstate(all="ignore"):
            y = f(np.float32(x))
        assert y.dtype == np.float32
        if np.isnan(expected):
            assert np.isnan(y), (function, x, y)
        else:
            assert y == expected and np.signbit(y) == np.signbit(np.float32(expected)), (function, x, y)


def test_exp_overflow_underflow_thresholds():
    big = np.float32(88.72283)  # largest float32 whose exp is finite
    assert np.isfinite(fastmath.exp(big))
    with np.errstate(over="ignore"):
        assert fastmath.exp(np.nextafter(big, np.float32(np.inf))) == np.inf
    # smallest subnormal result and below
    assert fastmath.exp(np.float32(-103.27893)) > 0
    assert fastmath.exp(np.float32(-104.0)) == 0  # below 2^-150: rounds to 0
    assert fastmath.exp(np.float32(-87.33655)) < np.finfo(np.float32).tiny * 1.0001


def test_subnormal_inputs():
    tiny = np.array([1e-45, 1e-40, 1.1754942e-38], np.float32)  # subnormals
    np.testing.assert_array_equal(fastmath.exp(tiny), np.float32(1.0))
    np.testing.assert_array_equal(fastmath.sin(tiny), tiny)
    np.testing.assert_array_equal(fastmath.cos(tiny), np.float32(1.0))
    np.testing.assert_array_equal(fastmath.erf(tiny) >= tiny, True)  # erf x ~ 1.128 x
    logs = fastmath.log(tiny)
    np.testing.assert_allclose(logs, np.log(tiny.astype(np.float64)), rtol=2e-7)
    assert fastmath.log(np.float32(1e-45)) == np.float32(np.log(2.0**-149))


def test_log_of_negatives_and_zero_as_numpy():
    x = np.array([-1.0, -1e-45, -np.inf, 0.0, -0.0, np.nan], np.float32)
    with np.errstate(all="ignore"):
        ours, theirs = fastmath.log(x), np.log(x)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("function", ["sin", "cos"])
def test_huge_arguments(function):
    x = np.array([1e30, -1e30, 3.4028235e38, 16777216.0, 1e10, 1.0e20], np.float32)
    expected = getattr(np, function)(x.astype(np.float64)).astype(np.float32)
    ours = getattr(fastmath, function)(x)
    assert np.max(np.abs(ours.view(np.int32) - expected.view(np.int32))) <= 1
