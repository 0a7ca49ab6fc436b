"""exp: e^x. Variants: float64 internal precision (default) and float32 throughout."""
import numpy as np

from .. import FunctionHome, finite_bits, uniform
from . import f32, f64

HOME = FunctionHome(
    name="exp",
    variants=(f64.SCAFFOLD, f32.SCAFFOLD),
    search_inputs=((0.6, uniform(-103.97, 88.72)), (0.2, uniform(-1.0, 1.0)), (0.2, finite_bits)),
    bench_inputs=lambda rng, n: rng.uniform(-87.0, 88.0, n).astype(np.float32),
)
