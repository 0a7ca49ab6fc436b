"""The same ufunc objects inside @numba.njit: scalars and arrays, bit-identical, vectorised."""
import re

import numba
import numpy as np
import pytest

import fastmath
from fastmath import _kernels, _libm
from fastmath.contract import CONTRACTS, FUNCTIONS

SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754942e-38, 88.72284,
                     -103.97, 1e30, -3.4028235e38, 16777216.0, 3.9193, -1.0, 1.0], np.float32)


def inputs(function, n=20000, seed=1):
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([bits.view(np.float32), SPECIALS])


def njit_loop(f):
    """A user's loop calling f on each element."""
    @numba.njit
    def loop(x, out):
        for i in range(x.size):
            out[i] = f(x[i])
    return loop


@pytest.mark.parametrize("function", FUNCTIONS)
def test_scalar_calls_in_njit_bit_identical(function):
    f = getattr(fastmath, function)
    loop = njit_loop(f)
    x = inputs(function)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        loop(x, out)
        expected = f(x)
    np.testing.assert_array_equal(out.view(np.uint32), expected.view(np.uint32))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_array_calls_in_njit(function):
    f = getattr(fastmath, function)

    @numba.njit
    def apply(x):
        return f(x)

    x = inputs(function, 4096)[:4096].reshape(64, -1)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(apply(x).view(np.uint32), f(x).view(np.uint32))
        strided = x[:, ::3]
        np.testing.assert_array_equal(apply(strided).view(np.uint32), f(strided).view(np.uint32))
        x64 = x.astype(np.float64)
        if _kernels.float64_module(function) is not None:  # float64 kernel: the ufunc's bits
            np.testing.assert_array_equal(apply(x64).view(np.uint64), f(x64).view(np.uint64))
            return
        # float64 without a kernel runs the C library in @njit, as Numba's own np.exp does (the
        # ufunc runs numpy's float64 loop, which cannot be inlined): both < 1 ULP, a last place
        # apart at most
        libm = _libm.float64_kernel(function)
        np.testing.assert_array_equal(apply(x64), np.array([libm(v) for v in x64.ravel()]).reshape(x64.shape))
        np.testing.assert_array_max_ulp(apply(x64), f(x64), maxulp=1)


def test_scalar_types_in_njit_follow_numpy_resolution():
    f = fastmath.exp

    @numba.njit
    def call(x):
        return f(x)

    # (Numba boxes float32 results as Python floats, so the compiled return types are checked)
    assert call(np.float32(1.0)) == f(np.float32(1.0))
    assert call(1.0) == f(1.0)
    assert call(np.int16(2)) == f(np.int16(2))
    assert call(3) == f(np.int64(3))
    returns = {sig: call.overloads[sig].signature.return_type for sig in call.signatures}
    assert returns == {(numba.float32,): numba.float32, (numba.float64,): numba.float64,
                       (numba.int16,): numba.float32, (numba.int64,): numba.float64}


def test_unsupported_type_in_njit_is_a_typing_error():
    f = fastmath.erf  # (SciPy's erf has complex loops, fastmath's does not: neither has the ufunc)

    @numba.njit
    def call(x):
        return f(x)

    with pytest.raises(numba.core.errors.TypingError):
        call(1j)


@pytest.mark.parametrize("function", ["exp", "log", "sin", "cos"])
def test_complex_in_njit_is_numpys(function):
    # The ufunc runs numpy's own complex loop; in @njit code, Numba's np.<function>.
    f, peer = getattr(fastmath, function), getattr(np, function)

    @numba.njit
    def ours(x):
        return f(x)

    @numba.njit
    def numpys(x):
        return peer(x)

    z = np.random.default_rng(0).uniform(-3, 3, 16) + 1j * np.random.default_rng(1).uniform(-3, 3, 16)
    assert np.array_equal(ours(z), numpys(z)) and ours(1 + 2j) == numpys(1 + 2j)
    assert np.array_equal(ours(z.astype(np.complex64)), numpys(z.astype(np.complex64)))


def _out_cases(rng):
    """(input, out) pairs: float32, float64 and integer input, out of the same or another float
    dtype, C, Fortran and strided layouts, an input broadcast to out, a scalar input."""
    for dt_in, dt_out in ((np.float32, np.float32), (np.float64, np.float64), (np.float32, np.float64),
                          (np.float64, np.float32), (np.int64, np.float64), (np.int16, np.float32)):
        a = (rng.uniform(-4, 4, (4, 6)) * (10 if np.dtype(dt_in).kind == "i" else 1)).astype(dt_in)
        yield a, np.empty(a.shape, dt_out)
        yield np.asfortranarray(a), np.empty(a.shape, dt_out, order="F")
        yield a[:, ::2], np.empty((4, 6), dt_out)[:, ::2]
        yield a[0], np.empty((4, 6), dt_out)
        yield a.ravel()[0], np.empty(5, dt_out)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_out_argument_in_njit_gives_the_ufuncs_bits(function):
    # fastmath.exp(x, out) in @njit code, as np.exp(x, out) there: out filled and returned.
    f = getattr(fastmath, function)

    @numba.njit
    def call(x, out):
        return f(x, out)

    # (the ufunc's own loops in @njit too: numpy's float64 loop where the ufunc borrows it)
    with np.errstate(all="ignore"):
        for x, out in _out_cases(np.random.default_rng(2)):
            returned = call(x, out)
            expected = f(x, out=np.empty_like(out))
            assert returned is out or np.shares_memory(returned, out)
            assert np.array_equal(out.view(f"u{out.itemsize}"), expected.view(f"u{out.itemsize}")), (x.dtype, out.dtype)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_njit_loop_vectorises(function):
    """The kernel inlines into a user's loop and LLVM turns it into packed SIMD code."""
    loop = njit_loop(getattr(fastmath, function))
    x = np.ones(64, np.float32)
    loop(x, np.empty_like(x))
    asm = loop.inspect_asm(loop.signatures[0])
    packed = re.findall(r"\bv\w+p[sd]\s+[^\n]*%[xyz]mm", asm)
    assert len(packed) > 10, f"{function}: no packed SIMD arithmetic in the loop"
    assert not re.search(r"call[^\n]*(exp|log|sin|erf|cos)f?\b", asm), "a libm call remains in the loop"


def test_float16_in_njit_is_a_typing_error():
    """Numba has no float16 arithmetic: a clear TypingError (it was a NotImplementedError)."""
    @numba.njit
    def call(x):
        return fastmath.exp(x)

    with pytest.raises(numba.core.errors.TypingError):
        call(np.ones(4, np.float16))


def test_in_order_sum_of_a_direct_call_vectorises_and_keeps_its_order():
    """s += fastmath.exp(x[i]) in plain @njit code (no pass, no fastmath=True): LLVM's ordered
    reductions, on once a ufunc is built, vectorise the loop; the sum keeps the sequential bits."""
    f = fastmath.exp

    @numba.njit
    def total(x):
        s = np.float32(0)
        for i in range(x.size):
            s += f(x[i])
        return s

    x = np.random.default_rng(5).normal(size=5000).astype(np.float32)
    s = np.float32(0)
    for v in f(x):
        s = np.float32(s + v)
    assert np.float32(total(x)).view(np.uint32) == s.view(np.uint32)
    asm = total.inspect_asm(total.signatures[0])
    assert len(re.findall(r"\bv\w+ps\s+[^\n]*%zmm", asm)) > 10, "the loop was left scalar"


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_array_call_in_njit_runs_the_block_loop_not_an_array_expression(function, dtype):
    # Numba's array-expression rewrite would lower fastmath.exp(x) element by element (float64
    # exp: 5.9 ns per element, Numba's np.exp 4.2, the block loop 0.8); fastmath._array_calls
    # makes it a call of the ufunc's block loop. Expressions around it still fuse.
    f = getattr(fastmath, function)

    @numba.njit
    def call(x):
        return f(x)

    @numba.njit
    def expression(x):
        return f(x) * 2 + 1

    with np.errstate(all="ignore"):  # (signalling NaN bit patterns: invalid in the cast)
        x = inputs(function, 1000)[:1000].astype(dtype).reshape(10, 100)
        expected = f(x)
        got = call(x)
        scaled = expression(x)
    llvm = call.inspect_llvm(call.signatures[0])
    assert "__numba_array_expr" not in llvm
    float64_loop = CONTRACTS[function].float64_loop(_kernels.float64_module(function) is not None)
    if dtype == np.float64 and float64_loop == "peer":  # numpy's own loop, by its symbol
        assert f"fastmath_numpy_{function}_d" in llvm
    assert np.array_equal(got.view(f"u{x.itemsize}"), expected.view(f"u{x.itemsize}"))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(scaled, got * 2 + 1)


CACHED_CALLER = """
import numba, fastmath

@numba.njit(cache=True)
def through_numpys_loops(x):
    return fastmath.log(x) + fastmath.exp(x)
"""


def test_cached_njit_code_calling_numpys_float64_loops_loads_in_a_new_process(tmp_path):
    """A float64 array call runs numpy's own loop through a symbol that ``import fastmath``
    binds in every process (numpy's address differs): a cached caller loads and runs in a
    process that never built the ufuncs (unbound, the call would jump to address 0)."""
    from .test_import_forms import run_fresh
    (tmp_path / "cached_caller.py").write_text(CACHED_CALLER)
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
import cached_caller, fastmath
x = np.linspace(0.25, 5.0, 3001)
y = cached_caller.through_numpys_loops(x)
stats = cached_caller.through_numpys_loops.stats
print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), "log" in vars(fastmath),
      np.array_equal(y, np.log(x) + np.exp(x)))
"""
    runs = [run_fresh(code, env={"NUMBA_CACHE_DIR": str(tmp_path / "cache")}) for _ in range(2)]
    for out in runs:
        assert out.returncode == 0 and out.stdout.strip().endswith("OK"), out.stderr[-3000:]
    assert runs[0].stdout.split()[:4] == ["0", "1", "True", "True"]  # compiled (built the ufuncs)
    assert runs[1].stdout.split()[:4] == ["1", "0", "False", "True"]  # loaded; nothing built
