"""Who should run a ufunc's float64 loop: the float64 kernel's block loop against the ufunc
(what ships: ``Contract.float64_loop``) and the peer, interleaved in one process.

For a function with a float64 kernel (default: exp, whose ufunc borrows numpy's loop, the
contract's ``ufunc64="peer"``): the ufunc, the kernel's block loop as a ufunc of its own (what
``ufunc64="kernel"`` would ship) and the peer on the same array, clean (the function's bench
inputs, widened) and with 1% or 0.1% special values; then, out of cache, the kernel's loop
against the peer with ``out=`` and with a result allocated per call. Ratio = peer ns / other
ns (> 1: faster than the peer), the median of 3 runs of ``median_ns_per_element``:

    PYTHONPATH=. .venv/bin/python benchmarks/float64_loops.py [function]
"""
import sys

import numpy as np

import fastmath
from fastmath._ufuncs import float64_kernel_ufunc
from fastmath.contract import CONTRACTS
from generator.measure import median_ns_per_element, sample_inputs

SPECIALS = {"exp": (("NaN", np.nan), ("-inf", -np.inf), ("800 (overflow)", 800.0)),
            "log": (("NaN", np.nan), ("0", 0.0), ("-1", -1.0)),
            "sin": (("NaN", np.nan), ("1e300", 1e300)), "cos": (("NaN", np.nan), ("1e300", 1e300)),
            "erf": (("NaN", np.nan), ("inf", np.inf))}


def ratios(fns, x, repeats: int, runs: int = 3) -> np.ndarray:
    """peer / each of fns[:-1] (fns[-1] is the peer), medians of `runs` interleaved runs."""
    with np.errstate(all="ignore"):
        times = np.array([median_ns_per_element(fns, x, repeats) for _ in range(runs)])
    return np.median(times[:, -1:] / times[:, :-1], axis=0)


def allocating(f):
    return lambda x, out=None: f(x)


def main(function: str = "exp"):
    ours, theirs = getattr(fastmath, function), CONTRACTS[function].peer_function()
    kernel = float64_kernel_ufunc(function)
    rng = np.random.default_rng(0)
    print(f"{function} float64; the ufunc's loop: {fastmath.info(function)['loops']['d->d']}")
    print("| n | data | ufunc | kernel's loop |")
    print("|---|---|---|---|")
    for n in (1 << 10, 1 << 16, 1 << 20):
        clean = sample_inputs(function, n, rng).astype(np.float64)
        cases = [("clean", clean)]
        for name, value in SPECIALS[function]:
            for rate in (0.01, 0.001):
                x = clean.copy()
                x[rng.random(n) < rate] = value
                cases.append((f"{rate:.1%} {name}", x))
        for name, x in cases:
            r = ratios([ours, kernel, theirs], x, 101 if n <= 1 << 16 else 21)
            print(f"| {n} | {name} | {r[0]:.2f} | {r[1]:.2f} |", flush=True)
    print("\nthe kernel's loop against the peer, out of cache")
    print("| n | out= | allocating |")
    print("|---|---|---|")
    for n in (1 << 16, 1 << 20, 1 << 22, 1 << 24):
        x = sample_inputs(function, n, rng).astype(np.float64)
        repeats = 31 if n < 1 << 22 else 9
        a = ratios([kernel, theirs], x, repeats)[0]
        b = ratios([allocating(kernel), allocating(theirs)], x, repeats)[0]
        print(f"| 2^{n.bit_length() - 1} | {a:.2f} | {b:.2f} |", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
