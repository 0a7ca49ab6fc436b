"""A Numba compiler pass that gives unchanged ``@njit`` code the fastmath kernels (float32, and
float64 where the kernel version ships a float64 kernel: sin and cos from v13, erf from v14).

What it rewrites. Before type inference, Numba IR names a math function as a global
(``from math import exp`` -> ``global(exp)``) or an attribute of a module global
(``math.exp`` -> ``getattr(global(math), 'exp')``; ``scipy.special.erf`` is two getattrs).
The pass resolves such a value to the Python object it names (attributes of modules only)
and, if it is one that a contract's ``rewrites`` names (``fastmath.contract``: e.g.
``math.exp``, ``numpy.exp``, ``scipy.special.erf``), replaces it with a global naming a *dispatch function* of this
module. The call sites are left as they are.

What a dispatch function does. It has two overloads. The kernel one (``inline='always'``:
its body replaces the call in the caller's IR) takes float32 scalars (and float64 ones,
where a float64 kernel ships) and calls the kernel (``<function>_f32`` or ``_f64``, the
compiled function the ``fastmath`` ufunc's ``f->f`` or ``d->d`` loop runs, hence
bit-identical results). The call overload takes everything else. After typing, an
``after-inference`` rewrite (``_ResolveCalls``, run before Numba's array-expression
rewrite) rewrites what is left:
- types without a kernel (float64 without a float64 kernel, integers, complex) call the
  original again, with Numba's own signature, so that code is exactly plain Numba's (same
  LLVM IR up to symbol names; array-expression fusion and parfors included);
- arrays of a kernel's dtype (``np.*``, ``scipy.special.erf``; ``out=`` too) call a
  separately compiled 1-D kernel loop (the ufunc's blocks and common path), which LLVM
  vectorises before inlining it; in a ``parallel=True`` function they call the kernel as a
  Numba ufunc instead, which Numba fuses with the surrounding array operations into one parfor.

Why this design. The rewrite only swaps one global for another: the IR stays valid for
every later pass (closure inlining, SSA, parfors), and the type decision is made by Numba's
ordinary overload resolution after inference, not guessed before it. It runs in two
places: ``fastmath.jit`` compiles one function with a pipeline (``FastmathCompiler``) that
has the pass after ``InlineInlinables``; ``enable_numba()`` turns on a ``before-inference``
rewrite in Numba's rewrite registry, so every function compiled afterwards (``njit``,
``vectorize``, ``guvectorize``) is rewritten until ``disable_numba()``. Numba's own and
fastmath's own modules are never rewritten. (A lowering override in the target context
would be process-wide only and could not be switched off per function.)

Never slower than plain Numba. The kernels are built for vector loops; where LLVM cannot
vectorise a loop (a division under ``error_model="python"``, whose zero check raises; an
early exit; a strided walk) a kernel runs one element at a time, and there exp's and log's
are slower than the C library's scalar expf and logf (0.5x). After compiling a function it
rewrote, the pass reads the optimised LLVM IR: a kernel whose constants appear in a loop but
on no vector is scalar-only, and the function is compiled again with that function's calls
left to plain Numba (``_never_slower``, wrapping Numba's ``compiler.compile_extra``;
``left_to_numba(dispatcher)`` says which). Scalar code outside loops keeps the kernel (a
caller may inline it into a vectorised loop). The check is per function: a function with one
vectorised and one scalar loop of exp keeps the kernel in both.

Caller's flags. A callee dispatcher inherits the caller's ``fastmath`` flag unless it sets
its own (Numba's ConfigStack); the kernels set ``fastmath=False`` explicitly
(``fastmath._ops.kernel``), so a caller compiled with ``fastmath=True`` cannot let LLVM
reassociate or contract kernel arithmetic: the kernel's instructions carry no fast-math
flags, and inlining keeps each instruction's own flags.

Caching. Numba's on-disk cache key (bytecode, closure, signature, CPU) does not know about
this pass, so ``cache=True`` could load plain-Numba machine code into a pass-enabled
process or the reverse. The pass appends ``("fastmath.numba_pass", kernel version)`` to
the key of a function compiled with it (``Cache._index_key`` is wrapped once, on first
use of the pass).

What it does not change: functions compiled before the pass was enabled (a dispatcher
keeps what it compiled), callees compiled without the pass (``fastmath.jit`` rewrites only
the decorated function and what Numba inlines into it), and float32 input that numpy would
compute in float32 but is not float32 (int8/int16: Numba's own implementation).
"""
from __future__ import annotations

import contextlib
import functools
import re
import sys
import threading
import types as pytypes

import numba
import numpy as np
from numba import types
from numba.core import compiler, errors, ir, typeinfer
from numba.core.caching import Cache
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import FunctionPass, register_pass
from numba.core.dispatcher import Dispatcher
from numba.core.rewrites import Rewrite, register_rewrite, rewrite_registry
from numba.core.untyped_passes import InlineInlinables
from numba.extending import overload

from . import _kernels
from ._array_calls import CalleeSwap
from ._loops import array_loop
from ._ops import vectorise_ordered_reductions
from .contract import CONTRACTS

__all__ = ["jit", "enable_numba", "disable_numba", "numba_enabled", "is_enabled", "FastmathCompiler", "left_to_numba"]

_lock = threading.RLock()
_enabled = False  # process-wide switch, read by the registry rewrite and the cache key
_SKIP_MODULES = ("numba", "fastmath")  # never rewritten: library internals (and the overloads below)


# ---- Kernels ---------------------------------------------------------------------------
def _kernel(function, dtype: str = "float32"):
    """The scalar kernel of the kernel version in use for dtype (the ufunc's f->f or d->d
    loop): float32 always, float64 where the version ships a float64 kernel (else None)."""
    return _kernels.kernel(function, dtype)


def _kernel_dtype(function, ty) -> str | None:
    """The dtype whose kernel a scalar of Numba type ty runs ("float32", "float64" where a
    float64 kernel ships), or None (the original function: plain Numba)."""
    if ty == types.float32:
        return "float32"
    if ty == types.float64 and _kernel(function, "float64") is not None:
        return "float64"
    return None


# ---- Array paths ------------------------------------------------------------------------
@functools.cache
def _kernel_ufunc(function, dtype: str = "float32"):
    """The kernel as a Numba ufunc (a DUFunc with the one loop dtype -> dtype). In a
    parallel=True function an array call of a kernel's dtype becomes a call of it after
    typing, so Numba's own machinery applies: array-expression fusion (np.exp(x - m) is one
    loop), parfors, broadcasting, out=, any layout."""
    kernel = _kernel(function, dtype)

    def element(x):
        return kernel(x)
    element.__name__ = element.__qualname__ = f"{_kernels.kernel_name(function, dtype)}_element"
    return numba.vectorize([f"{dtype}({dtype})"], fastmath=False)(element)  # not the caller's flags


def _flat_loop(function, dtype: str = "float32"):
    """dst[i] = kernel(src[i]) over 1-D arrays of dtype (``fastmath._loops.array_loop``: the
    ufunc's blocks and common path, in place too), its
    own function so LLVM vectorises it before it is inlined (written inline, the loop was left
    scalar in some callers: after reshape(-1) for sin, 2x slower). The array path outside
    parallel=True functions. float64, where the ufunc's float64 loop is numpy's own (exp):
    that loop, the ufunc's bits."""
    if dtype == "float64":
        from ._ufuncs import numpy_float64_loop
        loop = numpy_float64_loop(function, float64_is_kernel=True)
        if loop is not None:
            return loop
    return array_loop(_kernel(function, dtype), dtype)


# ---- Dispatch functions and their overloads -------------------------------------------
# Each dispatch function has an inlined overload for float32 scalars (the kernel call
# replaces the call in the caller's IR) and a call overload for everything else. After
# typing, _ResolveCalls turns each remaining call into a call of the original (types
# without a kernel) or of the kernel's ufunc (float32 arrays).
_original_of = {}  # dispatch function -> (function, original, path(argument types))


def _math_paths(function):
    """path(x) of a math.<function> stand-in: ("scalar", dtype) for a scalar with a kernel."""
    def path(x):
        dtype = _kernel_dtype(function, x)
        return ("scalar", dtype) if dtype else None
    return path


def _math_dispatch(function, original):
    """Stand-in for math.<function>: float32 (and float64, where its kernel ships) -> kernel,
    anything else -> original."""
    def dispatch(x):
        return original(x)
    dispatch.__name__ = dispatch.__qualname__ = f"fastmath_math_{function}"
    path_of = _math_paths(function)

    @overload(dispatch, inline="always")
    def _kernel_ov(x):
        path = path_of(x)
        if path is None:
            return None
        kernel = _kernel(function, path[1])
        return lambda x: kernel(x)

    @overload(dispatch)
    def _call_ov(x):
        return lambda x: original(x)

    _original_of[dispatch] = (function, original, path_of)
    return dispatch


def _no_out(out):
    return out is None or isinstance(out, (types.NoneType, types.Omitted))


def _ufunc_paths(function):
    """path(x, out) of a ufunc stand-in: (kind, dtype), kind "scalar", "array" or "out", for
    scalars and arrays of a dtype with a kernel (float32; float64 where its kernel ships);
    None: the original."""
    def array_dtype(t):
        return _kernel_dtype(function, t.dtype) if isinstance(t, types.Array) else None

    def path(x, out=None):
        if _no_out(out):
            dtype = _kernel_dtype(function, x)
            if dtype:
                return "scalar", dtype
            dtype = array_dtype(x)
            return ("array", dtype) if dtype else None
        dtype = array_dtype(x)
        if dtype and array_dtype(out) == dtype and x.ndim == out.ndim:
            return "out", dtype
        return None
    return path


def _array_dispatch(function, original, qualname, numba_types_original):
    """Stand-in for a ufunc (np.<function>, scipy.special.erf): float32 scalars and arrays
    (float64 too, where its kernel ships) -> kernel; anything else -> original
    (numba_types_original: whether Numba can type it)."""
    def dispatch(x, out=None):
        return original(x) if out is None else original(x, out)
    dispatch.__name__ = dispatch.__qualname__ = f"fastmath_ufunc_{function}"
    path_of = _ufunc_paths(function)

    @overload(dispatch, inline="always")
    def _kernel_ov(x, out=None):
        path = path_of(x, out)
        if path is None or path[0] != "scalar":
            return None
        kernel = _kernel(function, path[1])
        return lambda x, out=None: kernel(x)

    @overload(dispatch)
    def _call_ov(x, out=None):
        path = path_of(x, out)
        kind, dtype = path if path is not None else (None, None)
        if kind == "array":  # (in a parallel=True caller: replaced by the kernel's ufunc after typing)
            loop = _flat_loop(function, dtype)
            contiguous = x.layout == "C"
            result = np.dtype(dtype).type

            def array_impl(x, out=None):
                res = np.empty(x.shape, result)
                loop((x if contiguous else np.ascontiguousarray(x)).reshape(-1), res.reshape(-1))
                return res
            return array_impl
        if kind == "out":
            loop = _flat_loop(function, dtype)
            contiguous = x.layout == "C" and out.layout == "C"
            result = np.dtype(dtype).type

            def out_impl(x, out=None):
                if x.shape != out.shape:
                    raise ValueError("fastmath: out= must have the input's shape")
                if contiguous:
                    loop(x.reshape(-1), out.reshape(-1))
                else:  # through contiguous buffers: the kernel loop stays vectorised
                    res = np.empty(x.shape, result)
                    loop(np.ascontiguousarray(x).reshape(-1), res.reshape(-1))
                    out[...] = res
                return out
            return out_impl
        if not numba_types_original:
            raise errors.TypingError(
                f"{qualname}: the fastmath pass supports float32 scalars and arrays only "
                f"(got {x}); Numba itself cannot type {qualname} (it needs numba-scipy)")
        if _no_out(out):
            return lambda x, out=None: original(x)
        return lambda x, out=None: original(x, out)

    _original_of[dispatch] = (function, original, path_of)
    return dispatch


_dispatch_of = {}  # id(original object) -> (original, dispatch function); built on first use


def _named(path: str):
    """The object a "module.attribute" path names, if that module is imported (the pass
    imports nothing: code that names scipy.special.erf has imported scipy.special)."""
    module, _, attr = path.rpartition(".")
    return getattr(sys.modules.get(module), attr, None)


def _dispatch_for(function: str, path: str, original):
    """math.* functions take scalars; numpy ufuncs (and scipy.special's) take arrays too."""
    if isinstance(original, np.ufunc):
        numba_types_original = path.startswith("numpy.")  # Numba cannot type scipy.special without numba-scipy
        return _array_dispatch(function, original, path, numba_types_original)
    return _math_dispatch(function, original)


def _table(state=None):
    """The objects the pass replaces: each contract's ``rewrites`` (fastmath.contract).
    One in a module not imported yet (scipy.special) is added once it is.
    Overloads registered here during a compilation reach the typing and target contexts
    of that compilation by a refresh (Numba refreshes them only when a compilation starts)."""
    with _lock:
        size = len(_dispatch_of)
        for function, contract in CONTRACTS.items():
            for path in contract.rewrites:
                original = _named(path)
                if original is not None and id(original) not in _dispatch_of:
                    _dispatch_of[id(original)] = (original, _dispatch_for(function, path, original))
        if state is not None and len(_dispatch_of) != size:
            state.typingctx.refresh()
            state.targetctx.refresh()
        return _dispatch_of


# ---- The IR rewrite --------------------------------------------------------------------
_UNKNOWN = object()


def _resolve(func_ir, value, depth=0):
    """The Python object an IR value names at compile time (a global, a free variable, or an
    attribute of a module reached that way), or _UNKNOWN."""
    if depth > 8:
        return _UNKNOWN
    if isinstance(value, (ir.Global, ir.FreeVar)):
        return value.value
    if isinstance(value, ir.Expr) and value.op == "getattr":
        try:
            base = func_ir.get_definition(value.value)
        except (KeyError, AttributeError):
            return _UNKNOWN
        module = _resolve(func_ir, base, depth + 1)
        if isinstance(module, pytypes.ModuleType):
            try:  # (Numba's typing looks the same attribute up later anyway)
                return getattr(module, value.attr, _UNKNOWN)
            except Exception:  # a module __getattr__ that fails: leave the value to Numba
                return _UNKNOWN
    return _UNKNOWN


def _replacements(func_ir, block, state):
    """(statement index, new value) for each assignment in block that names a replaced
    function (but those this compilation leaves to plain Numba: ``_never_slower``)."""
    table = _table(state)
    left = _left_for(getattr(func_ir.func_id, "func", None))
    found = []
    for index, stmt in enumerate(block.body):
        if isinstance(stmt, ir.Assign):
            obj = _resolve(func_ir, stmt.value)
            entry = table.get(id(obj))
            if entry is not None and entry[0] is obj and _original_of[entry[1]][0] not in left:
                dispatch = entry[1]
                if state is not None:  # read by _never_slower after the compilation
                    state.metadata.setdefault("fastmath_rewritten", set()).add(_original_of[dispatch][0])
                found.append((index, ir.Global(dispatch.__name__, dispatch, stmt.value.loc)))
    return found


def _replace(func_ir, block, found):
    """Apply _replacements' result to block in place, keeping func_ir's definitions in step."""
    for index, new_value in found:
        stmt = block.body[index]
        definitions = func_ir._definitions[stmt.target.name]
        definitions[:] = [new_value if d is stmt.value else d for d in definitions]
        stmt.value = new_value
    return len(found)


def _applies_to(func_id_or_py_func) -> bool:
    module = getattr(func_id_or_py_func, "modname", None) or getattr(func_id_or_py_func, "__module__", None) or ""
    return module.split(".")[0] not in _SKIP_MODULES


def rewrite_ir(state) -> int:
    """Rewrite every block of the function being compiled; the number of references replaced."""
    func_ir = state.func_ir
    if not _applies_to(func_ir.func_id):
        return 0
    return sum(_replace(func_ir, block, _replacements(func_ir, block, state)) for block in func_ir.blocks.values())


@register_pass(mutates_CFG=False, analysis_only=False)
class FastmathCalls(FunctionPass):
    """Pipeline pass of ``fastmath.jit``: math/numpy exp, log, sin, erf -> dispatch functions."""
    _name = "fastmath_calls"

    def __init__(self):
        FunctionPass.__init__(self)

    def run_pass(self, state):
        return rewrite_ir(state) > 0


# ---- Kernels LLVM left scalar --------------------------------------------------------------
def _module_constants(module) -> frozenset[str]:
    """A kernel module's floating-point constants as LLVM IR prints them ("0x" and the 16 hex
    digits of the value as a double; 0.5 or 1.0 print as decimals and are not among them):
    where they appear in a compiled function, the kernel was inlined there. None for None."""
    import struct
    if module is None:
        return frozenset()
    return frozenset(f"0x{struct.pack('>d', float(v)).hex().upper()}" for v in vars(module).values()
                     if isinstance(v, (float, np.floating)) and np.isfinite(v) and v != 0)


@functools.cache
def _kernel_constants(function: str) -> frozenset[str]:
    """The float32 kernel's constants (``_module_constants``)."""
    return _module_constants(_kernels.kernel_module(function))


@functools.cache
def _float64_kernel_constants(function: str) -> frozenset[str]:
    """The float64 kernel's constants (none where no float64 kernel ships)."""
    return _module_constants(_kernels.float64_module(function))


@functools.cache
def _float64_constants() -> frozenset[str]:
    """The constants of every float64 kernel the version ships: they must not mark a float32
    kernel as scalar-only (a float64 kernel left scalar is judged by its own, ``_own_constants64``)."""
    return frozenset().union(*(_float64_kernel_constants(f) for f in CONTRACTS))


@functools.cache
def _own_constants64(function: str) -> frozenset[str]:
    """The float64 kernel's constants no other kernel has (float32 or float64), where its
    contract leaves scalar loops to the C library (``scalar64``); else none."""
    if CONTRACTS[function].scalar64 != "libm":
        return frozenset()
    others = set().union(*(_kernel_constants(f) | (_float64_kernel_constants(f) if f != function else set())
                           for f in CONTRACTS))
    return _float64_kernel_constants(function) - others


@functools.cache
def _own_constants(function: str) -> frozenset[str]:
    """The float32 kernel's constants no other kernel has (sin and cos share their
    reduction's, exp and erf their exp's; none of a float64 kernel's), or, if none is its
    own, those no float64 kernel has (v17's sin and cos have the same core: a scalar loop
    of either then marks both, and a float64 sin loop marks neither)."""
    mine, float64 = _kernel_constants(function), _float64_constants()
    others = set().union(*(_kernel_constants(f) for f in CONTRACTS if f != function)) | float64
    return (mine - others) or (mine - float64)


_LABEL = re.compile(r"^([\w.$-]+):")
_TARGET = re.compile(r"label %([\w.$-]+)")
_HEX_CONSTANT = re.compile(r"0x[0-9A-F]{16}")
_VECTOR = re.compile(r"x (float|double)>")


def _lines_in_loops(llvm_ir: str) -> list[str]:
    """The instruction lines of this LLVM IR that lie in a loop: in each function, the
    blocks from a branch's target back to the branch (a back edge: the target comes
    first in the text, as LLVM lays loops out) and everything between them."""
    inside = []
    blocks: list[list[str]] = []
    position: dict[str, int] = {}

    def close_function():
        marked = set()
        for index, block in enumerate(blocks):
            for line in block:
                for target in _TARGET.findall(line):
                    start = position.get(target)
                    if start is not None and start <= index:
                        marked.update(range(start, index + 1))
        inside.extend(line for i in sorted(marked) for line in blocks[i])
        blocks.clear()
        position.clear()

    for line in llvm_ir.splitlines():
        if line.startswith("define "):
            close_function()
            blocks.append([])
            position["entry"] = 0  # the unnamed entry block
        elif blocks:
            label = _LABEL.match(line)
            if label:
                position[label.group(1)] = len(blocks)
                blocks.append([])
            elif line.startswith("}"):
                close_function()
            else:
                blocks[-1].append(line)
    close_function()
    return inside


def scalar_only_kernels(llvm_ir: str, functions=tuple(CONTRACTS)) -> set[str]:
    """Those of `functions` whose kernel runs as scalar code in a loop of this optimised
    LLVM IR and nowhere on vectors: its own constants appear in instructions in a loop, but
    in none on vectors (``<16 x float>``...). A kernel LLVM vectorised shows both (its
    vector loop and the scalar remainder); one outside any loop (a scalar function, which
    a caller may still inline into a vectorised loop) is not counted. The float32 kernels
    count, and the float64 ones whose contract leaves scalar loops to the C library
    (``scalar64 == "libm"``: exp)."""
    vector = {h for line in llvm_ir.splitlines() if _VECTOR.search(line) for h in _HEX_CONSTANT.findall(line)}
    scalar = {h for line in _lines_in_loops(llvm_ir) if not _VECTOR.search(line) for h in _HEX_CONSTANT.findall(line)}

    def scalar_only(own):
        return bool(own & scalar) and not own & vector
    return {f for f in functions if scalar_only(_own_constants(f)) or scalar_only(_own_constants64(f))}


class FastmathCompiler(CompilerBase):
    """Numba's nopython pipeline with ``FastmathCalls`` after ``InlineInlinables`` (so the
    bodies of closures and ``inline='always'`` callees inlined there are rewritten too)."""

    def define_pipelines(self):
        pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pm.add_pass_after(FastmathCalls, InlineInlinables)
        pm.finalize()
        return [pm]


# ---- Never slower: kernels LLVM left scalar go back to plain Numba ------------------------
_leaving = threading.local()  # .table: {python function: functions its recompilation leaves to Numba}


@contextlib.contextmanager
def _leave(func, functions):
    table = _leaving.__dict__.setdefault("table", {})
    previous = table.get(func)
    table[func] = functions
    try:
        yield
    finally:
        if previous is None:
            del table[func]
        else:
            table[func] = previous


def _never_slower(compile_extra):
    """Wrap Numba's compiler entry point (``numba.core.compiler.compile_extra``, which
    dispatchers and ufunc builders call): a function the pass rewrote, in which LLVM left a
    kernel as scalar code in a loop (a loop it could not vectorise: a division under
    ``error_model="python"``, an early exit, a strided walk), is compiled again with that
    function's calls left to plain Numba, since there the kernels can be slower than the C
    library's scalar call (exp and log: 0.5x). ``left_to_numba(dispatcher)`` says which.
    (float64 kernels are left only where their contract says so, ``scalar64``: scalar, sin,
    cos and erf beat the C library's call, 11.3-11.7 ns per element against 15.6-16.0 for sin
    and cos; exp does not, 4.7 against 3.0.)"""
    @functools.wraps(compile_extra)
    def wrapper(typingctx, targetctx, func, args, return_type, flags, locals, library=None, **kwargs):
        cres = compile_extra(typingctx, targetctx, func, args, return_type, flags, locals, library=library, **kwargs)
        metadata = getattr(cres, "metadata", None)
        if metadata is None:
            return cres
        left = _left_for(func)
        metadata["fastmath_left_to_numba"] = tuple(sorted(left))
        rewritten = set(metadata.get("fastmath_rewritten", ()))
        if not rewritten or library is not None or getattr(cres, "library", None) is None:
            return cres
        scalar = scalar_only_kernels(cres.library.get_llvm_str(), tuple(rewritten - left))
        if scalar:
            try:
                with _leave(func, left | scalar):
                    return wrapper(typingctx, targetctx, func, args, return_type, flags, locals, library=library, **kwargs)
            except errors.NumbaError:  # plain Numba cannot compile those calls (scipy.special.erf): keep the kernels
                pass
        return cres
    wrapper._fastmath_never_slower = True
    return wrapper


def _left_for(func) -> frozenset:
    """The functions whose calls this compilation of func leaves to plain Numba."""
    return getattr(_leaving, "table", {}).get(func, frozenset())


def left_to_numba(dispatcher, signature=None) -> tuple[str, ...]:
    """Functions whose calls the pass left to plain Numba in this compiled function (their
    kernels would have run as scalar code in a loop): ``()`` if the pass kept every call, or
    if the code came from Numba's on-disk cache (which keeps the code, not this record)."""
    signature = signature or dispatcher.signatures[0]
    metadata = dispatcher.overloads[signature].metadata or {}  # (None when loaded from Numba's cache)
    return tuple(metadata.get("fastmath_left_to_numba", ()))


class _RegistryRewrite(Rewrite):
    """The same rewrite as a before-inference rewrite of Numba's registry, active only while
    the pass is enabled process-wide (the registry has no way to remove an entry)."""

    def __init__(self, state=None):
        super().__init__(state)
        self._state = state
        self._active = _enabled and state is not None and _applies_to(state.func_id)

    def match(self, func_ir, block, typemap, calltypes):
        if not self._active:
            return False
        self._func_ir, self._block = func_ir, block
        self._found = _replacements(func_ir, block, self._state)
        return bool(self._found)

    def apply(self):
        block = self._block.copy()
        _replace(self._func_ir, block, self._found)
        return block


class _ResolveCalls(CalleeSwap):
    """After typing, each call of a dispatch function that was not inlined (the float32
    scalar calls were) becomes a call of
    - the original function, for types without a kernel (float64, integers, complex, ...),
      with the signature Numba's typing gives it: that code is exactly plain Numba's;
    - in a parallel=True function, the kernel's ufunc (_kernel_ufunc) for float32 arrays:
      Numba's array-expression rewrite fuses it with the surrounding array operations and
      the parfor pass makes the result a parallel loop.
    A float32 array call in any other function stays a call of the separately compiled
    kernel loop (_flat_loop): fused into an array expression, the kernel loop was left
    scalar by LLVM whenever a later array expression read its result (e = np.exp(x[r]);
    out[r] = e / s ran at 4.4 instead of 1.1 ns/element), while the separate loop is
    vectorised before inlining. It runs first among the after-inference rewrites (before
    Numba's array-expression rewrite). A call whose new signature would not return the
    type already inferred is left as it is (same results)."""

    def match(self, func_ir, block, typemap, calltypes):
        self._sites = []
        if typemap is None or not _original_of:
            return False
        for index, stmt in enumerate(block.body):
            expr = stmt.value if isinstance(stmt, ir.Assign) else None
            if (isinstance(expr, ir.Expr) and expr.op == "call" and expr in calltypes and not expr.vararg
                    and id(expr) not in self._kept):
                fnty = typemap.get(expr.func.name)
                key = getattr(fnty, "typing_key", None) if isinstance(fnty, types.Function) else None
                if key in _original_of:
                    function, original, path_of = _original_of[key]
                    path = path_of(*calltypes[expr].args)
                    if path is None:
                        self._sites.append((index, original))
                    elif path[0] in ("array", "out") and self._parallel:
                        self._sites.append((index, _kernel_ufunc(function, path[1])))
        self._func_ir, self._block, self._typemap, self._calltypes = func_ir, block, typemap, calltypes
        return bool(self._sites)


# ---- Cache key -------------------------------------------------------------------------
def _cache_tag():
    return ("fastmath.numba_pass", _kernels.current_version())


def _install():
    """Register the registry rewrite and wrap Numba's cache key, once per process."""
    with _lock:
        if getattr(_install, "done", False):
            return
        vectorise_ordered_reductions()
        _table()
        if not getattr(compiler.compile_extra, "_fastmath_never_slower", False):
            compiler.compile_extra = _never_slower(compiler.compile_extra)
        register_rewrite("before-inference")(_RegistryRewrite)
        # first among the after-inference rewrites: before RewriteArrayExprs fuses calls
        rewrite_registry.rewrites["after-inference"].insert(0, _ResolveCalls)
        index_key = Cache._index_key

        def _index_key(self, sig, codegen):
            key = index_key(self, sig, codegen)
            if getattr(self, "_fastmath_pass", False) or (_enabled and _applies_to(self._py_func)):
                key = key + (_cache_tag(),)
            return key

        Cache._index_key = _index_key
        _install.done = True


# ---- Public API ------------------------------------------------------------------------
def enable_numba():
    """Rewrite every function Numba compiles from now on (until ``disable_numba()``)."""
    global _enabled
    _install()
    _enabled = True


def disable_numba():
    """Stop rewriting; functions already compiled with the pass keep their code."""
    global _enabled
    _enabled = False


def is_enabled() -> bool:
    """Whether the process-wide switch is on (``fastmath.jit`` functions use the pass anyway)."""
    return _enabled


@contextlib.contextmanager
def numba_enabled():
    """``with fastmath.numba_enabled(): ...``: the pass is on for what compiles inside the
    block (for lazily compiled ``@njit`` functions that is the first call, not the definition),
    in every thread (the switch is process-wide); the previous state is restored after it."""
    global _enabled
    _install()
    previous, _enabled = _enabled, True
    try:
        yield
    finally:
        _enabled = previous


def jit(signature_or_function=None, **options):
    """``numba.njit`` with the pass: ``@fastmath.jit``, ``@fastmath.jit(parallel=True, cache=True)``,
    ``@fastmath.jit("float32(float32[:])")``; any njit option except ``pipeline_class``."""
    if "pipeline_class" in options:
        raise TypeError("fastmath.jit sets pipeline_class itself")
    _install()
    if callable(signature_or_function):  # @fastmath.jit (numba rejects an already jitted function)
        return _jit_function(signature_or_function, None, options)
    if signature_or_function is None:
        sigs = None
    elif isinstance(signature_or_function, list):
        sigs = signature_or_function
    else:
        sigs = [signature_or_function]
    return lambda func: _jit_function(func, sigs, options)


def _jit_function(func, sigs, options):
    options = dict(options)
    cache = options.pop("cache", False)
    disp = numba.njit(pipeline_class=FastmathCompiler, **options)(func)
    if not isinstance(disp, Dispatcher):  # NUMBA_DISABLE_JIT=1: the Python function itself
        return disp
    if cache:
        disp.enable_caching()
        disp._cache._fastmath_pass = True  # this function's cache entries carry the pass tag
    if sigs is not None:
        with typeinfer.register_dispatcher(disp):
            for sig in sigs:
                disp.compile(sig)
            disp.disable_compile()
    return disp
