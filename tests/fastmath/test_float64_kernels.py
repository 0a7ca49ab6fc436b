"""float64 through fastmath's own float64 kernels (sin and cos from v13, erf from v14, exp from v16): the ufunc's d->d
loop (blocks, common path), @njit calls and the Numba pass all run the same kernel, bit for
bit, with numpy's behaviour for layouts, out=, where=, special values and flags. Where the
contract gives the ufunc's float64 loop to the peer (``ufunc64 == "peer"``: exp), the ufunc and
@njit array calls run numpy's own loop, @njit scalar code the kernel; the kernel's loop is
tested here on a ufunc built over it (``kernel_ufunc``)."""
import math
import warnings

import numba
import numpy as np
import pytest

import fastmath
from fastmath import _kernels, numba_pass
from fastmath._ufuncs import float64_kernel_ufunc
from fastmath.contract import CONTRACTS, FUNCTIONS

WITH_KERNEL = [f for f in FUNCTIONS if _kernels.float64_module(f) is not None]


def kernel_ufunc(function):
    """A ufunc whose d->d loop is the float64 kernel's block loop: fastmath's own where the
    contract says so, else one made the same way (what ``ufunc64 = "kernel"`` would ship)."""
    if CONTRACTS[function].float64_loop(True) == "kernel":
        return getattr(fastmath, function)
    return float64_kernel_ufunc(function)


def peer(function):
    """What users call instead (numpy.sin, scipy.special.erf)."""
    return CONTRACTS[function].peer_function()


def kernel64(function):
    return getattr(_kernels.float64_module(function), f"{function}_f64")


def one_by_one(function, x):
    k = kernel64(function)
    with np.errstate(all="ignore"):
        return np.array([k(float(v)) for v in np.ravel(x)]).reshape(np.shape(x))


def bits(a):
    a = np.asarray(a, np.float64)
    return np.where(np.isnan(a), np.nan, a).view(np.int64)  # NaN payloads aside


def mixed(n, seed=0):
    """Ordinary values with large ones, ±inf, NaN, ±0, tiny and subnormal ones sprinkled in
    (blocks then take the full kernel, others the common path)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-50, 50, n)
    specials = [1e10, -3e300, np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-310, -2.0**-30, 2.0**28, 709.9, -720.0]
    where = rng.integers(0, n, n // 50)
    x[where] = rng.choice(specials, where.size)
    return x


def test_the_version_ships_float64_kernels():
    assert {"sin", "cos"} <= set(WITH_KERNEL)
    for f in WITH_KERNEL:
        entry = _kernels.manifest()["functions"][f]["float64"]
        assert entry["verification"]["max_ulp"] < 1 and "sampled" in entry["verification"]["method"]


@pytest.mark.parametrize("function", WITH_KERNEL)
@pytest.mark.parametrize("n", [0, 1, 7, 64, 513, 1024, 1025, 5000])
def test_ufunc_float64_runs_the_kernel_in_every_layout(function, n):
    f = kernel_ufunc(function)
    x = mixed(n, seed=n)
    expected = one_by_one(function, x)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(bits(f(x)), bits(expected))  # contiguous
        np.testing.assert_array_equal(bits(f(x[::-2])), bits(expected[::-2]))  # strided, negative step
        y = x.copy()
        f(y, out=y)  # in place
        np.testing.assert_array_equal(bits(y), bits(expected))
        out = np.full(n, 7.0)
        mask = np.arange(n) % 3 == 0
        f(x, out=out, where=mask)
        np.testing.assert_array_equal(bits(out[mask]), bits(expected[mask]))
        assert np.all(out[~mask] == 7.0)
        m = np.resize(x, (2, 3 * max(n, 1)))[:, ::3]  # 2-D, not contiguous
        np.testing.assert_array_equal(bits(f(m)), bits(one_by_one(function, m)))
        assert f(x).dtype == np.float64


@pytest.mark.parametrize("function", WITH_KERNEL)
def test_integers_and_python_floats_take_the_float64_kernel(function):
    f = kernel_ufunc(function)
    ints = np.arange(-20, 20)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), log(-1)
        np.testing.assert_array_equal(bits(f(ints)), bits(one_by_one(function, ints.astype(np.float64))))
    assert f(2.5) == kernel64(function)(2.5) and isinstance(f(2.5), np.float64)


@pytest.mark.parametrize("function", WITH_KERNEL)
def test_special_values_and_flags_are_numpys(function):
    """Results as the peer's, flags as numpy's loop or, for erf, the C library's (SciPy clears
    the flags its loops raise), at 1 element and in vectorised blocks (64)."""
    for f in {getattr(fastmath, function), kernel_ufunc(function)}:
        _check_special_values_and_flags(function, f)


def _check_special_values_and_flags(function, f):
    from generator.verify64 import flag_reference
    theirs_f, flags_f = peer(function), flag_reference(function)
    for x in (0.0, -0.0, 5e-324, -5e-324, 1e-310, 2.225073858507201e-308, np.inf, -np.inf, np.nan):
        with np.errstate(all="ignore"):
            ours, theirs = f(np.array([x]))[0], theirs_f(np.array([x]))[0]
        assert (math.isnan(ours) and math.isnan(theirs)) or (ours == theirs and math.copysign(1, ours) == math.copysign(1, theirs)), x
        for kind in ("invalid", "under", "over", "divide"):
            for n in (1, 64):
                raised = []
                for g in (f, flags_f):
                    try:
                        with np.errstate(all="ignore", **{kind: "raise"}):
                            g(np.full(n, x))
                        raised.append(False)
                    except FloatingPointError:
                        raised.append(True)
                assert raised[0] == raised[1], (function, x, kind, n)
    warned = []
    for g in (f, flags_f):  # numpy's warning where the reference warns (sin(inf)), none where not (erf(inf))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            g(np.array([np.inf, 1.0]))
        warned.append(any("invalid value" in str(w.message) for w in caught))
    assert warned[0] == warned[1] and warned[0] == (function in ("sin", "cos"))


@pytest.mark.parametrize("function", WITH_KERNEL)
def test_njit_calls_run_the_same_kernel(function):
    """Scalar calls run the kernel, array calls the ufunc's own float64 loop (the kernel's, or
    numpy's where the ufunc borrows it)."""
    f = getattr(fastmath, function)
    x = mixed(3000, seed=9)

    @numba.njit
    def scalar_loop(x, out):
        for i in range(x.size):
            out[i] = f(x[i])

    @numba.njit
    def array_call(x):
        return f(x)

    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        scalar_loop(x, out)
        expected = f(x)
        np.testing.assert_array_equal(bits(out), bits(one_by_one(function, x)))
        np.testing.assert_array_equal(bits(array_call(x)), bits(expected))
        np.testing.assert_array_equal(bits(array_call(x[::2])), bits(expected[::2]))


@pytest.mark.parametrize("function", WITH_KERNEL)
def test_numba_pass_rewrites_float64_and_keeps_it(function):
    """math.sin / np.sin on float64 in unchanged @njit code run the float64 kernel in a
    vectorised loop and an in-order sum, the ufunc's float64 loop in an array call, none left
    to plain Numba (these loops vectorise)."""
    import math as m
    fm, fn = getattr(m, function), peer(function)  # (np.sin; scipy.special.erf)

    def loop(x, out):
        for i in range(x.size):
            out[i] = fm(x[i])

    def total(x):
        s = 0.0
        for i in range(x.size):
            s += fn(x[i])
        return s

    def array(x):
        return fn(x)

    x = mixed(2000, seed=4)
    x = x[np.isfinite(x)]
    if function == "log":  # its domain, so that the in-order sum is a number, not NaN
        x = np.abs(x)
    with np.errstate(all="ignore"):
        expected = one_by_one(function, x)
        jl, jt, ja = fastmath.jit(loop), fastmath.jit(total), fastmath.jit(array)
        out = np.empty_like(x)
        jl(x, out)
        np.testing.assert_array_equal(bits(out), bits(expected))
        np.testing.assert_array_equal(bits(ja(x)), bits(getattr(fastmath, function)(x)))
        s = 0.0
        for v in expected:
            s += v
        assert jt(x) == s
    assert numba_pass.left_to_numba(jl) == () and numba_pass.left_to_numba(jt) == ()


def early_exit(f):
    """A loop of f LLVM cannot vectorise (an early exit): the kernel stays scalar."""
    def loop(x, out):
        for i in range(x.size):
            v = f(x[i])
            if v != v:
                return i
            out[i] = v
        return -1
    return loop


@pytest.mark.parametrize("function", [f for f in ("exp", "log") if f in WITH_KERNEL])
def test_float64_kernels_left_scalar_follow_the_contract(function):
    """A float64 kernel LLVM leaves scalar goes back to the C library where its contract says
    so (``scalar64 == "libm"``: exp and log, slower than glibc's there), and stays where not
    (sin, faster than glibc's sin there)."""
    assert CONTRACTS[function].scalar64 == "libm" and CONTRACTS["sin"].scalar64 == "kernel"
    x = np.random.default_rng(3).uniform(-80, 80, 3000)
    libm = getattr(math, function)
    passed, plain = fastmath.jit(early_exit(libm)), numba.njit(early_exit(libm))
    a, b = np.full_like(x, 7.0), np.full_like(x, 7.0)
    with np.errstate(all="ignore"):
        assert passed(x, a) == plain(x, b)
    assert numba_pass.left_to_numba(passed) == (function,)
    np.testing.assert_array_equal(bits(a), bits(b))  # plain Numba's code: the C library's
    kept = fastmath.jit(early_exit(math.sin))
    kept(x, a)
    assert numba_pass.left_to_numba(kept) == ()
    np.testing.assert_array_equal(bits(a), bits(fastmath.sin(x)))


@pytest.mark.parametrize("function", WITH_KERNEL)
def test_float64_loops_vectorise_without_libm(function):
    """With the pass, a float64 loop of math.sin vectorises (its Payne-Hanek branch too: no
    call is left), where plain Numba calls the C library per element."""
    import math as m
    import re
    from .test_numba_pass import PACKED
    libm_call = re.compile(rf"[\s$]{function}\b")  # (movabsq $sin, %rax; not a mangled name)
    fm = getattr(m, function)

    def loop(x, out):
        for i in range(x.size):
            out[i] = fm(x[i])

    x = np.ones(64)
    plain, passed = numba.njit(loop), fastmath.jit(loop)
    plain(x, np.empty_like(x))
    passed(x, np.empty_like(x))
    assert libm_call.search(plain.inspect_asm(plain.signatures[0])), "plain Numba calls libm (the check can fail)"
    asm = passed.inspect_asm(passed.signatures[0])
    assert not libm_call.search(asm) and len(PACKED.findall(asm)) > 10


@pytest.mark.skipif("exp" not in WITH_KERNEL, reason="the version in use ships no float64 exp kernel")
def test_exp_rounds_subnormal_results_once():
    """Where e^x is subnormal (x in [-745.13, -708.40]) the kernel rounds once, at the grid of
    2^-1074: within 0.5 + 0.14 of that grid's unit (0.14: the kernel's error before its last
    rounding, relative to a result under 2^-1022; the sampled check's 0.632 ULP elsewhere).
    Rounding to float64 first and scaling after rounds twice in the top binade of the
    subnormals (x in [-709.09, -708.40]): up to 0.88, 0.745 seen there. Underflow is raised
    as numpy's exp raises it."""
    import mpmath
    x = np.concatenate([np.linspace(-745.13, -708.40, 4001), np.linspace(-709.09, -708.40, 4001),
                        -708.3964185322641 - np.arange(64) * 2.0**-44])
    exp = kernel_ufunc("exp")
    with np.errstate(under="ignore"):
        y = exp(x)
    with mpmath.workprec(200):
        worst = max(abs(mpmath.mpf(float(v)) - mpmath.exp(mpmath.mpf(float(u)))) * mpmath.mpf(2) ** 1074
                    for u, v in zip(x, y))
    assert worst <= 0.64, float(worst)
    for v in (-720.0, -745.2):
        for n in (1, 64):
            with np.errstate(under="raise"), pytest.raises(FloatingPointError):
                exp(np.full(n, v))
    with np.errstate(all="raise"):
        assert exp(np.full(64, -708.39))[0] > 2.0**-1022  # normal: no flag


@pytest.mark.parametrize("function", WITH_KERNEL)
@pytest.mark.parametrize("n", [13, 71, 1000, 1031, 3003])
def test_ufunc_float64_tails_give_the_kernel_bits(function, n):
    # Common inputs whose count leaves a tail (computed as one overlapping vector), then
    # special values in the tail.
    f = kernel_ufunc(function)
    x = np.random.default_rng(n).uniform(-3.0, 3.0, n)
    with np.errstate(invalid="ignore"):  # log of the negatives
        np.testing.assert_array_equal(bits(f(x)), bits(one_by_one(function, x)))
    x[-3:] = [np.nan, np.inf, 1e300]
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(bits(f(x)), bits(one_by_one(function, x)))
