"""log, float64 internal precision: reduce to [sqrt(1/2), sqrt(2)), 2 atanh(s) by one
core, reconstruct, round once."""
import mpmath
import numpy as np

from fastmath._ops import bits_float, float_bits, fma

from ...scaffold import ConstantTable, CoreSpec, Scaffold, exact

K = ConstantTable()
SQRT_HALF_BITS = K.bits(0x3FE6A09E667F3BCD, "bit pattern of RN(sqrt(1/2))")
LN2 = K.f64(exact(lambda: mpmath.log(2)), "RN(ln 2)")
POS_INF_BITS = K.bits(0x7F800000, "bit pattern of +inf as int32")

S_MAX = 3 - 2 * 2**0.5  # |s| <= (sqrt 2 - 1) / (sqrt 2 + 1)
core_log = CoreSpec("log", lambda s: 2 * mpmath.atanh(s), -S_MAX, S_MAX, "odd", "relative",
                    "2 atanh(s) = log((1 + s) / (1 - s))")


def log_f32(x):
    ix = float_bits(x)
    ax = ix & 0x7FFFFFFF
    special = (ix <= 0) | (ix >= POS_INF_BITS)
    # 1. Special x goes around the arithmetic.
    xd = 1.0 if special else np.float64(x)
    # 2. Reduce.
    bits = float_bits(xd)
    k = (bits - SQRT_HALF_BITS) >> 52
    z = bits_float(bits - (k << 52))
    f = z - 1.0
    # 3. To the atanh variable; for special x the same division gives the result of step 6:
    #    -1/0 = -inf with divide-by-zero (x = ±0), 0/0 = NaN with invalid (x < 0), 1/1 else.
    num, den = f, 2.0 + f
    if special:
        zero = ax == 0
        negative = (ix < 0) & (ax <= POS_INF_BITS)
        num = -1.0 if zero else (0.0 if negative else 1.0)
        den = 0.0 if (zero | negative) else 1.0
    s = num / den
    # 4. Core.
    q = core_log(s)
    # 5. Reconstruct.
    y = np.float32(fma(np.float64(k), LN2, q))
    # 6. Special values.
    if special:
        y = x if (ax > POS_INF_BITS) | (ix == POS_INF_BITS) else np.float32(s)
    return y


SCAFFOLD = Scaffold(
    function="log",
    variant="f64",
    method=(
        "1. Special x (±0, negative, ±inf, NaN) is set aside; float32 subnormals need no care,",
        "   being normal float64 numbers.",
        "2. Reduce: x = 2^k z, z in [sqrt(1/2), sqrt(2)), read off the float64 bits; f = z - 1 (exact).",
        "3. s = f / (2 + f), |s| <= 3 - 2 sqrt(2); log z = 2 atanh(s). Special x shares this one",
        "   division (step 6), so the loop has a single divide.",
        "4. Core: 2 atanh(s) (one program, odd in s).",
        "5. Reconstruct: log x = k ln2 + core(s), one fma, rounded once to float32.",
        "6. Special values as C99 Annex F: log(±0) = -inf (divide-by-zero), log(x < 0) = NaN",
        "   (invalid), log(+inf) = +inf, log(NaN) = NaN; each flag is raised only for its input.",
    ),
    budget=("A core within 2^-34 relative (absolute where k = 0, |log x| being at least |2s|) "
            "keeps the result within 0.5 + 2^-8 ULP before the one rounding."),
    cores=(core_log,),
    constants=K.named(globals()),
    kernel=log_f32,
)
