"""Exact reduction of any float32 mod pi/2, branch-free and table-free (see METHOD); shared
by sin and cos."""
import mpmath
import numpy as np

from fastmath._ops import and_i32, bits_float, float_bits, fma

from ...scaffold import ConstantTable, bits64, exact, int64


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


_P = _two_over_pi_parts(4)
BIG_E = 55  # from E = 55 on (|x| >= 2^78), 2^E P0 is a multiple of 4 (P0 is on the grid 2^-53)
K = ConstantTable()
P0 = K.f64(_P[0], "RN(2/pi)")
P1 = K.f64(_P[1], "RN(2/pi - P0)")
P2 = K.f64(_P[2], "RN(2/pi - P0 - P1)")
P3 = K.f64(_P[3], "RN(2/pi - P0 - P1 - P2), all from mpmath at 120 digits")
P0_SCALED = K.int(int64(bits64(_P[0]) - (152 << 52)), "bits of P0 2^-152; P0_SCALED + (e << 52): bits of P0 2^(E-2)")
P1_SCALED = K.int(int64(bits64(_P[1]) - (152 << 52)), "bits of P1 2^-152; P1_SCALED + (e << 52): bits of P1 2^(E-2)")
NEG_POW = K.int(int64((2048 + 1023 + 152) << 52), "NEG_POW - (e << 52): bits of -2^(2-E) = -2^(152-e), sign bit included")
BIG_BITS = K.bits((BIG_E + 150) << 23, "float32 exponent field of E = 55 (|x| >= 2^78)")
PIO2 = K.f64(exact(lambda: mpmath.pi / 2), "RN(pi/2)")
SHIFT = K.f64(1.5 * 2**52, "0x1.8p52: adding it rounds to an integer kept in the low bits")
SHIFT_NEXT = K.f64(1.5 * 2**52 + 1, "0x1.8p52 + 1: SHIFT with the count one quadrant on (cos x = sin(x + pi/2))")
# |x| < 2^25 (E <= 1): rint(P0 2^(E-2)) = 0, so f0 = P0 and z is a constant, summed as
# reduce_quadrant sums it (Python's float arithmetic rounds as float64 does).
_ZH = _P[0] + _P[1]
ZH = K.f64(_ZH, "RN(P0 + P1): two_over_pi's zh for |x| < 2^25")
ZL = K.f64((_P[1] - (_ZH - _P[0])) + _P[2], "(P1 - (ZH - P0)) + P2: its zl for 0 < |x| < 2^25")
COMMON_LIMIT_BITS = K.i32((1 + 1 + 150) << 23, "bits of 2^25: the common path's |x| bound (E <= 1)")
NONFINITE_BITS = K.i32(0x7F800000, "bits of +inf: |x| bits at or above it are ±inf and NaN")
ABS_MASK = K.i32(0x7FFFFFFF, "all bits but the sign")


def two_over_pi(x):
    """(zh, zl): z = zh + zl = 2/pi (mod 2^(2-E)) for float32 x = M 2^E (step 2), so that
    x z = x 2/pi (mod 4); zl = 0 for zero and subnormal x."""
    # The float32 exponent field e, e << 52 for the float64 exponent arithmetic.
    ix_exp = float_bits(x) & 0x7F800000
    e52 = np.int64(ix_exp) << 29
    # Q0 2^(E-2) and -2^(2-E) made from their bits.
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
    return zh, zl


def reduce_quadrant(x, shift):
    """(r, n): x = n pi/2 + r for float32 x, |r| <= pi/4 (float64, to 2^-48 relative); n an
    int64 whose low two bits are n mod 4, plus one with shift = SHIFT_NEXT (for cos)."""
    zh, zl = two_over_pi(x)
    return quadrants(np.float64(x), zh, zl, shift)


def reduce_quadrant_common(x, shift):
    """reduce_quadrant for |x| < 2^25, where its z is the constant ZH + ZL (the same
    operations on the same values: the same r and n)."""
    return quadrants(np.float64(x), ZH, common_zl(x), shift)


def common_zl(x):
    """two_over_pi's zl for |x| < 2^25: ZL, or 0 for zero and subnormal x."""
    zl = ZL
    if float_bits(x) & 0x7F800000 == 0:
        zl = 0.0
    return zl


def quadrants(xd, zh, zl, shift):
    """(r, n) from x z = n + r (mod 4), z = zh + zl (step 3): reduce_quadrant's and its
    common path's one code."""
    nd = fma(xd, zh, shift)
    n = float_bits(nd)
    r = fma(xd, zl, fma(xd, zh, -(nd - shift))) * PIO2
    return r, n


def is_common_argument(x):
    """|x| < 2^25, where z is the constant ZH + ZL (common_zl), or x not finite (NaN and
    ±inf meet the same operations as in the kernel, with another finite z, and give the
    same NaN: data with missing values keeps the common path)."""
    ax = and_i32(float_bits(x), ABS_MASK)  # (int32: 16 lanes in the loop's range test)
    return (ax < COMMON_LIMIT_BITS) | (ax >= NONFINITE_BITS)


def from_quadrant(s, c, n):
    """sin of n quadrants plus r, from s = sin r and c = cos r: (s, c, -s, -c)[n mod 4],
    rounded once to float32."""
    y = c if (n & 1) else s
    if n & 2:
        y = -y
    return np.float32(y)


CONSTANTS = K.named(globals())
BUDGET = ("Cores within 2^-34 relative and r to 2^-48 leave the result within 2^-34 relative "
          "before the one rounding: 0.5 + 2^-10 ULP.")
COMMON_METHOD = (
    "Common path, |x| < 2^25 (E <= 1): rint(P0 2^(E-2)) = 0, so z is the constant",
    "   ZH + ZL that step 2 computes for those x; the same steps 3-5 then give the same bits.",
    "   NaN and ±inf take it too: with any finite z they give the same NaN (and flag).",
)
METHOD = (
    "1. One branch-free path for every float32 x, no table: x = M 2^E with M an integer,",
    "   |M| < 2^24, E = e - 150 from the float32 exponent field e (E = -150 for zero and",
    "   subnormals); 2^E enters through float64 exponent-field arithmetic.",
    "2. Reduce: since M is an integer, x 2/pi = x z (mod 4) for any z = 2/pi (mod 2^(2-E)).",
    "   With 2/pi = P0 + P1 + P2 + P3 (non-overlapping float64 parts) take (Q0, Q1, Q2) =",
    "   (P0, P1, P2), or (P1, P2, P3) when E >= 55 (x P0 is then a multiple of 4), and",
    "   z = f0 + Q1 + Q2, f0 = Q0 - rint(Q0 2^(E-2)) 2^(2-E) (exact, |f0| <= 2^(1-E)),",
    "   summed to zh + zl by Fast2Sum; |x zh| < 2^26, |x zl| < 2^-27.",
    "3. n = rint(x zh) (for cos, rint(x zh) + 1 from the same rounding); r = (x zh - n, one",
    "   fma) + x zl (one fma), in quadrants, times pi/2.",
    "   Error < 2^-79 + 2^-52 |r| quadrants; the closest approach of a float32 to a nonzero",
    "   multiple of pi/2 is |x 2/pi - n| = 2^-29.86 quadrants (|x - n pi/2| = 2^-29.2 at",
    "   x = 16367173 2^72), so r is good to 2^-48 relative.",
    "4. Cores: sin r and cos r on |r| <= pi/4 (two programs).",
)
