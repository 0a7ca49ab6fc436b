"""The float32 and float64 loops of each ufunc: what ``fastmath.exp(x, out=...)`` runs on
float32 arrays (and on float64 ones, where a float64 kernel ships).

A numpy inner loop (PyUFuncGenericFunction) compiled by Numba as a C callback, over the
kernel of one published version, in blocks of ``BLOCK`` elements:
  * up to ``SMALL`` contiguous elements, not in place: the whole call as one block, in the
    loop itself when its inputs are all common (a call into the block functions cost ~15 ns,
    as much as 64 elements);
  * contiguous input and output, distinct or the same array (``out=x``): the kernel over
    each block, vectorised by LLVM. The in-place case is a loop of its own: a loop over two
    pointers that may be equal is vectorised only behind a runtime overlap test, which
    in-place calls fail, and ran scalar, 15x slower (Numba's ufunc builder has that loop);
  * strided (``x[::2]``, a broadcast scalar, a column of a C array ...): each block is
    gathered into a buffer on the stack, computed there as above, and scattered back;
  * a kernel module may define a **common path**: ``<function>_f32_common(x)``, the same
    kernel with what a range of common inputs never needs left out (a special-value select,
    a per-element reduction constant), and ``<function>_f32_is_common(x)``, that range. A
    block is split in chunks of CHUNK inputs (from its start): a chunk whose inputs are all
    common runs the common path, any other chunk the kernel, and where two chunks in a row
    hold uncommon inputs the kernel runs from there to the block's end (``_chunk_runs``: one zero
    among 2048 inputs of log costs 64 inputs the kernel, not 2048; random bit patterns pay
    for two chunk tests per block, not one per chunk). On common inputs the two give the
    same bits (``make verify`` checks every float32 input both ways), so the result does
    not depend on how an array is split, and it equals the kernel's inlined in @njit code;
  * on x86-64, contiguous calls above SMALL elements (not in place, any size)
    run the common path speculatively, on blocks of SPECULATIVE_BLOCK: the range test rides
    along in the same vectorised loop instead of a pass before it (which cost 8-18% of the
    time at 2^16). A block that held an uncommon input after all keeps the common path's
    results on its chunks of common inputs and computes only the other chunks again
    (``_fix_up``), when the common path raised no floating-point flag on its uncommon inputs
    (float64 exp on NaN); if it did, the flags are undone (MXCSR restored) and the whole
    block is computed again chunk by chunk. The next block speculates too if the mended
    block had at most one uncommon chunk in SPARSE; else the loop tests blocks first, until
    RESPECULATE of them in a row were common (``_blocks``).

Numba caches a closure under a hash of its cell contents, and a dispatcher pickles
differently in every process, so a loop closing over its kernel would compile again in
every process. Each loop is instead a copy of ``_loop``'s code with its own globals (the
kernels) and its own qualified name (version, function and a hash of the kernel source),
which names its cache file.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import platform
import types as pytypes

import numba
import numpy as np
from numba import types

from . import _objcache
from ._kernels import kernel_name
from ._ops import (address_of, data_address, float32_pointer, float64_pointer, fp_status, set_fp_status,
                   stack_float32, stack_float64)

BLOCK = 512  # elements per block: one common-path decision, and the strided loop's buffer
CHUNK = 64  # elements per step of the common-path test
# The common path runs speculatively (``_run_speculative``) where the floating-point flags it may raise
# on an uncommon input can be undone: x86-64's MXCSR.
SPECULATE = platform.machine().lower() in ("x86_64", "amd64")
SPECULATIVE_BLOCK = 2048  # elements per speculative run (reading MXCSR costs ~5 ns)
SPARSE = 8  # after a mended speculative block with up to one uncommon chunk in SPARSE, the next speculates
RESPECULATE = 8  # common tested blocks in a row after which speculation resumes
SMALL = 1024  # up to this many contiguous elements (not in place), the ufunc loop runs the kernel itself
FLAGS = 0x1D  # MXCSR's invalid, divide-by-zero, overflow and underflow flags (numpy's; not inexact, denormal)
_uncached = itertools.count()  # names the loops compiled without a cache name
# The kernels' own compile options, explicit: numpy's error model (no exception checks in the
# loop), and no fastmath flags whoever compiles first (a loop first built inside a
# fastmath=True caller would otherwise inherit them).
OPTIONS = {"error_model": "numpy", "fastmath": False}
SIGNATURE = types.void(types.CPointer(types.voidptr), types.CPointer(types.intp),
                       types.CPointer(types.intp), types.voidptr)


@numba.njit(cache=True)
def _no_common_path(x):
    return False


# Each loop's own globals replace these (compile_loop).
KERNEL = COMMON = IS_COMMON = RUN = RUN_SPECULATIVE = RUN_IN_PLACE = BLOCKS = ALL_COMMON_INLINE = _no_common_path
FIX_UP = VECTOR_BODY = _no_common_path
UNCOMMON = FIRST_CHUNK = CHUNK_RUNS = COMMON_RUN = KERNEL_RUN = COMMON_RUN_IN_PLACE = KERNEL_RUN_IN_PLACE = _no_common_path
WIDE = IS_WIDE = UNWIDE = WIDE_END = WIDE_RUN = WIDE_RUN_IN_PLACE = _no_common_path
HAS_WIDE = False
HAS_COMMON = False
ITEMSIZE, POINTER, STACK = 4, float32_pointer, stack_float32  # the element type's (float32 or float64)
VECTOR = 16  # elements of one 64-byte vector of the element type (16 float32, 8 float64)
_TYPES = {"float32": (4, float32_pointer, stack_float32), "float64": (8, float64_pointer, stack_float64)}


def _uncommon(x, start, stop):
    """1 if some x[i], start <= i < stop, is outside the common path's range, else 0: a
    max-reduction of "not common" (for every kernel's range test LLVM makes it 11-30
    instructions per 64 inputs, where a min-reduction of "common" took 30-60 and a boolean
    and-reduction up to 132)."""
    bad = np.int32(0)
    if stop - start == CHUNK:
        for i in range(CHUNK):  # a fixed trip count: vectorised and unrolled
            bad = max(bad, np.int32(not IS_COMMON(x[start + i])))
    else:
        for i in range(start, stop):
            bad = max(bad, np.int32(not IS_COMMON(x[i])))
    return bad


def _unwide(x, start, stop):
    """``_uncommon`` for the wide path's range."""
    bad = np.int32(0)
    if stop - start == CHUNK:
        for i in range(CHUNK):
            bad = max(bad, np.int32(not IS_WIDE(x[start + i])))
    else:
        for i in range(start, stop):
            bad = max(bad, np.int32(not IS_WIDE(x[i])))
    return bad


def _wide_end(x, start, count):
    """The first index start + k CHUNK (or count) whose chunk is all common inputs or holds
    one outside the wide path's range: where a run of the wide path ends."""
    while start < count:
        stop = min(start + CHUNK, count)
        if UNCOMMON(x, start, stop) == 0 or UNWIDE(x, start, stop) == 1:
            return start
        start = stop
    return count


def _all_common(x, count):
    """Whether every x[i], i < count, is in the common path's range: tested CHUNK at a time,
    stopping at the first chunk with an uncommon input (a block of random bit patterns then
    costs one chunk's test, not the block's: that was 12% of exp's time there). (One
    reduction over the first chunk and one over the rest was 3-5% faster in cache, but slower
    and erratic out of it: log at 2^24, out=y, 0.278 ns median against 0.216, up to 0.667.)"""
    return FIRST_CHUNK(x, 0, count, False) == count


def _first_chunk(x, start, count, common):
    """The first index start + k CHUNK (or count) whose chunk, x[i : i + CHUNK] cut at count,
    is all common inputs if ``common``, holds an uncommon one if not."""
    want = np.int32(0 if common else 1)
    while start < count:
        stop = min(start + CHUNK, count)
        if UNCOMMON(x, start, stop) == want:
            return start
        start = stop
    return count


def _common_run(x, y, start, stop):
    for i in range(start, stop):
        y[i] = COMMON(x[i])


def _kernel_run(x, y, start, stop):
    for i in range(start, stop):
        y[i] = KERNEL(x[i])


def _wide_run(x, y, start, stop):
    for i in range(start, stop):
        y[i] = WIDE(x[i])


def _wide_run_in_place(x, start, stop):
    for i in range(start, stop):
        x[i] = WIDE(x[i])


def _common_run_in_place(x, start, stop):
    for i in range(start, stop):
        x[i] = COMMON(x[i])


def _kernel_run_in_place(x, start, stop):
    for i in range(start, stop):
        x[i] = KERNEL(x[i])


def _chunk_runs(x, y, count, in_place, done):
    """y[i] = f(x[i]) for i < count (y is x when ``in_place``), CHUNK by CHUNK: the common
    path on the runs of chunks whose inputs are all common (unless ``done``: the common
    path's results are in y already), the wide path (if any) on runs of chunks in its range,
    the kernel on the others (an uncommon input costs its chunk the kernel, not its block:
    one zero among 2048 inputs of log ran the kernel on all 2048); how many chunks did not
    run the common path. Each run is a call of its own: a function holding both the common
    path and the kernel reloaded the constants of both in every chunk (exp float64 ran at
    half speed). In place, the runs are the one-pointer functions (LLVM vectorises a loop
    over two pointers only behind a runtime no-overlap test, which in place fails)."""
    if not HAS_COMMON:
        if in_place:
            KERNEL_RUN_IN_PLACE(x, 0, count)
        else:
            KERNEL_RUN(x, y, 0, count)
        return (count + CHUNK - 1) // CHUNK
    uncommon = 0
    start = 0
    while start < count:
        stop = FIRST_CHUNK(x, start, count, False)  # the first chunk with an uncommon input
        if stop > start and not done:
            if in_place:
                COMMON_RUN_IN_PLACE(x, start, stop)
            else:
                COMMON_RUN(x, y, start, stop)
        if stop == count:
            break
        if HAS_WIDE and UNWIDE(x, stop, min(stop + CHUNK, count)) == 0:
            start = WIDE_END(x, stop + CHUNK, count)
            if in_place:
                WIDE_RUN_IN_PLACE(x, stop, start)
            else:
                WIDE_RUN(x, y, stop, start)
            uncommon += (start - stop + CHUNK - 1) // CHUNK
            continue
        # The kernel on that chunk, and on the rest of the block if the next chunk holds an
        # uncommon input too (random bit patterns: looking for common chunks among them cost
        # 5-7%).
        start = min(stop + CHUNK, count)
        if FIRST_CHUNK(x, start, min(start + CHUNK, count), True) != start:
            start = count
            if stop == 0:  # (a loop here, not a call: 12% faster on random bits)
                if in_place:
                    for i in range(count):
                        x[i] = KERNEL(x[i])
                else:
                    for i in range(count):
                        y[i] = KERNEL(x[i])
                return (count + CHUNK - 1) // CHUNK
        if in_place:
            KERNEL_RUN_IN_PLACE(x, stop, start)
        else:
            KERNEL_RUN(x, y, stop, start)
        uncommon += (start - stop + CHUNK - 1) // CHUNK
    return uncommon


def _run(x, y, count):
    """y[i] = f(x[i]) for i < count (pointers, distinct arrays): ``_chunk_runs``; how many
    chunks did not run the common path."""
    return CHUNK_RUNS(x, y, count, False, False)


def _run_speculative(x, y, count):
    """y[i] = f(x[i]) for i < count (distinct arrays), the common path run speculatively:
    when the first CHUNK inputs are common, the common path runs on all of them with the
    range test riding along in the same vectorised loop (a test pass before it cost 8-18% of
    the time at 2^16), and ``_fix_up`` mends the chunks of uncommon inputs, if any. A block
    of random bit patterns fails the first test and goes to ``_run`` at once. How many
    chunks did not run the common path, if the common path's results were kept (``_fix_up``);
    -1 if the block ran again or was not tried."""
    if ALL_COMMON_INLINE(x, min(count, CHUNK)):
        status = fp_status()
        body = VECTOR_BODY(count)
        bad = np.int32(0)
        for i in range(body):
            v = x[i]
            y[i] = COMMON(v)
            bad = max(bad, np.int32(not IS_COMMON(v)))
        if body < count:  # the tail: one vector (``_vector_body``), tested on its own
            COMMON_RUN(x, y, count - VECTOR, count)
            bad = max(bad, UNCOMMON(x, body, count))
        if bad == 0:
            return 0
        return FIX_UP(x, y, count, status)
    RUN(x, y, count)
    return -1


def _fix_up(x, y, count, status):
    """After a speculative run of the common path that met uncommon inputs (MXCSR was
    ``status`` before it): if the common path raised no flag on them (none of numpy's four
    flags is new), its results on the chunks of common inputs stand and only the other
    chunks run again (one NaN among 2048 float64 inputs of exp costs a test pass and one
    chunk, not the block again): how many chunks did not run the common path. If it did,
    the flags are undone and the whole block runs again: -1."""
    if (fp_status() & ~status & FLAGS) == 0:
        return CHUNK_RUNS(x, y, count, False, True)
    set_fp_status(status)
    RUN(x, y, count)
    return -1


def _run_in_place(x, count):
    """x[i] = f(x[i]) for i < count: ``_chunk_runs`` with one pointer; how many chunks did
    not run the common path."""
    return CHUNK_RUNS(x, x, count, True, False)


def _blocks(src, dst, n, src_step, dst_step):
    """dst[i] = f(src[i]) for i < n, from and to addresses with steps in bytes."""
    src_contiguous, dst_contiguous = src_step == ITEMSIZE, dst_step == ITEMSIZE
    if src_contiguous and dst_contiguous:
        if address_of(src) == address_of(dst):
            for start in range(0, n, BLOCK):
                RUN_IN_PLACE(POINTER(src, ITEMSIZE * start), min(BLOCK, n - start))
            return
        # Speculative blocks while they succeed, or fail on few chunks and are mended (float64
        # exp of data with a NaN every few thousand); after another failed block (log of
        # counts with zeros: the common path raised a flag on them, so the block ran twice),
        # tested blocks, until RESPECULATE of them in a row were common: no block pays for
        # both paths again and again.
        # (Out of cache too: calls above 8 MB of input tested their blocks first until
        # 2026-12-01, when speculating there ran 1-28% faster: float64 exp at 2^24 0.82
        # against 1.14 ns, float32 log 0.37 against 0.41; within 1% where it did not gain.)
        may_speculate = HAS_COMMON and SPECULATE
        speculate = may_speculate
        clean = 0
        start = 0
        while start < n:
            x, y = POINTER(src, ITEMSIZE * start), POINTER(dst, ITEMSIZE * start)
            if speculate:
                count = min(SPECULATIVE_BLOCK, n - start)
                uncommon = RUN_SPECULATIVE(x, y, count)
                speculate = uncommon >= 0 and uncommon * SPARSE <= (count + CHUNK - 1) // CHUNK
                clean = 0
            else:
                count = min(BLOCK, n - start)
                clean = clean + 1 if RUN(x, y, count) == 0 else 0
                speculate = may_speculate and clean >= RESPECULATE
            start += count
    elif dst_contiguous:  # gathered into the output, computed there in place
        for start in range(0, n, BLOCK):
            count = min(BLOCK, n - start)
            y = POINTER(dst, ITEMSIZE * start)
            for i in range(count):
                y[i] = POINTER(src, (start + i) * src_step)[0]
            RUN_IN_PLACE(y, count)
    else:  # computed into a buffer (gathered there first if the input is strided too), scattered
        buffer = STACK(BLOCK)
        for start in range(0, n, BLOCK):
            count = min(BLOCK, n - start)
            if src_contiguous:
                RUN(POINTER(src, ITEMSIZE * start), buffer, count)
            else:
                for i in range(count):
                    buffer[i] = POINTER(src, (start + i) * src_step)[0]
                RUN_IN_PLACE(buffer, count)
            for i in range(count):
                POINTER(dst, (start + i) * dst_step)[0] = buffer[i]


def _vector_body(n):
    """How many of n elements a vectorised loop over distinct arrays should take, the others
    (the tail, fewer than VECTOR) left to one vector over the last VECTOR elements, computed
    again where they overlap (the same bits; not in place), in a call: LLVM's loop runs a
    tail scalar, element by element, 55-80 ns for exp's 15 float32 or 7 float64 (exp float64
    on 71 elements took 353 ns against 299 on 64). With the tail call, 47, 63 and 127
    elements of log, sin and cos went from 0.86-0.91x NumPy to 0.95-1.03x, float64 exp (47
    to 300 elements) from 0.89-0.95x to 0.99-1.04x; float32 exp at sizes with no tail call
    (64, 96, 100, 128) lost 3-5% (to 0.99-1.07x), for a reason not found. A tail of fewer
    than 3/8 VECTOR (or n < VECTOR) is left to the loop. (In the speculative blocks the same
    tail call measured within noise: exp at 1031-3003 elements.)"""
    tail = n % VECTOR
    if n < VECTOR or 8 * tail < 3 * VECTOR:
        return n
    return n - tail


def _loop(args, dimensions, steps, data):
    n, src_step, dst_step = dimensions[0], steps[0], steps[1]
    if n <= SMALL and src_step == ITEMSIZE and dst_step == ITEMSIZE and address_of(args[0]) != address_of(args[1]):
        # Up to SMALL contiguous elements, not in place (in place, LLVM's loop over two
        # equal pointers runs scalar): the kernel here, not in the block functions, whose
        # calls cost about 15 ns (exp on 16 elements was 7% slower than numpy, cos on 256 15%,
        # on 1024 9%).
        x, y = POINTER(args[0], 0), POINTER(args[1], 0)
        body = VECTOR_BODY(n)
        if HAS_COMMON and ALL_COMMON_INLINE(x, n):
            for i in range(body):
                y[i] = COMMON(x[i])
            if body < n:
                COMMON_RUN(x, y, n - VECTOR, n)
        elif HAS_COMMON:
            RUN(x, y, n)
        else:
            for i in range(body):
                y[i] = KERNEL(x[i])
            if body < n:
                KERNEL_RUN(x, y, n - VECTOR, n)
    else:
        BLOCKS(args[0], args[1], n, src_step, dst_step)


def _array_loop(src, dst):
    BLOCKS(data_address(src), data_address(dst), src.size, src.strides[0], dst.strides[0])


def compile_loop(kernel, common=None, is_common=None, cache_name: str | None = None, options=None,
                 dtype: str = "float32"):
    """The ufunc loop for dtype (float32 or float64; a Numba cfunc: ``.address``) over
    ``kernel``, with the common path ``common`` on blocks where ``is_common`` holds for every
    input (both or neither); compiled with ``options`` (default ``OPTIONS``).
    Cached on disk under ``cache_name`` (which must name the kernels' code: a published
    version's function and a hash of its source) as object code (``_objcache``: loaded
    without Numba's typing), compiled in-process without one."""
    options = options or OPTIONS
    namespace = _namespace(kernel, common, is_common, cache_name, options, dtype)
    name = f"{dtype}_loop_{namespace['SUFFIX']}"
    loop = _instance(_loop, namespace, name)

    def compile_cfunc():
        return numba.cfunc(SIGNATURE, nopython=True, **options)(loop)

    if cache_name is None:
        return compile_cfunc()
    return _objcache.load_or_compile(loop, SIGNATURE, options, name, compile_cfunc)


def _instance(template, namespace: dict, qualname: str):
    """A copy of a template function's code with its own globals and qualified name."""
    function = pytypes.FunctionType(template.__code__, namespace, template.__name__)
    function.__qualname__ = qualname
    return function


def _namespace(kernel, common, is_common, cache_name, options, dtype: str = "float32") -> dict:
    """The globals of one loop's functions: the kernels (and the wide path defined next to
    the kernel, if any: ``wide_path_of``), the element type's pointers, and the block
    functions compiled over them."""
    if (common is None) != (is_common is None):
        raise ValueError("a common path needs both the kernel (common) and its range (is_common)")
    wide, is_wide = wide_path_of(kernel) if common is not None else (None, None)
    namespace = dict(_loop.__globals__)
    itemsize, pointer, stack = _TYPES[dtype]
    namespace.update(KERNEL=kernel, COMMON=common or kernel, IS_COMMON=is_common or _no_common_path,
                     HAS_COMMON=common is not None, WIDE=wide or kernel, IS_WIDE=is_wide or _no_common_path,
                     HAS_WIDE=wide is not None, ITEMSIZE=itemsize, VECTOR=64 // itemsize, POINTER=pointer,
                     STACK=stack)
    # The block functions stay functions of their own (Numba does not inline them, nor
    # here LLVM): each loop then gets the registers to itself and keeps the kernel's
    # constants there (inlined into one function with the block loop, the loops reloaded
    # constants through movabs in every iteration, 27 -> 40 instructions for sin). Their
    # names are the loop's too: a cached loop calls them by symbol, and symbols are made
    # from qualified names and a per-process counter, so a shared name could resolve to
    # another loop's function compiled earlier in the same process.
    suffix = namespace["SUFFIX"] = (cache_name or f"uncached_{next(_uncached)}") + ("" if dtype == "float32" else "_f64")
    for name, template in (("COMMON_RUN", _common_run), ("WIDE_RUN", _wide_run),
                           ("KERNEL_RUN", _kernel_run), ("COMMON_RUN_IN_PLACE", _common_run_in_place),
                           ("WIDE_RUN_IN_PLACE", _wide_run_in_place),
                           ("KERNEL_RUN_IN_PLACE", _kernel_run_in_place), ("RUN", _run),
                           ("RUN_SPECULATIVE", _run_speculative), ("FIX_UP", _fix_up),
                           ("RUN_IN_PLACE", _run_in_place),
                           ("BLOCKS", _blocks)):
        block_function = _instance(template, namespace, f"{template.__name__.lstrip('_')}_{suffix}")
        namespace[name] = numba.njit(**options)(block_function)
    # The range tests, inlined by Numba into the loop itself (its small calls make no calls)
    # and into the block functions; and the chunk-run driver, inlined into ``_run`` and
    # ``_run_in_place`` (one driver for two and one pointers).
    for name, template in (("UNCOMMON", _uncommon), ("UNWIDE", _unwide), ("FIRST_CHUNK", _first_chunk),
                           ("VECTOR_BODY", _vector_body),
                           ("WIDE_END", _wide_end), ("ALL_COMMON_INLINE", _all_common),
                           ("CHUNK_RUNS", _chunk_runs)):
        namespace[name] = numba.njit(inline="always", **options)(
            _instance(template, namespace, f"{template.__name__.lstrip('_')}_inline_{suffix}"))
    return namespace


@functools.cache
def array_loop(kernel, dtype: str = "float32"):
    """loop(src, dst): dst[i] = kernel(src[i]) over 1-D arrays of dtype (any strides, the
    same array in place), with the common path defined next to the kernel, as the ufunc's
    loop runs them; compiled in-process with the kernels' options (``OPTIONS``). The Numba
    pass's array path calls it."""
    namespace = _namespace(kernel, *common_path_of(kernel), None, OPTIONS, dtype)
    name = getattr(kernel, "__name__", "kernel")
    return numba.njit(**OPTIONS)(_instance(_array_loop, namespace, f"{name}_array_loop_{namespace['SUFFIX']}"))


def common_path_of(kernel, function: str | None = None, dtype: str = "float32") -> tuple:
    """(common, is_common): the common path defined next to a kernel in its module
    (``<function>_f32_common``, ``<function>_f32_is_common``, or _f64 for a float64 kernel;
    by default named after the kernel's own function), or (None, None)."""
    py_func = getattr(kernel, "py_func", kernel)
    name = kernel_name(function, dtype) if function else py_func.__name__
    return py_func.__globals__.get(f"{name}_common"), py_func.__globals__.get(f"{name}_is_common")


def wide_path_of(kernel) -> tuple:
    """(wide, is_wide): the wide path defined next to a kernel in its module
    (``<kernel>_wide``, ``<kernel>_is_wide``), or (None, None). A kernel module may define it
    beside its common path: the kernel's bits on a wider range than the common path's (NaN,
    ±inf) at a cost between the common path's and the kernel's; the loop runs it on chunks
    that hold inputs in its range but outside the common path's."""
    py_func = getattr(kernel, "py_func", kernel)
    name = py_func.__name__
    return py_func.__globals__.get(f"{name}_wide"), py_func.__globals__.get(f"{name}_is_wide")


def module_loop(module, function: str, version: str, options=None, dtype: str = "float32"):
    """The loop of a published kernel module (``<function>_f32``, or ``<function>_f64``
    for dtype float64, and its common path if it has one), cached under the version, the
    function and its source's hash."""
    name = kernel_name(function, dtype)
    kernel = getattr(module, name)
    source_hash = hashlib.sha256(inspect.getsource(module).encode()).hexdigest()[:12]
    return compile_loop(kernel, *common_path_of(kernel, function, dtype), f"{version}_{name}_{source_hash}", options,
                        dtype)
