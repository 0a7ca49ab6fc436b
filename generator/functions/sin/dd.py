"""sin for float64 arguments: reduction to a double-double r (Cody-Waite, or Payne-Hanek for
|x| >= 2^28), the leading Taylor terms in double-double, the rest by two cores."""
from fastmath._ops import fma

from ...scaffold import CommonPath, Scaffold
from . import reduction64
from .reduction64 import (SHIFT, TINY_SCALE, core_cos_tail, core_sin_tail, cos_poly,
                          infinite_argument, is_common_argument, large_argument,
                          reduce_large, reduce_pio2, sin_poly, tiny_argument)


def sin_f64(x):
    # 1.-2. Reduce: Payne-Hanek for large x, else Cody-Waite (tiny x as 0). (Branches, not
    #    selects: where the kernel is inlined into a loop LLVM vectorises, it computes both
    #    sides and blends; in a scalar loop only the side taken runs, 11 ns against 26.)
    tiny = tiny_argument(x)
    if large_argument(x):
        rh, rl, q = reduce_large(x, SHIFT)
    else:
        rh, rl, q = reduce_pio2(0.0 if tiny else x, SHIFT)
    # 3.-4. Cores; reconstruct: sin x = (sin r, cos r, -sin r, -cos r)[n mod 4].
    if q & 1:
        y = cos_poly(rh, rl, core_cos_tail(rh))
    else:
        y = sin_poly(rh, rl, core_sin_tail(rh))
    if q & 2:
        y = -y
    # 5. Tiny x: sin x rounds to x. ±inf: NaN with invalid.
    if tiny:
        y = fma(x, TINY_SCALE, x)
    if infinite_argument(x):
        y = x - x
    return y


def sin_f64_common(x):
    # sin_f64 for |x| < 2^28 and NaN: the same operations on the same values.
    tiny = tiny_argument(x)
    rh, rl, q = reduce_pio2(0.0 if tiny else x, SHIFT)
    if q & 1:
        y = cos_poly(rh, rl, core_cos_tail(rh))
    else:
        y = sin_poly(rh, rl, core_sin_tail(rh))
    if q & 2:
        y = -y
    if tiny:
        y = fma(x, TINY_SCALE, x)
    return y


def sin_f64_is_common(x):
    return is_common_argument(x)


SCAFFOLD = Scaffold(
    function="sin",
    variant="dd",
    dtype="float64",
    method=reduction64.METHOD + (
        "5. Reconstruct: sin x = (sin r, cos r, -sin r, -cos r)[n mod 4]. Tiny x: x + x 2^-60,",
        "   which rounds to x (keeping -0) and underflows for subnormal x, as the C library's sin.",
        "   sin(NaN) = NaN with no flag.",
    ),
    budget=reduction64.BUDGET,
    fit_budget_log2=-50.0,  # the baseline fits (and the fixed core while the other is searched)
    cores=reduction64.CORES,
    constants=reduction64.CONSTANTS,
    helpers=reduction64.HELPERS,
    builders=reduction64.BUILDERS,
    kernel=sin_f64,
    common=CommonPath(sin_f64_common, sin_f64_is_common, (
        "Common path, |x| < 2^28 and NaN: the kernel without Payne-Hanek (the same operations).",
    ), helpers=reduction64.COMMON_HELPERS),
)
