"""exp, float32 internal precision: twice the SIMD lanes of float64, but every rounding
counts against the 1 ULP, so the reduction keeps what r's rounding loses."""
import mpmath

from fastmath._ops import and_i32, float_bits, fma, ldexp, sub_i32

from ...scaffold import LN2, CommonPath, ConstantTable, CoreSpec, Scaffold, bits32, exact, f32

K = ConstantTable()
INV_LN2 = K.f32(exact(lambda: 1 / mpmath.log(2)), "RN32(1/ln 2)")
LN2_HI = K.f32(LN2, "RN32(ln 2)")
LN2_LO = K.f32(exact(lambda: mpmath.log(2) - mpmath.mpf(f32(LN2))), "RN32(ln 2 - LN2_HI): the next 24 bits of ln 2")
SHIFT = K.f32(1.5 * 2**23, "0x1.8p23: adding it rounds to an integer kept in the low bits")
SHIFT_BITS = K.i32(bits32(1.5 * 2**23), "bit pattern of SHIFT: bits(SHIFT + k) - SHIFT_BITS = k")
ONE = K.f32(1.0, "float32 one")
CLAMP_LO = K.f32(-104.0, "exp(-104) < 2^-150: rounds to +0 in float32")
CLAMP_HI = K.f32(89.0, "exp(89) > 2^128: rounds to +inf in float32")
ZERO = K.f32(0.0, "float32 zero")
TINY = K.f32(2.0**-26, "for |r| < 2^-26, e^r rounds to 1 (and r^2 would underflow)")
NEG_INF_BITS = K.bits(-0x00800000, "bit pattern of -inf as int32")
COMMON_LIMIT_BITS = K.i32(bits32(89.0), "bits of 89 = CLAMP_HI: the common path's |x| bound (CLAMP_LO = -104)")
ABS_MASK = K.i32(0x7FFFFFFF, "all bits but the sign")


def _expm1_tail(r):
    """(e^r - 1 - r) / r^2, the core's target; by its series near 0, where the difference
    would cancel."""
    if abs(r) < mpmath.mpf(2) ** -20:
        return mpmath.mpf(1) / 2 + r / 6 + r * r / 24 + r ** 3 / 120
    return (mpmath.expm1(r) - r) / (r * r)


# |r| <= ln2/2 + |x| (error of RN32(1/ln 2)) + the rounding of x/ln2: below ln2/2 (1 + 2^-10).
R_MAX = LN2 / 2 * (1 + 2**-10)
core_exp = CoreSpec("exp", _expm1_tail, -R_MAX, R_MAX, "poly", "relative", "(e^r - 1 - r) / r^2",
                    precision="float32")


def exp_f32(x):
    ix = float_bits(x)
    # (These tests stay in int64: written in int32 (and_i32, v9), LLVM moved the clamp's
    # min/max ahead of the select that sets NaN aside in scalar code: 'invalid' for NaN.)
    nonfinite = (ix & 0x7FFFFFFF) >= 0x7F800000
    # 1. Non-finite x goes around the arithmetic (integer tests and selects raise no flags).
    xf = ZERO if nonfinite else x
    xf = min(max(xf, CLAMP_LO), CLAMP_HI)
    # 2. Reduce.
    kf = fma(xf, INV_LN2, SHIFT)
    k = sub_i32(float_bits(kf), SHIFT_BITS)
    kf = kf - SHIFT
    r_hi = fma(-kf, LN2_HI, xf)
    r = fma(-kf, LN2_LO, r_hi)
    r_err = fma(-kf, LN2_LO, r_hi - r)
    if abs(r) < TINY:  # (r is finite here: a NaN x never meets a float compare)
        r = ZERO
    # 3.-4. Core; e^(r + r_err) - 1.
    t = r + fma(r * r, core_exp(r), r_err)
    # 5. Reconstruct: one rounding of 1 + t, one of the scaling.
    y = ldexp(t + ONE, k)
    if nonfinite:
        y = ZERO if ix == NEG_INF_BITS else x
    return y


def exp_f32_common(x):
    # |x| <= 89: exp_f32 without steps 1 and 6's set-asides (x is finite and the clamp
    # leaves it as it is); steps 2-5 are the same operations on the same values.
    kf = fma(x, INV_LN2, SHIFT)
    k = sub_i32(float_bits(kf), SHIFT_BITS)
    kf = kf - SHIFT
    r_hi = fma(-kf, LN2_HI, x)
    r = fma(-kf, LN2_LO, r_hi)
    r_err = fma(-kf, LN2_LO, r_hi - r)
    if abs(r) < TINY:
        r = ZERO
    t = r + fma(r * r, core_exp(r), r_err)
    return ldexp(t + ONE, k)


def exp_f32_is_common(x):
    return and_i32(float_bits(x), ABS_MASK) <= COMMON_LIMIT_BITS


SCAFFOLD = Scaffold(
    function="exp",
    variant="f32",
    internal_precision="float32",
    method=(
        "1. Non-finite x is set aside (exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = +0);",
        "   finite x is clamped to [-104, 89], outside which the float32 result is 0 or inf anyway.",
        "2. Reduce, in float32: k = rint(x / ln2) (one fma with a shift), r_hi = x - k LN2_HI",
        "   (one fma, exact: for k != 0, x - k LN2_HI is a multiple of 2^-25 below 1/2),",
        "   r = RN(r_hi - k LN2_LO), and r_err = (r_hi - r) - k LN2_LO, what r's rounding lost.",
        "   |r| < 2^-26 becomes 0: e^r rounds to 1 either way (|r_err| is below 2^-24 |r|), and",
        "   r^2 would underflow (a spurious underflow flag, and subnormal products 2x slower).",
        "3. Core: h(r) ~ (e^r - 1 - r) / r^2 (one program, float32).",
        "4. t = r + (r^2 h(r) + r_err) ~ e^(r + r_err) - 1: the correction enters below r's last bit.",
        "5. Reconstruct: e^x = ldexp(RN(1 + t), k): exact scaling, except where the result is",
        "   subnormal (rounded twice, the first time to 24 bits: within 2^-24 of a subnormal ULP",
        "   more) or overflows (+inf). ldexp is one vscalefps on AVX-512 (subnormal and zero",
        "   results at full speed; two multiplies made them 3-4x slower), two exact-power",
        "   multiplies elsewhere: the same bits, and the same bits as v5's 2^k1 (1 + t) 2^k2.",
    ),
    budget=("The core's error is scaled by r^2 <= 0.12 relative to e^r: 2^-26 relative in h costs "
            "under 2^-29 of the result, beside four float32 roundings (t, the fma, the scaling, and "
            "r's own, kept in r_err), so the kernel can stay under 1 ULP; the exhaustive check decides."),
    fit_budget_log2=-26.0,
    cores=(core_exp,),
    constants=K.named(globals()),
    kernel=exp_f32,
    common=CommonPath(exp_f32_common, exp_f32_is_common, (
        "Common path, |x| <= 89: steps 2-5 alone (x finite, and inside the clamp), the same",
        "   operations on the same values.",
    )),
)
