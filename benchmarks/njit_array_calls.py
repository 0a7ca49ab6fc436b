"""A direct array call in @njit code, `fastmath.<f>(x)`, against Numba's own `np.<f>(x)` (for erf,
a loop of `math.erf`): ns per element on 2^16 inputs, medians of 15 interleaved rounds.

    PYTHONPATH=. .venv/bin/python benchmarks/njit_array_calls.py
"""
import math
import time

import numba
import numpy as np

import fastmath
from fastmath.contract import FUNCTIONS


def peer_of(function):
    if function == "erf":
        @numba.njit
        def peer(x):
            out = np.empty_like(x)
            for i in range(x.size):
                out[i] = math.erf(x[i])
            return out
        return peer
    g = getattr(np, function)
    return numba.njit(lambda x: g(x))


def main(n: int = 1 << 16, rounds: int = 15, calls: int = 5):
    for function in FUNCTIONS:
        f = getattr(fastmath, function)
        ours, peer = numba.njit(lambda x: f(x)), peer_of(function)
        for dtype in (np.float32, np.float64):
            low = 0.1 if function == "log" else -5.0
            x = np.random.default_rng(0).uniform(low, 5.0, n).astype(dtype)
            ours(x), peer(x)
            times = {"fastmath": [], "peer": []}
            for _ in range(rounds):
                for name, g in (("fastmath", ours), ("peer", peer)):
                    t = time.perf_counter()
                    for _ in range(calls):
                        g(x)
                    times[name].append((time.perf_counter() - t) / calls / n * 1e9)
            a, b = np.median(times["fastmath"]), np.median(times["peer"])
            print(f"{function} {np.dtype(dtype).name}: fastmath {a:.3f} ns, Numba's {b:.3f} ns, ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
