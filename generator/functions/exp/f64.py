"""exp, float64 internal precision: reduce, e^r by one core, scale, round once."""
import mpmath
import numpy as np

from fastmath._ops import float_bits

from ...scaffold import LN2, ConstantTable, CoreSpec, Scaffold
from . import reduction
from .reduction import exp_reduce

K = ConstantTable()
CLAMP_LO = K.f64(-160.0, "exp(-160) < 2^-230: rounds to +0 in float32")
CLAMP_HI = K.f64(128.0, "exp(128) > 2^184: rounds to +inf in float32")
NEG_INF_BITS = K.bits(-0x00800000, "bit pattern of -inf as int32")

core_exp = CoreSpec("exp", mpmath.exp, -LN2 / 2, LN2 / 2, "poly", "relative", "e^r")


def exp_f32(x):
    ix = float_bits(x)
    nonfinite = (ix & 0x7FFFFFFF) >= 0x7F800000
    # 1. Non-finite x goes around the arithmetic: integer tests and selects raise no
    #    flags, and min/max then never see a NaN (they would raise invalid).
    xd = 0.0 if nonfinite else np.float64(x)
    xd = min(max(xd, CLAMP_LO), CLAMP_HI)
    # 2.-4. Reduce, core, reconstruct; round once.
    r, scale = exp_reduce(xd)
    y = np.float32(core_exp(r) * scale)
    if nonfinite:
        y = np.float32(0.0) if ix == NEG_INF_BITS else x
    return y


SCAFFOLD = Scaffold(
    function="exp",
    variant="f64",
    method=(
        "1. Non-finite x is set aside (exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = +0);",
        "   finite x is clamped to [-160, 128], outside which the float32 result is 0 or inf anyway.",
        "2. Reduce: x = k ln2 + r, k = rint(x / ln2), |r| <= ln2/2, with ln2 in two parts and fma.",
        "3. Core: e^r (one program).",
        "4. Reconstruct: e^x = 2^k e^r, 2^k built in the float64 exponent field, rounded once to",
        "   float32 (which gives inf and the overflow flag, or 0 and the underflow flag, as C99 says).",
    ),
    budget=("A core within 2^-34 relative leaves e^x within 2^-34 + 2^-52 of exact before the one "
            "rounding to float32: 0.5 + 2^-10 ULP at most."),
    cores=(core_exp,),
    constants=reduction.CONSTANTS + K.named(globals()),
    helpers=(exp_reduce,),
    kernel=exp_f32,
)
