"""Every dtype numpy's ufunc takes: the same loop types, result dtypes and results.

float32 runs the kernel, float64 a float64 kernel (sin, cos, erf) or numpy's own loop (or the
C library); float16, longdouble and complex run numpy's own loops, so their results are
numpy's bit for bit. numpy's float16 loops are as accurate as the float32 kernel rounded to
float16 (checked here on all 2^16 inputs) and faster than running it.
"""
import math
import warnings

import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS

from .test_import_forms import run_fresh

HALF_FUNCTIONS = [f for f in FUNCTIONS if "e" in CONTRACTS[f].loops]
NUMPY_FUNCTIONS = [f for f in FUNCTIONS if CONTRACTS[f].peer.startswith("numpy.")]


def ulp16_error(y: float, e: float) -> float:
    """The contract's ULP rule for float16 (ulp16(e) = 2^(max(floor(log2|e|), -14) - 10))."""
    if math.isnan(e) or math.isnan(y):
        return 0.0 if math.isnan(e) and math.isnan(y) else math.inf
    if math.isinf(e):
        return 0.0 if y == e else math.inf
    with np.errstate(over="ignore"):
        rounded = float(np.float16(e)) if abs(e) < 1e6 else math.copysign(math.inf, e)
    if math.isinf(rounded):
        return 0.0 if y == rounded else math.inf
    if math.isinf(y):
        return math.inf
    if y == 0 and math.copysign(1, y) != math.copysign(1, e):
        return math.inf
    exponent = max(math.frexp(e)[1] - 1, -14) if e != 0 else -14
    return abs(y - e) / 2.0 ** (exponent - 10)


def _worst_float16(function, y, x):
    """(max ULP of float16, at which input) of results y on float16 inputs x."""
    libm = CONTRACTS[function].libm
    worst, at = 0.0, None
    for xi, yi in zip(x.astype(np.float64).tolist(), y.astype(np.float64).tolist()):
        try:
            e = libm(xi)
        except ValueError:  # math.log(0): -inf; math.log(-1), math.sin(inf): NaN
            e = -math.inf if (function == "log" and xi == 0) else math.nan
        except OverflowError:
            e = math.inf
        err = ulp16_error(yi, e)
        if err > worst:
            worst, at = err, xi
    return worst, at


@pytest.mark.parametrize("function", HALF_FUNCTIONS)
def test_float16_is_numpys_and_as_accurate_as_the_kernel_rounded_to_float16(function):
    """float16 runs numpy's own loop: on every float16 input within 0.001 ULP of correct
    rounding (numpy 2.4: exp 0.5003 at most), as is the float32 kernel rounded to float16,
    which ran at 0.56-0.92x numpy's speed (2026-12-02): a user gives up nothing."""
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    with np.errstate(all="ignore"):
        y = getattr(fastmath, function)(x)
        rounded = getattr(fastmath, function)(x.astype(np.float32)).astype(np.float16)
        np.testing.assert_array_equal(y.view(np.uint16), getattr(np, function)(x).view(np.uint16))
    assert y.dtype == np.float16
    for results in (y, rounded):
        worst, at = _worst_float16(function, results, x)
        assert worst < 0.501, (function, at, worst)


def test_float16_check_can_fail():
    assert ulp16_error(float(np.float16(1.0) + np.float16(2**-10)), 1.0) == 1.0
    assert ulp16_error(-0.0, 1e-9) == math.inf and ulp16_error(65504.0, 1e6) == math.inf


@pytest.mark.parametrize("function", NUMPY_FUNCTIONS)
def test_loop_types_and_result_dtypes_are_numpys(function):
    ours, theirs = getattr(fastmath, function), getattr(np, function)
    assert ours.types == [t for t in dict.fromkeys(theirs.types) if t != "O->O"]  # numpy's, deduplicated
    for dtype in (np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint64,
                  np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.clongdouble):
        x = np.array([0.25, 1, 2, 3], dtype)
        with np.errstate(all="ignore"):
            assert ours(x).dtype == theirs(x).dtype, dtype
            assert ours(x[0]).dtype == theirs(x[0]).dtype, dtype


@pytest.mark.parametrize("function", NUMPY_FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.longdouble, np.complex64, np.complex128, np.clongdouble])
def test_other_dtypes_give_numpys_results_bit_for_bit(function, dtype):
    rng = np.random.default_rng(3)
    x = rng.normal(scale=30, size=4096).astype(dtype)
    if np.iscomplexobj(x):
        x = x + 1j * rng.normal(scale=30, size=4096).astype(x.real.dtype)
    x[:8] = [0, -0.0, np.inf, -np.inf, np.nan, 1e-300, -1, 710]
    ours, theirs = getattr(fastmath, function), getattr(np, function)
    with np.errstate(all="ignore"):
        a, b = ours(x), theirs(x)
        a2, b2 = ours(x[::-3]), theirs(x[::-3])  # negative strides too
    assert a.dtype == b.dtype
    for ours_, theirs_ in ((a, b), (a2, b2)):  # values and signs (long double has padding bytes)
        for part in ((lambda v: v.real), (lambda v: v.imag)) if np.iscomplexobj(a) else ((lambda v: v),):
            np.testing.assert_array_equal(part(ours_), part(theirs_))
            np.testing.assert_array_equal(np.signbit(part(ours_)), np.signbit(part(theirs_)))


def test_other_dtypes_warn_and_raise_as_numpy():
    x = np.array([1e5], np.longdouble)
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn"):
        warnings.simplefilter("always")
        fastmath.exp(x)
    assert any("overflow" in str(w.message) for w in caught)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        fastmath.exp(np.float16(11.1))  # exp(11.1) > 65504: float16 overflows, as in numpy
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        np.exp(np.float16(11.1))


def test_erf_takes_scipys_dtypes():
    """scipy.special.erf's loop types in its order (int8 and float16 give float64, as SciPy);
    complex runs SciPy's own loops: its bits."""
    import scipy.special
    assert fastmath.erf.types == scipy.special.erf.types == ["d->d", "f->f", "D->D", "F->F"]
    assert fastmath.erf(np.int8(1)).dtype == np.float64 and fastmath.erf(np.float32(1)).dtype == np.float32
    assert fastmath.erf(np.float16(1)).dtype == np.float64
    z = np.random.default_rng(0).normal(size=(2, 300)).view(np.complex128)[0]
    for dtype in (np.complex128, np.complex64):
        got, expected = fastmath.erf(z.astype(dtype)), scipy.special.erf(z.astype(dtype))
        assert got.dtype == expected.dtype == dtype
        np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8))


def test_erf_leaves_scipy_unimported_until_a_complex_call():
    """SciPy's complex erf loops run through a callback that imports scipy.special on the first
    complex call (0.15-0.2 s), where it was not imported before fastmath.erf was built."""
    out = run_fresh("""
        import fastmath
        assert fastmath.erf(np.float32(0.5)) == fastmath.erf(np.ones(3, np.float32) / 2)[0]
        assert fastmath.erf(0.5) == fastmath.erf(np.full(3, 0.5))[0]
        assert "scipy.special" not in sys.modules, "fastmath.erf imported SciPy"
        z = np.array([0.5 + 0.5j, -2j, 3.0], np.complex128)
        got = fastmath.erf(z)
        import scipy.special
        assert np.array_equal(got, scipy.special.erf(z)) and got.dtype == np.complex128
    """)
    assert out.returncode == 0 and out.stdout.strip().endswith("OK"), out.stderr[-3000:]


def test_info_says_who_computes_each_loop():
    loops = fastmath.info("log")["loops"]
    assert loops["f->f"].startswith("fastmath kernel") and loops["D->D"] == "numpy.log"
    assert loops["e->e"] == "numpy.log" and loops["d->d"].startswith("numpy.log")
    for function in ("sin", "cos", "erf"):  # float64 kernels since v13 (erf: v14)
        assert fastmath.info(function)["loops"]["d->d"] == "fastmath float64 kernel"
        assert "sampled" in fastmath.info(function)["float64"]["verification"]["method"]
    # exp's and log's float64 kernels (v16, v20) ship for @njit code; the ufunc's d->d loop is numpy's own
    x = np.random.default_rng(0).integers(0, 1 << 64, 4096, dtype=np.uint64).view(np.float64)
    for function in ("exp", "log"):
        assert fastmath.info(function)["loops"]["d->d"] == f"numpy.{function} (its own float64 loop)"
        assert "sampled" in fastmath.info(function)["float64"]["verification"]["method"]
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(getattr(fastmath, function)(x).view(np.uint64),
                                          getattr(np, function)(x).view(np.uint64))


@pytest.mark.parametrize("dtype", [np.longdouble, np.float16])
def test_an_exception_in_an_early_chunk_is_still_reported(dtype):
    """numpy runs a cast input through a loop in buffered chunks and clears the FPU flags at
    every call it starts: an overflow in the first chunk must survive the later ones."""
    x = np.zeros(1 << 16)
    x[0] = 1e5 if dtype is np.longdouble else 12.0
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        fastmath.exp(x, dtype=dtype)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        fastmath.sin(np.array([np.inf] + [0.0] * 20000, dtype))
