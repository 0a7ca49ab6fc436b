"""fastmath vs numpy / scipy.special (ufuncs) and vs Numba's libm calls (@njit loops).

Run with `make bench`, which prints the ratio table (benchmarks/report.py). Each group
times both sides on the same array in the same process; compare medians. Ufuncs are timed
on float32 and on float64 (the same values, widened), and on random bit patterns ("float32
bits", "float64 bits": every exponent, NaN, inf, subnormals), and in two other layouts of
the same float32 values: "float32 out=x" (in place: each round on a fresh copy, the copy
untimed) and "float32 x[::2]" (a strided view: every other element of an array twice the
size); @njit loops on float32 and float64 (``fastmath.<f>(x[i])`` against the C library's
``math.<f>``; float64 runs fastmath's float64 kernel where the version ships one, else the
C library on both sides).
The two sides of a cell run one right after the other (``side`` is the parameter that
varies fastest): with all fastmath cells first and all peer cells minutes later, a cell's
ratio carried the machine's drift between the two (0.89 where an interleaved timing gave
1.39).
"""
import numba
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import peer, sample_inputs

SIZES = [2**10, 2**16, 2**20, 2**24]
_arrays = {}


def data(function, n, dtype=np.float32):
    """Typical inputs (the function's home's bench_inputs), or for "bits" ("bits64") random
    float32 (float64) bit patterns: every exponent, NaN, inf and subnormals included."""
    if (function, n, dtype) not in _arrays:
        rng = np.random.default_rng(0)
        if dtype == "bits":
            x = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)
        elif dtype == "bits64":
            x = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False).view(np.float64)
        else:
            x = sample_inputs(function, n, rng).astype(dtype)
        _arrays[function, n, dtype] = x
    return _arrays[function, n, dtype]


def njit_loop(f):
    @numba.njit
    def loop(x, out):
        for i in range(x.size):
            out[i] = f(x[i])
    return loop


_loops = {}


def loop_for(kind, function):
    if (kind, function) not in _loops:
        f = getattr(fastmath, function) if kind == "fastmath" else CONTRACTS[function].libm
        _loops[kind, function] = njit_loop(f)
    return _loops[kind, function]


@pytest.mark.parametrize("side", ["fastmath", "peer"])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float32 bits", "float64 bits", "float32 out=x", "float32 x[::2]"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_ufunc(benchmark, function, dtype, n, side):
    x = data(function, n, ("bits" if dtype == "float32 bits" else "bits64") if dtype.endswith("bits")
             else np.dtype(dtype.split()[0]).type)
    out = np.empty_like(x)
    f = getattr(fastmath, function) if side == "fastmath" else peer(function)[1]
    benchmark.group = f"ufunc-{function}-{dtype}-{n}"
    benchmark.extra_info.update(function=function, n=n, side=side, kind="ufunc", dtype=dtype)
    with np.errstate(all="ignore"):  # (random bits: NaN, overflow and invalid inputs)
        if dtype.endswith("out=x"):
            work = np.empty_like(x)

            def fresh_copy():
                np.copyto(work, x)
                return (work,), {"out": work}
            benchmark.pedantic(f, setup=fresh_copy, rounds=max(7, min(101, (1 << 26) // n)), warmup_rounds=1)
        elif dtype.endswith("x[::2]"):
            benchmark(f, np.repeat(x, 2)[::2], out=out)
        else:
            benchmark(f, x, out=out)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_copyto_at_the_memory_bound(benchmark, function):
    """np.copyto of the same float32 array at 2^24 elements (64 MiB, out of cache): the
    memory-bound floor a ufunc there is compared with (report.py's copyto column)."""
    n = SIZES[-1]
    x = data(function, n)
    out = np.empty_like(x)
    benchmark.group = f"ufunc-{function}-float32-{n}"
    benchmark.extra_info.update(function=function, n=n, side="copyto", kind="ufunc", dtype="float32")
    benchmark(np.copyto, out, x)


@pytest.mark.parametrize("side", ["fastmath", "libm"])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_njit_loop(benchmark, function, dtype, n, side):
    x = data(function, n, np.dtype(dtype).type)
    out = np.empty_like(x)
    loop = loop_for(side, function)
    loop(x[:16], out[:16])  # compile outside the timing
    benchmark.group = f"njit-{function}-{dtype}-{n}"
    benchmark.extra_info.update(function=function, n=n, side=side, kind="njit", dtype=dtype)
    benchmark(loop, x, out)
