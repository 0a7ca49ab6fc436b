"""sin, float64 internal precision: the exact reduction of ``reduction`` to an even number
of quadrants (half turns, x mod pi), then one core, sin(pi r / 2) on |r| <= 1 quadrant, and
a sign: no second core and no blend of sin r and cos r (as Arm's optimized-routines reduce
sinf), and no multiplication by pi/2 (the core's constants carry it)."""
import mpmath
import numpy as np

from fastmath._ops import bits_float, float_bits, fma

from ...scaffold import CommonPath, ConstantTable, CoreSpec, Scaffold
from . import reduction
from .reduction import ZH, common_zl, is_common_argument, two_over_pi

K = ConstantTable()
SHIFT_EVEN = K.f64(1.5 * 2**53, "0x1.8p53: adding it rounds to an even integer n; bit 0 of the sum is n/2 mod 2")
# |r| <= 1 + 2^-24 quadrants: 1, plus x zl and, for cos, the rounding of x zh + 1.
R_MAX = 1 + 2.0**-24


def _sin_quadrants(r):
    """sin(pi r / 2): sin of r quadrants."""
    return mpmath.sin(mpmath.pi * r / 2)


core_sin = CoreSpec("sin", _sin_quadrants, -R_MAX, R_MAX, "odd", "relative", "sin(pi r / 2)")


def signed(y, nd):
    """(-1)^(n/2) y rounded once to float32, n the even quadrant count in nd = n + SHIFT_EVEN
    (whose last bit is n/2 mod 2): the sign bit flipped, no select."""
    return np.float32(bits_float(float_bits(y) ^ (float_bits(nd) << 63)))


def sin_halfturns(xd, zh, zl):
    """(r, nd) from z = zh + zl = 2/pi (mod 2^(2-E)): x z = n + r, n even, |r| <= 1,
    nd = n + SHIFT_EVEN; sin x = (-1)^(n/2) sin(pi r / 2)."""
    nd = fma(xd, zh, SHIFT_EVEN)
    r = fma(xd, zl, fma(xd, zh, -(nd - SHIFT_EVEN)))
    return r, nd


def sin_f32(x):
    # 1.-3. z = 2/pi (mod 2^(2-E)); even quadrants.
    zh, zl = two_over_pi(x)
    r, nd = sin_halfturns(np.float64(x), zh, zl)
    # 4.-5. Core; sign.
    return signed(core_sin(r), nd)


def sin_f32_common(x):
    r, nd = sin_halfturns(np.float64(x), ZH, common_zl(x))
    return signed(core_sin(r), nd)


def sin_f32_is_common(x):
    return is_common_argument(x)


STEPS_1_2 = reduction.METHOD[:8]
# (Not the quadrant shifts, nor pi/2: the core takes r in quadrants.)
CONSTANTS = tuple(c for c in reduction.CONSTANTS if not c.name.startswith("SHIFT") and c.name != "PIO2") + K.named(globals())

SCAFFOLD = Scaffold(
    function="sin",
    variant="halfturn",
    method=STEPS_1_2 + (
        "3. n = the even integer nearest x zh (one fma with 0x1.8p53); r = (x zh - n, one",
        "   fma) + x zl (one fma), |r| <= 1 quadrant. Error < 2^-79 + 2^-52 |r| quadrants;",
        "   the closest approach of a float32 to a nonzero multiple of pi/2 is 2^-29.86",
        "   quadrants (x = 16367173 2^72), so r is good to 2^-48 relative.",
        "4. Core: sin(pi r / 2) on |r| <= 1 (one program; pi/2 is in its constants, not a",
        "   multiplication of r).",
        "5. Reconstruct: sin x = (-1)^(n/2) sin(pi r / 2) (the sign bit flipped by n/2 mod 2, the last",
        "   bit of x zh + 0x1.8p53), rounded once. The sign of x = ±0 survives (zl is set to",
        "   0 there and x zh - n is an fmsub).",
        "6. sin(±inf) = NaN with invalid (inf - inf in x zh - n), sin(NaN) = NaN with no flag.",
    ),
    budget=reduction.BUDGET,
    cores=(core_sin,),
    constants=CONSTANTS,
    helpers=(two_over_pi, signed, sin_halfturns),
    kernel=sin_f32,
    common=CommonPath(sin_f32_common, sin_f32_is_common, reduction.COMMON_METHOD,
                      helpers=(common_zl, is_common_argument)),
)
