"""Hand-written scaffolds: special values, range reduction and reconstruction.

A scaffold is the fixed part of a kernel. It declares the cores it needs (what each
must approximate, on which interval) and its body: Python source, compiled by Numba,
that calls ``core_<name>(u)`` for each core. ``generator.emit`` writes the constants,
the cores (from programs, fitted or evolved) and the body into one kernel file.

Every scaffold here computes internally in float64 and rounds once to float32
("internal precision: float64"): float32 subnormals are normal float64 numbers, the
reduction is exact or nearly so, and a core good to ~2^-34 leaves the result within
0.5 + 2^-8 ULP, so the search's job is the cost of the core, not its last bits.
"""
from __future__ import annotations

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


def _inv_pio4_table() -> list[int]:
    """4/pi, 8 new bits per entry: entry i = floor(4/pi * 2^(8 i + 7)) mod 2^32 (as glibc's __inv_pio4)."""
    with mpmath.workdps(120):
        four_over_pi = 4 / mpmath.pi
        return [int(mpmath.floor(four_over_pi * mpmath.mpf(2) ** (8 * i + 7))) % 2**32 for i in range(24)]


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

_PIO2_1, _PIO2_2 = _split(lambda: mpmath.pi / 2)
SIN = Scaffold(
    function="sin",
    method=(
        "1. Work on |x| and restore the sign at the end (sin is odd).",
        "2. Reduce, |x| < 2^24: n = rint(|x| 2/pi), r = |x| - n pi/2 with pi/2 in two float64",
        "   parts and fma (error < 2^-80 here, far below the closest approach of a float32 to a",
        "   multiple of pi/2).",
        "3. Reduce, |x| >= 2^24: Payne-Hanek. 4/pi to 192 bits in a table; a 32x96-bit integer",
        "   product gives the 2.62 fixed-point fraction exactly (as glibc's reduce_large).",
        "4. Cores: sin r and cos r on |r| <= pi/4 (two programs).",
        "5. Reconstruct: sin|x| = (sin r, cos r, -sin r, -cos r)[n mod 4], sign, one rounding.",
        "6. sin(±inf) = NaN (invalid), sin(NaN) = NaN.",
    ),
    cores=(
        CoreSpec("sin", mpmath.sin, -PI / 4, PI / 4, "odd", "relative", "sin r"),
        CoreSpec("cos", mpmath.cos, -PI / 4, PI / 4, "even", "relative", "cos r"),
    ),
    constants=(
        Constant("INV_PIO2", _hex(float(_exact(lambda: 2 / mpmath.pi))), "RN(2/pi)"),
        Constant("PIO2_1", _hex(_PIO2_1), "RN(pi/2)"),
        Constant("PIO2_2", _hex(_PIO2_2), "RN(pi/2 - PIO2_1): the next 53 bits of pi/2"),
        Constant("SHIFT", _hex(1.5 * 2**52), "0x1.8p52: adding it rounds to an integer kept in the low bits"),
        Constant("LARGE_BITS", "0x4B800000", "bit pattern of 2^24: from here on, Payne-Hanek"),
        Constant("INV_PIO4", "np.array([" + ", ".join(f"0x{v:08X}" for v in _inv_pio4_table()) + "], dtype=np.int64)",
                 "floor(4/pi 2^(8i+7)) mod 2^32, from mpmath at 120 digits"),
        Constant("PI63", _hex(float(_exact(lambda: mpmath.pi * mpmath.mpf(2) ** -63))), "RN(pi 2^-63): a 2.62 fixed-point fraction of pi/2 to radians"),
    ),
    body='''
@kernel
def reduce_large(ax):
    """|x| = n pi/2 + r, |r| <= pi/4, for float32 bits ax of |x| >= 2 (n mod 4 only).

    The 24-bit significand times 96 bits of 4/pi picked by the exponent gives the
    fraction exactly in 64-bit integer arithmetic (two's complement wrap-around is
    intended); the result has at most 29 leading zero bits, so r is good to 2^-33.
    """
    i = (ax >> 26) & 15
    m = ((ax & 0xFFFFFF) | 0x800000) << ((ax >> 23) & 7)
    lo = (m * INV_PIO4[i]) & 0xFFFFFFFF
    mid = m * INV_PIO4[i + 4]
    hi = m * INV_PIO4[i + 8]
    frac = ((hi >> 32) | (lo << 32)) + mid
    n = ((frac + (1 << 61)) >> 62) & 3
    frac = frac - (n << 62)
    return np.float64(frac) * PI63, n


@kernel
def sin_f32(x):
    ix = float_bits(x)
    ax = ix & 0x7FFFFFFF
    a = abs(np.float64(x))
    # 2. Reduce, small and medium |x|.
    nd = fma(a, INV_PIO2, SHIFT)
    n = float_bits(nd)
    nd = nd - SHIFT
    r = fma(-nd, PIO2_1, a)
    r = fma(-nd, PIO2_2, r)
    # 3. Reduce, huge |x|.
    if ax >= LARGE_BITS:
        r, n = reduce_large(ax)
    # 4. Cores.
    s = core_sin(r)
    c = core_cos(r)
    # 5. Reconstruct.
    y = c if (n & 1) else s
    if ((n >> 1) ^ (ix >> 31)) & 1:
        y = -y
    out = np.float32(y)
    # 6. Non-finite x.
    if ax >= 0x7F800000:
        out = x - x
    return out
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

SCAFFOLDS = {s.function: s for s in (EXP, LOG, SIN, ERF)}
