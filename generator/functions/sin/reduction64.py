"""float64 sin and cos: reduction mod pi/2 to a double-double, and the leading Taylor terms in
double-double (see METHOD); shared by sin's and cos's float64 scaffolds."""
import mpmath
import numpy as np

from fastmath._ops import bits_float, fma, float_bits

from ...scaffold import ConstantTable, CoreSpec, bits64, exact, split


def _pio2_parts(count: int) -> list[float]:
    """pi/2 = C1 + C2 + ...: each part RN of what the previous ones leave (from 120 digits)."""
    parts = []
    with mpmath.workdps(120):
        rest = mpmath.pi / 2
        for _ in range(count):
            parts.append(float(rest))
            rest -= mpmath.mpf(parts[-1])
    return parts


_C = _pio2_parts(3)
_SIXTH = split(lambda: mpmath.mpf(1) / 6)
_C24 = split(lambda: mpmath.mpf(1) / 24)
LARGE_EXPONENT_FIELD = 1023 + 28  # |x| >= 2^28: float64 exponent fields 1051 .. 2046 (and 2047: inf, NaN)
TWO_OVER_PI_BITS = 1280  # 2/pi to 2^-1280: G(e) below needs it to 2^-(971 + 2 + 212)


def payne_hanek_table(two_over_pi_hex):
    """Row j, for the exponent field 1051 + j of |x| (x = M 2^e, M an integer < 2^53, e = field
    - 1075): G(e) = 2^e 2/pi mod 4 as G0 + G1 + G2 + G3, each the float64 nearest to what the
    previous ones leave (exact integer arithmetic: G(e) = g 2^-scale with g an integer; an int
    over a power of two converts to the nearest float64). x 2/pi = M G(e) (mod 4)."""
    bits = 4 * len(two_over_pi_hex)
    t = int(two_over_pi_hex, 16)  # 2/pi = t 2^-bits, truncated
    scale = bits + 64
    rows = []
    for e in range(1051 - 1075, 2047 - 1075):
        g = (t << (e + 64)) % (4 << scale)
        parts = []
        for _ in range(4):
            part = g / (1 << scale)  # (correctly rounded)
            numerator, denominator = part.as_integer_ratio()
            g -= numerator * ((1 << scale) // denominator)
            parts.append(part)
        rows.append(parts)
    return np.array(rows)


def _two_over_pi_hex(bits: int) -> str:
    with mpmath.workdps(bits // 3 + 40):
        return format(int(mpmath.floor(2 / mpmath.pi * mpmath.mpf(2) ** bits)), "x").rjust(bits // 4, "0")


K = ConstantTable()
PIO2_1 = K.f64(_C[0], "RN(pi/2)")
PIO2_2 = K.f64(_C[1], "RN(pi/2 - PIO2_1)")
PIO2_3 = K.f64(_C[2], "RN(pi/2 - PIO2_1 - PIO2_2), all from mpmath at 120 digits")
TWO_OVER_PI = K.f64(exact(lambda: 2 / mpmath.pi), "RN(2/pi)")
SHIFT = K.f64(1.5 * 2**52, "0x1.8p52: adding it rounds to an integer kept in the low bits")
SHIFT_NEXT = K.f64(1.5 * 2**52 + 1, "0x1.8p52 + 1: SHIFT with the count one quadrant on (cos x = sin(x + pi/2))")
NEG_SIXTH_HI = K.f64(-_SIXTH[0], "-RN(1/6)")
NEG_SIXTH_LO = K.f64(-_SIXTH[1], "-RN(1/6 - RN(1/6))")
C24_HI = K.f64(_C24[0], "RN(1/24)")
C24_LO = K.f64(_C24[1], "RN(1/24 - RN(1/24))")
TINY_SCALE = K.f64(2.0**-60, "2^-60: x + x 2^-60 rounds to x (and underflows for subnormal x, as libm's sin)")
TINY_BITS = K.bits(bits64(2.0**-27), "bits of 2^-27: below it sin x rounds to x and cos x to 1")
LIMIT_BITS = K.bits(bits64(2.0**28), "bits of 2^28: at and above it Payne-Hanek reduces")
INF_BITS = K.bits(bits64(float("inf")), "bits of +inf")
ABS_MASK = K.bits(2**63 - 1, "all bits but the sign")
SIGN_BIT = K.bits(-2**63, "the sign bit")
FRACTION_MASK = K.bits(2**52 - 1, "the fraction field")
INTEGER_EXPONENT = K.bits(1075 << 52, "exponent field of 2^52: with a fraction field f, the float64 2^52 + f = M")
LARGE_FIELD = K.int(LARGE_EXPONENT_FIELD, "exponent field of 2^28: row 0 of PAYNE_HANEK")
LAST_ROW = K.int(2046 - LARGE_EXPONENT_FIELD, "the table's last row (exponent field 2046)")
MOD16 = K.f64(1.5 * 2**56, "0x1.8p56: adding it rounds |v| < 2^55 to a multiple of 16")
PIO2_HI = K.f64(_C[0], "RN(pi/2) (as PIO2_1), the high part of pi/2 in double-double")
PIO2_LO = K.f64(_C[1], "RN(pi/2 - PIO2_HI)")
TWO_OVER_PI_HEX = K.text(_two_over_pi_hex(TWO_OVER_PI_BITS), "2/pi truncated to 1280 bits, hex (mpmath at 467 digits)")
PAYNE_HANEK = K.table(payne_hanek_table, "TWO_OVER_PI_HEX", TWO_OVER_PI_HEX,
                      "rows of 2^e 2/pi mod 4 in four float64 parts, e = -24 .. 971 (payne_hanek_table)")

# |r| <= pi/4 plus what n = rint(x RN(2/pi)) may overshoot by (|x| < 2^28: 2^-24 pi/4, bounded by 2^-20).
R_MAX = mpmath.pi / 4 * (1 + mpmath.mpf(2) ** -20)


def _sin_tail(u):
    """(sin u - u + u^3/6) / u^5, by its series near 0 (where the difference cancels)."""
    if abs(u) < mpmath.mpf(2) ** -30:
        return mpmath.mpf(1) / 120 - u * u / 5040
    return (mpmath.sin(u) - u + u ** 3 / 6) / u ** 5


def _cos_tail(u):
    """(cos u - 1 + u^2/2 - u^4/24) / u^6, by its series near 0."""
    if abs(u) < mpmath.mpf(2) ** -30:
        return -mpmath.mpf(1) / 720 + u * u / 40320
    return (mpmath.cos(u) - 1 + u ** 2 / 2 - u ** 4 / 24) / u ** 6


core_sin_tail = CoreSpec("sin_tail", _sin_tail, -float(R_MAX), float(R_MAX), "even", "relative",
                         "(sin r - r + r^3/6) / r^5")
core_cos_tail = CoreSpec("cos_tail", _cos_tail, -float(R_MAX), float(R_MAX), "even", "relative",
                         "(cos r - 1 + r^2/2 - r^4/24) / r^6")


def reduce_pio2(x, shift):
    """(rh, rl, q): x = n pi/2 + rh + rl for |x| < 2^28, |rh + rl| <= pi/4 (1 + 2^-20), rh + rl
    a normalised double-double to ~2^-100 relative; q = the bits of n + 0x1.8p52 (n + 1 with
    shift = SHIFT_NEXT), whose two low bits are the quadrant."""
    nd = fma(x, TWO_OVER_PI, shift)
    n = nd - shift
    r1 = fma(-n, PIO2_1, x)  # exact: a multiple of 2^-52 below 1 in magnitude
    p = n * PIO2_2
    pe = fma(n, PIO2_2, -p)  # p + pe = n PIO2_2 exactly
    rh = r1 - p
    t = rh - r1
    e = (r1 - (rh - t)) + (-p - t)  # 2Sum: rh + e = r1 - p exactly
    rl = fma(-n, PIO2_3, e - pe)
    h = rh + rl
    return h, rl - (h - rh), float_bits(nd)


def two_sum(a, b):
    """(s, e): s = RN(a + b), s + e = a + b exactly (Knuth's 2Sum, any magnitudes)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def reduce_large(x, shift):
    """(rh, rl, q) as reduce_pio2's, for |x| >= 2^28 (Payne-Hanek, branch-free): x 2/pi =
    M G (mod 4) with M the signed integer significand and G from the table row of x's
    exponent (four parts): three exact products and a fourth rounded (2^-157), reduced mod
    16, the quadrant count n taken, and the rest summed by 2Sums to ~2^-150, then times
    pi/2 in double-double. Finite garbage, and no flag, for other x (the kernel selects)."""
    ix = float_bits(x)
    row = min(max(((ix & ABS_MASK) >> 52) - LARGE_FIELD, 0), LAST_ROW)
    m = bits_float((ix & FRACTION_MASK) | INTEGER_EXPONENT | (ix & SIGN_BIT))
    g0, g1, g2, g3 = PAYNE_HANEK[row, 0], PAYNE_HANEK[row, 1], PAYNE_HANEK[row, 2], PAYNE_HANEK[row, 3]
    h0 = m * g0
    l0 = fma(m, g0, -h0)  # h0 + l0 = m g0 exactly, |h0| < 2^55
    h1 = m * g1
    l1 = fma(m, g1, -h1)  # |h1| < 4
    h2 = m * g2
    l2 = fma(m, g2, -h2)  # |h2| < 2^-51
    h0 = h0 - ((h0 + MOD16) - MOD16)  # h0 mod 16, exact: |h0| <= 8
    a, ea = two_sum(h0, l0)
    b, eb = two_sum(a, h1)
    nd = b + shift
    f = b - (nd - shift)  # exact, |f| <= 1/2
    c, ec = two_sum(f, ea)
    d, ed = two_sum(c, eb)
    g, eg = two_sum(d, l1)
    s, es = two_sum(g, h2)
    t = ((ec + ed) + (eg + es)) + (l2 + m * g3)
    fh = s + t
    fl = t - (fh - s)
    rh = fh * PIO2_HI
    rl = fma(fh, PIO2_HI, -rh) + (fh * PIO2_LO + fl * PIO2_HI)
    h = rh + rl
    return h, rl - (h - rh), float_bits(nd)


def sin_poly(rh, rl, tail):
    """sin(rh + rl) for |rh| <= R_MAX, rl below ulp(rh): rh - rh^3/6 summed in double-double,
    then the tail rh^5 S (tail = S(rh), the core; rh^5 rounded once from its double-double
    parts) and rl cos rh ~ rl (1 - rh^2/2 + rh^4/24), rounded once. (With rh^5 from three
    roundings and rl (1 - rh^2/2), the tail was 0.017 ULP off at x = -135.87: 0.5171 ULP over
    10^8 inputs, where NumPy's sin reaches 0.5156.)"""
    v = rh * rh
    vl = fma(rh, rh, -v)
    r3 = v * rh
    r3l = fma(v, rh, -r3) + vl * rh  # r3 + r3l = rh^3 to 2^-100 relative
    t = r3 * NEG_SIXTH_HI
    tl = fma(r3, NEG_SIXTH_HI, -t) + (r3 * NEG_SIXTH_LO + r3l * NEG_SIXTH_HI)
    y = rh + t
    yl = t - (y - rh)  # Fast2Sum: |t| <= |rh| / 8
    r5 = fma(r3, v, fma(r3, vl, r3l * v))  # rh^5, one rounding
    rl_cos = fma(fma(v, C24_HI, -0.5) * v, rl, rl)
    return y + (yl + (tl + fma(r5, tail, rl_cos)))


def cos_poly(rh, rl, tail):
    """cos(rh + rl) for |rh| <= R_MAX: 1 - rh^2/2 + rh^4/24 summed in double-double, then the
    tail rh^6 C (tail = C(rh), the core) and -rl sin rh, rounded once."""
    v = rh * rh
    vl = fma(rh, rh, -v)
    h = 0.5 * v
    w = 1.0 - h
    wl = (1.0 - w) - h  # Fast2Sum: h <= 0.31
    v2 = v * v
    v2l = fma(v, v, -v2) + 2.0 * (v * vl)
    t = v2 * C24_HI
    tl = fma(v2, C24_HI, -t) + (v2 * C24_LO + v2l * C24_HI)
    z = w + t
    zl = t - (z - w)  # Fast2Sum: t <= 0.016
    # -rl sin rh ~ -rl rh (1 - rh^2/6): -rl rh alone left 0.04 ULP at rh = pi/4.
    return z + (zl + ((wl - 0.5 * vl) + (tl + fma(v2 * v, tail, -rl * (rh * fma(v, NEG_SIXTH_HI, 1.0))))))


def is_common_argument(x):
    """|x| < 2^28 (Cody-Waite's range), or NaN (it runs through as NaN)."""
    ax = float_bits(x) & ABS_MASK
    return (ax < LIMIT_BITS) | (ax > INF_BITS)


def large_argument(x):
    """|x| >= 2^28, ±inf included (reduce_large's range)."""
    ax = float_bits(x) & ABS_MASK
    return (ax >= LIMIT_BITS) & (ax <= INF_BITS)


def infinite_argument(x):
    return float_bits(x) & ABS_MASK == INF_BITS


def tiny_argument(x):
    return float_bits(x) & ABS_MASK < TINY_BITS


CONSTANTS = K.named(globals())
CORES = (core_sin_tail, core_cos_tail)
HELPERS = (two_sum, reduce_pio2, reduce_large, sin_poly, cos_poly, tiny_argument, large_argument,
           infinite_argument)
BUILDERS = (payne_hanek_table,)
COMMON_HELPERS = (is_common_argument,)
METHOD = (
    "1. Two reductions, by |x| (no call, no table but one of 2/pi: the kernel vectorises",
    "   wherever it is inlined). |x| < 2^-27 runs as x = 0 (no underflow inside); its result",
    "   is set in step 5. ±inf gives NaN with invalid (x - x), NaN runs through as NaN.",
    "2. |x| < 2^28, Cody-Waite with three parts of pi/2: n = rint(x RN(2/pi)) by one fma with",
    "   0x1.8p52; r1 = x - n PIO2_1 is exact (fma; a multiple of 2^-52 below 1); r1 - n PIO2_2",
    "   by 2Sum and an exact product, minus n PIO2_3: r = rh + rl to ~2^-100 relative (the",
    "   closest float64 below 2^28 to a multiple of pi/2 is far above 2^-100).",
    "   |x| >= 2^28, Payne-Hanek: x = M 2^e with M an integer, x 2/pi = M G(e) (mod 4) with",
    "   G(e) = 2^e 2/pi mod 4 from a table row (four float64 parts, built exactly from 2/pi to",
    "   1280 bits); exact products, 2Sums, to ~2^-150 absolute before the product by pi/2",
    "   (the hardest float64, 6381956970095103 2^797, has |r| ~ 2^-61: r to ~2^-89 relative).",
    "3. The leading Taylor terms in double-double: sin r = rh - rh^3/6 + ..., cos r = 1 - rh^2/2",
    "   + rh^4/24 - ..., each sum by Fast2Sum, so only the small tail carries float64 roundings.",
    "4. Cores: S(rh) ~ (sin r - r + r^3/6)/r^5 and C(rh) ~ (cos r - 1 + r^2/2 - r^4/24)/r^6",
    "   (two programs, even); the tails rh^5 S and rh^6 C are under 0.4% and 0.05% of the",
    "   result. rl enters as rl cos rh ~ rl (1 - rh^2/2 + rh^4/24) and -rl sin rh ~ -rl rh",
    "   (1 - rh^2/6).",
)
BUDGET = ("The tails are under 2^-8 of the result, so cores within 2^-44 relative cost under 2^-52 "
          "of an ULP; the float64 roundings of the tails and the final rounding leave about 0.51 ULP; "
          "the sampled check (generator.verify64) decides.")
