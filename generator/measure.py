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
    """Median ns/element of each fn(x, out=out), timings interleaved across fns."""
    out = np.empty_like(x)
    for f in fns:  # warm up (compilation, caches)
        f(x, out=out)
    times = [[] for _ in fns]
    for _ in range(repeats):
        for f, t in zip(fns, times):
            t0 = time.perf_counter()
            f(x, out=out)
            t.append(time.perf_counter() - t0)
    return [float(np.median(t)) / x.size * 1e9 for t in times]


def measure_speed(function: str, ufunc, n: int, repeats: int, seed: int = 0, dtype: str = "float32") -> dict:
    """ns per element of the ufunc and of the peer on the same array of dtype (the function's
    bench inputs), interleaved, medians."""
    x = sample_inputs(function, n, np.random.default_rng(seed)).astype(dtype)
    name, other = peer(function)
    ours, theirs = median_ns_per_element([ufunc, other], x, repeats)
    return {"n": n, "dtype": dtype, "repeats": repeats, "ns_per_element": round(ours, 4), "peer": name,
            "peer_ns_per_element": round(theirs, 4), "speedup_vs_peer": round(theirs / ours, 3)}
