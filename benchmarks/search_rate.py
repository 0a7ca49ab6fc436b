"""Candidates evaluated per second by the search, one core, 4,096 points, a 10-op program.

    PYTHONPATH=. .venv/bin/python benchmarks/search_rate.py

Reals mode: max relative error of a degree-5 Horner polynomial (10 ops: 5 mul + 5 add) for
2^x on [0, 1], one candidate per call and in batches of 32 constant sets (how CMA-ES calls
it). Kernel mode: max ULP of the whole exp kernel (probe) on 4,096 float32 inputs with a
10-op core (5 fma). Median of 7 timings of each.
"""
import time

import numpy as np

from generator.kernel_objective import KernelObjective
from generator.objectives import RealsObjective
from generator.program import Node, Program


def horner(coeffs, fused):
    nodes, acc = [Node("input"), Node("const", value=coeffs[-1])], 1
    for c in reversed(coeffs[:-1]):
        nodes.append(Node("const", value=c))
        if fused:
            nodes.append(Node("fma", (acc, 0, len(nodes) - 1)))
        else:
            nodes.append(Node("mul", (acc, 0)))
            nodes.append(Node("add", (len(nodes) - 1, len(nodes) - 2)))
        acc = len(nodes) - 1
    return Program(tuple(nodes))


def rate(fn, calls, per_call):
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append(time.perf_counter() - t0)
    return calls * per_call / float(np.median(times))


coeffs = [1.0, 0.6931, 0.2402, 0.0555, 0.0096, 0.0013]
reals = RealsObjective("exp2", 0.0, 1.0)
p = horner(coeffs, fused=False)
assert p.cost() == 10
points = reals.draw(np.random.default_rng(0), 4096)
consts = np.tile(p.constants(), (32, 1))
print(f"reals, 10 ops, 4096 points: {rate(lambda: reals.error(p, points), 200, 1):,.0f} candidates/s one at a time; "
      f"{rate(lambda: reals.tune_loss(p, consts), 50, 32) * len(reals.tune_u) / 4096:,.0f}/s in batches of 32")
kernel = KernelObjective("exp", "exp", {}, archive_points=16)
q = horner([1.0, 1.0, 0.5, 1 / 6, 1 / 24, 1 / 120], fused=True)
xs = kernel.draw(np.random.default_rng(0), 4096)
refs = kernel.probe.references(xs)
kernel.max_ulp(q, xs, refs)
print(f"kernel (whole exp kernel, 5 fma = 10 ops), 4096 inputs: "
      f"{rate(lambda: kernel.max_ulp(q, xs, refs), 100, 1):,.0f} candidates/s")
