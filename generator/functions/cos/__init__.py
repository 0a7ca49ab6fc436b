"""cos: cosine of any float32, reduced exactly (sin's reduction). Two variants, float64
internal precision, as sin's (f64: two cores; halfturn: cos x = sin(x + pi/2), one core)."""
from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import dd, f64, halfturn

HOME = FunctionHome(
    name="cos",
    variants=(f64.SCAFFOLD, halfturn.SCAFFOLD),
    search_inputs=((0.4, uniform(-12.6, 12.6)), (0.3, uniform(-1e4, 1e4)), (0.3, finite_bits)),
    bench_inputs=uniform(-100.0, 100.0),
    float64_variants=(dd.SCAFFOLD,),
    search_inputs64=((0.4, uniform64(-12.6, 12.6)), (0.3, uniform64(-1e4, 1e4)), (0.3, log_uniform64(2.0**-30, 2.0**28))),
)
