"""sin, float64 internal precision: exact reduction mod pi/2, sin r and cos r by two cores."""
import mpmath

from ...scaffold import PI, CommonPath, CoreSpec, Scaffold
from . import reduction
from .reduction import (SHIFT, common_zl, from_quadrant, is_common_argument, quadrants, reduce_quadrant,
                        reduce_quadrant_common, two_over_pi)

core_sin = CoreSpec("sin", mpmath.sin, -PI / 4, PI / 4, "odd", "relative", "sin r")
core_cos = CoreSpec("cos", mpmath.cos, -PI / 4, PI / 4, "even", "relative", "cos r")


def sin_f32(x):
    # 1.-3. Reduce (non-finite x is NaN from here on).
    r, n = reduce_quadrant(x, SHIFT)
    # 4.-5. Cores; reconstruct.
    return from_quadrant(core_sin(r), core_cos(r), n)


def sin_f32_common(x):
    r, n = reduce_quadrant_common(x, SHIFT)
    return from_quadrant(core_sin(r), core_cos(r), n)


def sin_f32_is_common(x):
    return is_common_argument(x)


SCAFFOLD = Scaffold(
    function="sin",
    variant="f64",
    method=reduction.METHOD + (
        "5. Reconstruct: sin x = (sin r, cos r, -sin r, -cos r)[n mod 4], rounded once. The sign",
        "   of x = ±0 survives (zl is set to 0 there and x zh - n is an fmsub).",
        "6. sin(±inf) = NaN with invalid (inf - inf in x zh - n), sin(NaN) = NaN with no flag.",
    ),
    budget=reduction.BUDGET,
    cores=(core_sin, core_cos),
    constants=reduction.CONSTANTS,
    helpers=(quadrants, two_over_pi, reduce_quadrant, from_quadrant),
    kernel=sin_f32,
    common=CommonPath(sin_f32_common, sin_f32_is_common, reduction.COMMON_METHOD,
                      helpers=(common_zl, reduce_quadrant_common, is_common_argument)),
)
