"""Gaussian kernel density estimate at query points, float32, in Numba.

density(q) = sum_j exp(-(q - x_j)^2 / (2 h^2)) / (n h sqrt(2 pi)), written as ordinary
Numba code: a prange loop over the query points (parallel=True) and an inner sum of
math.exp (fastmath=True, so the float32 sum can be reordered and vectorised). Compiled with
numba.njit ("before": scalar libm calls) and fastmath.jit ("after": the same source and
options, with the fastmath pass), and both are compared with a float64 reference:

    python examples/kde.py [samples] [queries]
"""
import math
import sys
import time

import numba
import numpy as np

import fastmath

OPTIONS = {"parallel": True, "fastmath": True}  # fastmath reorders the sums only; the exp kernels stay exact


def kde(samples, queries, bandwidth, out):
    scale = np.float32(-0.5) / (bandwidth * bandwidth)
    norm = np.float32(1.0) / (samples.size * bandwidth * np.float32(math.sqrt(2 * math.pi)))
    for i in numba.prange(queries.size):
        q = queries[i]
        s = np.float32(0.0)
        for j in range(samples.size):
            d = q - samples[j]
            s += math.exp(scale * d * d)
        out[i] = s * norm


def inputs(n_samples, n_queries, seed=0):
    rng = np.random.default_rng(seed)
    samples = np.concatenate([rng.normal(-2, 0.5, n_samples // 2), rng.normal(1.5, 1.0, n_samples - n_samples // 2)])
    queries = np.linspace(-5, 5, n_queries)
    return samples.astype(np.float32), queries.astype(np.float32), np.float32(0.3)


def reference(samples, queries, bandwidth):
    s, q, h = samples.astype(np.float64), queries.astype(np.float64), float(bandwidth)
    out = np.empty(q.size)
    for start in range(0, q.size, 64):
        d = q[start:start + 64, None] - s[None, :]
        out[start:start + 64] = np.exp(-0.5 * d * d / (h * h)).sum(axis=1)
    return out / (s.size * h * math.sqrt(2 * math.pi))


def median_ns(call, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e9


def main(n_samples=8192, n_queries=512, repeats=15, verbose=True):
    samples, queries, h = inputs(n_samples, n_queries)
    ref = reference(samples, queries, h)
    result = {}
    for name, fn in [("before", numba.njit(**OPTIONS)(kde)), ("after", fastmath.jit(**OPTIONS)(kde))]:
        out = np.empty(n_queries, np.float32)
        fn(samples, queries, h, out)  # the first call compiles
        ns = median_ns(lambda: fn(samples, queries, h, out), repeats)
        result[name] = {"ns_per_pair": ns / (n_samples * n_queries),
                        # relative where the density is above 1e-6 of its peak, absolute below
                        "max_rel_error": float(np.max(np.abs(out - ref) / np.maximum(ref, 1e-6 * ref.max())))}
    if verbose:
        print(f"Gaussian KDE, {n_samples} float32 samples x {n_queries} queries "
              f"({numba.get_num_threads()} threads); error vs float64")
        for name, r in result.items():
            print(f"  {name:6}: {r['ns_per_pair']:6.3f} ns per (sample, query)   max rel error {r['max_rel_error']:.1e}")
        print(f"  speed-up: {result['before']['ns_per_pair'] / result['after']['ns_per_pair']:.2f}x")
    return result


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
