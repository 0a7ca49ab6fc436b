"""erf: the error function. One variant (float64 internal precision)."""
from .. import FunctionHome, finite_bits, uniform
from . import f64

HOME = FunctionHome(
    name="erf",
    variants=(f64.SCAFFOLD,),
    search_inputs=((0.5, uniform(-4.0, 4.0)), (0.3, uniform(-1.0, 1.0)), (0.2, finite_bits)),
    bench_inputs=uniform(-4.0, 4.0),
)
