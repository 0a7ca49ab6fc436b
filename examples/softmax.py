"""Row-wise log-sum-exp and softmax of float32 logits, in Numba.

Ordinary Numba code: a max-shifted log-sum-exp loop (math.exp, math.log, compiled with
fastmath=True so the float32 sum vectorises) and a softmax written with array expressions
(np.exp on a row). Compiled with numba.njit ("before": scalar libm calls) and with
fastmath.jit ("after": the same source and options, with the fastmath pass), and both are
compared with a float64 reference:

    python examples/softmax.py [rows] [cols]
"""
import math
import sys
import time

import numba
import numpy as np

import fastmath

LSE_OPTIONS = {"fastmath": True}  # lets LLVM reorder the float32 sum (the exp kernels stay exact)


def logsumexp_rows(x, out):
    for r in range(x.shape[0]):
        m = x[r, 0]
        for j in range(1, x.shape[1]):
            m = max(m, x[r, j])
        s = np.float32(0.0)
        for j in range(x.shape[1]):
            s += math.exp(x[r, j] - m)
        out[r] = m + math.log(s)


def softmax_rows(x):
    out = np.empty_like(x)
    for r in range(x.shape[0]):
        e = np.exp(x[r] - x[r].max())
        out[r] = e / e.sum()
    return out


def inputs(rows, cols, seed=0):
    return (np.random.default_rng(seed).standard_normal((rows, cols)) * 8).astype(np.float32)


def reference(x):
    x64 = x.astype(np.float64)
    m = x64.max(axis=1, keepdims=True)
    e = np.exp(x64 - m)
    return (m + np.log(e.sum(axis=1, keepdims=True)))[:, 0], e / e.sum(axis=1, keepdims=True)


def median_ns(call, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e9


def main(rows=1024, cols=1024, repeats=15, verbose=True):
    x = inputs(rows, cols)
    ref_lse, ref_softmax = reference(x)
    builds = {"before": (numba.njit(**LSE_OPTIONS)(logsumexp_rows), numba.njit(softmax_rows)),
              "after": (fastmath.jit(**LSE_OPTIONS)(logsumexp_rows), fastmath.jit(softmax_rows))}
    result = {}
    for name, (lse, softmax) in builds.items():
        out = np.empty(rows, np.float32)
        lse(x, out)  # the first calls compile
        sm = softmax(x)
        result[name] = {
            "lse_ns_per_element": median_ns(lambda: lse(x, out), repeats) / x.size,
            "softmax_ns_per_element": median_ns(lambda: softmax(x), repeats) / x.size,
            "lse_max_rel_error": float(np.max(np.abs(out - ref_lse) / np.abs(ref_lse))),
            # softmax entries below 1e-30 of the row's mass are compared absolutely
            "softmax_max_rel_error": float(np.max(np.abs(sm - ref_softmax) / np.maximum(ref_softmax, 1e-30))),
        }
    if verbose:
        print(f"log-sum-exp and softmax of {rows} x {cols} float32 logits; error vs float64")
        for name, r in result.items():
            print(f"  {name:6}: lse {r['lse_ns_per_element']:6.3f} ns/element (max rel error {r['lse_max_rel_error']:.1e}), "
                  f"softmax {r['softmax_ns_per_element']:6.3f} ns/element (max rel error {r['softmax_max_rel_error']:.1e})")
        b, a = result["before"], result["after"]
        print(f"  speed-up: lse {b['lse_ns_per_element'] / a['lse_ns_per_element']:.2f}x, "
              f"softmax {b['softmax_ns_per_element'] / a['softmax_ns_per_element']:.2f}x")
    return result


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
