"""Evaluate a program on many points with exactly the kernel's float semantics.

A small Numba interpreter runs the program in float32 or float64 with a true fused
multiply-add (``llvm.fma``), so what it computes is bit-for-bit what the emitted
kernel computes for the same core (the emitted code uses the same ops in the same
order). It is the fast inner loop of fitting checks and of the search.
"""
from __future__ import annotations

import numba
import numpy as np

from fastmath._ops import fma

from .program import Program

_OPCODE = {"input": 0, "const": 1, "neg": 2, "add": 3, "sub": 4, "mul": 5, "div": 6, "fma": 7}


def encode(program: Program):
    """(opcodes, operand indices, constants) arrays for the interpreter."""
    n = len(program.nodes)
    codes = np.zeros(n, np.int8)
    args = np.zeros((n, 3), np.int32)
    values = np.zeros(n, np.float64)
    for i, node in enumerate(program.nodes):
        codes[i] = _OPCODE[node.op]
        args[i, : len(node.args)] = node.args
        if node.op == "const":
            values[i] = node.value
    return codes, args, values


@numba.njit(error_model="numpy", cache=True)
def _run(codes, args, values, u, out):
    n = codes.shape[0]
    reg = np.empty((n, u.shape[0]), u.dtype)
    for i in range(n):
        c = codes[i]
        a, b, d = args[i, 0], args[i, 1], args[i, 2]
        if c == 0:
            reg[i, :] = u
        elif c == 1:
            reg[i, :] = values[i]  # rounds the constant to the working type
        elif c == 2:
            for j in range(u.shape[0]):
                reg[i, j] = -reg[a, j]
        elif c == 3:
            for j in range(u.shape[0]):
                reg[i, j] = reg[a, j] + reg[b, j]
        elif c == 4:
            for j in range(u.shape[0]):
                reg[i, j] = reg[a, j] - reg[b, j]
        elif c == 5:
            for j in range(u.shape[0]):
                reg[i, j] = reg[a, j] * reg[b, j]
        elif c == 6:
            for j in range(u.shape[0]):
                reg[i, j] = reg[a, j] / reg[b, j]
        else:
            for j in range(u.shape[0]):
                reg[i, j] = fma(reg[a, j], reg[b, j], reg[d, j])
    out[:] = reg[n - 1]


def evaluate(program: Program, u: np.ndarray) -> np.ndarray:
    """The program at every point of u, in u's dtype (float32 or float64), with true fma."""
    u = np.ascontiguousarray(u)
    if u.dtype not in (np.float32, np.float64):
        raise TypeError(f"evaluate takes float32 or float64 points, not {u.dtype}")
    out = np.empty_like(u)
    _run(*encode(program), u, out)
    return out
