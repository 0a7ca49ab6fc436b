"""float64 erf in a loop LLVM leaves scalar (an early exit): plain Numba's math.erf (the C library)
against the Numba pass's kernel, on [-5, 5] and on each piece's range, 2^16 elements, medians of 21
interleaved rounds:

    PYTHONPATH=. .venv/bin/python benchmarks/erf64_scalar.py
"""
import math

import numba
import numpy as np

import fastmath
from fastmath import numba_pass
from generator.measure import median_ns_per_element


def first_over(x, t):  # an early exit: LLVM cannot vectorise it
    for i in range(x.size):
        if math.erf(x[i]) > t:
            return i
    return -1


def main():
    plain, passed = numba.njit(first_over), fastmath.jit(first_over)
    print("| inputs | plain Numba (math.erf) ns | with the pass ns | ratio | left to Numba |")
    print("|---|---|---|---|---|")
    for lo, hi in ((-5.0, 5.0), (0.0, 0.5), (0.5, 1.5), (1.5, 6.0)):
        x = np.random.default_rng(0).uniform(lo, hi, 1 << 16)
        a, b = median_ns_per_element([lambda v, out=None: plain(v, 2.0), lambda v, out=None: passed(v, 2.0)], x, 21)
        print(f"| [{lo}, {hi}] | {a:.2f} | {b:.2f} | **{a / b:.2f}** | {numba_pass.left_to_numba(passed)} |", flush=True)


if __name__ == "__main__":
    main()
