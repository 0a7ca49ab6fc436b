"""log for float64 arguments: reduction to [sqrt(1/2), sqrt(2)) by the exponent field, the
atanh variable s with its division residual (a double-double s + ds), one core for the tail
of 2 atanh(s), k ln2 + 2s summed exactly, one rounding at the end."""
import math

import mpmath
import numpy as np

from fastmath._ops import bits_float, fdiv, float_bits, fma

from ...scaffold import CommonPath, ConstantTable, CoreSpec, Scaffold, bits64, exact

K = ConstantTable()
SQRT_HALF_BITS64 = K.bits(0x3FE6A09E667F3BCD, "bit pattern of RN(sqrt(1/2))")
LN2_HI64 = K.f64(math.ldexp(math.floor(math.ldexp(float(exact(lambda: mpmath.log(2))), 42)), -42),
                 "ln 2 truncated to 42 bits: k LN2_HI64 is exact for |k| < 2^11")
LN2_LO64 = K.f64(exact(lambda: mpmath.log(2) - mpmath.mpf(LN2_HI64)), "RN(ln 2 - LN2_HI64)")
ABS_MASK64 = K.bits(2**63 - 1, "all bits but the sign")
MIN_NORMAL_BITS64 = K.bits(bits64(2.0**-1022), "bits of 2^-1022, the least normal float64")
INF_BITS64 = K.bits(bits64(float("inf")), "bits of +inf: at and above, +inf and NaN")
SUB_K64 = K.int(1074, "a subnormal x is ix 2^-1074")

S_MAX = 3 - 2 * 2**0.5  # |s| <= (sqrt 2 - 1) / (sqrt 2 + 1)


def _atanh_tail(s):
    """(2 atanh(s) - 2s) / s^3, by its series near 0 (where the difference cancels)."""
    if abs(s) < mpmath.mpf(2) ** -20:
        u = s * s
        return mpmath.mpf(2) / 3 + 2 * u / 5 + 2 * u * u / 7
    return (2 * mpmath.atanh(s) - 2 * s) / s**3


core_log64_tail = CoreSpec("log64_tail", _atanh_tail, -S_MAX, S_MAX, "even", "relative",
                           "(2 atanh(s) - 2s) / s^3, |s| <= 3 - 2 sqrt(2)", fit_budget_log2=-52.0)


def log_f64(x):
    ix = float_bits(x)
    ax = ix & ABS_MASK64
    special = (ix <= 0) | (ix >= INF_BITS64)
    # 1. Subnormal x = ix 2^-1074 becomes the normal float ix (exact: ix < 2^52), bits and
    #    offset from one select.
    bits, offset = (float_bits(np.float64(ix)), SUB_K64) if ax < MIN_NORMAL_BITS64 else (ix, 0)
    # 2. Reduce. For any bit pattern (special x too) m is in [sqrt(1/2), sqrt(2)) and k is
    #    finite: special x runs through steps 2-5 without raising a flag.
    k = (bits - SQRT_HALF_BITS64) >> 52
    m = bits_float(bits - (k << 52))
    kf = np.float64(k - offset)
    f = m - 1.0
    # 3. The atanh variable. The same division gives special x its flag (step 6): -1/0 =
    #    -inf with divide-by-zero (x = ±0), 0/0 = NaN with invalid (x < 0, -inf); its
    #    operands are f and 2 + f for every other x (NaN and +inf too). (Integer tests:
    #    LLVM compiles a float x <= 0 to a compare that raises invalid for NaN.)
    nonpositive = (ix <= 0) & (ax <= INF_BITS64)  # ±0, x < 0 and -inf (not NaN)
    num = f
    if nonpositive:
        num = 0.0
    if ax == 0:
        num = -1.0
    den = 0.0 if nonpositive else 2.0 + f
    q = fdiv(num, den)  # (fdiv: no zero check when inlined into @njit code)
    s = 0.0 if special else q
    # 2 ds = 2 e / (2 + f) = e (1 - s): e = f - s (2 + f), exact by one fma (f - 2s exact).
    e = fma(-s, f, f - (s + s))
    ds2 = fma(-e, s, e)
    # 4. Core: the tail of 2 atanh(s + ds).
    tail = fma(s * (s * s), core_log64_tail(s), ds2)
    # 5. Reconstruct: hi + lo = k LN2_HI64 + 2s exactly (Fast2Sum: |k LN2_HI64| >= |2s|
    #    or k = 0), then one rounding.
    a = kf * LN2_HI64
    hi = a + (s + s)
    lo = (s + s) - (hi - a)
    y = hi + (tail + fma(kf, LN2_LO64, lo))
    # 6. Special values: x + q is -inf (x = ±0), NaN (x < 0 or NaN: q or x is NaN), +inf
    #    (x = +inf, q finite), with no further flag.
    if special:
        y = x + q
    return y


def log_f64_common(x):
    # Positive normal x: log_f64 without steps 1 and 6 (k needs no subnormal offset, q =
    # f / (2 + f)). +inf and NaN (positive): log_f64's step 6, x + q with the same q.
    ix = float_bits(x)
    k = (ix - SQRT_HALF_BITS64) >> 52
    m = bits_float(ix - (k << 52))
    kf = np.float64(k)
    f = m - 1.0
    s = fdiv(f, 2.0 + f)
    e = fma(-s, f, f - (s + s))
    ds2 = fma(-e, s, e)
    tail = fma(s * (s * s), core_log64_tail(s), ds2)
    a = kf * LN2_HI64
    hi = a + (s + s)
    lo = (s + s) - (hi - a)
    y = hi + (tail + fma(kf, LN2_LO64, lo))
    if ix >= INF_BITS64:
        y = x + s
    return y


def log_f64_is_common(x):
    # positive normal x, +inf and positive NaN: one signed compare
    return float_bits(x) >= MIN_NORMAL_BITS64


SCAFFOLD = Scaffold(
    function="log",
    variant="dd",
    dtype="float64",
    method=(
        "1. Subnormal x = ix 2^-1074 is replaced by the float ix (exact). Special x (±0, x < 0,",
        "   ±inf, NaN) needs no detour: every bit pattern reduces to finite k and m (step 2).",
        "2. Reduce: x = 2^k m, m in [sqrt(1/2), sqrt(2)), read off the float64 bits; f = m - 1 (exact).",
        "3. s = RN(f / (2 + f)); its residual e = f - s (2 + f) = fma(-s, f, f - 2s) is exact",
        "   (f - 2s by Sterbenz), so s + ds, 2 ds = 2e / (2 + f) = e (1 - s), is the quotient",
        "   to ~2^-105. Special x shares the one division (step 6).",
        "4. Core: Q(s) ~ (2 atanh(s) - 2s) / s^3 (one program, even in s), so",
        "   log m = 2 atanh(s + ds) = 2s + (s^3 Q(s) + 2 ds), the tail below 1% of 2s.",
        "5. Reconstruct: log x = k LN2_HI64 + 2s (both exact; summed to hi + lo by Fast2Sum,",
        "   as |k LN2_HI64| >= |2s| or k = 0) + (tail + k LN2_LO64 + lo), rounded once at the end.",
        "6. Special values as C99 Annex F: log(±0) = -inf (divide-by-zero), log(x < 0) = NaN",
        "   (invalid), log(+inf) = +inf, log(NaN) = NaN; each flag is raised only for its input.",
    ),
    budget=("The tail s^3 Q(s) is below 1% of 2s (s^2 / 3 <= 0.0099), so a core within 2^-50 "
            "relative costs under 2^-56 of the result; the tail's and lo's roundings add about "
            "0.01 ULP beside the final rounding's 0.5."),
    cores=(core_log64_tail,),
    constants=K.named(globals()),
    kernel=log_f64,
    common=CommonPath(log_f64_common, log_f64_is_common, (
        "Common path, positive normal x: steps 2-5 alone (no subnormal offset, no special-value",
        "operands for the division), the same operations on the same values; +inf and",
        "positive NaN: step 6's x + q, q = s from the same division.",
    )),
    feasible_ulp=0.6,
)
