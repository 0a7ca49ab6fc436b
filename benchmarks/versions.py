"""Speed of two published kernel versions, per function, measured in one process.

    PYTHONPATH=. .venv/bin/python benchmarks/versions.py v2 v3 [n_log2]

Median ns/element over 101 interleaved repeats on the same float32 array (the inputs of
generator.measure.sample_inputs); ratio = old / new (> 1: the new version is faster). Only the
functions both versions have are compared.
"""
import sys

import numpy as np

from fastmath import _kernels, _libm
from fastmath._ufuncs import make_ufunc
from fastmath.contract import FUNCTIONS
from generator.measure import median_ns_per_element, sample_inputs

old, new = sys.argv[1], sys.argv[2]
n = 1 << (int(sys.argv[3]) if len(sys.argv) > 3 else 16)
print(f"| function | n | {old} ns | {new} ns | ratio {old}/{new} |\n|---|---|---|---|---|")
for f in [f for f in FUNCTIONS if all(f in _kernels.manifest(v)["functions"] for v in (old, new))]:
    x = sample_inputs(f, n, np.random.default_rng(0))
    kernels = [getattr(_kernels.kernel_module(f, v), f"{f}_f32") for v in (old, new)]
    a, b = median_ns_per_element([make_ufunc(f, k, _libm.float64_kernel(f), "") for k in kernels], x, 101)
    print(f"| {f} | 2^{n.bit_length() - 1} | {a:.3f} | {b:.3f} | {a / b:.2f} |")
