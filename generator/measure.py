"""Speed of a kernel as a ratio against numpy (or scipy) on the same array, in one process.

Timings on a shared machine are noisy: each side is timed `repeats` times, interleaved,
and the medians are compared.
"""
from __future__ import annotations

import time

import numpy as np

from fastmath.contract import CONTRACTS

from .functions import home


def sample_inputs(function: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """float32 inputs typical of each function's use (its home's ``bench_inputs``)."""
    return home(function).bench_inputs(rng, n)


def peer(function: str):
    """(name, callable) of what users would call instead (the contract's ``peer``)."""
    contract = CONTRACTS[function]
    return contract.peer, contract.peer_function()


def median_ns_per_element(fns, x: np.ndarray, repeats: int) -> list[float]:
    """Median ns/element of each fn(x, out=out), timings interleaved across fns.

    Each timing covers enough calls to last about 20 us (perf_counter's steps, about 10 ns
    here, were 3% of a 64-element call), and the order rotates from one repeat to the next
    (on small arrays the call made second in a round ran 3-4% faster than the same call
    made first: numpy.sin against itself, 64 float32 elements)."""
    out = np.empty_like(x)
    for f in fns:  # warm up (compilation, caches)
        f(x, out=out)
    t0 = time.perf_counter()
    for f in fns:
        f(x, out=out)
    calls = max(1, int(20e-6 * len(fns) / max(time.perf_counter() - t0, 1e-9)))
    times = [[] for _ in fns]
    order = list(range(len(fns)))
    for r in range(repeats):
        for i in order[r % len(fns):] + order[:r % len(fns)]:
            f = fns[i]
            t0 = time.perf_counter()
            for _ in range(calls):
                f(x, out=out)
            times[i].append((time.perf_counter() - t0) / calls)
    return [float(np.median(t)) / x.size * 1e9 for t in times]


def measure_speed(function: str, ufunc, n: int, repeats: int, seed: int = 0, dtype: str = "float32") -> dict:
    """ns per element of the ufunc and of the peer on the same array of dtype (the function's
    bench inputs), interleaved, medians."""
    x = sample_inputs(function, n, np.random.default_rng(seed)).astype(dtype)
    name, other = peer(function)
    ours, theirs = median_ns_per_element([ufunc, other], x, repeats)
    return {"n": n, "dtype": dtype, "repeats": repeats, "ns_per_element": round(ours, 4), "peer": name,
            "peer_ns_per_element": round(theirs, 4), "speedup_vs_peer": round(theirs / ours, 3)}
