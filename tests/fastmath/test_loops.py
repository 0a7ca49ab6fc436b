"""The float32 ufunc loop (fastmath._loops): every memory layout gives the kernel's bits, in
place runs vectorised, and a common path is taken exactly for blocks of common inputs."""
import functools
import time

import numba
import numpy as np
import pytest

import fastmath
from fastmath import _loops
from fastmath._loops import array_loop
from fastmath._ops import float_bits
from fastmath._ufuncs import make_ufunc
from fastmath._libm import float64_kernel
from fastmath.contract import FUNCTIONS

SIZES = (1, 15, 16, _loops.SMALL, _loops.SMALL + 1, 511, 512, 513, 1025, 3000)


def _inputs(n, seed=0):
    """Random float32 bit patterns (every exponent, NaN, inf, zeros, subnormals)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)


def _kernel(function):
    from fastmath import _kernels
    return getattr(_kernels.kernel_module(function), f"{function}_f32")


@functools.cache
def _element_by_element(kernel):
    """The reference: the kernel alone (no common path), one element after another."""
    @numba.njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = kernel(x[i])
    return loop


def _expected(function, x):
    out = np.empty_like(x)
    _element_by_element(_kernel(function))(np.ascontiguousarray(x), out)
    return out


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("n", SIZES)
def test_every_layout_gives_the_kernel_bits(function, n):
    ufunc = getattr(fastmath, function)
    base = _inputs(3 * n)
    expected = _expected(function, base[::3])
    with np.errstate(all="ignore"):
        results = {
            "contiguous": ufunc(np.ascontiguousarray(base[::3])),
            "strided in": ufunc(base[::3]),
            "strided out": ufunc(np.ascontiguousarray(base[::3]), out=np.empty(2 * n, np.float32)[::2]),
            "strided both": ufunc(base[::3], out=np.empty(2 * n, np.float32)[::2]),
            "reversed": ufunc(base[::3][::-1].copy()[::-1]),
        }
        in_place = np.ascontiguousarray(base[::3])
        ufunc(in_place, out=in_place)
        results["in place"] = in_place
    for layout, y in results.items():
        assert np.array_equal(y.view(np.int32), expected.view(np.int32)), layout


@pytest.mark.parametrize("function", FUNCTIONS)
def test_array_loop_gives_the_kernel_bits_in_every_layout(function):
    """The Numba pass's array loop: the same blocks and common path."""
    loop = array_loop(_kernel(function))
    base = _inputs(3 * 1500, seed=2)
    expected = _expected(function, base[::3])
    contiguous, strided_out = np.ascontiguousarray(base[::3]), np.empty(2 * 1500, np.float32)[::2]
    out = np.empty_like(contiguous)
    with np.errstate(all="ignore"):
        loop(contiguous, out)
        loop(base[::3], strided_out)
        loop(contiguous, contiguous)  # in place, last
    for y in (out, strided_out, contiguous):
        assert np.array_equal(y.view(np.int32), expected.view(np.int32))


def test_broadcast_scalar_and_zero_size():
    with np.errstate(all="ignore"):
        y = fastmath.exp(np.broadcast_to(np.float32(1.0), (1000,)))
        assert (y == fastmath.exp(np.float32(1.0))).all()
        assert fastmath.exp(np.empty(0, np.float32)).shape == (0,)


def _median_seconds(f, repeats=31):
    f()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def test_in_place_is_as_fast_as_out_of_place():
    """out=x ran scalar (15x slower) when the loop over two pointers was vectorised only
    behind a runtime no-overlap test; in place is a loop of its own now."""
    x = np.random.default_rng(1).uniform(-1, 1, 1 << 16).astype(np.float32)
    y, z = np.empty_like(x), x.copy()
    out_of_place = _median_seconds(lambda: fastmath.sin(x, out=y))
    in_place = _median_seconds(lambda: fastmath.sin(z, out=z))  # sin keeps z in [-1, 1]
    assert in_place < 2 * out_of_place


# A kernel with a visible common path: the common path adds one ULP, so the bits show which ran.
@numba.njit(error_model="numpy")
def _plain(x):
    return x * np.float32(2.0)


@numba.njit(error_model="numpy")
def _marked(x):
    return np.nextafter(x * np.float32(2.0), np.float32(np.inf))


@numba.njit(error_model="numpy")
def _is_small(x):
    return (float_bits(x) & 0x7FFFFFFF) < 0x3F800000  # |x| < 1


@functools.cache
def _toy_ufunc(kernel, common):
    """A float32 ufunc whose loop runs the toy ``kernel`` with the common path ``common`` on
    |x| < 1 (and the wide path defined next to ``kernel``, if any): compiled once per process,
    not per test case (10 s each)."""
    compiled = _loops.compile_loop(kernel, common, _is_small, options={"error_model": "numpy"})
    return make_ufunc("exp", kernel, float64_kernel("exp"), "", loop32=compiled)


COMMON, WIDE, KERNEL = 0, 1, 2  # the paths of _paths (and the kinds of input they are for)


def _paths(kind, contiguous=True, has_wide=False, flags=False):
    """The path (COMMON, WIDE or KERNEL) a call on contiguous elements (not in place) runs for
    each, given each input's kind (COMMON: in the common path's range; WIDE: in the wide
    path's only; KERNEL: in neither): ``_loops._blocks``' rule, restated. Up to SMALL
    elements: one block. Above: speculative blocks of SPECULATIVE_BLOCK while they hold only
    common inputs, or are mended with at most one chunk in SPARSE not on the common path (a
    block whose first CHUNK inputs hold an uncommon one is not tried; one is not mended if
    the common path raises a flag on uncommon inputs, ``flags``), then tested blocks of BLOCK
    until RESPECULATE in a row were common. Whether speculative, mended or tested, a block's
    chunks run the same paths. Strided and in place: blocks of BLOCK. A block with an uncommon input is taken CHUNK inputs at a time
    from its start: the common path on a chunk of common inputs; the wide path on a chunk of
    wide-range inputs and on the chunks after it until one is all common or holds an input
    out of the wide range; the kernel on a chunk with such an input, and on the rest of the
    block if the chunk after it holds an uncommon input too (or there is none)."""
    n = len(kind)
    path = np.full(n, COMMON)

    def mark(block):
        start = block.start
        while start < block.stop:
            chunk = slice(start, min(start + _loops.CHUNK, block.stop))
            if (kind[chunk] == COMMON).all():
                start = chunk.stop
                continue
            if has_wide and (kind[chunk] != KERNEL).all():
                while chunk.start < block.stop and not (kind[chunk] == COMMON).all() and (kind[chunk] != KERNEL).all():
                    path[chunk] = WIDE
                    chunk = slice(chunk.stop, min(chunk.stop + _loops.CHUNK, block.stop))
                start = chunk.start
                continue
            following = slice(chunk.stop, min(chunk.stop + _loops.CHUNK, block.stop))
            if following.start == block.stop or (kind[following] != COMMON).any():
                path[chunk.start:block.stop] = KERNEL  # the kernel to the block's end
                break
            path[chunk] = KERNEL
            start = chunk.stop
        return len(range(block.start, block.stop, _loops.CHUNK)) - sum(
            (path[i:min(i + _loops.CHUNK, block.stop)] == COMMON).all() for i in range(block.start, block.stop, _loops.CHUNK))

    if contiguous and n <= _loops.SMALL:
        mark(slice(0, n))
        return path
    speculate, clean, start = contiguous and _loops.SPECULATE, 0, 0
    while start < n:
        size = _loops.SPECULATIVE_BLOCK if speculate else _loops.BLOCK
        block = slice(start, min(start + size, n))
        uncommon = mark(block)  # the chunks that did not run the common path
        if speculate:
            tried = (kind[block.start:block.start + _loops.CHUNK] == COMMON).all()
            mended = tried and not (flags and uncommon)
            chunks = len(range(block.start, block.stop, _loops.CHUNK))
            speculate, clean = mended and uncommon * _loops.SPARSE <= chunks, 0
        else:
            clean = clean + 1 if uncommon == 0 else 0
            speculate = contiguous and _loops.SPECULATE and clean >= _loops.RESPECULATE
        start = block.stop
    return path


def _common_blocks(n, uncommon, contiguous=True, flags=False):
    """Which of n elements run the common path, given the positions of the uncommon inputs
    (no wide path; ``flags``: the common path raises a flag on them)."""
    kind = np.full(n, COMMON)
    kind[list(uncommon)] = KERNEL
    return _paths(kind, contiguous, flags=flags) == COMMON


@pytest.mark.parametrize("n", (100, _loops.BLOCK, _loops.BLOCK + 100, _loops.SMALL, 3 * _loops.BLOCK + 7,
                               _loops.SPECULATIVE_BLOCK + 3, 7 * _loops.SPECULATIVE_BLOCK + 5))
@pytest.mark.parametrize("where", ("third", "first chunk", "two", "adjacent chunks"))
def test_common_path_runs_on_blocks_of_common_inputs_only(n, where):
    ufunc = _toy_ufunc(_plain, _marked)
    x = np.full(n, 0.5, np.float32)
    # uncommon inputs: their blocks run the kernel, the others the common path
    uncommon = {"third": [n // 3], "first chunk": [5], "two": [n // 3, n - 2],
                "adjacent chunks": [n // 3, min(n // 3 + _loops.CHUNK, n - 1)]}[where]
    x[uncommon] = 3.0
    y = ufunc(x)
    assert np.array_equal(y != 2 * x, _common_blocks(n, uncommon))
    strided = np.repeat(x, 2)[::2]  # the same values, 8 bytes apart: blocks of the same inputs
    expected = _common_blocks(n, uncommon, contiguous=False)
    assert np.array_equal(ufunc(strided) != 2 * x, expected)
    assert np.array_equal(ufunc(x, out=np.empty(2 * n, np.float32)[::2]) != 2 * x, expected)
    in_place = x.copy()
    ufunc(in_place, out=in_place)
    assert np.array_equal(in_place != 2 * x, expected)


# A kernel with a wide path too: the wide path takes one ULP off, so the bits show which ran.
@numba.njit(error_model="numpy")
def _doubling(x):
    return x * np.float32(2.0)


@numba.njit(error_model="numpy")
def _doubling_wide(x):
    return np.nextafter(x * np.float32(2.0), np.float32(-np.inf))


@numba.njit(error_model="numpy")
def _doubling_is_wide(x):
    return (float_bits(x) & 0x7FFFFFFF) < 0x40800000  # |x| < 4


@pytest.mark.parametrize("n", (100, _loops.BLOCK + 100, _loops.SMALL, 3 * _loops.BLOCK + 7,
                               7 * _loops.SPECULATIVE_BLOCK + 5))
@pytest.mark.parametrize("layout", ("sparse", "dense wide", "wide then kernel", "mixed"))
def test_wide_path_runs_on_chunks_in_its_range(n, layout):
    assert _loops.wide_path_of(_doubling) == (_doubling_wide, _doubling_is_wide)
    ufunc = _toy_ufunc(_doubling, _marked)
    rng = np.random.default_rng(n)
    kind = np.full(n, COMMON)
    if layout == "sparse":
        kind[[n // 3, n // 2]] = WIDE
    elif layout == "dense wide":
        kind[rng.random(n) < 0.2] = WIDE
    elif layout == "wide then kernel":
        kind[n // 3] = WIDE
        kind[min(n // 3 + _loops.CHUNK, n - 1)] = KERNEL
    else:
        kind[rng.random(n) < 0.05] = WIDE
        kind[rng.random(n) < 0.01] = KERNEL
    x = np.choose(kind, [np.float32(0.5), np.float32(3.0), np.float32(5.0)]).astype(np.float32)
    twice = 2 * x
    up, down = np.nextafter(twice, np.float32(np.inf)), np.nextafter(twice, np.float32(-np.inf))

    def ran(y):
        return np.select([y == up, y == down, y == twice], [COMMON, WIDE, KERNEL], -1)

    assert np.array_equal(ran(ufunc(x)), _paths(kind, has_wide=True))
    expected = _paths(kind, contiguous=False, has_wide=True)
    assert np.array_equal(ran(ufunc(np.repeat(x, 2)[::2])), expected)
    in_place = x.copy()
    ufunc(in_place, out=in_place)
    assert np.array_equal(ran(in_place), expected)


# A common path that raises overflow on the inputs it is not for (|x| >= 1): a speculative run
# that meets one must leave no trace of it in the flags.
@numba.njit(error_model="numpy")
def _overflowing(x):
    t = x * np.float32(2e38)  # overflows for |x| >= 2
    return np.nextafter(x * np.float32(2.0), np.float32(np.inf)) if t < np.float32(3e38) else x * np.float32(2.0)


@numba.njit(error_model="numpy")
def _raising_kernel(x):
    return x * np.float32(2.0) if abs(x) < np.float32(1e10) else x * x  # overflow from |x| = 2^64


@pytest.mark.skipif(not _loops.SPECULATE, reason="speculation runs on x86-64 only")
def test_speculative_blocks_undo_the_flags_of_their_common_path():
    ufunc = _toy_ufunc(_raising_kernel, _overflowing)
    spec, block = _loops.SPECULATIVE_BLOCK, _loops.BLOCK
    n = 2 * spec + _loops.RESPECULATE * block
    x = np.full(n, 0.25, np.float32)
    late = spec + _loops.RESPECULATE * block + 100  # in the speculative block after the tested ones
    x[late] = 3.0  # uncommon: the common path overflows on it
    raised = []
    with np.errstate(all="call", call=lambda kind, flag: raised.append(kind)):
        y = ufunc(x)
    assert raised == [] and y[late] == 6.0
    assert np.array_equal(y != 2 * x, _common_blocks(n, [late], flags=True))
    x[100] = 1e20  # the kernel's own overflow, in the first block (whose speculation fails too),
    with np.errstate(all="call", call=lambda kind, flag: raised.append(kind)):  # survives the later undo
        y = ufunc(x)
    assert raised == ["overflow"] and y[100] == np.inf
    marked = _common_blocks(n, [100, late], flags=True)
    ran_common = y != 2 * x
    ran_common[100] = False  # (inf: the kernel's x * x, not 2 x)
    assert np.array_equal(ran_common, marked) and marked[spec:late - 100].all() and not marked[late]


@pytest.mark.skipif(not _loops.SPECULATE, reason="speculation runs on x86-64 only")
@pytest.mark.parametrize("n", (2 * _loops.SPECULATIVE_BLOCK, 3 * _loops.SPECULATIVE_BLOCK + 5))
def test_speculative_blocks_mend_only_the_chunks_of_uncommon_inputs(n):
    # A common path that raises no flag on uncommon inputs: a failed speculation keeps its
    # results on the chunks of common inputs, and the flags the kernel raises on the others;
    # the block after a mended one speculates too (the kernel then runs to its end, not to a
    # tested block's, from two uncommon chunks in a row).
    ufunc = _toy_ufunc(_raising_kernel, _marked)
    x = np.full(n, 0.25, np.float32)
    spec = _loops.SPECULATIVE_BLOCK
    huge, uncommon = n // 2 + 3, [n // 3 + 100, spec + 300, spec + 364, n - 1]
    x[uncommon] = 3.0
    for flagged in (False, True):
        if flagged:
            x[huge] = 1e20  # the kernel overflows on it
        raised = []
        with np.errstate(all="call", call=lambda kind, flag: raised.append(kind)):
            y = ufunc(x)
        assert raised == (["overflow"] if flagged else [])
        ran_common = (y != 2 * x) & ~np.isinf(y)  # (inf: the kernel's x * x, not 2 x)
        assert np.array_equal(ran_common, _common_blocks(n, uncommon + [huge] * flagged))
        assert np.isinf(y[huge]) == flagged


def test_common_path_needs_both_parts():
    with pytest.raises(ValueError, match="both"):
        _loops.compile_loop(_plain, _marked, None)


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("n", (21, 63, 100, 1000, 1087, 3001))
def test_a_tail_computed_as_one_overlapping_vector_gives_the_kernel_bits(function, n):
    # Common inputs (the small path's and the speculative blocks' vector body and tail), then
    # an uncommon bit pattern in the tail (a failed speculation mends the tail's chunk).
    ufunc = getattr(fastmath, function)
    x = np.random.default_rng(n).uniform(0.5, 2.0, n).astype(np.float32)
    assert np.array_equal(ufunc(x).view(np.uint32), _expected(function, x).view(np.uint32))
    for seed in range(3):
        x[n - 1 - seed] = _inputs(1, seed)[0]
        with np.errstate(all="ignore"):
            got = ufunc(x)
        assert np.array_equal(got.view(np.uint32), _expected(function, x).view(np.uint32))
