"""The README's speed tables: fastmath against its peer, interleaved in one process.

`make bench` runs it after pytest-benchmark. pytest-benchmark times the two sides of a cell
one after the other, and two runs of it minutes apart differed by more than 8% in 36 of
its 120 ufunc cells (float32 sin at 2^20: 1.01 and 1.63); here every cell is the median of `RUNS`
runs of ``generator.measure.median_ns_per_element``, which alternates the two sides call
by call. Inputs as in ``benchmarks/test_bench.py``: the function's bench inputs (float32,
and the same values widened to float64), random bit patterns, in place (each call on a fresh
copy; the copy, timed alone in the same rounds, is subtracted), a strided view, and an
@njit loop calling the function element by element (fastmath's against ``math``'s).

    PYTHONPATH=. .venv/bin/python benchmarks/ratios.py [runs]
"""
import sys

import numpy as np

import fastmath
from benchmarks.test_bench import data, loop_for
from fastmath import info
from fastmath.contract import FUNCTIONS
from generator.measure import median_ns_per_element, peer

SIZES = (2**10, 2**16, 2**20, 2**24)
MAIN = 2**20  # the size of the ns columns and of the layout columns
RUNS = 3


def repeats(n: int) -> int:
    return 301 if n <= 2**16 else 31 if n <= 2**20 else 5


def inputs(function: str, n: int, dtype, bits: bool = False) -> np.ndarray:
    """``test_bench.data``'s arrays: the bench inputs as dtype, or random bit patterns of it."""
    return data(function, n, ("bits" if dtype is np.float32 else "bits64") if bits else dtype)


def ns(fns, x: np.ndarray, runs: int) -> np.ndarray:
    """Median ns per element of each fn(x, out=out), over `runs` interleaved runs."""
    with np.errstate(all="ignore"):
        return np.median([median_ns_per_element(fns, x, repeats(x.size)) for _ in range(runs)], axis=0)


def ratio(fast, other, x: np.ndarray, runs: int) -> tuple[float, float, float]:
    """(fastmath ns, peer ns, peer / fastmath) on x."""
    a, b = ns([fast, other], x, runs)
    return a, b, b / a


def in_place_ratio(fast, other, x: np.ndarray, runs: int) -> float:
    """peer / fastmath for f(y, out=y) on a fresh copy y of x each call, the copy subtracted."""
    def copy(x, out):
        np.copyto(out, x)

    def then(f):
        def call(x, out):
            np.copyto(out, x)
            f(out, out=out)
        return call

    c, a, b = ns([copy, then(fast), then(other)], x, runs)
    return (b - c) / (a - c)


def strided_ratio(fast, other, x: np.ndarray, runs: int) -> float:
    """peer / fastmath on x[::2] (every other element of an array twice the size)."""
    wide = np.repeat(x, 2)

    def on_view(f):
        def call(_, out):
            f(wide[::2], out=out)
        return call

    a, b = ns([on_view(fast), on_view(other)], x, runs)
    return b / a


def njit_ratio(function: str, x: np.ndarray, runs: int) -> float:
    """math.<f> / fastmath.<f> called element by element in an @njit loop (``test_bench``'s loops)."""
    a, b = ns([loop_for("fastmath", function), loop_for("libm", function)], x, runs)
    return b / a


def runs_label(function: str) -> str:
    """What fastmath.<function> runs on float64 (``fastmath.info``'s loops)."""
    return info(function)["loops"]["d->d"]


def main(runs: int = RUNS) -> None:
    print(f"peer / fastmath (> 1: fastmath faster), medians of {runs} interleaved runs; ns per element at {MAIN}")
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        print(f"\n{name}\n")
        if dtype is np.float32:
            print("| function | peer | fastmath ns | peer ns | ratio at 2^20 (2^10, 2^16, 2^24) | random bits | "
                  "in place (`out=x`) | strided (`x[::2]`) | `@njit` loop: `math.*` / fastmath |")
            print("|---|---|---|---|---|---|---|---|---|")
        else:
            print("| function | runs | fastmath ns | peer ns | ratio at 2^20 (2^10, 2^16, 2^24) | random bits | "
                  "`@njit` loop: `math.*` / fastmath |")
            print("|---|---|---|---|---|---|---|")
        for function in FUNCTIONS:
            fast, (peer_name, other) = getattr(fastmath, function), peer(function)
            cells = {n: ratio(fast, other, inputs(function, n, dtype), runs) for n in SIZES}
            a, b, main_ratio = cells[MAIN]
            others = ", ".join(f"{cells[n][2]:.2f}" for n in SIZES if n != MAIN)
            bits = ratio(fast, other, inputs(function, MAIN, dtype, bits=True), runs)[2]
            first = peer_name if dtype is np.float32 else runs_label(function)
            row = f"| {function} | {first} | {a:.3f} | {b:.3f} | **{main_ratio:.2f}** ({others}) | {bits:.2f} |"
            x = inputs(function, MAIN, dtype)
            if dtype is np.float32:
                row += f" {in_place_ratio(fast, other, x, runs):.2f} | {strided_ratio(fast, other, x, runs):.2f} |"
            row += f" {njit_ratio(function, x, runs):.2f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
