"""float16 calls: fastmath's ufunc against NumPy's at 1 to 2^20 elements (since 2026-12-02 both
run NumPy's own float16 loop, so the ratio is this machine's noise between two calls of the
same code); ns per call, medians of 3 interleaved runs (``median_ns_per_element``, 41 repeats).

    PYTHONPATH=. .venv/bin/python benchmarks/float16.py
"""
import numpy as np

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import median_ns_per_element

SIZES = (1, 16, 1024, 1 << 16, 1 << 20)


def main():
    rng = np.random.default_rng(0)
    print("| function | " + " | ".join(f"{n} elements" for n in SIZES) + " |")
    print("|---|" + "---|" * len(SIZES))
    for function in FUNCTIONS:
        if "e" not in CONTRACTS[function].loops:
            continue
        ours, peer = getattr(fastmath, function), CONTRACTS[function].peer_function()
        cells = []
        for n in SIZES:
            x = rng.uniform(0.1, 5.0, n).astype(np.float16)
            runs = np.median([median_ns_per_element([ours, peer], x, 41) for _ in range(3)], axis=0) * n
            cells.append(f"{runs[0]:.0f} / {runs[1]:.0f} ns = {runs[1] / runs[0]:.2f}")
        print(f"| {function} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
