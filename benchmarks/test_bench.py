"""fastmath vs numpy / scipy.special (ufuncs) and vs Numba's libm calls (@njit loops).

Run with `make bench`, which prints the ratio table (benchmarks/report.py). Each group
times both sides on the same float32 array in the same process; compare medians.
"""
import numba
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import peer, sample_inputs

SIZES = [2**10, 2**16, 2**20, 2**24]
_arrays = {}


def data(function, n):
    if (function, n) not in _arrays:
        _arrays[function, n] = sample_inputs(function, n, np.random.default_rng(0))
    return _arrays[function, n]


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


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("side", ["fastmath", "peer"])
def test_ufunc(benchmark, function, n, side):
    x = data(function, n)
    out = np.empty_like(x)
    f = getattr(fastmath, function) if side == "fastmath" else peer(function)[1]
    benchmark.group = f"ufunc-{function}-{n}"
    benchmark.extra_info.update(function=function, n=n, side=side, kind="ufunc")
    benchmark(f, x, out=out)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("side", ["fastmath", "libm"])
def test_njit_loop(benchmark, function, n, side):
    x = data(function, n)
    out = np.empty_like(x)
    loop = loop_for(side, function)
    loop(x[:16], out[:16])  # compile outside the timing
    benchmark.group = f"njit-{function}-{n}"
    benchmark.extra_info.update(function=function, n=n, side=side, kind="njit")
    benchmark(loop, x, out)
