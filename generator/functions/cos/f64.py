"""cos, float64 internal precision: sin's exact reduction mod pi/2, one quadrant on."""
from ...scaffold import CommonPath, Scaffold
from ..sin import reduction
from ..sin.f64 import core_cos, core_sin
from ..sin.reduction import (SHIFT_NEXT, common_zl, from_quadrant, is_common_argument, quadrants, reduce_quadrant,
                             reduce_quadrant_common, two_over_pi)


def cos_f32(x):
    # 1.-3. Reduce (non-finite x is NaN from here on).
    r, n = reduce_quadrant(x, SHIFT_NEXT)
    # 4.-5. Cores; reconstruct: cos x = sin(x + pi/2), n counted one quadrant on.
    return from_quadrant(core_sin(r), core_cos(r), n)


def cos_f32_common(x):
    r, n = reduce_quadrant_common(x, SHIFT_NEXT)
    return from_quadrant(core_sin(r), core_cos(r), n)


def cos_f32_is_common(x):
    return is_common_argument(x)


SCAFFOLD = Scaffold(
    function="cos",
    variant="f64",
    method=reduction.METHOD + (
        "5. Reconstruct: cos x = (cos r, -sin r, -cos r, sin r)[n mod 4], rounded once;",
        "   cos(±0) = 1 exactly (r = ±0, core_cos(0) = 1).",
        "6. cos(±inf) = NaN with invalid (inf - inf in x zh - n), cos(NaN) = NaN with no flag.",
    ),
    budget=reduction.BUDGET,
    cores=(core_sin, core_cos),
    constants=reduction.CONSTANTS,
    helpers=(quadrants, two_over_pi, reduce_quadrant, from_quadrant),
    kernel=cos_f32,
    common=CommonPath(cos_f32_common, cos_f32_is_common, reduction.COMMON_METHOD,
                      helpers=(common_zl, reduce_quadrant_common, is_common_argument)),
)
