"""The probe: a function's real kernel with one core slot bound to an interpreter.

The kernel function of the scaffold (``generator/functions/<name>/``) is compiled a second
time, with the globals of the emitted kernel module (same constants, helpers and other
cores, as ``generator.emit`` writes them) except its searched slot, ``core_<name>``, which
runs whatever program is loaded into the probe's buffers. So a candidate core is measured
with the kernel's true semantics (the scaffold's float64 or float32 arithmetic, true fma,
reduction, reconstruction, selects and final rounding) without recompiling per candidate,
and without editing any source text.
"""
from __future__ import annotations

import hashlib
import types as pytypes

import numba
import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from fastmath._libm import float64_kernel

from . import emit
from .evaluation import _OPCODE, encode
from .modules import CACHE, load_module
from .program import Program
from .scaffold import Scaffold
from .verify import ulp_error
from .verify64 import reference64, ulp_error64

PROBE_DIR = CACHE / "probe"
MAX_NODES = 64  # the largest program the interpreter holds (the search's max cost is far below)
_PROVENANCE = {"version": "probe", "seed": 0, "config_hash": "probe", "generator_commit": "probe",
               "domain": "probe", "max_ulp_contract": 1.0, "method": "probe"}


@intrinsic
def _voidptr(typingctx, address):
    """The integer address as a void pointer (for numba.carray)."""
    if address != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(types.int64), codegen


class CoreBuffer:
    """A program's opcode, operand and constant arrays at fixed addresses, which the
    compiled interpreter reads; ``load`` puts another program there."""

    def __init__(self, precision: str):
        self.codes = np.zeros(MAX_NODES, np.int8)
        self.args = np.zeros((MAX_NODES, 3), np.int32)
        self.values = np.zeros(MAX_NODES, np.dtype(precision))
        self.registers = np.zeros(MAX_NODES, np.dtype(precision))
        self.size = np.zeros(1, np.int64)

    def load(self, program: Program) -> None:
        codes, args, values = encode(program)
        if codes.size > MAX_NODES:
            raise ValueError(f"program of {codes.size} nodes: the probe holds {MAX_NODES}")
        self.codes[: codes.size], self.args[: codes.size], self.values[: codes.size] = codes, args, values
        self.size[0] = codes.size


def make_interpreter(buffer: CoreBuffer):
    """core(u): the program in the buffer, run in its precision (that of the constants and
    registers), same ops in the same order as the emitted core, true fma."""
    codes_at, args_at, values_at = buffer.codes.ctypes.data, buffer.args.ctypes.data, buffer.values.ctypes.data
    registers_at, size_at = buffer.registers.ctypes.data, buffer.size.ctypes.data
    dtype = buffer.values.dtype.type
    INPUT, CONST, NEG, ADD, SUB, MUL, DIV = (_OPCODE[op] for op in ("input", "const", "neg", "add", "sub", "mul", "div"))
    from fastmath._ops import fma

    @numba.njit(error_model="numpy", fastmath=False)
    def interpreted_core(u):
        codes = numba.carray(_voidptr(codes_at), (MAX_NODES,), np.int8)
        args = numba.carray(_voidptr(args_at), (MAX_NODES, 3), np.int32)
        values = numba.carray(_voidptr(values_at), (MAX_NODES,), dtype)
        reg = numba.carray(_voidptr(registers_at), (MAX_NODES,), dtype)
        n = numba.carray(_voidptr(size_at), (1,), np.int64)[0]
        for i in range(n):
            c = codes[i]
            a, b, d = args[i, 0], args[i, 1], args[i, 2]
            if c == INPUT:
                reg[i] = u
            elif c == CONST:
                reg[i] = values[i]
            elif c == NEG:
                reg[i] = -reg[a]
            elif c == ADD:
                reg[i] = reg[a] + reg[b]
            elif c == SUB:
                reg[i] = reg[a] - reg[b]
            elif c == MUL:
                reg[i] = reg[a] * reg[b]
            elif c == DIV:
                reg[i] = reg[a] / reg[b]
            else:
                reg[i] = fma(reg[a], reg[b], reg[d])
        return reg[n - 1]

    return interpreted_core


def load_emitted(scaffold: Scaffold, programs: dict[str, Program]):
    """The kernel module as emitted with these cores (cached on disk by content hash, so
    workers and later runs share its compiled code)."""
    source = emit.render_kernel(scaffold, programs, _PROVENANCE)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return load_module(PROBE_DIR / f"probe_{digest}.py", source, f"fastmath_probe_{digest}", reuse=True)


class Probe:
    """max_ulp(program, xs, refs): the kernel's max ULP error on xs with `program` in `slot`
    (float32 ULP against float64 libm for a float32 kernel; float64 ULP against the long
    double function, as hi + lo, for a float64 kernel)."""

    def __init__(self, scaffold: Scaffold, slot: str, fixed: dict[str, Program]):
        spec = scaffold.core(slot)
        module = load_emitted(scaffold, {**fixed, slot: Program.identity()})
        self.buffer = CoreBuffer(spec.precision)
        self.function, self.dtype = scaffold.function, scaffold.dtype
        namespace = {**vars(module), spec.slot: make_interpreter(self.buffer)}
        fn = scaffold.kernel
        kernel = numba.njit(error_model="numpy", fastmath=False)(
            pytypes.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__))
        if scaffold.dtype == "float64":
            self._init_float64(kernel)
            return
        reference = float64_kernel(scaffold.function)

        @numba.njit(error_model="numpy")
        def max_ulp(xs, refs):
            worst, at = -1.0, 0
            for i in range(xs.shape[0]):
                err = ulp_error(kernel(xs[i]), refs[i])
                if err > worst or err != err:
                    worst, at = err, i
            return worst, at

        @numba.njit(error_model="numpy")
        def references(xs, out):
            for i in range(xs.shape[0]):
                out[i] = reference(np.float64(xs[i]))

        self._max_ulp, self._references = max_ulp, references

    def _init_float64(self, kernel):
        @numba.njit(error_model="numpy")
        def max_ulp(xs, refs):
            worst, at = -1.0, 0
            for i in range(xs.shape[0]):
                err = ulp_error64(kernel(xs[i]), refs[i, 0], refs[i, 1])
                if err > worst or err != err:
                    worst, at = err, i
            return worst, at

        self._max_ulp, self._references = max_ulp, None

    def references(self, xs: np.ndarray) -> np.ndarray:
        """The reference at each input: float64 libm (float32 kernels), or the long double
        function as float64 hi, lo columns (float64 kernels)."""
        if self.dtype == "float64":
            return np.stack(reference64(self.function, xs), axis=1)
        out = np.empty(xs.size)
        self._references(xs, out)
        return out

    def max_ulp(self, program: Program, xs: np.ndarray, refs: np.ndarray) -> tuple[float, int]:
        """(max ULP, its index in xs) of the kernel with `program` in the slot."""
        self.buffer.load(program)
        worst, at = self._max_ulp(xs, refs)
        return float(worst), int(at)
