"""erf for float64 arguments, in three pieces of a = |x|: a (2/sqrt(pi) + Q(a^2)) below 0.5,
erf(1) + erf'(1) t + P(t) with the first two terms summed exactly on [0.5, 1.5), and
1 - e^(-a^2) erfcx(a) from 1.5 (erfc is under 0.034 there, so its few ULP of rounding
are a few hundredths of erf's)."""
import mpmath
import numpy as np

from fastmath._ops import bits_float, fdiv, fma, float_bits

from ...scaffold import ConstantTable, CoreSpec, Scaffold, bits64, exact, split
from ..exp import reduction
from ..exp.reduction import exp_reduce

SMALL_MAX = 0.5
MID_CENTER = 1.0
MID_MAX = 1.5
CLAMP = 6.0
ERFCX_SHIFT = 2.0
ERFCX_SCALE = MID_MAX + ERFCX_SHIFT
_TWO_OVER_SQRT_PI = split(lambda: 2 / mpmath.sqrt(mpmath.pi))

K = ConstantTable()
ERF64_SMALL_MAX = K.f64(SMALL_MAX, "below: a (2/sqrt(pi) + Q(a^2))")
ERF64_CLAMP = K.f64(CLAMP, "erf(6) = 1 - 2.2e-17 rounds to 1: a is clamped here (so erf(±inf) = ±1)")
ERF64_MID_CENTER = K.f64(MID_CENTER, "the middle piece's centre: t = a - 1")
ERFCX_SHIFT64 = K.f64(ERFCX_SHIFT, "erfcx is a polynomial in w = 3.5/(a + 2), 7/16 <= w <= 1")
ERFCX_SCALE64 = K.f64(ERFCX_SCALE, "3.5 = 1.5 + 2: w <= 1, so the polynomial's coefficients are under 1 in size")
TWO_OVER_SQRT_PI = K.f64(_TWO_OVER_SQRT_PI[0], "RN(2/sqrt(pi)) = erf'(0)")
ERF_ONE = K.f64(exact(lambda: mpmath.erf(1)), "RN(erf(1))")
ERF_SLOPE_ONE = K.f64(exact(lambda: 2 / mpmath.sqrt(mpmath.pi) / mpmath.e), "RN(erf'(1)) = RN(2/(e sqrt(pi)))")
ERF64_TINY = K.f64(2.0**-500, "below: a is scaled up for piece 2, and a^2 computed from 2^-500")
ERF64_UP = K.f64(2.0**600, "2^600: a tiny a scaled up (exact)")
ERF64_DOWN = K.f64(2.0**-600, "2^-600: scales the tiny a's result back")
ABS_MASK64 = K.bits(2**63 - 1, "all bits but the sign")
CLAMP_BITS64 = K.bits(bits64(CLAMP), "bits of ERF64_CLAMP: |x| bits above it (inf and NaN too) are clamped to it")
INF_BITS64 = K.bits(bits64(float("inf")), "bits of +inf: above them (unsigned), NaN")
# (The pieces are chosen by integer tests on the bits of |x|: see piece 4's comment.)
TINY_BITS64 = K.bits(bits64(2.0**-500), "bits of ERF64_TINY: |x| bits from here to SMALL_MAX_BITS64 take piece 2")
SMALL_MAX_BITS64 = K.bits(bits64(SMALL_MAX), "bits of ERF64_SMALL_MAX")
MID_MAX_BITS64 = K.bits(bits64(MID_MAX), "bits of 1.5: below (and from SMALL_MAX_BITS64), erf(1) + erf'(1) t + P(t), t = a - 1")


def _small(z):
    """Q(z) = erf(a)/a - RN(2/sqrt(pi)), a = sqrt(z)."""
    if z == 0:
        return mpmath.mpf(_TWO_OVER_SQRT_PI[1])  # (the exact constant's low part: Q(0))
    a = mpmath.sqrt(z)
    return mpmath.erf(a) / a - mpmath.mpf(TWO_OVER_SQRT_PI)


def _mid(t):
    """erf(1 + t) - RN(erf 1) - RN(erf'(1)) t: what the exact head leaves."""
    return mpmath.erf(1 + t) - mpmath.mpf(ERF_ONE) - mpmath.mpf(ERF_SLOPE_ONE) * t


def _erfcx(w):
    """erfcx(a) = e^(a^2) erfc(a) at a = 3.5/w - 2."""
    a = ERFCX_SCALE / w - ERFCX_SHIFT
    return mpmath.exp(a * a) * mpmath.erfc(a)


core_erf64_small = CoreSpec("erf64_small", _small, 0.0, SMALL_MAX**2, "poly", "absolute",
                            "erf(a)/a - RN(2/sqrt(pi)), z = a^2 < 0.25 (absolute: relative in erf)",
                            fit_budget_log2=-58.0)
core_erf64_mid = CoreSpec("erf64_mid", _mid, SMALL_MAX - MID_CENTER, MID_MAX - MID_CENTER, "poly", "absolute",
                          "erf(1 + t) - RN(erf 1) - RN(erf'(1)) t, |t| <= 0.5", fit_budget_log2=-57.0,
                          max_cost=22, generations=500)  # (the baseline fit has degree 18: the search
#                                                        adds about one degree in 20 generations)
core_erf64_exp = CoreSpec("erf64_exp", mpmath.exp, -float(mpmath.log(2)) / 2, float(mpmath.log(2)) / 2, "poly",
                          "relative", "e^r, |r| <= ln2/2", fit_budget_log2=-53.0)
core_erf64_erfcx = CoreSpec("erf64_erfcx", _erfcx, ERFCX_SCALE / (CLAMP + ERFCX_SHIFT), 1.0, "poly",
                            "relative", "erfcx(3.5/w - 2) = e^(a^2) erfc(a), 1.5 <= a <= 6",
                            fit_budget_log2=-52.0, max_cost=18, generations=400)  # (baseline: degree 14)


def erf_f64(x):
    ix = float_bits(x)
    ax = ix & ABS_MASK64
    # 1. a = |x| clamped to 6 by an integer min on its bits, which takes ±inf and NaN to 6
    #    too (NaN meets no float compare, min or max: in a vector those raise invalid). The
    #    sign is restored at the end. Lanes are kept safe by values computed before the
    #    branches: LLVM simplifies a clamp written inside a branch by the branch's own test,
    #    and a vectorised loop then runs the simplified code on every lane (tiny a squared,
    #    NaN compared).
    a = bits_float(min(ax, CLAMP_BITS64))
    if (ax >= TINY_BITS64) & (ax < SMALL_MAX_BITS64):
        # 2. 2^-500 <= a < 0.5, tested first (a scalar loop over small x runs only this):
        #    erf a = a (RN(2/sqrt(pi)) + Q(a^2)), one rounding of the sum (fma). The max leaves
        #    a as it is here; it keeps the other lanes of a vectorised loop from underflowing
        #    (a tiny result costs a microcode assist, 2.5 ns per vector of 8).
        a = max(a, ERF64_TINY)
        y = fma(a, TWO_OVER_SQRT_PI, a * core_erf64_small(a * a))
    else:
        if ax < TINY_BITS64:
            # 2'. a < 2^-500: piece 2 on 2^600 a, with a^2 taken as 2^-1000 (Q(2^-1000) = Q(0)
            #     to 2^-1000), scaled back: exact where erf a is normal, else rounded once
            #     more (under 0.75 ULP) with underflow raised, as the C library's.
            s = a * ERF64_UP
            y = fma(s, TWO_OVER_SQRT_PI, s * core_erf64_small(ERF64_TINY * ERF64_TINY)) * ERF64_DOWN
        elif ax < MID_MAX_BITS64:
            # 3. erf a = RN(erf 1) + RN(erf'(1)) t + P(t): the product exact (fma), the sum by
            #    Fast2Sum (|RN(erf 1)| > |RN(erf'(1)) t|), then the small terms, one rounding.
            t = a - ERF64_MID_CENTER
            ph = t * ERF_SLOPE_ONE
            pl = fma(t, ERF_SLOPE_ONE, -ph)
            h = ERF_ONE + ph
            e = ph - (h - ERF_ONE)
            y = h + ((e + pl) + core_erf64_mid(t))
        else:
            # 4. erf a = 1 - e^(-a^2) erfcx(a): e^(-a^2) by the exp reduction and an e^r core
            #    (a^2 rounded: 2^-53 relative, within erfc's budget), erfcx in w = 3.5/(a + 2).
            #    (a^2 from at least 2^-500: tiny lanes do not underflow. The pieces are chosen
            #    by integer tests: after a float test a >= 1.5, LLVM dropped this max.)
            am = max(a, ERF64_TINY)
            r, scale = exp_reduce(-(am * am))
            w = fdiv(ERFCX_SCALE64, a + ERFCX_SHIFT64)  # (fdiv: no zero check when inlined into @njit code)
            y = 1.0 - (core_erf64_exp(r) * scale) * core_erf64_erfcx(w)
    # 5. Sign (erf is odd; -0 stays -0; y >= 0 here); erf(NaN) = NaN.
    y = np.copysign(y, x)
    if ax > INF_BITS64:
        y = x
    return y


SCAFFOLD = Scaffold(
    function="erf",
    variant="pieces",
    dtype="float64",
    method=(
        "1. Work on a = |x| clamped to 6 (erf(6) = 1 - 2.2e-17 rounds to 1, so erf(±inf) = ±1),",
        "   sign restored at the end (erf is odd). Three pieces, by branches (a loop LLVM",
        "   vectorises computes all three and blends; a scalar loop only the one taken). Piece 2",
        "   is tested first, on the bits of |x| (integer tests select every piece), and runs on",
        "   its own: a scalar loop over small x meets one test, a min, a max and the core",
        "   (v14 clamped and tested in floats first: 0.6x the C library's there).",
        "2. a < 0.5: erf a = fma(a, RN(2/sqrt(pi)), a Q(a^2)), Q = core_erf64_small.",
        "3. 0.5 <= a < 1.5, t = a - 1: erf a = RN(erf 1) + RN(erf'(1)) t + P(t), P = core_erf64_mid;",
        "   the product and the first sum exact (fma, Fast2Sum), so only P's terms round before",
        "   the last addition.",
        "   No lane's arithmetic underflows unless erf x is subnormal: pieces 2 and 4 square",
        "   max(a, 2^-500), and a below 2^-500 runs piece 2",
        "   on 2^600 a with a^2 as 2^-1000 (its result scaled back: exactly where erf x is",
        "   normal, else rounded a second time, under 0.75 ULP, with underflow).",
        "4. a >= 1.5: erf a = 1 - e^(-a^2) erfcx(a): e^(-a^2) = 2^k e^r by the exp reduction and",
        "   core_erf64_exp; erfcx = core_erf64_erfcx(3.5/(a + 2)).",
        "5. erf(NaN) = NaN; erf(-0) = -0.",
    ),
    budget=("Piece 4: erfc(a) <= erfc(1.5) = 0.034 and erf >= 0.96, so a relative error d in "
            "e^(-a^2) erfcx(a) costs 0.034 d 2^53 ULP: three roundings (2^-53 each) and the cores' "
            "2^-55 leave under 0.6 ULP. Pieces 2 and 3: the cores' absolute error is relative in erf "
            "(erf >= 0.52 in piece 3; erf a ~ 1.13 a in piece 2); their terms are under 9% (piece 2) "
            "and 18% (piece 3) of erf, so their rounding adds under 0.25 ULP to the last rounding's 0.5."),
    # (searched in this order, each with the ones before it evolved: erfcx before e^r, as the
    # search grows erfcx's degree more slowly, and e^r then takes the error left to piece 4)
    cores=(core_erf64_small, core_erf64_mid, core_erf64_erfcx, core_erf64_exp),
    constants=K.named(globals()) + reduction.CONSTANTS,
    helpers=(exp_reduce,),
    kernel=erf_f64,
    # the baseline fits give 0.73 ULP (the roundings of pieces 2-3, see budget), not the run's 0.51
    feasible_ulp=0.76,
)
