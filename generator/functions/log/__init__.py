"""log: natural logarithm. Variants: float64 internal precision (default) and float32 throughout."""
import numpy as np

from .. import FunctionHome, finite_bits, uniform
from . import f32, f64

HOME = FunctionHome(
    name="log",
    variants=(f64.SCAFFOLD, f32.SCAFFOLD),
    search_inputs=((0.4, lambda rng, n: np.abs(finite_bits(rng, n))), (0.4, uniform(0.5, 2.0)),
                   (0.2, lambda rng, n: np.exp2(rng.uniform(-149, 128, n)).astype(np.float32))),
    bench_inputs=lambda rng, n: np.exp2(rng.uniform(-40.0, 40.0, n)).astype(np.float32),
)
