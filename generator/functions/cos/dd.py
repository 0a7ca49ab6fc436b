"""cos for float64 arguments: sin's float64 reductions and cores, one quadrant on."""
from ...scaffold import CommonPath, Scaffold
from ..sin import reduction64
from ..sin.reduction64 import (SHIFT_NEXT, core_cos_tail, core_sin_tail, cos_poly,
                               infinite_argument, is_common_argument, large_argument,
                               reduce_large, reduce_pio2, sin_poly, tiny_argument)


def cos_f64(x):
    # 1.-2. Reduce: Payne-Hanek for large x, else Cody-Waite (tiny x as 0: cos x rounds to 1).
    #    (Branches, not selects: see sin_f64.)
    if large_argument(x):
        rh, rl, q = reduce_large(x, SHIFT_NEXT)
    else:
        rh, rl, q = reduce_pio2(0.0 if tiny_argument(x) else x, SHIFT_NEXT)
    # 3.-4. Cores; reconstruct: cos x = sin(x + pi/2), n counted one quadrant on.
    if q & 1:
        y = cos_poly(rh, rl, core_cos_tail(rh))
    else:
        y = sin_poly(rh, rl, core_sin_tail(rh))
    if q & 2:
        y = -y
    # 5. ±inf: NaN with invalid.
    if infinite_argument(x):
        y = x - x
    return y


def cos_f64_common(x):
    # cos_f64 for |x| < 2^28 and NaN: the same operations on the same values.
    rh, rl, q = reduce_pio2(0.0 if tiny_argument(x) else x, SHIFT_NEXT)
    if q & 1:
        y = cos_poly(rh, rl, core_cos_tail(rh))
    else:
        y = sin_poly(rh, rl, core_sin_tail(rh))
    if q & 2:
        y = -y
    return y


def cos_f64_is_common(x):
    return is_common_argument(x)


SCAFFOLD = Scaffold(
    function="cos",
    variant="dd",
    dtype="float64",
    method=reduction64.METHOD + (
        "5. Reconstruct: cos x = (cos r, -sin r, -cos r, sin r)[n mod 4] (n counted one quadrant",
        "   on). Tiny x runs as 0: cos 0 = 1 exactly. cos(NaN) = NaN with no flag.",
    ),
    budget=reduction64.BUDGET,
    fit_budget_log2=-50.0,  # the baseline fits (and the fixed core while the other is searched)
    cores=reduction64.CORES,
    constants=reduction64.CONSTANTS,
    helpers=reduction64.HELPERS,
    builders=reduction64.BUILDERS,
    kernel=cos_f64,
    common=CommonPath(cos_f64_common, cos_f64_is_common, (
        "Common path, |x| < 2^28 and NaN: the kernel without Payne-Hanek (the same operations).",
    ), helpers=reduction64.COMMON_HELPERS),
)
