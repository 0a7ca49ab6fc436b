"""The float64 exp reduction, shared by exp's float64 scaffold and erf's large branch:
a = k ln2 + r, k = rint(a / ln2), |r| <= ln2/2 (ln2 in two parts, two fmas), and 2^k built
in the float64 exponent field."""
import mpmath

from fastmath._ops import bits_float, float_bits, fma

from ...scaffold import ConstantTable, exact, split

K = ConstantTable()
_LN2_HI, _LN2_LO = split(lambda: mpmath.log(2))
INV_LN2 = K.f64(exact(lambda: 1 / mpmath.log(2)), "RN(1/ln 2)")
LN2_HI = K.f64(_LN2_HI, "RN(ln 2)")
LN2_LO = K.f64(_LN2_LO, "RN(ln 2 - LN2_HI): the next 53 bits of ln 2")
SHIFT = K.f64(1.5 * 2**52, "0x1.8p52: adding it rounds to an integer kept in the low bits")
ONE_BITS = K.bits(0x3FF0000000000000, "bit pattern of 1.0: 2^k = bits (k << 52) + ONE_BITS")


def exp_reduce(a):
    """(r, 2^k) with a = k ln2 + r, |r| <= ln2/2 (to ~2^-100 relative), for |a| < 1000."""
    kd = fma(a, INV_LN2, SHIFT)
    k_bits = float_bits(kd)
    kd = kd - SHIFT
    r = fma(-kd, LN2_HI, a)
    r = fma(-kd, LN2_LO, r)
    return r, bits_float((k_bits << 52) + ONE_BITS)


CONSTANTS = K.named(globals())
