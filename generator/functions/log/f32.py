"""log, float32 internal precision: an exact quotient residual and a Fast2Sum keep the
float32 roundings under the 1 ULP budget; special x runs the normal path."""
import mpmath
import numpy as np

from fastmath._ops import and_i32, bits_float, float_bits, fma, sar_i32, shl_i32, sub_i32

from ...scaffold import CommonPath, ConstantTable, CoreSpec, Scaffold, bits32, exact

K = ConstantTable()
_LN2_HI16 = float(mpmath.floor(mpmath.log(2) * 2**16) / 2**16)  # 16 bits: k LN2_HI is exact for |k| < 2^8
SQRT_HALF_BITS = K.i32(bits32(0.5**0.5), "bit pattern of RN32(sqrt(1/2))")
LN2_HI = K.f32(_LN2_HI16, "ln 2 truncated to 16 bits")
LN2_LO = K.f32(exact(lambda: mpmath.log(2) - mpmath.mpf(_LN2_HI16)), "RN32(ln 2 - LN2_HI)")
ONE = K.f32(1.0, "float32 one")
TWO = K.f32(2.0, "float32 two")
ZERO = K.f32(0.0, "float32 zero")
MANT = K.i32(23, "float32 fraction bits")
SUB_K = K.i32(149, "a subnormal x is ix 2^-149")
NO_K = K.i32(0, "int32 zero")
MIN_NORMAL_BITS = K.i32(0x00800000, "bit pattern of the least normal float32")
POS_INF_BITS = K.i32(0x7F800000, "bit pattern of +inf")
ABS_MASK = K.i32(0x7FFFFFFF, "all bits but the sign")


def _atanh_tail(s):
    """(2 atanh(s) - 2s) / s^3, the core's target (even in s); by its series near 0, where
    the difference would cancel."""
    if abs(s) < mpmath.mpf(2) ** -20:
        return mpmath.mpf(2) / 3 + 2 * s * s / 5 + 2 * s ** 4 / 7
    return (2 * mpmath.atanh(s) - 2 * s) / s ** 3


# |s| <= (sqrt 2 - 1) / (sqrt 2 + 1) = 3 - 2 sqrt 2, plus the roundings of m and s.
S_MAX = (3 - 2 * 2**0.5) * (1 + 2**-10)
core_log = CoreSpec("log", _atanh_tail, -S_MAX, S_MAX, "even", "relative", "(2 atanh(s) - 2s) / s^3",
                    precision="float32")


def log_f32(x):
    ix = float_bits(x)
    ax = and_i32(ix, ABS_MASK)  # (int32 constants and ops throughout: 16 lanes, not 8)
    special = (ix <= NO_K) | (ix >= POS_INF_BITS)
    # 1. Subnormal x = ix 2^-149 becomes the normal float ix (exact: ix < 2^23). (A scaling
    #    x * 2^23 would be turned by LLVM into a select of x and x * 2^23, which overflows
    #    for large x. Bits and offset come from one select: two selects on the same test
    #    let LLVM run step 2 twice, for x and for ix, and blend after it.)
    bits, offset = (float_bits(np.float32(ix)), SUB_K) if ax < MIN_NORMAL_BITS else (ix, NO_K)
    # 2. Reduce. For any bit pattern (special x too) m is in [sqrt(1/2), sqrt(2)) and k is
    #    finite: special x runs through steps 2-5 without raising a flag.
    k = sar_i32(sub_i32(bits, SQRT_HALF_BITS), MANT)
    m = bits_float(sub_i32(bits, shl_i32(k, MANT)))
    kf = np.float32(sub_i32(k, offset))
    f = m - ONE
    # 3. The atanh variable. The same division gives special x its flag (step 6): -1/0 =
    #    -inf with divide-by-zero (x = ±0), 0/0 = NaN with invalid (x < 0, -inf); its
    #    operands are f and 2 + f for every other x (NaN and +inf too).
    #    (Integer tests: LLVM compiles a float x <= 0 to a compare that raises invalid for NaN.)
    nonpositive = (ix <= NO_K) & (ax <= POS_INF_BITS)  # ±0, x < 0 and -inf (not NaN)
    num = f
    if nonpositive:
        num = ZERO
    if ax == NO_K:
        num = -ONE
    den = ZERO if nonpositive else TWO + f
    q = num / den
    s = ZERO if special else q
    # 2 ds = 2 e / (2 + f) = e (1 - s), to well below the last bit of 2s.
    e = fma(-s, f, f - (s + s))
    ds2 = fma(-e, s, e)
    # 4. Core: the tail of 2 atanh(s + ds).
    tail = fma(s * (s * s), core_log(s), ds2)
    # 5. Reconstruct: hi + lo = k LN2_HI + 2s exactly, then one rounding.
    a = kf * LN2_HI
    hi = a + (s + s)
    lo = (s + s) - (hi - a)
    y = hi + (tail + fma(kf, LN2_LO, lo))
    # 6. Special values: x + q is -inf (x = ±0), NaN (x < 0 or NaN: q or x is NaN), +inf
    #    (x = +inf, q finite), with no further flag.
    if special:
        y = x + q
    return y


def log_f32_common(x):
    # Positive normal x: log_f32 without steps 1 and 6 (xs = x, k needs no subnormal offset,
    # q = f / (2 + f): f + 0 = f as f = m - 1 is never -0, and (2 + f) 1 = 2 + f). +inf and
    # NaN (any sign): log_f32's step 6, x + q with the same q (finite: steps 2-3 as for any
    # bits).
    ix = float_bits(x)
    k = sar_i32(sub_i32(ix, SQRT_HALF_BITS), MANT)
    m = bits_float(sub_i32(ix, shl_i32(k, MANT)))
    kf = np.float32(k)
    f = m - ONE
    s = f / (TWO + f)
    e = fma(-s, f, f - (s + s))
    ds2 = fma(-e, s, e)
    tail = fma(s * (s * s), core_log(s), ds2)
    a = kf * LN2_HI
    hi = a + (s + s)
    lo = (s + s) - (hi - a)
    y = hi + (tail + fma(kf, LN2_LO, lo))
    if and_i32(ix, ABS_MASK) >= POS_INF_BITS:
        y = x + s
    return y


def log_f32_is_common(x):
    """Positive normal x, +inf and positive NaN (np.nan: data with missing values keeps the
    common path); one compare (a second one, for negative NaN, cost 15% of the loop)."""
    return float_bits(x) >= MIN_NORMAL_BITS


SCAFFOLD = Scaffold(
    function="log",
    variant="f32",
    internal_precision="float32",
    method=(
        "1. Subnormal x = ix 2^-149 is replaced by the float ix (exact). Special x (±0, x < 0,",
        "   ±inf, NaN) needs no detour: every bit pattern reduces to finite k and m (step 2).",
        "2. Reduce: x = 2^k m, m in [sqrt(1/2), sqrt(2)), read off the float32 bits; f = m - 1 (exact).",
        "3. s = RN(f / (2 + f)); its residual e = f - s (2 + f) = fma(-s, f, f - 2s) is exact",
        "   (f - 2s by Sterbenz), so s + ds, 2 ds = 2e / (2 + f) = e (1 - s), is the quotient",
        "   to ~2^-46. Special x shares the one division (step 6).",
        "4. Core: Q(s) ~ (2 atanh(s) - 2s) / s^3 (one program, even in s, float32), so",
        "   log m = 2 atanh(s + ds) = 2s + (s^3 Q(s) + 2 ds), the tail below 1% of 2s.",
        "5. Reconstruct: log x = k LN2_HI + 2s (both exact; summed to hi + lo by Fast2Sum,",
        "   as |k LN2_HI| >= |2s| or k = 0) + (tail + k LN2_LO + lo), rounded once at the end.",
        "6. Special values as C99 Annex F: log(±0) = -inf (divide-by-zero), log(x < 0) = NaN",
        "   (invalid), log(+inf) = +inf, log(NaN) = NaN; each flag is raised only for its input.",
    ),
    budget=("The tail s^3 Q(s) is below 1% of 2s, so 2^-22 relative in Q costs under 2^-28 of the "
            "result, beside the final rounding and the few float32 roundings of the tail; the "
            "exhaustive check decides."),
    fit_budget_log2=-22.0,
    cores=(core_log,),
    constants=K.named(globals()),
    kernel=log_f32,
    common=CommonPath(log_f32_common, log_f32_is_common, (
        "Common path, positive normal x: steps 2-5 alone (no subnormal offset, no special-value",
        "   operands for the division), the same operations on the same values; +inf and",
        "   positive NaN: step 6's x + q, q = s from the same division.",
    )),
)
