"""log: natural logarithm. float32: float64 internal precision (default) and float32
throughout; float64: the atanh variable as a double-double (``dd``)."""
import numpy as np

from .. import FunctionHome, finite_bits, log_uniform64, uniform, uniform64
from . import dd, f32, f64

HOME = FunctionHome(
    name="log",
    variants=(f64.SCAFFOLD, f32.SCAFFOLD),
    search_inputs=((0.4, lambda rng, n: np.abs(finite_bits(rng, n))), (0.4, uniform(0.5, 2.0)),
                   (0.2, lambda rng, n: np.exp2(rng.uniform(-149, 128, n)).astype(np.float32))),
    bench_inputs=lambda rng, n: np.exp2(rng.uniform(-40.0, 40.0, n)).astype(np.float32),
    float64_variants=(dd.SCAFFOLD,),
    search_inputs64=((0.4, lambda rng, n: np.abs(log_uniform64(2.0**-1074, 1e308)(rng, n))),
                     (0.4, uniform64(0.5, 2.0)), (0.2, lambda rng, n: 1.0 + rng.uniform(-2.0**-8, 2.0**-8, n))),
)
