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

