"""Data a user has, not only clean data: the function's bench inputs with special values mixed
in (a NaN for a missing value, a zero or a negative for log, an input out of the common
path's range), at a few rates and positions, float32 and float64. fastmath against its peer,
interleaved in one process (``generator.measure.median_ns_per_element``), as peer /
fastmath (> 1: fastmath faster), each cell the median of 3 runs:

    PYTHONPATH=. .venv/bin/python benchmarks/special_values.py [sizes, e.g. 1024,65536]

The cases: ``clean``; ``one <v>`` (one special value in the middle); ``0.1% <v>``, ``1% <v>``
and ``10% <v>`` (special values at random places); ``random bits`` (uniform bit patterns:
every exponent, half of them negative, NaN and inf).
"""
import sys

import numpy as np

import fastmath
from fastmath.contract import FUNCTIONS
from generator.measure import median_ns_per_element, peer, sample_inputs

SIZES = (1024, 1 << 16, 1 << 20)
# What each function meets in data besides its bench inputs: NaN (missing values) for all;
# log: zeros (log of counts) and negatives; exp: -inf (exp of log-probabilities) and an
# overflowing input; sin and cos: a huge argument (out of the common path's range).
SPECIALS = {
    "exp": (np.nan, -np.inf, 800.0),
    "log": (np.nan, 0.0, -1.0),
    "sin": (np.nan, 1e30),
    "cos": (np.nan, 1e30),
    "erf": (np.nan,),
}


def cases(function: str, n: int, dtype, rng):
    """(label, inputs) of the cases above."""
    x = sample_inputs(function, n, rng).astype(dtype)
    yield "clean", x
    for v in SPECIALS[function]:
        special = dtype(v)
        one = x.copy()
        one[n // 2] = special
        yield f"one {v:g}", one
        for rate in (0.001, 0.01, 0.1):
            mixed = x.copy()
            mixed[rng.random(n) < rate] = special
            yield f"{rate:.1%} {v:g}".replace(".0%", "%"), mixed
    bits = rng.integers(0, 1 << (8 * np.dtype(dtype).itemsize), n, dtype=np.uint64, endpoint=False)
    yield "random bits", bits.astype(np.dtype(f"u{np.dtype(dtype).itemsize}")).view(dtype)


def main(sizes=SIZES, runs: int = 3):
    for dtype in (np.float32, np.float64):
        print(f"\n{np.dtype(dtype).name}, peer / fastmath, median of {runs} interleaved runs\n")
        print("| function | case | " + " | ".join(str(n) for n in sizes) + " |")
        print("|---|---|" + "---|" * len(sizes))
        for function in FUNCTIONS:
            _, other = peer(function)
            rows = {}
            for n in sizes:
                for label, x in cases(function, n, dtype, np.random.default_rng(n)):
                    repeats = max(21, min(1001, (1 << 24) // n))
                    with np.errstate(all="ignore"):
                        ratios = []
                        for _ in range(runs):
                            ours, theirs = median_ns_per_element([getattr(fastmath, function), other], x, repeats)
                            ratios.append(theirs / ours)
                    rows.setdefault(label, []).append(f"{float(np.median(ratios)):.2f}")
            for label, cells in rows.items():
                print(f"| {function} | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(tuple(int(v) for v in sys.argv[1].split(",")) if len(sys.argv) > 1 else SIZES)
