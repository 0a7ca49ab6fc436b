"""sin: sine of any float32, reduced exactly. One variant (float64 internal precision)."""
from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import dd, f64

HOME = FunctionHome(
    name="sin",
    variants=(f64.SCAFFOLD,),
    search_inputs=((0.4, uniform(-12.6, 12.6)), (0.3, uniform(-1e4, 1e4)), (0.3, finite_bits)),
    bench_inputs=uniform(-100.0, 100.0),
    float64_variants=(dd.SCAFFOLD,),
    search_inputs64=((0.4, uniform64(-12.6, 12.6)), (0.3, uniform64(-1e4, 1e4)), (0.3, log_uniform64(2.0**-30, 2.0**28))),
)
