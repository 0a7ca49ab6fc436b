"""Hand-written scaffolds: special values, range reduction and reconstruction.

A scaffold is the fixed part of a kernel. It declares the cores it needs (what each
must approximate, on which interval) and its body: Python source, compiled by Numba,
that calls ``core_<name>(u)`` for each core. ``generator.emit`` writes the constants,
the cores (from programs, fitted or evolved) and the body into one kernel file.

The default scaffolds compute internally in float64 and round once to float32
("internal precision: float64"): float32 subnormals are normal float64 numbers, the
reduction is exact or nearly so, and a core good to ~2^-34 leaves the result within
0.5 + 2^-8 ULP, so the search's job is the cost of the core, not its last bits.

A function may have other variants (``VARIANTS``). exp's "f32" variant computes in
float32 throughout: twice the SIMD lanes of float64, but every rounding now counts
against the 1 ULP, so its reduction keeps what r's rounding loses and adds it back
below r's last bit. Which variant ships is decided by measured speed among those that
verify (``generator.pipeline``).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

import mpmath

from .fit import CoreSpec

INTERNAL_PRECISION = "float64"


@dataclass(frozen=True)
class Constant:
    name: str
    source: str  # Python expression as emitted (hex floats, integers, arrays)
    origin: str  # where it came from


@dataclass(frozen=True)
class Scaffold:
    function: str
    method: tuple[str, ...]  # the numbered "Method" comment
    cores: tuple[CoreSpec, ...]
    constants: tuple[Constant, ...]
    body: str  # source of the kernel functions; calls core_<name>
    internal_precision: str = INTERNAL_PRECISION
    params: dict = field(default_factory=dict)
    variant: str = "f64"  # the scaffold's name among its function's variants
    int32_ops: bool = False  # the body uses fastmath._ops' int32 intrinsics (add_i32 ...)
    fit_budget_log2: float | None = None  # baseline fits' core error budget (None: the run's option)

    def core(self, name: str) -> CoreSpec:
        return next(spec for spec in self.cores if spec.name == name)


def _hex(x) -> str:
    return f'float.fromhex("{float(x).hex()}")'


def _exact(expr) -> mpmath.mpf:
    """expr() evaluated at 60 digits (mpmath's default of 15 would spoil low parts)."""
    with mpmath.workdps(60):
        return +expr()


def _split(expr):
    """expr() as hi + lo: hi = RN(value), lo = RN(value - hi), from 60 digits."""
    with mpmath.workdps(60):
        value = _exact(expr)
        hi = float(value)
        return hi, float(value - mpmath.mpf(hi))


def _f32(x) -> float:
    """x rounded to nearest float32."""
    import numpy as np
    return float(np.float32(x))


def _hex32(x) -> str:
    """A float32 constant: x rounded to nearest float32, written as its exact hex value."""
    return f'np.float32(float.fromhex("{_f32(x).hex()}"))'


def _exp_reduction_constants() -> list[Constant]:
    ln2_hi, ln2_lo = _split(lambda: mpmath.log(2))
    inv_ln2 = float(_exact(lambda: 1 / mpmath.log(2)))
    return [
        Constant("INV_LN2", _hex(inv_ln2), "RN(1/ln 2)"),
        Constant("LN2_HI", _hex(ln2_hi), "RN(ln 2)"),
        Constant("LN2_LO", _hex(ln2_lo), "RN(ln 2 - LN2_HI): the next 53 bits of ln 2"),
        Constant("SHIFT", _hex(1.5 * 2**52), "0x1.8p52: adding it rounds to an integer kept in the low bits"),
        Constant("ONE_BITS", "0x3FF0000000000000", "bit pattern of 1.0: 2^k = bits (k << 52) + ONE_BITS"),
    ]


def _exp_of(arg: str, core: str, result: str) -> str:
    """Body lines computing result = e^arg in float64 with the exp reduction constants:
    arg = k ln2 + r (k = rint(arg / ln2), ln2 in two parts), e^r by the core, times 2^k
    built in the exponent field. Shared by the exp and erf scaffolds."""
    return f"""    kd = fma({arg}, INV_LN2, SHIFT)
    k_bits = float_bits(kd)
    kd = kd - SHIFT
    r = fma(-kd, LN2_HI, {arg})
    r = fma(-kd, LN2_LO, r)
    {result} = {core}(r) * bits_float((k_bits << 52) + ONE_BITS)
"""


# ---------------------------------------------------------------------------
LN2 = float(_exact(lambda: mpmath.log(2)))
PI = float(_exact(lambda: mpmath.pi))

EXP = Scaffold(
    function="exp",
    method=(
        "1. Non-finite x is set aside (exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = +0);",
        "   finite x is clamped to [-160, 128], outside which the float32 result is 0 or inf anyway.",
        "2. Reduce: x = k ln2 + r, k = rint(x / ln2), |r| <= ln2/2, with ln2 in two parts and fma.",
        "3. Core: e^r (one program).",
        "4. Reconstruct: e^x = 2^k e^r, 2^k built in the float64 exponent field, rounded once to",
        "   float32 (which gives inf and the overflow flag, or 0 and the underflow flag, as C99 says).",
    ),
    cores=(CoreSpec("exp", mpmath.exp, -LN2 / 2, LN2 / 2, "poly", "relative", "e^r"),),
    constants=tuple(_exp_reduction_constants() + [
        Constant("CLAMP_LO", _hex(-160.0), "exp(-160) < 2^-230: rounds to +0 in float32"),
        Constant("CLAMP_HI", _hex(128.0), "exp(128) > 2^184: rounds to +inf in float32"),
        Constant("NEG_INF_BITS", "-0x00800000", "bit pattern of -inf as int32"),
    ]),
    body='''
@kernel
def exp_f32(x):
    ix = float_bits(x)
    nonfinite = (ix & 0x7FFFFFFF) >= 0x7F800000
    # 1. Non-finite x goes around the arithmetic: integer tests and selects raise no
    #    flags, and min/max then never see a NaN (they would raise invalid).
    xd = 0.0 if nonfinite else np.float64(x)
    xd = min(max(xd, CLAMP_LO), CLAMP_HI)
    # 2.-4. Reduce, core, reconstruct; round once.
''' + _exp_of("xd", "core_exp", "e") + '''    y = np.float32(e)
    if nonfinite:
        y = np.float32(0.0) if ix == NEG_INF_BITS else x
    return y
''',
)

def _expm1_tail(r):
    """(e^r - 1 - r) / r^2, the float32 exp core's target; by its series near 0, where the
    difference would cancel."""
    if abs(r) < mpmath.mpf(2) ** -20:
        return mpmath.mpf(1) / 2 + r / 6 + r * r / 24 + r ** 3 / 120
    return (mpmath.expm1(r) - r) / (r * r)


# |r| <= ln2/2 + |x| (error of RN32(1/ln 2)) + the rounding of x/ln2: below ln2/2 (1 + 2^-10).
EXP32_R = LN2 / 2 * (1 + 2**-10)
_LN2_HI32 = _f32(LN2)
EXP32 = Scaffold(
    function="exp",
    variant="f32",
    internal_precision="float32",
    int32_ops=True,
    fit_budget_log2=-26.0,
    method=(
        "1. Non-finite x is set aside (exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = +0);",
        "   finite x is clamped to [-104, 89], outside which the float32 result is 0 or inf anyway.",
        "2. Reduce, in float32: k = rint(x / ln2) (one fma with a shift), r_hi = x - k LN2_HI",
        "   (one fma, exact: for k != 0, x - k LN2_HI is a multiple of 2^-25 below 1/2),",
        "   r = RN(r_hi - k LN2_LO), and r_err = (r_hi - r) - k LN2_LO, what r's rounding lost.",
        "3. Core: h(r) ~ (e^r - 1 - r) / r^2 (one program, float32).",
        "4. t = r + (r^2 h(r) + r_err) ~ e^(r + r_err) - 1: the correction enters below r's last bit.",
        "5. Reconstruct: e^x = 2^k1 (1 + t) 2^k2 with k1 = floor(k/2), k2 = k - k1: one fma, then an",
        "   exact scaling, except where the result is subnormal (rounded twice, the first time to",
        "   24 bits: within 2^-24 of a subnormal ULP more) or overflows (+inf).",
    ),
    cores=(CoreSpec("exp", _expm1_tail, -EXP32_R, EXP32_R, "poly", "relative", "(e^r - 1 - r) / r^2",
                    precision="float32"),),
    constants=(
        Constant("INV_LN2", _hex32(float(_exact(lambda: 1 / mpmath.log(2)))), "RN32(1/ln 2)"),
        Constant("LN2_HI", _hex32(LN2), "RN32(ln 2)"),
        Constant("LN2_LO", _hex32(float(_exact(lambda: mpmath.log(2) - mpmath.mpf(_LN2_HI32)))),
                 "RN32(ln 2 - LN2_HI): the next 24 bits of ln 2"),
        Constant("SHIFT", _hex32(1.5 * 2**23), "0x1.8p23: adding it rounds to an integer kept in the low bits"),
        Constant("SHIFT_BITS", f"np.int32({struct.unpack('<i', struct.pack('<f', 1.5 * 2**23))[0]})",
                 "bit pattern of SHIFT: bits(SHIFT + k) - SHIFT_BITS = k"),
        Constant("BIAS", "np.int32(127)", "float32 exponent bias"),
        Constant("MANT", "np.int32(23)", "float32 fraction bits"),
        Constant("ONE", "np.int32(1)", "int32 one (the *_i32 ops take int32 operands)"),
        Constant("CLAMP_LO", _hex32(-104.0), "exp(-104) < 2^-150: rounds to +0 in float32"),
        Constant("CLAMP_HI", _hex32(89.0), "exp(89) > 2^128: rounds to +inf in float32"),
        Constant("ZERO", _hex32(0.0), "float32 zero"),
        Constant("NEG_INF_BITS", "-0x00800000", "bit pattern of -inf as int32"),
    ),
    body='''
@kernel
def exp_f32(x):
    ix = float_bits(x)
    nonfinite = (ix & 0x7FFFFFFF) >= 0x7F800000
    # 1. Non-finite x goes around the arithmetic (see the float64 variant).
    xf = ZERO if nonfinite else x
    xf = min(max(xf, CLAMP_LO), CLAMP_HI)
    # 2. Reduce.
    kf = fma(xf, INV_LN2, SHIFT)
    k = sub_i32(float_bits(kf), SHIFT_BITS)
    kf = kf - SHIFT
    r_hi = fma(-kf, LN2_HI, xf)
    r = fma(-kf, LN2_LO, r_hi)
    r_err = fma(-kf, LN2_LO, r_hi - r)
    # 3.-4. Core; e^(r + r_err) - 1.
    t = r + fma(r * r, core_exp(r), r_err)
    # 5. Reconstruct.
    k1 = sar_i32(k, ONE)
    s1 = bits_float(shl_i32(add_i32(k1, BIAS), MANT))
    s2 = bits_float(shl_i32(add_i32(sub_i32(k, k1), BIAS), MANT))
    y = fma(s1, t, s1) * s2
    if nonfinite:
        y = ZERO if ix == NEG_INF_BITS else x
    return y
''',
)

LOG = Scaffold(
    function="log",
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
    cores=(CoreSpec("log", lambda s: 2 * mpmath.atanh(s), -(3 - 2 * 2**0.5), 3 - 2 * 2**0.5, "odd",
                    "relative", "2 atanh(s) = log((1 + s) / (1 - s))"),),
    constants=(
        Constant("SQRT_HALF_BITS", "0x3FE6A09E667F3BCD", "bit pattern of RN(sqrt(1/2))"),
        Constant("LN2", _hex(LN2), "RN(ln 2)"),
        Constant("POS_INF_BITS", "0x7F800000", "bit pattern of +inf as int32"),
    ),
    body='''
@kernel
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
''',
)

def _atanh_tail(s):
    """(2 atanh(s) - 2s) / s^3, the float32 log core's target (even in s); by its series
    near 0, where the difference would cancel."""
    if abs(s) < mpmath.mpf(2) ** -20:
        return mpmath.mpf(2) / 3 + 2 * s * s / 5 + 2 * s ** 4 / 7
    return (2 * mpmath.atanh(s) - 2 * s) / s ** 3


# |s| <= (sqrt 2 - 1) / (sqrt 2 + 1) = 3 - 2 sqrt 2, plus the roundings of m and s.
LOG32_S = (3 - 2 * 2**0.5) * (1 + 2**-10)
_LN2_HI16 = float(mpmath.floor(mpmath.log(2) * 2**16) / 2**16)  # 16 bits: k LN2_HI is exact for |k| < 2^8
LOG32 = Scaffold(
    function="log",
    variant="f32",
    internal_precision="float32",
    int32_ops=True,
    fit_budget_log2=-22.0,
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
    cores=(CoreSpec("log", _atanh_tail, -LOG32_S, LOG32_S, "even", "relative",
                    "(2 atanh(s) - 2s) / s^3", precision="float32"),),
    constants=(
        Constant("SQRT_HALF_BITS", f"np.int32({struct.unpack('<i', struct.pack('<f', 0.5**0.5))[0]})",
                 "bit pattern of RN32(sqrt(1/2))"),
        Constant("LN2_HI", _hex32(_LN2_HI16), "ln 2 truncated to 16 bits"),
        Constant("LN2_LO", _hex32(float(_exact(lambda: mpmath.log(2) - mpmath.mpf(_LN2_HI16)))),
                 "RN32(ln 2 - LN2_HI)"),
        Constant("ONE", _hex32(1.0), "float32 one"),
        Constant("TWO", _hex32(2.0), "float32 two"),
        Constant("HALF", _hex32(0.5), "float32 one half"),
        Constant("ZERO", _hex32(0.0), "float32 zero"),
        Constant("MANT", "np.int32(23)", "float32 fraction bits"),
        Constant("SUB_K", "np.int32(149)", "a subnormal x is ix 2^-149"),
        Constant("NO_K", "np.int32(0)", "int32 zero"),
        Constant("MIN_NORMAL_BITS", "0x00800000", "bit pattern of the least normal float32"),
        Constant("POS_INF_BITS", "0x7F800000", "bit pattern of +inf as int32"),
    ),
    body='''
@kernel
def log_f32(x):
    ix = float_bits(x)
    ax = ix & 0x7FFFFFFF
    special = (ix <= 0) | (ix >= POS_INF_BITS)
    # 1. Subnormal x = ix 2^-149 becomes the normal float ix (exact: ix < 2^23). (A scaling
    #    x * 2^23 would be turned by LLVM into a select of x and x * 2^23, which overflows
    #    for large x.)
    subnormal = ax < MIN_NORMAL_BITS
    xs = np.float32(ix) if subnormal else x
    # 2. Reduce. For any bit pattern (special x too) m is in [sqrt(1/2), sqrt(2)) and k is
    #    finite: special x runs through steps 2-5 without raising a flag.
    bits = float_bits(xs)
    k = sar_i32(sub_i32(bits, SQRT_HALF_BITS), MANT)
    m = bits_float(sub_i32(bits, shl_i32(k, MANT)))
    kf = np.float32(sub_i32(k, SUB_K if subnormal else NO_K))
    f = m - ONE
    # 3. The atanh variable. The same division gives special x its flag (step 6): -1/0 =
    #    -inf with divide-by-zero (x = ±0), 0/0 = NaN with invalid (x < 0, not NaN); the
    #    numerator and denominator are f and 2 + f for every other x, and enter by an add
    #    and a multiply (selecting the division's operands, LLVM makes a second division).
    den = TWO + f
    num_add = -f - ONE if ax == 0 else (-f if ix < 0 else ZERO)
    den_mul = ZERO if (ix <= 0) & (ax <= POS_INF_BITS) else ONE
    q = (f + num_add) / (den * den_mul)
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
''',
)


def _two_over_pi_parts(count: int) -> list[float]:
    """2/pi = P0 + P1 + ...: each part RN of what the previous ones leave (from 120 digits),
    so |P(i+1)| <= ulp(P(i)) / 2 and the parts do not overlap."""
    parts = []
    with mpmath.workdps(120):
        rest = 2 / mpmath.pi
        for _ in range(count):
            parts.append(float(rest))
            rest -= mpmath.mpf(parts[-1])
    return parts


def _int64(bits: int) -> str:
    """A 64-bit pattern as the signed int64 literal Numba types it as."""
    return str((bits + 2**63) % 2**64 - 2**63)


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


_P = _two_over_pi_parts(4)
SIN_BIG_E = 55  # from E = 55 on (|x| >= 2^78), 2^E P0 is a multiple of 4 (P0 is on the grid 2^-53)
SIN = Scaffold(
    function="sin",
    method=(
        "1. One branch-free path for every float32 x, no table: x = M 2^E with M an integer,",
        "   |M| < 2^24, E = e - 150 from the float32 exponent field e (E = -150 for zero and",
        "   subnormals); 2^E enters through float64 exponent-field arithmetic.",
        "2. Reduce: since M is an integer, x 2/pi = x z (mod 4) for any z = 2/pi (mod 2^(2-E)).",
        "   With 2/pi = P0 + P1 + P2 + P3 (non-overlapping float64 parts) take (Q0, Q1, Q2) =",
        "   (P0, P1, P2), or (P1, P2, P3) when E >= 55 (x P0 is then a multiple of 4), and",
        "   z = f0 + Q1 + Q2, f0 = Q0 - rint(Q0 2^(E-2)) 2^(2-E) (exact, |f0| <= 2^(1-E)),",
        "   summed to zh + zl by Fast2Sum; |x zh| < 2^26, |x zl| < 2^-27.",
        "3. n = rint(x zh); r = (x zh - n, one fma) + x zl (one fma), in quadrants, times pi/2.",
        "   Error < 2^-79 + 2^-52 |r| quadrants; the closest approach of a float32 to a nonzero",
        "   multiple of pi/2 is |x 2/pi - n| = 2^-29.86 quadrants (|x - n pi/2| = 2^-29.2 at",
        "   x = 16367173 2^72), so r is good to 2^-48 relative.",
        "4. Cores: sin r and cos r on |r| <= pi/4 (two programs).",
        "5. Reconstruct: sin x = (sin r, cos r, -sin r, -cos r)[n mod 4], rounded once. The sign",
        "   of x = ±0 survives (zl is set to 0 there and x zh - n is an fmsub).",
        "6. sin(±inf) = NaN with invalid (inf - inf in x zh - n), sin(NaN) = NaN with no flag.",
    ),
    cores=(
        CoreSpec("sin", mpmath.sin, -PI / 4, PI / 4, "odd", "relative", "sin r"),
        CoreSpec("cos", mpmath.cos, -PI / 4, PI / 4, "even", "relative", "cos r"),
    ),
    constants=(
        Constant("P0", _hex(_P[0]), "RN(2/pi)"),
        Constant("P1", _hex(_P[1]), "RN(2/pi - P0)"),
        Constant("P2", _hex(_P[2]), "RN(2/pi - P0 - P1)"),
        Constant("P3", _hex(_P[3]), "RN(2/pi - P0 - P1 - P2), all from mpmath at 120 digits"),
        Constant("P0_SCALED", _int64(_bits(_P[0]) - (152 << 52)),
                 "bits of P0 2^-152; P0_SCALED + (e << 52): bits of P0 2^(E-2)"),
        Constant("P1_SCALED", _int64(_bits(_P[1]) - (152 << 52)), "bits of P1 2^-152; P1_SCALED + (e << 52): bits of P1 2^(E-2)"),
        Constant("NEG_POW", _int64((2048 + 1023 + 152) << 52),
                 "NEG_POW - (e << 52): bits of -2^(2-E) = -2^(152-e), sign bit included"),
        Constant("BIG_BITS", f"0x{(SIN_BIG_E + 150) << 23:08X}", "float32 exponent field of E = 55 (|x| >= 2^78)"),
        Constant("PIO2", _hex(float(_exact(lambda: mpmath.pi / 2))), "RN(pi/2)"),
        Constant("SHIFT", _hex(1.5 * 2**52), "0x1.8p52: adding it rounds to an integer kept in the low bits"),
    ),
    body='''
@kernel
def sin_f32(x):
    xd = np.float64(x)
    # 1. The float32 exponent field e, e << 52 for the float64 exponent arithmetic.
    ix_exp = float_bits(x) & 0x7F800000
    e52 = np.int64(ix_exp) << 29
    # 2. z = zh + zl = 2/pi (mod 2^(2-E)); Q0 2^(E-2) and -2^(2-E) made from their bits.
    big = ix_exp >= BIG_BITS
    q0 = P1 if big else P0
    q1 = P2 if big else P1
    q2 = P3 if big else P2
    t = bits_float((P1_SCALED if big else P0_SCALED) + e52)
    f0 = fma(np.rint(t), bits_float(NEG_POW - e52), q0)
    zh = f0 + q1
    zl = (q1 - (zh - f0)) + q2
    if ix_exp == 0:
        zl = 0.0  # zero and subnormals: x zl is negligible, and r keeps the sign of x = -0
    # 3. x z = n + r (mod 4).
    nd = fma(xd, zh, SHIFT)
    n = float_bits(nd)
    r = fma(xd, zl, fma(xd, zh, -(nd - SHIFT))) * PIO2
    # 4. Cores.
    s = core_sin(r)
    c = core_cos(r)
    # 5. Reconstruct (6. non-finite x is NaN by now).
    y = c if (n & 1) else s
    if n & 2:
        y = -y
    return np.float32(y)
''',
)

ERF_SPLIT, ERF_CLAMP, ERF_CENTER = 1.0, 4.0, 2.5
ERF = Scaffold(
    function="erf",
    method=(
        "1. Work on a = |x| clamped to [0, 4] (erf(4) > 1 - 2^-25 rounds to 1 in float32;",
        "   so erf(±inf) = ±1 falls out), sign restored at the end (erf is odd).",
        "2. a < 1: erf a = core_erf_small(a) (one program, odd in a).",
        "3. a >= 1: erf a = 1 - exp(q), q = core_erf_large(a - 2.5) ~ log erfc(a); exp(q) by",
        "   the exp reduction (q = k ln2 + r) and core_erf_exp(r) ~ e^r.",
        "4. Both branches are computed and one selected (no branch: the loop vectorises).",
        "5. erf(NaN) = NaN.",
    ),
    cores=(
        CoreSpec("erf_small", mpmath.erf, -ERF_SPLIT, ERF_SPLIT, "odd", "relative", "erf a, |a| < 1"),
        CoreSpec("erf_large", lambda t: mpmath.log(mpmath.erfc(t + ERF_CENTER)), ERF_SPLIT - ERF_CENTER,
                 ERF_CLAMP - ERF_CENTER, "poly", "absolute", "log erfc(t + 2.5), 1 <= t + 2.5 <= 4"),
        CoreSpec("erf_exp", mpmath.exp, -LN2 / 2, LN2 / 2, "poly", "relative", "e^r"),
    ),
    constants=tuple([
        Constant("ERF_SPLIT", _hex(ERF_SPLIT), "below: the small core; above: 1 - exp(large core)"),
        Constant("ERF_CLAMP", _hex(ERF_CLAMP), "erf(4) = 1 - 1.5e-8 rounds to 1 in float32"),
        Constant("ERF_CENTER", _hex(ERF_CENTER), "the large core's variable is t = a - 2.5, |t| <= 1.5"),
    ] + _exp_reduction_constants()),
    body='''
@kernel
def erf_f32(x):
    ix = float_bits(x)
    isnan = (ix & 0x7FFFFFFF) > 0x7F800000
    # 1. |x|, clamped; NaN goes around the arithmetic.
    a = ERF_CLAMP if isnan else abs(np.float64(x))
    a = min(a, ERF_CLAMP)
    # 2. Small |x|.
    small = core_erf_small(a)
    # 3. Large |x|: 1 - exp(q), with q kept on the large core's interval.
    q = core_erf_large(max(a, ERF_SPLIT) - ERF_CENTER)
''' + _exp_of("q", "core_erf_exp", "e") + '''    large = 1.0 - e
    # 4. Select, sign, round once.
    y = small if a < ERF_SPLIT else large
    out = np.float32(-y if ix < 0 else y)
    # 5. NaN.
    if isnan:
        out = x
    return out
''',
)

# Each function's scaffold variants, the default first; `make kernels` evolves the cores of
# every variant, verifies each, and ships the fastest verified one (measured).
VARIANTS = {"exp": (EXP, EXP32), "log": (LOG, LOG32), "sin": (SIN,), "erf": (ERF,)}
SCAFFOLDS = {function: variants[0] for function, variants in VARIANTS.items()}


def is_default(chosen: Scaffold) -> bool:
    """Whether a scaffold is its function's default variant (files and seeds keep their
    pre-variant names for it)."""
    return SCAFFOLDS[chosen.function] is chosen


def scaffold(function: str, variant: str | None = None) -> Scaffold:
    """The scaffold of `function` named `variant` (None: the default one)."""
    if variant is None:
        return SCAFFOLDS[function]
    for s in VARIANTS[function]:
        if s.variant == variant:
            return s
    raise KeyError(f"{function} has no scaffold variant {variant!r}; "
                   f"it has {', '.join(s.variant for s in VARIANTS[function])}")
