"""Build each function as a real ``numpy.ufunc`` and make it callable inside ``@numba.njit``.

The ufunc has the loop types of its peer (the contract's ``loops``, in numpy's order):
``f->f`` (the generated float32 kernel, and its common path, in the loop of ``_loops``:
vectorised in place and on strided arrays too); ``d->d``, the generated float64 kernel in the same loop
where the version ships one and the contract's ``ufunc64`` lets it run the loop (sin, cos, erf),
else as the contract's ``float64`` says (numpy's own float64 loop: exp, log; or libm compiled
by Numba); and for float16, longdouble and complex types the peer's own loops (numpy.exp
...), borrowed by pointer (``_numpy_loops``). (float16: numpy's loops are as accurate as the
float32 kernel rounded to float16, at most 0.5003 ULP of float16 on all 2^16 inputs, and
faster than any float16 loop through the float32 kernel: 0.56-0.92x numpy's speed with the
conversions vectorised, 0.05-0.08x through a Python callback as before 2026-12-02.) numpy's own type
resolution then gives numpy's behaviour for broadcasting, ``out=``, ``where=``, ``dtype=``,
casting, integer input and result dtypes.

Inside ``@njit`` code the same ufunc object resolves, through an ``overload``, to the
same compiled kernels (scalars) or a loop over them (arrays), which LLVM inlines and
vectorises; an array call runs the ufunc's own loop (float64 exp and log: numpy's, called by
a symbol ``_numpy_loops`` binds). float32 results, and float64 ones where the ufunc runs a
float64 kernel, are bit-identical to the ufunc's; other float64 scalars run the C library
(exp: its float64 kernel in loops LLVM vectorises), < 1 ULP.
"""
from __future__ import annotations

import ctypes
import functools
import sys
from dataclasses import dataclass

import numba
import numpy as np
from numba import types
from numba.extending import overload, register_jitable
from numba.np.ufunc.ufuncbuilder import UFuncBuilder

from . import _array_calls, _kernels, _libm
from ._loops import array_loop, common_path_of, compile_loop, module_loop
from ._numpy_loops import loop_of, njit_call
from ._ops import vectorise_ordered_reductions
from .contract import CONTRACTS


# The loop's own compile options, explicit: a ufunc first built while Numba compiles a caller
# (``fastmath.exp(x[i])`` in @njit code names it during typing) would otherwise inherit that
# caller's flags, and with fastmath=True there LLVM rewrote the kernel's arithmetic (log
# differed from its kernel on 12% of inputs, on an empty cache).
LOOP_OPTIONS = {"fastmath": False}


@dataclass(frozen=True)
class _Loop:
    """One loop of a ufunc being made: its type numbers (in, out), the PyUFuncGenericFunction,
    its data argument (0: NULL) and what must stay alive as long as the ufunc does."""
    dtypenums: tuple[int, int]
    function: int
    data: int = 0
    keep: object = None


def _element_loop(kernel, signature) -> _Loop:
    """The ufunc loop Numba's ufunc builder compiles over a kernel."""
    builder = UFuncBuilder(kernel, cache=True, targetoptions=dict(LOOP_OPTIONS))
    cres = builder.add(signature)
    dtypenums, ptr, env = builder.build(cres, builder._sigs[-1])
    return _Loop(tuple(dtypenums), int(ptr), keep=(cres.library, env))


def _block_loop(compiled, dtype=np.float32) -> _Loop:
    """A loop running a kernel in blocks (``_loops``): float32, or float64 where a float64
    kernel ships."""
    num = np.dtype(dtype).num
    return _Loop((num, num), compiled.address, keep=compiled)


def _docstring(function: str, version: str) -> str:
    contract = CONTRACTS[function]
    entry = _kernels.manifest(version)["functions"][function]
    check = entry["verification"]
    return (
        f"Elementwise {function}, a numpy ufunc (a drop-in for {contract.peer}).\n\n"
        f"float32: generated kernel {version} ({entry['method']}, internal precision "
        f"{entry['internal_precision']}); domain: {contract.domain}.\n"
        f"Max error {check['max_ulp']:.4f} ULP over all {check['inputs_checked']} float32 inputs "
        f"(contract: < {contract.max_ulp:g} ULP; worst input {check['worst_input']}).\n"
        + (_float64_line(function, entry["float64"], version) if "source" in entry.get("float64", {})
           and contract.ufunc64 == "kernel" else
           f"float64: {contract.peer}'s own float64 loop (< 1 ULP, sampled: python -m generator.verify64), "
           f"also for arrays inside @njit; there a scalar runs "
           + (f"the generated float64 kernel {version} ({_sampled_max(entry)}; the Numba pass leaves a loop LLVM "
              f"keeps scalar to the C library)" if "source" in entry.get("float64", {}) else
              f"the C library's {function}") + ".\n" if contract.float64 == "peer" else
           f"float64: the C library's {function} ({contract.reference.split('(')[0].strip()}).\n")
        + (f"Other types ({', '.join(sorted(set(contract.loops) - set('fd')))}): {contract.peer}'s own loops"
           + (" (float16: < 0.51 ULP of float16 on all 2^16 inputs, as the float32 kernel rounded to it)"
              if "e" in contract.loops else "") + ".\n"
           if set(contract.loops) - set("fd") else "")
        + f"Provenance: fastmath.info({function!r})."
    )


def _sampled_max(entry: dict) -> str:
    """The float64 kernel's sampled max ULP, from the manifest entry."""
    check = entry["float64"].get("verification", {})
    return f"max {check['max_ulp']:.4f} ULP sampled" if "max_ulp" in check else "sampled"


def _float64_line(function: str, entry: dict, version: str) -> str:
    check = entry["verification"]
    return (f"float64: generated kernel {version} ({entry['method']}, variant {entry['variant']}), also inside @njit. "
            f"Max error {check['max_ulp']:.4f} ULP, sampled: {check['inputs_checked']:,} inputs with the hard cases "
            f"(not proven: 2^64 inputs; {check['peer']} on the same inputs: {check['peer_max_ulp']:.4f} ULP).\n")


# numpy's C API entry PyUFunc_FromFuncAndData (slot 1 of the _UFUNC_API table). Numba's own
# ufunc factory (_internal.fromfunc) makes ufuncs that reject where= (numba issue 7373 and
# relatives); a ufunc made by numpy's constructor from the same compiled loops supports it.
_PyUFunc_FromFuncAndData = ctypes.PYFUNCTYPE(
    ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
    ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int)
_PYUFUNC_NONE = -1
_keepalive = []  # the ufunc refers to these arrays, loops and strings for ever


@functools.cache
def _numpy_ufunc_constructor():
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    from numpy._core import _multiarray_umath
    table = ctypes.cast(get_pointer(_multiarray_umath._UFUNC_API, None), ctypes.POINTER(ctypes.c_void_p))
    return _PyUFunc_FromFuncAndData(table[1])


# ---- Loops for the dtypes numpy has and the kernels do not compute themselves -------------
# PyUFuncGenericFunction: void loop(char **args, npy_intp const *dimensions, npy_intp const
# *steps, void *data). A ctypes callback takes the GIL (numpy may have released it) and
# works on whole strided buffers, not elements, so its Python overhead is per call.
_LOOP = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ssize_t),
                         ctypes.POINTER(ctypes.c_ssize_t), ctypes.c_void_p)


def _strided(address: int, n: int, step: int, dtype: np.dtype) -> np.ndarray:
    """The n elements at address, step bytes apart (any sign), as an array (no copy)."""
    if n == 0:
        return np.empty(0, dtype)
    low = address + min(0, (n - 1) * step)
    span = abs((n - 1) * step) + dtype.itemsize
    return np.ndarray((n,), dtype, (ctypes.c_char * span).from_address(low), address - low, (step,))


class _FloatingPointFlags:
    """The FPU's exception flags (C99 fenv through ctypes). numpy clears them whenever it
    starts a ufunc call or a cast, so a loop that calls numpy saves the flags raised so far
    and raises them again before it returns, for the calling ufunc to report."""

    def __init__(self):
        self._test = self._raise = None
        self._loaded = False

    def _load(self):
        """fetestexcept/feraiseexcept from the process (Python links the C math library),
        else from libm by name; without C99 fenv (e.g. on Windows) flags are not kept."""
        import ctypes.util
        self._loaded = True
        for library in (None, ctypes.util.find_library("m")):
            try:
                libm = ctypes.CDLL(library)
                self._test, self._raise = libm.fetestexcept, libm.feraiseexcept
                return
            except (OSError, AttributeError, TypeError):
                continue

    def saved(self) -> int:
        if not self._loaded:
            self._load()
        return self._test(0x7FFFFFFF) if self._test else 0  # (masked to FE_ALL_EXCEPT by the C library)

    def restore(self, flags: int) -> None:
        if flags and self._raise:
            self._raise(flags)


_flags = _FloatingPointFlags()


def _callback_loop(dtype, compute) -> _Loop:
    """A ufunc loop (keeping its ctypes callback alive) running compute(x, out) on the
    buffers. numpy's own error checks are kept quiet inside; the floating-point exceptions
    raised stay in the FPU flags for the calling ufunc to report under the caller's
    np.errstate, with those raised before this call."""
    dtype = np.dtype(dtype)

    def loop(args, dimensions, steps, data):
        before = _flags.saved()
        n = dimensions[0]
        x, out = _strided(args[0], n, steps[0], dtype), _strided(args[1], n, steps[1], dtype)
        with np.errstate(all="ignore"):
            compute(x, out)
        _flags.restore(before)

    callback = _LOOP(loop)
    return _Loop((dtype.num, dtype.num), ctypes.cast(callback, ctypes.c_void_p).value, keep=callback)


def _peer_loop(function: str, code: str) -> _Loop:
    """The peer's own ``code->code`` loop (numpy.exp's, scipy.special.erf's ...) by pointer;
    if its struct cannot be read, or its module is not imported yet, a callback running the
    peer per buffer (the same results): fastmath does not import SciPy for erf's complex
    loops (scipy.special takes 0.15-0.2 s to import), the first complex call does."""
    contract = CONTRACTS[function]
    imported = contract.peer.rpartition(".")[0] in sys.modules
    borrowed = loop_of(contract.peer_function(), code) if imported else None
    if borrowed is None:
        return _callback_loop(np.dtype(code), lambda x, out: contract.peer_function()(x, out=out))
    num = np.dtype(code).num
    return _Loop((num, num), borrowed.function, borrowed.data)


def make_ufunc(function: str, kernel32, kernel64, doc: str, every_dtype: bool = False,
               loop32=None, loop64=None) -> np.ufunc:
    """A numpy ufunc named `function` with loops f->f (kernel32, with the common path its
    module defines, or the compiled float32 loop `loop32` over it: ``_loops``; none if
    kernel32 is None) and d->d
    (kernel64, or `loop64`: the compiled float64 block loop of a float64 kernel); with
    `every_dtype`, the contract's ``loops`` in their order: float64
    by `loop64` if given, else as the contract's ``float64`` says (kernel64, or the peer's
    own loop), every other type
    (float16, longdouble, complex) by the peer's own loop (numpy.<function>, imported only for a
    contract that lists such a type)."""
    contract = CONTRACTS[function]
    codes = contract.loops if every_dtype else ("fd" if kernel32 is not None else "d")
    float64_from_peer = every_dtype and contract.float64 == "peer"

    def make(code) -> _Loop:
        if code == "f":
            return _block_loop(loop32 or compile_loop(kernel32, *common_path_of(kernel32, function)))
        if code == "d" and loop64 is not None:
            return _block_loop(loop64, np.float64)
        if code == "d" and not float64_from_peer:
            return _element_loop(kernel64, "float64(float64)")
        return _peer_loop(function, code)

    loops = [make(code) for code in codes]
    funcs = (ctypes.c_void_p * len(loops))(*[loop.function for loop in loops])
    data = (ctypes.c_void_p * len(loops))(*[loop.data or None for loop in loops])
    types_ = (ctypes.c_char * (2 * len(loops)))(*[n for loop in loops for n in loop.dtypenums])
    name, docb = function.encode(), doc.encode()
    _keepalive.append((loops, funcs, data, types_, name, docb))
    ufunc = _numpy_ufunc_constructor()(
        ctypes.addressof(funcs), ctypes.addressof(data), ctypes.cast(types_, ctypes.c_char_p),
        len(loops), 1, 1, _PYUFUNC_NONE, name, docb, 0)
    # As numpy names its own ufuncs (numpy/_core/multiarray.py): numpy.ma wraps a ufunc by
    # reading its __qualname__, and pickling and introspection read __module__.
    ufunc.__module__, ufunc.__qualname__ = "fastmath", function
    return ufunc


def build(function: str, version: str | None = None) -> np.ufunc:
    """The ufunc of one function from a published kernel version, callable in @njit too."""
    version = version or _kernels.current_version()
    if function not in _kernels.manifest(version)["functions"]:
        raise LookupError(f"fastmath: kernel version {version} has no {function} (it was published "
                          f"before {function} existed); a newer version has it")
    vectorise_ordered_reductions()  # so `s += fastmath.exp(x[i])` in @njit code vectorises
    module = _kernels.kernel_module(function, version)
    kernel32 = getattr(module, _kernels.kernel_name(function))
    module64 = _kernels.float64_module(function, version)
    kernel64 = _kernels.kernel(function, "float64", version) or _libm.float64_kernel(function)
    float64_loop = CONTRACTS[function].float64_loop(module64 is not None)
    loop64 = module_loop(module64, function, version, dtype="float64") if float64_loop == "kernel" else None
    ufunc = make_ufunc(function, kernel32, kernel64, _docstring(function, version), every_dtype=True,
                       loop32=module_loop(module, function, version), loop64=loop64)
    _register_for_numba(ufunc, kernel32, kernel64, float64_is_kernel=module64 is not None)
    return ufunc


def _scalar_kernel(ty, kernel32, kernel64):
    """The kernel numpy's type resolution would pick for a scalar of Numba type ty."""
    if ty == types.float16:  # Numba has no float16 arithmetic: a TypingError, not a crash
        return None, None
    if ty == types.float32 or ty in (types.boolean, types.int8, types.uint8, types.int16, types.uint16):
        return kernel32, np.float32
    if isinstance(ty, (types.Float, types.Integer)) and ty.bitwidth <= 64:
        return kernel64, np.float64
    return None, None


def _complex_in_numba(ufunc, x):
    """A complex scalar or array in @njit code: numpy's own function (Numba's implementation
    of it), where the ufunc has complex loops (numpy's own there too); else None (a TypingError)."""
    contract = CONTRACTS[ufunc.__name__]
    dtype = x.dtype if isinstance(x, types.Array) else x
    if not (isinstance(dtype, types.Complex) and "D" in contract.loops and contract.peer.startswith("numpy.")):
        return None
    peer = getattr(np, contract.peer.removeprefix("numpy."))
    return lambda x: peer(x)


@register_jitable
def _broadcast_into(kernel, out_dtype, x, out):
    """out[i] = kernel(x[i]) with x broadcast to out's shape (any layouts); out."""
    source = np.broadcast_to(x, out.shape)
    for index in np.ndindex(out.shape):
        out[index] = kernel(out_dtype(source[index]))
    return out


@functools.cache
def float64_kernel_ufunc(function: str, version: str | None = None) -> np.ufunc:
    """A ufunc whose d->d loop is the version's float64 kernel in its block loop: what the
    ufunc runs where the contract lets the kernel run it (``ufunc64="kernel"``), and for exp
    and log, whose ufunc borrows numpy's loop, what verification and benchmarks compare."""
    version = version or _kernels.current_version()
    loop = module_loop(_kernels.float64_module(function, version), function, version, dtype="float64")
    return make_ufunc(function, None, _kernels.kernel(function, "float64", version), "", loop64=loop)


def _ufunc_loop(ufunc, kernel, kernel32, float64_is_kernel):
    """The ufunc's own loop for the dtype `kernel` computes, as an @njit-callable loop(x, out) over
    two C-contiguous 1-d arrays of that dtype: the block loop (``_loops.array_loop``) of the
    float32 kernel, or of the float64 kernel where the ufunc's float64 loop runs it, or numpy's
    own float64 loop where the ufunc borrows it (``_numpy_loops.njit_call``); None where the
    ufunc's loop is none of these (the C library's: @njit code calls it per element)."""
    if kernel is kernel32:
        return array_loop(kernel, "float32")
    if CONTRACTS[ufunc.__name__].float64_loop(float64_is_kernel) == "kernel":
        return array_loop(kernel, "float64")
    return numpy_float64_loop(ufunc.__name__, float64_is_kernel)


def numpy_float64_loop(function: str, float64_is_kernel: bool):
    """numpy's own float64 loop as ``_ufunc_loop`` gives it (``_numpy_loops.njit_call``), where
    the ufunc's float64 loop is its peer's and the peer is numpy's; else None."""
    contract = CONTRACTS[function]
    module, _, name = contract.peer.rpartition(".")
    if contract.float64_loop(float64_is_kernel) != "peer" or module != "numpy":
        return None
    return njit_call(name, "d")


def _loop_into(loop, out_dtype, x):
    """into(x, out) -> out: `loop` (``_ufunc_loop``) from x (an array of Numba type x; copied to
    out_dtype, C order, unless it is so) into out, C-contiguous, of out_dtype and x's shape."""
    dtype = np.dtype(out_dtype)
    if x.dtype == numba.from_dtype(dtype) and x.layout == "C":
        def into(x, out):
            loop(x.reshape(-1), out.reshape(-1))
            return out
    else:  # (strided, or integers: numpy computes them in the kernel's dtype too)
        def into(x, out):
            loop(np.ascontiguousarray(x).reshape(-1).astype(out_dtype), out.reshape(-1))
            return out
    return register_jitable(into)


def _out_impl(loop, out_dtype, x, out):
    """fastmath.f(x, out) in @njit code through the ufunc's own loop (``_ufunc_loop``): straight
    into out where it is C-contiguous, of out_dtype and x's shape; else through a buffer of
    out_dtype, then cast into out (as numpy's ufunc computes a scalar, a broadcast x or another
    output dtype: the loop's results, cast)."""
    if not isinstance(x, types.Array):
        def fill_impl(x, out):
            result = np.empty(1, out_dtype)
            loop(np.full(1, out_dtype(x)), result)
            out.fill(result[0])
            return out
        return fill_impl
    into = _loop_into(loop, out_dtype, x)

    @register_jitable
    def through_buffer(x, out):
        result = np.empty(out.shape, out_dtype)
        loop(np.ascontiguousarray(np.broadcast_to(x, out.shape)).reshape(-1).astype(out_dtype), result.reshape(-1))
        out[...] = result
        return out

    if out.layout == "C" and out.dtype == numba.from_dtype(np.dtype(out_dtype)):
        def direct_impl(x, out):
            if x.shape != out.shape:
                return through_buffer(x, out)
            return into(x, out)
        return direct_impl
    return through_buffer


def _array_impl(ufunc, x, kernel32, kernel64, float64_is_kernel):
    """The implementation of a call on an array x (a Numba Array type) in @njit code: a new
    array of numpy's result dtype; None where there is none (a TypingError)."""
    kernel, out_dtype = _scalar_kernel(x.dtype, kernel32, kernel64)
    if kernel is None:
        return _complex_in_numba(ufunc, x)
    loop = _ufunc_loop(ufunc, kernel, kernel32, float64_is_kernel)
    if loop is not None:  # the ufunc's own loop
        into = _loop_into(loop, out_dtype, x)
        return lambda x: into(x, np.empty(x.shape, out_dtype))
    if x.layout == "C":
        def array_impl(x):
            out = np.empty(x.shape, out_dtype)
            flat_out, flat_in = out.reshape(-1), x.reshape(-1)
            for i in range(flat_in.size):
                flat_out[i] = kernel(out_dtype(flat_in[i]))
            return out
    else:
        def array_impl(x):
            out = np.empty(x.shape, out_dtype)
            flat_out = out.reshape(-1)
            for i, v in enumerate(np.nditer(x)):
                flat_out[i] = kernel(out_dtype(v.item()))
            return out
    return array_impl


def _array_callee(ufunc, kernel32, kernel64, float64_is_kernel):
    """A plain function (never called from Python) whose Numba overload is the ufunc's array
    implementation: what ``_array_calls`` makes a direct array call in @njit code call."""
    def array_call(x):
        raise TypeError(f"fastmath.{ufunc.__name__}'s array call runs in @njit code only")
    array_call.__name__ = array_call.__qualname__ = f"{ufunc.__name__}_array_call"

    @overload(array_call, jit_options={"error_model": "numpy"})
    def _array_call_in_numba(x):
        if isinstance(x, types.Array):
            return _array_impl(ufunc, x, kernel32, kernel64, float64_is_kernel)
    return array_call


def _register_for_numba(ufunc, kernel32, kernel64, float64_is_kernel: bool = False):
    """Inside @njit, a float32 scalar runs the kernel, inlined; a float64 one the float64
    kernel where one ships (inlined), else the C library's function, as Numba's own np.exp does
    (numpy's float64 loop cannot be inlined: called per element it costs 3x the C library's
    call). Arrays of float32 and float64 run the ufunc's own loop (``_ufunc_loop``: the block
    loop, or numpy's float64 loop; kept out of Numba's array expressions by ``_array_calls``),
    others element by element; ``(x, out)`` computes into out. All are < 1 ULP; float64
    scalars not computed by the ufunc's loop may differ from it in the last place."""
    if float64_is_kernel:
        # A float64 scalar call is inlined by Numba: the float64 kernels are too large for
        # LLVM's inliner, and called per element a loop of them stayed scalar (11 ns per
        # element against 1.8 in the ufunc; 0.86x the C library's call on 1024 elements).
        @overload(ufunc, jit_options={"error_model": "numpy"}, inline="always")
        def _float64_scalar_in_numba(x):
            kernel, out_dtype = _scalar_kernel(x, kernel32, kernel64)  # (arrays: None)
            if kernel is not kernel64:
                return None
            return lambda x: kernel(out_dtype(x))

    @overload(ufunc, jit_options={"error_model": "numpy"})
    def _ufunc_in_numba(x):
        if isinstance(x, types.Array):
            return _array_impl(ufunc, x, kernel32, kernel64, float64_is_kernel)
        kernel, out_dtype = _scalar_kernel(x, kernel32, kernel64)
        if kernel is None:
            return _complex_in_numba(ufunc, x)
        return lambda x: kernel(out_dtype(x))

    _array_calls.register(ufunc, _array_callee(ufunc, kernel32, kernel64, float64_is_kernel))

    @overload(ufunc, jit_options={"error_model": "numpy"})
    def _ufunc_with_out_in_numba(x, out):
        # fastmath.exp(x, out) in @njit code, as np.exp(x, out) there: x (an array, broadcast
        # to out's shape, or a scalar) computed into out, cast to out's float dtype; out returned.
        if not (isinstance(out, types.Array) and isinstance(out.dtype, types.Float)):
            return None
        kernel, out_dtype = _scalar_kernel(x.dtype if isinstance(x, types.Array) else x, kernel32, kernel64)
        if kernel is None:
            return None
        loop = _ufunc_loop(ufunc, kernel, kernel32, float64_is_kernel)
        if loop is not None:  # (a float64 kernel per element stays scalar)
            return _out_impl(loop, out_dtype, x, out)
        if not isinstance(x, types.Array):
            def fill_impl(x, out):
                out.fill(kernel(out_dtype(x)))
                return out
            return fill_impl
        if out.layout != "C":
            return lambda x, out: _broadcast_into(kernel, out_dtype, x, out)
        if x.layout == "C":
            def contiguous_impl(x, out):
                if x.shape != out.shape:
                    return _broadcast_into(kernel, out_dtype, x, out)
                flat_out, flat_in = out.reshape(-1), x.reshape(-1)
                for i in range(flat_in.size):
                    flat_out[i] = kernel(out_dtype(flat_in[i]))
                return out
            return contiguous_impl
        return lambda x, out: _broadcast_into(kernel, out_dtype, x, out)
