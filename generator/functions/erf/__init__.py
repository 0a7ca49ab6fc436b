"""erf: the error function. float32: one variant (float64 internal precision); float64: three
pieces (``pieces``)."""
from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import f64, pieces

HOME = FunctionHome(
    name="erf",
    variants=(f64.SCAFFOLD,),
    search_inputs=((0.5, uniform(-4.0, 4.0)), (0.3, uniform(-1.0, 1.0)), (0.2, finite_bits)),
    bench_inputs=uniform(-4.0, 4.0),
    float64_variants=(pieces.SCAFFOLD,),
    search_inputs64=((0.4, uniform64(-6.5, 6.5)), (0.3, uniform64(0.0, 2.0)), (0.3, log_uniform64(2.0**-30, 8.0))),
)
