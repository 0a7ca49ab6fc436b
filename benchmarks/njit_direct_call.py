"""The README's Numba example: an in-order sum calling fastmath.exp directly in plain @njit
code, against the same loop with math.exp (2^20 float32, medians of 21 interleaved rounds);
and a check that the vectorised sum keeps the sequential loop's bits.

    PYTHONPATH=. .venv/bin/python benchmarks/njit_direct_call.py
"""
import math
import time

import numba
import numpy as np

import fastmath


@numba.njit
def g_fm(x, mu):
    s = np.float32(0)
    for i in range(x.size):
        d = x[i] - mu
        s += fastmath.exp(-d * d)
    return s
@numba.njit
def g_m(x, mu):
    s = np.float32(0)
    for i in range(x.size):
        d = x[i] - mu
        s += math.exp(-d * d)
    return s
x = np.random.default_rng(0).normal(size=1<<20).astype(np.float32); mu = np.float32(0.3)
g_fm(x, mu); g_m(x, mu)
ts = {g_fm: [], g_m: []}
for _ in range(21):
    for f in ts:
        t = time.perf_counter(); f(x, mu); ts[f].append(time.perf_counter() - t)
a, b = (np.median(ts[f]) / x.size * 1e9 for f in (g_fm, g_m))
print(f"fastmath.exp {a:.3f} ns, math.exp {b:.3f} ns, ratio {b/a:.2f}")
s = np.float32(0)
for v in fastmath.exp(-(x[:1000]-mu)**2): s = np.float32(s + v)
print("in-order sum bit-identical to the sequential sum:", g_fm(x[:1000], mu) == s)
