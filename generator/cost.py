"""The kernel search's cost model: vector instructions per element of a compiled core.

An AVX-512 add, mul or fma issues at the same rate; a divide is about 8 times slower in
throughput; a negation folds into the neighbouring fma or sub; constants fold at compile
time. (The paper's op count, ``Program.cost``, is the reals mode's cost.) Checked against
measured ns/element by ``benchmarks/cost_model.py``.
"""
from __future__ import annotations

from .program import Program

OP_LATENCY = {"input": 0, "const": 0, "neg": 0, "add": 1, "sub": 1, "mul": 1, "fma": 1, "div": 8}


def model_cost(program: Program) -> int:
    dep, live = program.depends_on_input(), program.live()
    return sum(OP_LATENCY[n.op] for n, d, l in zip(program.nodes, dep, live) if d and l)
