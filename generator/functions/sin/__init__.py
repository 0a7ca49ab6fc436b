"""sin: sine of any float32, reduced exactly. Two variants, float64 internal precision: mod pi/2
with sin and cos cores (f64), and mod pi with one sin core (halfturn); float64: dd."""
from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import dd, f64, halfturn

HOME = FunctionHome(
    name="sin",
    variants=(f64.SCAFFOLD, halfturn.SCAFFOLD),
    search_inputs=((0.4, uniform(-12.6, 12.6)), (0.3, uniform(-1e4, 1e4)), (0.3, finite_bits)),
    bench_inputs=uniform(-100.0, 100.0),
    float64_variants=(dd.SCAFFOLD,),
    search_inputs64=((0.4, uniform64(-12.6, 12.6)), (0.3, uniform64(-1e4, 1e4)), (0.3, log_uniform64(2.0**-30, 2.0**28))),
)
