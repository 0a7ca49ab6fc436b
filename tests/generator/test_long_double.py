"""The float64 kernels' reference (generator.long_double): the x87 long double function as
float64 hi + lo, within 2^-10 ULP of float64 of mpmath, including results too small for lo to
be a float64 (scaled) and erf, which numpy has no long double loop for (glibc's erfl, called
from a loop compiled by llvmlite)."""
import math

import mpmath
import numpy as np
import pytest

from generator import long_double
from generator.verify64 import ulp_error64

pytestmark = pytest.mark.skipif(not long_double.available(), reason="needs the x87 long double (x86-64 Linux)")


def _inputs(function: str) -> np.ndarray:
    rng = np.random.default_rng(3)
    if function == "erf":
        x = [rng.uniform(-6.5, 6.5, 300), np.exp(rng.uniform(-700, 2, 100)), [5e-324, 1e-310, 2.0**-1022, 0.5, 1.5, 5.9215871957945]]
    else:
        x = [rng.uniform(-10, 10, 300), np.exp(rng.uniform(-700, 5, 100))]
    return np.concatenate(x)


@pytest.mark.parametrize("function", ["erf", "sin", "exp"])
def test_hi_lo_is_within_a_thousandth_of_an_ulp_of_mpmath(function):
    x = _inputs(function)
    hi, lo = long_double.hi_lo(function, x)
    worst = 0.0
    for xi, h, l in zip(x.tolist(), hi.tolist(), lo.tolist()):
        with mpmath.workprec(200):
            exact = getattr(mpmath, function)(mpmath.mpf(xi))
            scale = long_double.SUBNORMAL_SCALE if abs(h) < long_double.SCALED_BELOW else 1.0
            ulp = mpmath.mpf(2) ** (max(mpmath.frexp(exact)[1] - 1, -1022) - 52)
            # hi + lo, not hi alone: hi may be the double rounding of the long double value
            # (at the midpoint between two float64, as erf at 5.9215871957945)
            worst = max(worst, float(abs(mpmath.mpf(h) + mpmath.mpf(l) / scale - exact) / ulp))
    assert worst < 2.0**-10, worst


def test_hi_may_be_double_rounded_but_hi_plus_lo_is_exact():
    """erf(5.9215871957945) is 4.6e-27 below 1 - 2^-54: the long double rounds to that
    midpoint, hi to 1.0 (ties to even), while RN(erf) is 1 - 2^-53; hi + lo = 1 - 2^-54 is
    still within 2^-10 ULP, and both neighbours are 0.5 ULP from it, in ULPs of the exact
    value's binade (2^-53), not hi's."""
    hi, lo = long_double.hi_lo("erf", np.array([5.9215871957945]))
    assert hi[0] == 1.0 and lo[0] == -2.0**-54
    assert ulp_error64(1.0 - 2.0**-53, hi[0], lo[0]) == 0.5 == ulp_error64(1.0, hi[0], lo[0])


def test_results_below_2_to_the_minus_969_keep_their_low_part_scaled():
    """erf(x) ~ 1.128 x: at x = 0x0.e87810158f5b7p-1022 the exact value is 0.538 of the last
    place above y = ...407 2^-1074; an unscaled lo would round to 0 and show 1 ULP."""
    x = float.fromhex("0x0.e87810158f5b7p-1022")
    hi, lo = long_double.hi_lo("erf", np.array([x]))
    y = hi[0] - 2.0**-1074
    assert abs(ulp_error64(y, hi[0], lo[0]) - 0.5381) < 1e-3


def test_special_values():
    hi, lo = long_double.hi_lo("erf", np.array([0.0, -0.0, math.inf, -math.inf, math.nan]))
    assert hi[:4].tolist() == [0.0, -0.0, 1.0, -1.0] and math.copysign(1, hi[1]) == -1 and math.isnan(hi[4])
    assert np.all(lo == 0)
