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

from .program import APPLY, Program

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


def evaluate_batch(program: Program, constants: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The program with each row of `constants` (P x k, in the order of
    ``Program.constants``) at every point of u: a P x len(u) float64 array.

    numpy, vectorised over constant sets and points: the fast path of constant tuning
    and of the reals search. fma is computed as a*b + c (two roundings in float64); the
    exact-semantics path is ``evaluate``.
    """
    constants = np.asarray(constants, np.float64)
    u = np.asarray(u, np.float64)[None, :]
    vals, k = [], 0
    with np.errstate(all="ignore"):
        for node in program.nodes:
            a = [vals[i] for i in node.args]
            if node.op == "input":
                v = u
            elif node.op == "const":
                v = constants[:, k: k + 1]
                k += 1
            else:
                v = APPLY[node.op](*a)
            vals.append(v)
    return np.broadcast_to(vals[-1], (constants.shape[0], u.shape[1]))


def evaluate_jacobian(program: Program, constants, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, d values / d constants) of the program at the points u, by forward-mode
    differentiation in float64: shapes (n,) and (n, k), k = number of constants."""
    constants = np.asarray(constants, np.float64)
    u = np.asarray(u, np.float64)
    k, n = constants.size, u.size
    vals, ders, j = [], [], 0
    with np.errstate(all="ignore"):
        for node in program.nodes:
            a = [vals[i] for i in node.args]
            da = [ders[i] for i in node.args]
            if node.op == "input":
                v, d = u, np.zeros((k, n))
            elif node.op == "const":
                v, d = np.full(n, constants[j]), np.zeros((k, n))
                d[j] = 1.0
                j += 1
            elif node.op == "neg":
                v, d = -a[0], -da[0]
            elif node.op == "add":
                v, d = a[0] + a[1], da[0] + da[1]
            elif node.op == "sub":
                v, d = a[0] - a[1], da[0] - da[1]
            elif node.op == "mul":
                v, d = a[0] * a[1], da[0] * a[1] + a[0] * da[1]
            elif node.op == "div":
                v = a[0] / a[1]
                d = (da[0] - v * da[1]) / a[1]
            else:
                v, d = a[0] * a[1] + a[2], da[0] * a[1] + a[0] * da[1] + da[2]
            vals.append(v)
            ders.append(d)
    return vals[-1], ders[-1].T
