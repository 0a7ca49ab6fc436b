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
    """The Numba pass's (and float16's) array loop: the same blocks and common path."""
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


@pytest.mark.parametrize("n", (100, _loops.BLOCK, _loops.BLOCK + 100, _loops.SMALL, 3 * _loops.BLOCK + 7))
def test_common_path_runs_on_blocks_of_common_inputs_only(n):
    compiled = _loops.compile_loop(_plain, _marked, _is_small, options={"error_model": "numpy"})
    ufunc = make_ufunc("exp", _plain, float64_kernel("exp"), "", loop32=compiled)
    x = np.full(n, 0.5, np.float32)
    big = n // 3  # one uncommon input: its block runs the kernel, the others the common path
    x[big] = 3.0
    y = ufunc(x)
    # A contiguous call on up to SMALL elements is one block; strided calls and in place
    # are blocks of BLOCK.
    block = np.arange(n) // (n if n <= _loops.SMALL else _loops.BLOCK)
    marked = y != 2 * x
    assert np.array_equal(marked, block != block[big])
    block = np.arange(n) // _loops.BLOCK
    strided = np.repeat(x, 2)[::2]  # the same values, 8 bytes apart: blocks of the same inputs
    assert np.array_equal(ufunc(strided) != 2 * x, block != block[big])
    assert np.array_equal(ufunc(x, out=np.empty(2 * n, np.float32)[::2]) != 2 * x, block != block[big])
    in_place = x.copy()
    ufunc(in_place, out=in_place)
    assert np.array_equal(in_place != 2 * x, block != block[big])


def test_common_path_needs_both_parts():
    with pytest.raises(ValueError, match="both"):
        _loops.compile_loop(_plain, _marked, None)
