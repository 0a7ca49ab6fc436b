"""Arrays of 16 to 4096 float32 (or float64) elements, powers of two and others (the sizes
between the ~200 ns call cost and the compute-bound sizes): fastmath against its peer, interleaved in one process
(``generator.measure.median_ns_per_element``, 1001 repeats, the function's bench inputs,
``out=`` given), as peer / fastmath (> 1: fastmath faster), each cell the median of 3 runs:

    PYTHONPATH=. .venv/bin/python benchmarks/small_arrays.py [float64]
"""
import sys

import numpy as np

import fastmath
from fastmath.contract import FUNCTIONS
from generator.measure import median_ns_per_element, peer, sample_inputs

SIZES = (16, 63, 64, 100, 256, 512, 1000, 1024, 2048, 4096)


def main(runs: int = 3, repeats: int = 1001, dtype=np.float32):
    print("| function | peer | " + " | ".join(str(n) for n in SIZES) + " |")
    print("|---|---|" + "---|" * len(SIZES))
    for function in FUNCTIONS:
        name, other = peer(function)
        cells = []
        for n in SIZES:
            x = sample_inputs(function, n, np.random.default_rng(0)).astype(dtype)
            ratios = []
            for _ in range(runs):
                ours, theirs = median_ns_per_element([getattr(fastmath, function), other], x, repeats)
                ratios.append(theirs / ours)
            cells.append(f"{float(np.median(ratios)):.2f}")
        print(f"| {function} | {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(dtype=np.dtype(sys.argv[1] if len(sys.argv) > 1 else "float32").type)
