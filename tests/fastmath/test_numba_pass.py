"""The Numba pass (fastmath.numba_pass): unchanged @njit code gets the kernels for float32.

The user functions below are written as a scientist would (math.exp, np.exp,
scipy.special.erf, from-imports), and compiled with fastmath.jit, with the process-wide
switch, and with plain numba.njit for comparison. Results must be bit-identical to the
fastmath ufuncs on float32 and to plain Numba on everything else.
"""
import math
import re
import subprocess
import sys
import textwrap
from math import exp as m_exp, log as m_log

import numba
import numpy as np
import pytest
import scipy.special
from numpy import cos as np_cos, sin as np_sin
from scipy.special import erf as sp_erf

import fastmath
from fastmath import _kernels, numba_pass
from fastmath.contract import FUNCTIONS

F32 = np.finfo(np.float32)
SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38,
     1.1754944e-38, F32.max, -F32.max, F32.tiny, 88.72283, 88.72284, -87.33654, -103.97208,
     -103.972084, 1e-30, 16777216.0, 1.6e33, 3.4e38, 3.9193, -3.9193, 1.0, -1.0, 0.5, 2.0],
    np.float32)


def bits(a):
    return np.asarray(a, np.float32).view(np.uint32)


@pytest.fixture(scope="module")
def sample():
    """2^20 random float32 bit patterns (all classes: NaNs, subnormals, ...) and special values."""
    rng = np.random.default_rng(20261125)
    x = rng.integers(0, 2**32, 2**20, dtype=np.uint64).astype(np.uint32).view(np.float32)
    return np.concatenate([x, SPECIALS])


@pytest.fixture(scope="module")
def expected(sample):
    with np.errstate(all="ignore"):
        return np.stack([getattr(fastmath, f)(sample) for f in FUNCTIONS])


# ---- User code, unchanged ---------------------------------------------------------------
def math_loop(x, out):
    for i in range(x.size):
        v = x[i]
        out[0, i] = math.exp(v)
        out[1, i] = math.log(v)
        out[2, i] = math.sin(v)
        out[3, i] = math.erf(v)
        out[4, i] = math.cos(v)


def numpy_scalar_loop(x, out):
    for i in range(x.size):
        v = x[i]
        out[0, i] = np.exp(v)
        out[1, i] = np.log(v)
        out[2, i] = np.sin(v)
        out[3, i] = scipy.special.erf(v)
        out[4, i] = np.cos(v)


def imported_names_loop(x, out):
    for i in numba.prange(x.size):
        v = x[i]
        out[0, i] = m_exp(v)
        out[1, i] = m_log(v)
        out[2, i] = np_sin(v)
        out[3, i] = sp_erf(v)
        out[4, i] = np_cos(v)


def array_exprs(x):
    return np.exp(x), np.log(x), np.sin(x), scipy.special.erf(x), np.cos(x)


def float64_code(x, n):
    # (log: test_float64_code_is_plain_numbas shows the pass a version without float64
    # kernels; the kernels themselves: tests/fastmath/test_float64_kernels.py)
    s = 0.0
    for i in range(n):
        s += math.log(x[i] + 1.0) + math.log(x[i]) * 2.0
    return np.log(x + 1.0) + np.log(x) * 2.0, s


def exp_loop(x, out):
    for i in range(x.size):
        out[i] = math.exp(x[i])


def log_loop(x, out):
    for i in range(x.size):
        out[i] = np.log(x[i])


def sin_loop(x, out):
    for i in range(x.size):
        out[i] = math.sin(x[i])


def erf_loop(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


def cos_loop(x, out):
    for i in range(x.size):
        out[i] = np.cos(x[i])


LOOPS = {"exp": exp_loop, "log": log_loop, "sin": sin_loop, "erf": erf_loop, "cos": cos_loop}


def run_rows(fn, x):
    out = np.empty((len(FUNCTIONS), x.size), np.float32)
    with np.errstate(all="ignore"):
        fn(x, out)
    return out


def assert_rows_identical(out, expected):
    for row, function in enumerate(FUNCTIONS):
        diff = np.flatnonzero(bits(out[row]) != bits(expected[row]))
        assert diff.size == 0, f"{function}: {diff.size} inputs differ from the ufunc, e.g. index {diff[:3]}"


# ---- Bit identity -----------------------------------------------------------------------
@pytest.mark.parametrize("code", [math_loop, numpy_scalar_loop], ids=["math", "numpy+scipy"])
@pytest.mark.parametrize("options", [{}, {"fastmath": True}], ids=["default", "fastmath=True"])
def test_scalar_calls_bit_identical(sample, expected, code, options):
    assert_rows_identical(run_rows(fastmath.jit(**options)(code), sample), expected)


def test_plain_numba_differs_on_the_sample(sample, expected):
    """The sample tells libm from the kernels, so the identity tests can fail."""
    out = run_rows(numba.njit(math_loop), sample)
    for row, function in enumerate(FUNCTIONS):
        assert (bits(out[row]) != bits(expected[row])).sum() > 0, function


def test_imported_names_parallel_prange(sample, expected):
    fn = fastmath.jit(parallel=True)(imported_names_loop)
    assert_rows_identical(run_rows(fn, sample), expected)


@pytest.mark.parametrize("parallel", [False, True])
def test_array_expressions(sample, expected, parallel):
    fn = fastmath.jit(parallel=parallel)(array_exprs)
    x = sample[: 2**16 * 3].reshape(2**8 * 3, 2**8)
    with np.errstate(all="ignore"):
        results = fn(x)
        strided = fn(x[::2, 1::3])
        for row, function in enumerate(FUNCTIONS):
            assert results[row].dtype == np.float32 and results[row].shape == x.shape
            np.testing.assert_array_equal(bits(results[row]).ravel(), bits(expected[row][: x.size]))
            np.testing.assert_array_equal(bits(strided[row]), bits(getattr(fastmath, function)(x[::2, 1::3])))
    if parallel:  # each call became a parfor, as np.exp(x) does in plain Numba
        diagnostics = fn.get_metadata(fn.signatures[0])["parfor_diagnostics"]
        assert len(diagnostics.initial_parfors) == len(FUNCTIONS)


def test_parallel_array_expressions_fuse(sample):
    """With parallel=True, np.exp(x - m) * np.sin(x) is one parfor, as in plain Numba."""
    def shifted(x, m):
        return np.exp(x - m) * np.sin(x)

    fn = fastmath.jit(parallel=True)(shifted)
    x, m = sample[:4096], np.float32(1.5)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(bits(fn(x, m)), bits(fastmath.exp(x - m) * fastmath.sin(x)))
    diagnostics = fn.get_metadata(fn.signatures[0])["parfor_diagnostics"]
    assert len(diagnostics.initial_parfors) == 1  # sub, exp, sin and mul in one loop


# (as in plain Numba, a ufunc call with an explicit output does not become a parfor)
@pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaPerformanceWarning")
@pytest.mark.parametrize("parallel", [False, True])
def test_out_argument(parallel):
    @fastmath.jit(parallel=parallel)
    def exp_into(x, out):
        np.exp(x, out)
        return out

    x = np.linspace(-90, 90, 3000, dtype=np.float32).reshape(60, 50)
    with np.errstate(all="ignore"):
        expected = fastmath.exp(x)
        np.testing.assert_array_equal(bits(exp_into(x, np.empty_like(x))), bits(expected))
        out = np.zeros((60, 100), np.float32)
        exp_into(x, out[:, ::2])
    np.testing.assert_array_equal(bits(out[:, ::2]), bits(expected))
    np.testing.assert_array_equal(out[:, 1::2], 0)


# ---- Everything that is not float32 is plain Numba -------------------------------------
@pytest.mark.parametrize("switch", ["jit", "process-wide"])
def test_float64_code_is_plain_numbas(switch, monkeypatch):
    """float64 calls of functions without a float64 kernel: the same LLVM IR as plain Numba,
    up to the unique suffixes of symbol names. (Every function ships one since v20: the pass
    is shown a version without float64 kernels.)"""
    kernel = numba_pass._kernel
    monkeypatch.setattr(numba_pass, "_kernel", lambda f, dtype="float32": None if dtype == "float64" else kernel(f, dtype))
    x = np.linspace(0.1, 5, 257)
    plain = numba.njit(float64_code)
    if switch == "jit":
        passed = fastmath.jit(float64_code)
        a2, s2 = passed(x, 257)
    else:
        with fastmath.numba_enabled():
            passed = numba.njit(float64_code)
            a2, s2 = passed(x, 257)
    a1, s1 = plain(x, 257)
    np.testing.assert_array_equal(a1, a2)
    assert s1 == s2

    def normalise(llvm_ir):  # unique suffixes, addresses, and the lengths of strings holding them
        llvm_ir = re.sub(r"B\d+v\d+B", "B_v_B", llvm_ir)
        return re.sub(r"\[\d+ x i8\]", "[N x i8]", re.sub(r"0x[0-9a-f]+", "ADDR", llvm_ir))

    ir_plain = normalise(plain.inspect_llvm(plain.signatures[0]))
    ir_passed = normalise(passed.inspect_llvm(passed.signatures[0]))
    assert ir_plain == ir_passed
    assert not re.search(r"(exp|log|sin|erf|cos)_f(32|64)|fastmath_(math|ufunc)_", ir_passed)  # no kernel, no dispatch


@pytest.mark.parametrize("value", [np.int64(3), np.int16(2), 1 + 2j, np.arange(5), np.arange(5, dtype=np.int16)],
                         ids=["int64", "int16", "complex", "int64[:]", "int16[:]"])
def test_other_types_follow_plain_numba(value):
    def f(x):  # (types without a kernel; float64 has one since v20: test_float64_kernels.py)
        return np.log(x + 2), np.log(x + 1), np.log(x * 2 + 3)

    with np.errstate(all="ignore"):
        expected, got = numba.njit(f)(value), fastmath.jit(f)(value)
    for e, g in zip(expected, got):
        assert np.asarray(e).dtype == np.asarray(g).dtype
        np.testing.assert_array_equal(e, g)


def test_scipy_erf_runs_the_kernels_and_beyond_them_is_a_typing_error_as_in_plain_numba():
    """Plain Numba cannot type scipy.special.erf (no numba-scipy); the pass gives it the
    float32 kernel, and the float64 one where the version ships it (v14), else the error."""
    def f(x):
        return scipy.special.erf(x)

    with pytest.raises(numba.core.errors.TypingError):
        numba.njit(f)(np.float32(0.5))
    assert fastmath.jit(f)(np.float32(0.5)) == fastmath.erf(np.float32(0.5))
    if _kernels.float64_module("erf") is not None:
        x = np.array([0.5, -1.2345, 3.0, 1e-300])
        assert [fastmath.jit(f)(v) for v in x] == fastmath.erf(x).tolist()
    else:
        with pytest.raises(numba.core.errors.TypingError, match="numba-scipy"):
            fastmath.jit(f)(0.5)


# ---- Vectorisation ----------------------------------------------------------------------
LIBM_CALL = re.compile(r"\b(expf|logf|sinf|erff|cosf)\b")
PACKED = re.compile(r"\bv\w+p[sd]\s+[^\n]*%[yz]mm")


def array_call(function):
    f = scipy.special.erf if function == "erf" else getattr(np, function)

    def call(x, out):
        out[:] = f(x)
    return call


@pytest.mark.parametrize("function", FUNCTIONS)
def test_array_calls_vectorise(function):
    x = np.ones(64, np.float32)
    fn = fastmath.jit(array_call(function))
    fn(x, np.empty_like(x))
    asm = fn.inspect_asm(fn.signatures[0])
    assert not LIBM_CALL.search(asm), f"{function}: a libm call remains"
    assert len(PACKED.findall(asm)) > 10, f"{function}: no packed SIMD arithmetic"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_loops_vectorise_without_libm(function):
    x = np.ones(64, np.float32)
    plain = numba.njit(LOOPS[function])
    with numba_pass.numba_enabled():
        passed = numba.njit(LOOPS[function])
        passed(x, np.empty_like(x))
    plain(x, np.empty_like(x))
    asm_plain = plain.inspect_asm(plain.signatures[0])
    asm = passed.inspect_asm(passed.signatures[0])
    assert LIBM_CALL.search(asm_plain), "plain Numba calls libm (the check can fail)"
    assert not LIBM_CALL.search(asm), f"{function}: a libm call remains"
    assert len(PACKED.findall(asm)) > 10, f"{function}: no packed SIMD arithmetic in the loop"


# ---- Switching on and off ----------------------------------------------------------------
def test_process_wide_switch_and_context_manager(sample, expected):
    x, want = sample[:4096], expected[0][:4096]
    libm = numba.njit(exp_loop)
    assert not numba_pass.is_enabled()
    fastmath.enable_numba()
    try:
        on = numba.njit(exp_loop)
        on(x, np.empty_like(x))  # compiled while enabled
    finally:
        fastmath.disable_numba()
    off = numba.njit(exp_loop)
    with fastmath.numba_enabled():
        with fastmath.numba_enabled():
            pass
        assert numba_pass.is_enabled()  # the inner block restored the outer state
        inside = numba.njit(exp_loop)
        inside(x, np.empty_like(x))
    assert not numba_pass.is_enabled()
    results = {}
    for name, fn in [("on", on), ("inside", inside), ("off", off), ("libm", libm)]:
        out = np.empty_like(x)
        with np.errstate(all="ignore"):
            fn(x, out)
        results[name] = bits(out)
    assert (results["on"] == bits(want)).all() and (results["inside"] == bits(want)).all()
    assert (results["off"] == results["libm"]).all() and (results["off"] != bits(want)).any()


def test_jit_with_signature_and_bad_option():
    f = fastmath.jit("float32(float32)")(lambda v: math.exp(v))
    assert f(np.float32(1.5)) == fastmath.exp(np.float32(1.5))
    assert len(f.signatures) == 1
    with pytest.raises(TypeError):
        f(1j)  # compilation is disabled after explicit signatures, as with njit
    with pytest.raises(TypeError, match="pipeline_class"):
        fastmath.jit(pipeline_class=object)


def test_vectorize_and_guvectorize(sample, expected):
    x = sample[:8192]
    with fastmath.numba_enabled():
        @numba.vectorize(["float32(float32)", "float64(float64)"])
        def v_exp(v):
            return math.exp(v)

        @numba.guvectorize(["void(float32[:], float32[:])"], "(n)->(n)")
        def g_sin(v, out):
            for i in range(v.size):
                out[i] = np.sin(v[i])

    @numba.vectorize(["float64(float64)"])
    def v_exp_plain(v):
        return math.exp(v)

    log_kernel = fastmath.jit(lambda v: math.log(v))

    @numba.vectorize(["float32(float32)"])
    def v_log_via_jit(v):  # a plain @vectorize calling a fastmath.jit function
        return log_kernel(v)

    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(bits(v_exp(x)), bits(expected[0][:8192]))
        np.testing.assert_array_equal(bits(v_log_via_jit(x)), bits(expected[1][:8192]))
        np.testing.assert_array_equal(bits(g_sin(x)), bits(expected[2][:8192]))
        x64 = x.astype(np.float64)
        np.testing.assert_array_equal(v_exp(x64), v_exp_plain(x64))


# ---- Processes: import cost, caching, the caller's fast-math flags on a cold cache -------
def run_python(code, cwd, env=None):
    import os
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_stays_cheap(tmp_path):
    out = run_python("""
        import sys, fastmath
        print('numba' in sys.modules)
        fastmath.enable_numba
        print('numba' in sys.modules)
    """, tmp_path)
    assert out.split() == ["False", "True"]


CACHED_MODULE = """
import math
import numpy as np

def exp_loop(x, out):
    for i in range(x.size):
        out[i] = math.exp(x[i])
"""

CACHE_RUN = """
import numba, numpy as np, fastmath, user_code
mode = "{mode}"
if mode == "jit":
    f = fastmath.jit(cache=True)(user_code.exp_loop)
elif mode == "global":
    fastmath.enable_numba()
    f = numba.njit(cache=True)(user_code.exp_loop)
else:
    f = numba.njit(cache=True)(user_code.exp_loop)
x = np.random.default_rng(3).integers(0, 2**32, 2**16, dtype=np.uint64).astype(np.uint32).view(np.float32)
out = np.empty_like(x)
with np.errstate(all="ignore"):
    f(x, out)
    kernel = fastmath.exp(x)
print((out.view(np.uint32) == kernel.view(np.uint32)).all(), sum(f.stats.cache_hits.values()))
"""


def test_cache_keeps_pass_and_plain_code_apart(tmp_path):
    (tmp_path / "user_code.py").write_text(CACHED_MODULE)
    runs = [("jit", "True 0"), ("plain", "False 0"), ("jit", "True 1"), ("plain", "False 1"),
            ("global", "True 1")]
    for mode, want in runs:
        assert run_python(CACHE_RUN.format(mode=mode), tmp_path) == want, mode


def test_callers_fastmath_flag_does_not_reach_cold_kernels(tmp_path):
    """On an empty cache the kernels are first compiled from inside a fastmath=True caller;
    a kernel that inherited the flag differs from the ufunc (sin did, on ~0.4% of inputs)."""
    out = run_python("""
        import math, numpy as np, fastmath
        @fastmath.jit(fastmath=True)
        def f(x, out):
            for i in range(x.size):
                out[0, i] = math.exp(x[i]); out[1, i] = math.log(x[i])
                out[2, i] = math.sin(x[i]); out[3, i] = math.erf(x[i]); out[4, i] = math.cos(x[i])
        x = np.random.default_rng(5).integers(0, 2**32, 2**20, dtype=np.uint64).astype(np.uint32).view(np.float32)
        out = np.empty((5, x.size), np.float32)
        with np.errstate(all="ignore"):
            f(x, out)
            print([int((out[r].view(np.uint32) != getattr(fastmath, n)(x).view(np.uint32)).sum())
                   for r, n in enumerate(["exp", "log", "sin", "erf", "cos"])])
    """, tmp_path, env={"NUMBA_CACHE_DIR": str(tmp_path / "cache")})
    assert out == "[0, 0, 0, 0, 0]"


# ---- Loops that LLVM does not vectorise by itself ------------------------------------------
def in_order_sum(x):
    s = np.float32(0)
    for i in range(x.size):
        s += math.exp(x[i]) + np.log(x[i]) + math.sin(x[i]) + math.cos(x[i]) + math.erf(x[i])
    return s


def test_in_order_sums_keep_their_order_and_vectorise(sample, expected):
    """s += f(x[i]) without fastmath=True: the sum has the sequential loop's bits (in order),
    and the loop is vectorised with the kernels inlined (the reduction stays in order)."""
    x = np.abs(sample[:1 << 14])
    x = x[np.isfinite(x) & (x < 80)]
    fn = fastmath.jit(in_order_sum)
    got = fn(x)
    with np.errstate(all="ignore"):
        values = [getattr(fastmath, f)(x) for f in ("exp", "log", "sin", "cos", "erf")]
    s = np.float32(0)
    for i in range(x.size):  # the sequential sum of the same kernel values, one float32 add at a time
        s = np.float32(s + np.float32(np.float32(np.float32(np.float32(values[0][i] + values[1][i]) + values[2][i])
                                                 + values[3][i]) + values[4][i]))
    assert np.float32(got).view(np.uint32) == s.view(np.uint32)
    asm = fn.inspect_asm(fn.signatures[0])
    assert not LIBM_CALL.search(asm) and len(PACKED.findall(asm)) > 10


# ---- Kernels LLVM leaves scalar go back to plain Numba ------------------------------------
def divide_loop(x, y, out):  # Numba's default error model: a zero check that raises stays in the loop
    for i in range(x.size):
        out[i] = math.exp(x[i]) / y[i]


def test_kernels_left_scalar_go_back_to_plain_numba(sample):
    x = sample[:4096]
    y = np.full_like(x, 1.5)
    with np.errstate(all="ignore"):
        passed, plain = fastmath.jit(divide_loop), numba.njit(divide_loop)
        a, b = np.empty_like(x), np.empty_like(x)
        passed(x, y, a), plain(x, y, b)
        assert numba_pass.left_to_numba(passed) == ("exp",)
        np.testing.assert_array_equal(bits(a), bits(b))  # plain Numba's code: the C library's expf
        with fastmath.numba_enabled():  # the process-wide switch does the same
            switched = numba.njit(divide_loop)
            switched(x, y, a)
        assert numba_pass.left_to_numba(switched) == ("exp",)
        np.testing.assert_array_equal(bits(a), bits(b))
        vectorised = fastmath.jit(error_model="numpy")(divide_loop)  # no zero check: LLVM vectorises
        vectorised(x, y, a)
        assert numba_pass.left_to_numba(vectorised) == ()
        np.testing.assert_array_equal(bits(a), bits(fastmath.exp(x) / y))


def test_scalar_only_kernels_reads_loops_and_vector_instructions():
    constant = sorted(numba_pass._own_constants("exp"))[0]

    def function(body, loop=True):
        back = "  br i1 %c, label %loop, label %exit" if loop else "  br label %exit"
        return f"define float @f(float %0) {{\nentry:\n  br label %loop\nloop:\n{body}\n{back}\nexit:\n  ret float %0\n}}"

    scalar = f"  %5 = fmul float %4, {constant}"
    vector = f"  %7 = fmul <16 x float> %6, splat (float {constant})"
    assert numba_pass.scalar_only_kernels(function(scalar), ("exp", "log")) == {"exp"}
    assert numba_pass.scalar_only_kernels(function(scalar + "\n" + vector), ("exp",)) == set()
    assert numba_pass.scalar_only_kernels(function(scalar, loop=False), ("exp",)) == set()  # not in a loop
    assert numba_pass.scalar_only_kernels(function("  %1 = fadd float %0, 1.0"), ("exp",)) == set()
