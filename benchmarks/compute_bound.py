"""How close each kernel runs to the machine: its vectorised loop's instructions against its time.

For each function the loop `out[i] = kernel(x[i])` is compiled as a user's @njit loop; from its
assembly the hot loop (the backward-jumping block with the most vector instructions) gives the
instructions and vector instructions (on zmm/ymm registers) per iteration and the elements per
iteration (the index step). Its time is measured on 2^16 float32 inputs of the function's
bench range (median of 101; a common path's on those of its range among them, which for
sin, cos and log in their bench ranges is all of them), and turned into cycles at the nominal clock given (2.6 GHz here;
the real clock may be higher). Vector instructions per cycle then tells whether a kernel is
bound by its instruction count (every kernel at the same rate) or by something else (a
latency chain, a divide: a lower rate).

    PYTHONPATH=. .venv/bin/python benchmarks/compute_bound.py [GHz]
"""
import re
import sys
import time

import numba
import numpy as np

from fastmath import _kernels
from fastmath.contract import FUNCTIONS
from generator.measure import sample_inputs


def hot_loop(asm: str) -> list[str]:
    """The instructions of the backward-jumping block with the most vector instructions."""
    lines = asm.splitlines()
    labels = {line.strip()[:-1]: i for i, line in enumerate(lines) if re.match(r"^\.LBB\d+_\d+:$", line.strip())}
    best, best_vector = [], -1
    for i, line in enumerate(lines):
        jump = re.match(r"\s+j\w+\s+(\.LBB\d+_\d+)", line)
        if jump and jump.group(1) in labels and labels[jump.group(1)] < i:
            body = [b.strip() for b in lines[labels[jump.group(1)] + 1:i + 1]
                    if b.strip() and not b.strip().startswith((".", "#"))]
            vector = sum(bool(re.search(r"%[yz]mm", b)) for b in body)
            if vector > best_vector:
                best, best_vector = body, vector
    return best


def elements_per_iteration(body: list[str]) -> int:
    """The loop index step: `addq $N, %reg` followed by the compare (elements, 4-byte floats
    indexed by element)."""
    steps = [int(m.group(1)) for b in body for m in [re.match(r"addq\s+\$(\d+),\s+%r\w+$", b)] if m]
    return max(steps) if steps else 1


def measure(function: str, ghz: float, common: bool = False) -> dict:
    """The kernel's loop (or, with `common`, its common path's, fastmath._loops)."""
    kernel = getattr(_kernels.kernel_module(function), f"{function}_f32" + ("_common" if common else ""))

    def loop(x, out):
        for i in range(x.size):
            out[i] = kernel(x[i])
    compiled = numba.njit(error_model="numpy")(loop)
    x = sample_inputs(function, 1 << 16, np.random.default_rng(0))
    out = np.empty_like(x)
    compiled(x, out)
    body = hot_loop(compiled.inspect_asm(compiled.signatures[0]))
    lanes = elements_per_iteration(body)
    vector = sum(bool(re.search(r"%[yz]mm", b)) for b in body)
    times = []
    for _ in range(101):
        t0 = time.perf_counter()
        compiled(x, out)
        times.append(time.perf_counter() - t0)
    ns = float(np.median(times)) / x.size * 1e9
    return {"function": function, "instructions": len(body), "vector": vector, "elements": lanes,
            "ns": ns, "cycles": ns * ghz}


def main(ghz: float = 2.6):
    print(f"| function | instructions / iteration (vector) | elements / iteration | vector instructions / element | "
          f"ns / element | cycles / element at {ghz} GHz | vector instructions / cycle |")
    print("|---|---|---|---|---|---|---|")
    for function, common in [(f, c) for f in FUNCTIONS for c in (False, True)]:
        if common and not hasattr(_kernels.kernel_module(function), f"{function}_f32_common"):
            continue
        r = measure(function, ghz, common)
        per_element = r["vector"] / r["elements"]
        print(f"| {function}{' (common path)' if common else ''} | {r['instructions']} ({r['vector']}) | {r['elements']} | {per_element:.2f} | {r['ns']:.3f} | "
              f"{r['cycles']:.2f} | {per_element / r['cycles']:.2f} |", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.6)
