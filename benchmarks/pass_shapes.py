"""The Numba pass in the loop shapes people write, not only the ones LLVM vectorises.

Each shape is written once with math.<f> and compiled twice, by numba.njit and by
fastmath.jit; median ns per element over interleaved rounds in one process, 2^20 float32
(or float64; 2-D: 1024 x 1024; the scalar code without a loop: ns per call from Python, 1000
calls). Ratio = plain / with the pass (> 1: the pass is faster). `make bench-pass` runs it too.

    PYTHONPATH=. .venv/bin/python benchmarks/pass_shapes.py [rounds] [float32|float64]
"""
import sys
import time

import numba
import numpy as np

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import sample_inputs


def shapes(f, dtype=np.float32):
    """name -> (python function, how to call it on x)."""
    zero, half = dtype(0), dtype(0.5)

    def in_order_sum(x):
        s = zero
        for i in range(x.size):
            s += f(x[i])
        return s

    def row_sums(x2):
        out = np.empty(x2.shape[0], dtype)
        for r in range(x2.shape[0]):
            s = zero
            for c in range(x2.shape[1]):
                s += f(x2[r, c])
            out[r] = s
        return out

    def divide(x, y, out):  # Numba's default error model checks y[i] for zero
        for i in range(x.size):
            out[i] = f(x[i]) / y[i]

    def branch(x, out):
        for i in range(x.size):
            if x[i] > 0:
                out[i] = f(x[i])
            else:
                out[i] = x[i]

    def while_loop(x, out):
        i = 0
        while i < x.size:
            out[i] = f(x[i])
            i += 1

    def early_exit(x, out):
        for i in range(x.size):
            v = f(x[i])
            if v != v:  # stop at the first NaN (never, here)
                return i
            out[i] = v
        return x.size

    callee = numba.njit(lambda v: f(v))  # compiled separately, without the pass

    def separate_callee(x, out):
        for i in range(x.size):
            out[i] = callee(x[i])

    def scalar_calls(x, out):  # every 64th element: scalar code, one call at a time
        for i in range(0, x.size, 64):
            out[i] = f(x[i])

    def scalar_code(v):  # no loop: one call, from Python
        return f(v) * half

    return {"in-order sum": in_order_sum, "row sums (2-D)": row_sums, "divide (error model)": divide,
            "branch": branch, "while loop": while_loop, "early exit": early_exit,
            "separate callee": separate_callee, "strided scalar walk": scalar_calls,
            "scalar code, no loop (per call)": scalar_code}


SCALAR_CALLS = 1000  # "scalar code": calls per round, each from Python


def arguments(name, x):
    out = np.empty_like(x)
    if name.startswith("scalar code"):
        return (x[:SCALAR_CALLS],)
    if name == "in-order sum":
        return (x,)
    if name == "row sums (2-D)":
        return (x.reshape(1024, -1),)
    if name == "divide (error model)":
        return x, np.full_like(x, 1.5), out
    return x, out


def per_value(compiled, dtype):
    def run(values):
        for v in values:
            compiled(v)
    run(np.ones(1, dtype))  # compile for scalars of dtype
    return run


def main(rounds=11, dtype=np.float32):
    print(f"median ns per element over {rounds} interleaved rounds, 2^20 {np.dtype(dtype).name}; ratio = plain / pass")
    print(f"| shape | {' | '.join(FUNCTIONS)} |\n|---|{'---|' * len(FUNCTIONS)}")
    table = {}
    for function in FUNCTIONS:
        x = sample_inputs(function, 1 << 20, np.random.default_rng(0)).astype(dtype)
        for name, py in shapes(CONTRACTS[function].libm, dtype).items():
            args = arguments(name, x)
            plain, passed = numba.njit(py), fastmath.jit(py)
            if name.startswith("scalar code"):  # one Python-level call per value
                plain, passed = per_value(plain, dtype), per_value(passed, dtype)
            with np.errstate(all="ignore"):
                plain(*args), passed(*args)
                times = {"plain": [], "pass": []}
                for _ in range(rounds):
                    for side, fn in (("plain", plain), ("pass", passed)):
                        t0 = time.perf_counter()
                        fn(*args)
                        times[side].append(time.perf_counter() - t0)
            n = {"strided scalar walk": x.size // 64, "scalar code, no loop (per call)": SCALAR_CALLS}.get(name, x.size)
            a, b = (float(np.median(times[s])) / n * 1e9 for s in ("plain", "pass"))
            table.setdefault(name, {})[function] = (a, b)
    for name, row in table.items():
        cells = [f"{a:.2f} / {b:.2f} = **{a / b:.2f}**" for a, b in (row[f] for f in FUNCTIONS)]
        print(f"| {name} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11, np.dtype(sys.argv[2] if len(sys.argv) > 2 else "float32").type)
