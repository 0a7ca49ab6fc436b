"""cos, float64 internal precision: sin's exact reduction mod pi/2, one quadrant on."""
import mpmath
import numpy as np

from ...scaffold import PI, CoreSpec, Scaffold
from ..sin import reduction
from ..sin.reduction import reduce_quadrant

core_sin = CoreSpec("sin", mpmath.sin, -PI / 4, PI / 4, "odd", "relative", "sin r")
core_cos = CoreSpec("cos", mpmath.cos, -PI / 4, PI / 4, "even", "relative", "cos r")


def cos_f32(x):
    # 1.-3. Reduce (non-finite x is NaN from here on).
    r, n = reduce_quadrant(x)
    # 4. Cores.
    s = core_sin(r)
    c = core_cos(r)
    # 5. Reconstruct: cos x = sin(x + pi/2), quadrant n + 1.
    m = n + 1
    y = c if (m & 1) else s
    if m & 2:
        y = -y
    return np.float32(y)


SCAFFOLD = Scaffold(
    function="cos",
    variant="f64",
    method=reduction.METHOD + (
        "5. Reconstruct: cos x = (cos r, -sin r, -cos r, sin r)[n mod 4], rounded once;",
        "   cos(±0) = 1 exactly (r = ±0, core_cos(0) = 1).",
        "6. cos(±inf) = NaN with invalid (inf - inf in x zh - n), cos(NaN) = NaN with no flag.",
    ),
    budget=("Cores within 2^-34 relative and r to 2^-48 leave the result within 2^-34 relative "
            "before the one rounding: 0.5 + 2^-10 ULP."),
    cores=(core_sin, core_cos),
    constants=reduction.CONSTANTS,
    helpers=(reduce_quadrant,),
    kernel=cos_f32,
)
