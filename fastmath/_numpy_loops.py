"""A numpy ufunc's own inner loops, borrowed by pointer.

Where fastmath has no kernel of its own for a type (float64 exp, log, sin, cos; longdouble
and complex), its ufunc runs numpy's loop for that type itself: the same compiled C
function numpy's ufunc calls (its SIMD dispatch already resolved for this CPU), with the
same ``data`` pointer. Results, floating-point flags and speed are numpy's, with no call
overhead of ours per element or per buffer.

The pointers come from the public ``PyUFuncObject`` struct (numpy/ufuncobject.h), read
through ctypes. The layout is checked against what the ufunc says of itself (name, number
of loops, their types); if it ever disagrees, ``loop_of`` returns None and the caller falls
back to calling the ufunc per buffer.
"""
from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass

import numpy as np

# Offsets in PyUFuncObject on a 64-bit CPython (PyObject_HEAD is 16 bytes):
#   int nin, nout, nargs, identity;                          16, 20, 24, 28
#   PyUFuncGenericFunction *functions; void **data;           32, 40
#   int ntypes, reserved1; const char *name; const char *types  48, 52, 56, 64
_FUNCTIONS, _DATA, _NTYPES, _NAME, _TYPES = 32, 40, 48, 56, 64


@dataclass(frozen=True)
class NumpyLoop:
    """One inner loop of a numpy ufunc: PyUFuncGenericFunction and its data argument."""
    ufunc: str
    types: str  # e.g. "d->d"
    function: int  # address of void loop(char **args, npy_intp const *dimensions, npy_intp const *steps, void *data)
    data: int  # passed as the loop's last argument (0 for NULL)


def _pointer(address: int) -> int:
    return ctypes.c_void_p.from_address(address).value or 0


@functools.cache
def _loops(ufunc: np.ufunc) -> dict[str, NumpyLoop] | None:
    """Every legacy loop of a 1-in 1-out numpy ufunc by its types ("d->d"), or None where
    the struct does not read back as the ufunc describes itself."""
    if not isinstance(ufunc, np.ufunc) or ufunc.nin != 1 or ufunc.nout != 1 or ctypes.sizeof(ctypes.c_void_p) != 8:
        return None
    base = id(ufunc)
    ntypes = ctypes.c_int.from_address(base + _NTYPES).value
    name_at, types_at = _pointer(base + _NAME), _pointer(base + _TYPES)
    if ntypes != ufunc.ntypes or not name_at or not types_at:
        return None
    if ctypes.string_at(name_at).decode(errors="replace") != ufunc.__name__:
        return None
    numbers = ctypes.string_at(types_at, 2 * ntypes)
    chars = {np.dtype(c).num: np.dtype(c).char for c in np.typecodes["All"] if c not in "Mm"}
    chars[np.dtype(object).num] = "O"
    described = [f"{chars.get(numbers[2 * i], '?')}->{chars.get(numbers[2 * i + 1], '?')}" for i in range(ntypes)]
    if described != list(ufunc.types):
        return None
    functions, data = _pointer(base + _FUNCTIONS), _pointer(base + _DATA)
    loops = {}
    for i, types in enumerate(described):
        if types not in loops:  # numpy resolves to the first loop of a signature
            loops[types] = NumpyLoop(ufunc.__name__, types, _pointer(functions + 8 * i), _pointer(data + 8 * i) if data else 0)
    return loops


def loop_of(ufunc, code: str) -> NumpyLoop | None:
    """numpy's own ``code->code`` loop of ufunc ("d" for float64), or None if it has none
    or its struct cannot be read safely."""
    loops = _loops(ufunc)
    if loops is None:
        return None
    return loops.get(f"{code}->{code}")



# ---- numpy's float64 loops called from @njit code ---------------------------------------------
# Compiled code names each loop by a symbol of ours, not by its address, so that a function
# cached on disk (@njit(cache=True)) links in a new process, where numpy sits at another
# address. ``register_symbols`` binds the names in each process on ``import fastmath``: code
# that calls fastmath imported it before Numba can load that code from its cache (an unbound
# name there is a call through a null pointer).
SYMBOL_CODES = "d"  # the loop types @njit code calls (float64)


def symbol(ufunc_name: str, code: str) -> str:
    """The name compiled code calls numpy's ``code->code`` loop of numpy.<ufunc_name> by."""
    return f"fastmath_numpy_{ufunc_name}_{code}"


@functools.cache
def register_symbols() -> frozenset[str]:
    """Bind ``symbol(name, code)`` to numpy's own loop for each numpy function a contract names
    as peer, where the loop exists, reads back safely and takes no data argument (NULL): the
    set of names bound."""
    from .contract import CONTRACTS
    bound = set()
    try:
        import llvmlite.binding as llvm
        for contract in CONTRACTS.values():
            module, _, name = contract.peer.rpartition(".")
            if module != "numpy":
                continue
            for code in SYMBOL_CODES:
                loop = loop_of(getattr(np, name), code)
                if loop is not None and loop.data == 0:
                    llvm.add_symbol(symbol(name, code), loop.function)
                    bound.add(symbol(name, code))
    except Exception:  # (none bound: @njit code then calls the kernels or the C library)
        pass
    return frozenset(bound)


@functools.cache
def njit_call(ufunc_name: str, code: str):
    """An @njit-callable ``call(x, out)``: numpy's own ``code->code`` loop of numpy.<ufunc_name>
    over two C-contiguous 1-d arrays of that type and the same size, through its symbol; None
    where the symbol could not be bound (``register_symbols``)."""
    name = symbol(ufunc_name, code)
    if name not in register_symbols():
        return None
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic, register_jitable
    item = np.dtype(code).itemsize

    @intrinsic
    def run_loop(typingctx, x, out, n):
        """numpy's loop(args = {x, out}, dimensions = {n}, steps = {item, item}, NULL)."""
        if not (x == out == types.voidptr and n == types.intp):
            return None

        def codegen(context, builder, signature, args):
            i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
            fnty = ir.FunctionType(ir.VoidType(), [i8p.as_pointer(), i64.as_pointer(), i64.as_pointer(), i8p])
            fn = cgutils.get_or_insert_function(builder.module, fnty, name)
            pointers = cgutils.alloca_once(builder, i8p, size=2)
            builder.store(args[0], cgutils.gep(builder, pointers, 0))
            builder.store(args[1], cgutils.gep(builder, pointers, 1))
            dimensions = cgutils.alloca_once_value(builder, args[2])
            steps = cgutils.alloca_once(builder, i64, size=2)
            builder.store(ir.Constant(i64, item), cgutils.gep(builder, steps, 0))
            builder.store(ir.Constant(i64, item), cgutils.gep(builder, steps, 1))
            builder.call(fn, [pointers, dimensions, steps, ir.Constant(i8p, None)])
            return context.get_dummy_value()

        return types.void(x, out, n), codegen

    from ._ops import data_address

    @register_jitable
    def call(x, out):
        run_loop(data_address(x), data_address(out), x.size)

    return call
