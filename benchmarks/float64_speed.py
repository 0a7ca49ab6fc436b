"""float64 ufuncs and @njit loops against their peers, interleaved in one process.

For each function with a float64 kernel in the version in use (sin and cos since v13, erf
since v14): the ufunc against its peer's (numpy's; scipy.special.erf) on the function's bench
inputs (widened to float64) at 2^10 ... 2^24 elements, on random float64 bit patterns, for sin
and cos on |x| in [2^28, 2^40] (Payne-Hanek) and on a 1% sprinkle of those among ordinary
ones, for erf on each of its three pieces' ranges; and @njit loops ``out[i] = f(x[i])`` (vectorised) and
``s += f(x[i])`` (in order), with the fastmath ufunc against the C library's ``math.<f>``.
Medians of interleaved rounds (``generator.measure.median_ns_per_element``):

    PYTHONPATH=. .venv/bin/python benchmarks/float64_speed.py [repeats] [function ...]
"""
import math
import sys

import numba
import numpy as np

import fastmath
from fastmath import _kernels
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import median_ns_per_element, sample_inputs


def njit_pair(f):
    @numba.njit
    def loop(x, out=None):
        for i in range(x.size):
            out[i] = f(x[i])

    @numba.njit
    def total(x, out=None):
        s = 0.0
        for i in range(x.size):
            s += f(x[i])
        out[0] = s

    return loop, total


def main(repeats: int = 31, functions=FUNCTIONS):
    rng = np.random.default_rng(0)
    print("| function | inputs | n | fastmath ns | peer ns | ratio |")
    print("|---|---|---|---|---|---|")
    for function in (f for f in functions if _kernels.float64_module(f) is not None):
        ours, theirs = getattr(fastmath, function), CONTRACTS[function].peer_function()
        cases = [("bench", n, sample_inputs(function, n, rng).astype(np.float64)) for n in (1 << 10, 1 << 16, 1 << 20, 1 << 24)]
        n = 1 << 16
        bits = rng.integers(0, 1 << 64, n, dtype=np.uint64, endpoint=False).view(np.float64)
        cases += [("random bits", n, bits)]
        if function in ("sin", "cos"):  # Payne-Hanek's inputs, alone and 1% among ordinary ones
            large = np.exp(rng.uniform(28 * math.log(2), 40 * math.log(2), n)) * rng.choice([-1.0, 1.0], n)
            sprinkled = np.where(rng.random(n) < 0.01, large, cases[1][2])
            cases += [("abs(x) in [2^28, 2^40]", n, large), ("1% of those", n, sprinkled)]
        if function == "erf":  # each piece alone (a scalar loop runs one; a vector loop all three)
            cases += [(f"abs(x) in [{lo}, {hi}]", n, rng.uniform(lo, hi, n) * rng.choice([-1.0, 1.0], n))
                      for lo, hi in ((0.0, 0.5), (0.5, 1.5), (1.5, 6.0))]
        for name, size, x in cases:
            with np.errstate(all="ignore"):
                a, b = median_ns_per_element([ours, theirs], x, max(5, repeats if size < (1 << 24) else repeats // 4))
            print(f"| {function} | {name} | {size} | {a:.3f} | {b:.3f} | **{b / a:.2f}** |", flush=True)
        x = cases[2][2]
        for shape, (fm, lm) in zip(("@njit loop", "@njit in-order sum"), zip(njit_pair(ours), njit_pair(getattr(math, function)))):
            a, b = median_ns_per_element([fm, lm], x, repeats)
            print(f"| {function} | {shape} (vs math.{function}) | {x.size} | {a:.3f} | {b:.3f} | **{b / a:.2f}** |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 31, tuple(sys.argv[2:]) or FUNCTIONS)
