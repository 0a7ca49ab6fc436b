"""Black-Scholes prices of European calls and puts, float32, in Numba.

The pricing loop below is ordinary Numba code (math.log, math.exp, math.erf). It is compiled
with numba.njit ("before": each call is a scalar libm call) and with fastmath.jit ("after":
the same source and options, with the fastmath pass), and both are compared with a float64
reference:

    python examples/black_scholes.py [n]
"""
import math
import sys
import time

import numba
import numpy as np

import fastmath

# float32 constants: a Python float literal would make the expressions float64.
HALF = np.float32(0.5)
ONE = np.float32(1.0)
INV_SQRT2 = np.float32(1 / math.sqrt(2))


# numpy's error model: S/K with K == 0 gives inf instead of raising, so the loop body has
# no branch and LLVM can vectorise it.
OPTIONS = {"error_model": "numpy"}


def price(S, K, T, r, sigma, call, put):
    for i in range(S.size):
        sqrt_t = math.sqrt(T[i])
        d1 = (math.log(S[i] / K[i]) + (r + HALF * sigma * sigma) * T[i]) / (sigma * sqrt_t)
        d2 = d1 - sigma * sqrt_t
        n1 = HALF + HALF * math.erf(d1 * INV_SQRT2)
        n2 = HALF + HALF * math.erf(d2 * INV_SQRT2)
        discount = K[i] * math.exp(-r * T[i])
        call[i] = S[i] * n1 - discount * n2
        put[i] = discount * (ONE - n2) - S[i] * (ONE - n1)


def inputs(n, seed=0):
    rng = np.random.default_rng(seed)
    S = rng.uniform(5, 30, n).astype(np.float32)
    K = rng.uniform(1, 100, n).astype(np.float32)
    T = rng.uniform(0.25, 10, n).astype(np.float32)
    return S, K, T, np.float32(0.02), np.float32(0.30)


def run(fn, S, K, T, r, sigma):
    call, put = np.empty_like(S), np.empty_like(S)
    fn(S, K, T, r, sigma, call, put)
    return call, put


def max_rel_error(got, ref, floor):
    """max |got - ref| / max(|ref|, floor): relative, except for prices below floor."""
    return float(np.max(np.abs(got.astype(np.float64) - ref) / np.maximum(np.abs(ref), floor)))


def median_ns(fn, args, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(fn, *args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e9


def main(n=2**20, repeats=15, verbose=True):
    before = numba.njit(**OPTIONS)(price)
    after = fastmath.jit(**OPTIONS)(price)  # the same source and options, with the pass
    args = inputs(n)
    ref = run(before, *[np.float64(a) if np.ndim(a) == 0 else a.astype(np.float64) for a in args])  # same inputs, float64 throughout
    result = {}
    for name, fn in [("before", before), ("after", after)]:
        call, put = run(fn, *args)  # the first call compiles
        result[name] = {"ns_per_option": median_ns(fn, args, repeats) / n,
                        "max_rel_error": max(max_rel_error(call, ref[0], 1e-2), max_rel_error(put, ref[1], 1e-2))}
    if verbose:
        print(f"Black-Scholes, {n} float32 options (call and put); error vs float64, prices >= 0.01 relative")
        for name, r in result.items():
            print(f"  {name:6}: {r['ns_per_option']:7.2f} ns/option   max rel error {r['max_rel_error']:.2e}")
        print(f"  speed-up: {result['before']['ns_per_option'] / result['after']['ns_per_option']:.2f}x")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2**20)
