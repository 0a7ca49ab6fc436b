"""exp for float64 arguments: reduction to a double-double r + rl, 1 + r summed exactly, the
rest by one core, the power of two by the exponent field (or one vscalefpd where the result
overflows or is subnormal)."""
import mpmath
import numpy as np

from fastmath._ops import bits_float, float_bits, fma, ldexp

from ...scaffold import LN2, CommonPath, ConstantTable, CoreSpec, Scaffold, bits64
from . import reduction
from .reduction import INV_LN2, LN2_HI, LN2_LO, SHIFT

K = ConstantTable()
ABS_MASK64 = K.bits(2**63 - 1, "all bits but the sign")
TINY_BITS64 = K.bits(bits64(2.0**-60), "bits of 2^-60: |x| below is raised to it (e^x rounds to 1 below 2^-54, "
                                       "and r^2 must not underflow)")
COMMON_BITS64 = K.bits(bits64(708.0), "bits of 708: below, |k| <= 1021 and 2^k y is normal (k added to y's exponent field)")
CLAMP_BITS64 = K.bits(bits64(746.0), "bits of 746: |x| is clamped here (e^746 overflows, e^-746 rounds to +0)")
INF_BITS64 = K.bits(bits64(float("inf")), "bits of +inf: at and above, ±inf and NaN")
FRACTION_MASK64 = K.bits(2**52 - 1, "the fraction field: zero for ±inf, not for NaN")
WIDE_LIMIT64 = K.bits(bits64(708.0) + 2**63 - bits64(float("inf")),
                      "bits of 708 + 2^63 - bits of inf: (ix - INF) mod 2^63 is below it for |x| < 708, ±inf, NaN")
SUBNORMAL_K = K.int(-1022, "k <= -1022: 2^k e^r may be subnormal (exp_scale rounds it once)")
EXP_BIAS_1022 = K.int(1022 + 1023, "(k + 2045) << 52: the bits of 2^(k + 1022)")
TWO_BITS = K.bits(bits64(2.0), "bits of 2.0")
TWO_M1022 = K.f64(2.0**-1022, "2^-1022, the least normal float64")

# |r| <= ln2/2 plus what k = rint(RN(x / ln2)) may overshoot by: |x| < 746, so |x/ln2| < 2^11
# and RN's relative 2^-53 moves it by under 2^-42.
R_MAX = LN2 / 2 * (1 + 2.0**-30)


def _exp_tail(r):
    """(e^r - 1 - r) / r^2, by its series near 0 (where the difference cancels)."""
    if abs(r) < mpmath.mpf(2) ** -30:
        return mpmath.mpf(1) / 2 + r / 6 + r * r / 24
    return (mpmath.exp(r) - 1 - r) / (r * r)


core_exp64_tail = CoreSpec("exp64_tail", _exp_tail, -R_MAX, R_MAX, "poly", "relative",
                           "(e^r - 1 - r) / r^2, |r| <= ln2/2", fit_budget_log2=-56.0,
                           generations=500)  # (in 250 the search's one feasible core cost 12, at
#                                               0.625 ULP sampled: the baseline fit's degree 10 gives 0.595)


def exp_reduce_dd(a):
    """(r, rl, k_bits): a = k ln2 + r + rl to ~2^-100 relative, |r| <= ln2/2, k in k_bits'
    low bits. a - k RN(ln2) is exact (both multiples of 2^-54, under 0.5); the second part
    of ln2 rounds, and rl is what that rounding left."""
    kd = fma(a, INV_LN2, SHIFT)
    k_bits = float_bits(kd)
    kd = kd - SHIFT
    t = fma(-kd, LN2_HI, a)
    r = fma(-kd, LN2_LO, t)
    rl = fma(-kd, LN2_LO, t - r)
    return r, rl, k_bits


def exp_sum(r, rl, q):
    """e^(r + rl) in [0.70, 1.42] as s + t, q = Q(r): s = 1 + r, and t what s left of 1 + r
    (exact: Fast2Sum, |r| < 1) plus r^2 q and rl e^r ~ rl + rl r."""
    p = fma(r * r, q, fma(rl, r, rl))
    s = 1.0 + r
    return s, ((1.0 - s) + r) + p


def exp_scale(s, t, k_bits):
    """2^k (s + t) rounded once, for the results the exponent field cannot take: normal ones
    and overflow by one vscalefpd (llvm.ldexp) of s + t; subnormal ones (k <= -1022) where
    they are rounded, at the grid of 2^-1074, not before. Then V = 2^(k + 1022) (s + t) < 1
    (exact products), 1 + V by Fast2Sum puts V's first bits on the grid of 2^-52 (hi - 1)
    and the rest in lo, and one fma rounds 2^-1022 (hi - 1) + 2^-1022 lo into the
    subnormals: underflow is raised there, as the C library raises it. A k above -1022 takes
    the scale 2 instead of 2^(k + 1022), so that V >= 1 and no lane meets a tiny value."""
    k = (k_bits << 52) >> 52
    scale = bits_float(((k + EXP_BIAS_1022) << 52) if k <= SUBNORMAL_K else TWO_BITS)
    hs = s * scale
    ht = t * scale
    v = hs + ht
    lo = (hs - v) + ht
    hi = 1.0 + v
    lo = ((1.0 - hi) + v) + lo
    if v < 1.0:
        return fma(lo, TWO_M1022, (hi - 1.0) * TWO_M1022)
    return ldexp(s + t, np.int32(k_bits))


def exp_f64(x):
    ix = float_bits(x)
    ax = ix & ABS_MASK64
    # 1. a = x with |x| raised to 2^-60 and clamped to 746, by integer max and min on the
    #    bits of |x|; ±inf and NaN become 2^-60 (no lane meets a float op on them, no flag is
    #    raised for them). Values made before the branch: every lane of a vectorised loop
    #    computes both sides.
    ac = min(max(ax, TINY_BITS64), CLAMP_BITS64) if ax < INF_BITS64 else TINY_BITS64
    a = np.copysign(bits_float(ac), x)
    # 2.-3. Reduce, core, 1 + r summed exactly.
    r, rl, k_bits = exp_reduce_dd(a)
    s, t = exp_sum(r, rl, core_exp64_tail(r))
    # 4. 2^k (s + t): |x| < 708 adds k to the exponent field of s + t (exact); else
    #    exp_scale (overflow, subnormal results, underflow to 0: rounded once).
    if ax < COMMON_BITS64:
        y = bits_float(float_bits(s + t) + (k_bits << 52))
    else:
        y = exp_scale(s, t, k_bits)
    # 5. exp(+inf) = +inf, exp(-inf) = +0, exp(NaN) = NaN, with no flag: x's bits, all
    #    cleared for -inf (sign set, fraction zero). Integer arithmetic, no compare: LLVM
    #    turns ix == bits(-inf) into x <= -inf, a compare that raises invalid on NaN.
    if ax >= INF_BITS64:
        fraction = ix & FRACTION_MASK64
        keep = ((fraction | -fraction) >> 63) | ~(ix >> 63)
        y = bits_float(ix & keep)
    return y


def exp_f64_common(x):
    # exp_f64 for |x| < 708: the same operations on the same values (the clamp to 746, the
    # scaling of exp_scale and the special-value select do nothing there).
    ax = float_bits(x) & ABS_MASK64
    a = np.copysign(bits_float(max(ax, TINY_BITS64)), x)
    r, rl, k_bits = exp_reduce_dd(a)
    s, t = exp_sum(r, rl, core_exp64_tail(r))
    return bits_float(float_bits(s + t) + (k_bits << 52))


def exp_f64_is_common(x):
    return (float_bits(x) & ABS_MASK64) < COMMON_BITS64


def exp_f64_wide(x):
    # exp_f64 for |x| < 708, ±inf and NaN (missing values): the common path with the kernel's
    # steps 1 and 5 for ±inf and NaN (set aside before any float op, x's bits or +0 after).
    ix = float_bits(x)
    ax = ix & ABS_MASK64
    a = np.copysign(bits_float(max(ax, TINY_BITS64) if ax < INF_BITS64 else TINY_BITS64), x)
    r, rl, k_bits = exp_reduce_dd(a)
    s, t = exp_sum(r, rl, core_exp64_tail(r))
    y = bits_float(float_bits(s + t) + (k_bits << 52))
    if ax >= INF_BITS64:
        fraction = ix & FRACTION_MASK64
        keep = ((fraction | -fraction) >> 63) | ~(ix >> 63)
        y = bits_float(ix & keep)
    return y


def exp_f64_is_wide(x):
    # |x| < 708 or |x| >= inf: (ix - INF) mod 2^63 below 708 + 2^63 - INF, one compare
    return ((float_bits(x) - INF_BITS64) & ABS_MASK64) < WIDE_LIMIT64


SCAFFOLD = Scaffold(
    function="exp",
    variant="dd",
    dtype="float64",
    method=(
        "1. a = x with |x| raised to 2^-60 (e^x rounds to 1 below 2^-54; r^2 then never underflows)",
        "   and clamped to 746 (e^746 overflows, e^-746 rounds to +0); ±inf and NaN set aside.",
        "2. Reduce: a = k ln2 + r + rl, k = rint(a / ln2), |r| <= ln2/2: a - k RN(ln2) exact (fma),",
        "   the next 53 bits of ln2 subtracted with their rounding error kept in rl.",
        "3. e^(r + rl) = 1 + r + r^2 Q(r) + rl (1 + r), Q = core_exp64_tail: 1 + r by Fast2Sum",
        "   (exact), so only the small terms round before the last addition.",
        "4. Reconstruct: 2^k e^r, k added to the exponent field for |x| < 708. Beyond, one",
        "   vscalefpd (llvm.ldexp) for normal results and overflow; a subnormal result is rounded",
        "   once, at the grid of 2^-1074 (exp_scale: 1 + 2^(k + 1022) e^r split exactly, one fma).",
        "5. exp(+inf) = +inf, exp(-inf) = +0, exp(NaN) = NaN, with no flag.",
    ),
    budget=("e^r is in [0.70, 1.42] and 1 + r is exact, so the last rounding gives 0.5 ULP; r^2 Q(r) "
            "is under 0.068, so its roundings (r^2, the core's, the sum's) and a core within 2^-56 "
            "relative add under 0.1 ULP. The reduction leaves a - k ln2 to 2^-100."),
    cores=(core_exp64_tail,),
    constants=tuple(c for c in reduction.CONSTANTS if c.name != "ONE_BITS") + K.named(globals()),
    helpers=(exp_reduce_dd, exp_sum, exp_scale),
    kernel=exp_f64,
    common=CommonPath(exp_f64_common, exp_f64_is_common, (
        "Common path, |x| < 708: the kernel without the clamp to 746, the vscalefpd and the",
        "special-value select (the same operations on the same values).",
    )),
    wide=CommonPath(exp_f64_wide, exp_f64_is_wide, (
        "Wide path, |x| < 708, ±inf and NaN (chunks with missing values): the kernel without the",
        "clamp to 746 and the vscalefpd (the same operations on the same values).",
    )),
    feasible_ulp=0.6,
)
