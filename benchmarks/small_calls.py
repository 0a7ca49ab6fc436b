"""Calls on a few elements (1, 16, 64): mostly the ufunc machinery's own cost, loop included.

Each call takes about 200 ns, so the two sides are timed interleaved with timeit (21 rounds,
the best of 3 x 1000 calls each; medians of the rounds), on the function's bench inputs, with
`out=` given (no allocation):

    PYTHONPATH=. .venv/bin/python benchmarks/small_calls.py
"""
import timeit

import numpy as np

import fastmath
from fastmath.contract import FUNCTIONS
from generator.measure import peer, sample_inputs


def ns_per_call(f, x, out) -> float:
    return min(timeit.repeat(lambda: f(x, out=out), number=1000, repeat=3)) / 1000 * 1e9


def main():
    print("| dtype | function | peer | 1 element | 16 elements | 64 elements |")
    print("|---|---|---|---|---|---|")
    for dtype in (np.float32, np.float64):
        for function in FUNCTIONS:
            name, other = peer(function)
            cells = []
            for n in (1, 16, 64):
                x = sample_inputs(function, 64, np.random.default_rng(0))[:n].astype(dtype)
                out = np.empty_like(x)
                ours, theirs = [], []
                for _ in range(21):
                    ours.append(ns_per_call(getattr(fastmath, function), x, out))
                    theirs.append(ns_per_call(other, x, out))
                a, b = float(np.median(ours)), float(np.median(theirs))
                cells.append(f"{a:.0f} / {b:.0f} ns = {b / a:.2f}")
            print(f"| {np.dtype(dtype).name} | {function} | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
