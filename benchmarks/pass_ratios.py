"""Numba pass vs plain Numba with interleaved timing: each round times one call of every
side in turn, so load from other processes hits the sides alike (this machine is shared).
Prints median ns per element per side and the ratio of the medians.

    python benchmarks/pass_ratios.py [rounds]
"""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_bench_numba_pass as bench  # noqa: E402  (the same cases as the pytest-benchmark suite)
from fastmath.contract import FUNCTIONS  # noqa: E402
from generator.measure import sample_inputs  # noqa: E402


def cases():
    for function in FUNCTIONS:
        x = sample_inputs(function, bench.N, np.random.default_rng(0))
        out = np.empty_like(x)
        calls = {side: (lambda fn: lambda: fn(x, out))(bench.loop_for(side, function))
                 for side in ("numba", "pass", "ufunc")}
        yield "loop", function, bench.N, calls
    for function in bench.ARRAY_FUNCTIONS:
        x = sample_inputs(function, bench.N, np.random.default_rng(0))
        calls = {side: (lambda fn: lambda: fn(x))(bench.jit_for(side)(bench.array_source(function)))
                 for side in ("numba", "pass")}
        yield "array", function, bench.N, calls
    for name, build in bench.EXAMPLES.items():
        built = {side: build(side) for side in ("numba", "pass")}
        yield "example", name, built["numba"][1], {side: call for side, (call, _) in built.items()}


def main(rounds=31):
    print(f"median ns per element over {rounds} interleaved rounds; ratio = numba / pass")
    print(f"{'kind':8} {'case':14} {'n':>8} | {'numba':>8} {'pass':>8} {'ratio':>6} | {'ufunc in njit':>13}")
    for kind, name, n, calls in cases():
        for call in calls.values():
            call()  # compile
        times = {side: [] for side in calls}
        for _ in range(rounds):
            for side, call in calls.items():
                t0 = time.perf_counter()
                call()
                times[side].append(time.perf_counter() - t0)
        med = {side: float(np.median(t)) / n * 1e9 for side, t in times.items()}
        ufunc = f"{med['ufunc']:13.3f}" if "ufunc" in med else f"{'':13}"
        print(f"{kind:8} {name:14} {n:>8} | {med['numba']:8.3f} {med['pass']:8.3f} "
              f"{med['numba'] / med['pass']:6.2f} | {ufunc}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 31)
