"""exp: e^x. float32: float64 internal precision (default) and float32 throughout; float64:
reduction to a double-double (``dd``)."""
import numpy as np

from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import dd, f32, f64

HOME = FunctionHome(
    name="exp",
    variants=(f64.SCAFFOLD, f32.SCAFFOLD),
    search_inputs=((0.6, uniform(-103.97, 88.72)), (0.2, uniform(-1.0, 1.0)), (0.2, finite_bits)),
    bench_inputs=lambda rng, n: rng.uniform(-87.0, 88.0, n).astype(np.float32),
    float64_variants=(dd.SCAFFOLD,),
    search_inputs64=((0.4, uniform64(-745.0, 709.7)), (0.3, uniform64(-1.0, 1.0)),
                     (0.3, log_uniform64(2.0**-30, 700.0))),
)
