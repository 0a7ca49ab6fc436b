"""The Numba pass: the same @njit source compiled by plain Numba (scalar libm calls) and by
fastmath.jit (the kernels), timed on the same float32 data in the same process.

Run with `make bench-pass` (prints the ratio table: benchmarks/report.py). Kinds:
- loop: `for i in range(n): out[i] = math.<f>(x[i])` over 2^20 float32 (the issue's target);
  side "ufunc" is the same loop calling `fastmath.<f>` explicitly (what the pass should match);
- array: `np.<f>(x)` on a float32 array (the numpy ufuncs the pass rewrites; Numba cannot compile scipy.special.erf);
- example: the programs in examples/ (before = numba.njit, after = fastmath.jit, same options).
"""
import importlib.util
from pathlib import Path

import numba
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import sample_inputs

# the functions the pass rewrites as numpy ufuncs (Numba cannot compile scipy.special.erf)
ARRAY_FUNCTIONS = [f for f, c in CONTRACTS.items() if any(r.startswith("numpy.") for r in c.rewrites)]

N = 2**20
SIDES = ["numba", "pass"]
_cache = {}


def compiled(key, build):
    if key not in _cache:
        _cache[key] = build()
    return _cache[key]


def jit_for(side, **options):
    return numba.njit(**options) if side == "numba" else fastmath.jit(**options)


def loop_source(function, f=None):
    f = f or CONTRACTS[function].libm  # math.<function>

    def loop(x, out):
        for i in range(x.size):
            out[i] = f(x[i])
    return loop


def array_source(function):
    f = getattr(np, function)

    def array(x):
        return f(x)
    return array


def loop_for(side, function):
    if side == "ufunc":  # the same loop calling the fastmath ufunc explicitly: the pass's floor
        return numba.njit(loop_source(function, getattr(fastmath, function)))
    return jit_for(side)(loop_source(function))


@pytest.mark.parametrize("side", SIDES + ["ufunc"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_loop(benchmark, function, side):
    x = sample_inputs(function, N, np.random.default_rng(0))
    out = np.empty_like(x)
    fn = compiled(("loop", function, side), lambda: loop_for(side, function))
    fn(x[:16], out[:16])  # compile outside the timing
    benchmark.group = f"pass-loop-{function}"
    benchmark.extra_info.update(function=function, n=N, side=side, kind="pass-loop")
    benchmark(fn, x, out)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("function", ARRAY_FUNCTIONS)
def test_array(benchmark, function, side):
    x = sample_inputs(function, N, np.random.default_rng(0))
    fn = compiled(("array", function, side), lambda: jit_for(side)(array_source(function)))
    fn(x[:16])
    benchmark.group = f"pass-array-{function}"
    benchmark.extra_info.update(function=function, n=N, side=side, kind="pass-array")
    benchmark(fn, x)


def example(name):
    path = Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"fastmath_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _black_scholes(side):
    bs = example("black_scholes")
    fn = jit_for(side, **bs.OPTIONS)(bs.price)
    args = bs.inputs(N)
    return lambda: bs.run(fn, *args), N


def _logsumexp(side):
    sm = example("softmax")
    fn = jit_for(side, **sm.LSE_OPTIONS)(sm.logsumexp_rows)
    x = sm.inputs(1024, 1024)
    out = np.empty(1024, np.float32)
    return lambda: fn(x, out), x.size


def _softmax(side):
    sm = example("softmax")
    fn = jit_for(side)(sm.softmax_rows)
    x = sm.inputs(1024, 1024)
    return lambda: fn(x), x.size


def _kde(side):
    kde = example("kde")
    fn = jit_for(side, **kde.OPTIONS)(kde.kde)
    samples, queries, h = kde.inputs(8192, 512)
    out = np.empty(queries.size, np.float32)
    return lambda: fn(samples, queries, h, out), samples.size * queries.size


EXAMPLES = {"black_scholes": _black_scholes, "logsumexp": _logsumexp, "softmax": _softmax, "kde": _kde}


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example(benchmark, name, side):
    call, n = compiled(("example", name, side), lambda: EXAMPLES[name](side))
    call()  # compile outside the timing
    benchmark.group = f"pass-example-{name}"
    benchmark.extra_info.update(function=name, n=n, side=side, kind="pass-example")
    benchmark(call)
