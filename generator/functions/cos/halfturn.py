"""cos, float64 internal precision: cos x = sin(x + pi/2), by sin's half-turn variant: one
quadrant added before the even count is taken, then one core and a sign."""
import numpy as np

from fastmath._ops import fma

from ...scaffold import CommonPath, ConstantTable, Scaffold
from ..sin import halfturn
from ..sin import reduction
from ..sin.halfturn import SHIFT_EVEN, STEPS_1_2, core_sin, signed
from ..sin.reduction import ZH, ZL, is_common_argument, two_over_pi

K = ConstantTable()
ONE_QUADRANT = K.f64(1.0, "one quadrant: cos x = sin(x + pi/2)")


def cos_halfturns(xd, zh, zl):
    """(r, nd) from z = zh + zl = 2/pi (mod 2^(2-E)): x z + 1 = n + r, n even, |r| <= 1
    (n from x z + 1 rounded twice: |r| <= 1 + 2^-26), nd = n + SHIFT_EVEN;
    cos x = sin(x + pi/2) = (-1)^(n/2) sin(pi r / 2)."""
    nd = fma(xd, zh, ONE_QUADRANT) + SHIFT_EVEN
    r = fma(xd, zl, fma(xd, zh, ONE_QUADRANT - (nd - SHIFT_EVEN)))
    return r, nd


def cos_f32(x):
    # 1.-3. z = 2/pi (mod 2^(2-E)); one quadrant on, even quadrants.
    zh, zl = two_over_pi(x)
    r, nd = cos_halfturns(np.float64(x), zh, zl)
    # 4.-5. Core; sign.
    return signed(core_sin(r), nd)


def cos_f32_common(x):
    # zl = ZL for every common x: two_over_pi sets zl = 0 for zero and subnormal x only to
    # keep the sign of sin(-0); cos there is RN(sin(pi/2 (1 - n))) = 1 with either zl (x zh
    # and x zl are far below half an ulp of 1 - n = ±1). No select.
    r, nd = cos_halfturns(np.float64(x), ZH, ZL)
    return signed(core_sin(r), nd)


def cos_f32_is_common(x):
    return is_common_argument(x)


SCAFFOLD = Scaffold(
    function="cos",
    variant="halfturn",
    method=STEPS_1_2 + (
        "3. cos x = sin(x + pi/2): n = the even integer nearest x zh + 1 (an fma, then adding",
        "   0x1.8p53); r = (x zh + 1 - n, one fma, 1 - n exact) + x zl (one fma), |r| <= 1",
        "   quadrant (1 + 2^-26: x zh + 1 rounds before n is taken). r is as exact as sin's:",
        "   near a zero of cos, x zh + 1 - n is a single rounding of a small number.",
        "4. Core: sin(pi r / 2) on |r| <= 1 (one program, sin's).",
        "5. Reconstruct: cos x = (-1)^(n/2) sin(pi r / 2) (the sign bit flipped by n/2 mod 2, the",
        "   last bit of n + 0x1.8p53), rounded once; cos(±0) = RN(sin(pi/2 (±1))) = 1.",
        "6. cos(±inf) = NaN with invalid (inf - inf in x zh + 1 - n), cos(NaN) = NaN, no flag.",
    ),
    budget=reduction.BUDGET,
    cores=(core_sin,),
    constants=halfturn.CONSTANTS + K.named(globals()),
    helpers=(two_over_pi, signed, cos_halfturns),
    kernel=cos_f32,
    common=CommonPath(cos_f32_common, cos_f32_is_common, reduction.COMMON_METHOD + (
        "   zl = ZL for zero and subnormal x too (the kernel's 0 there keeps sin(-0) = -0; cos",
        "   is 1 with either), so no select.",
    ), helpers=(is_common_argument,)),
)
