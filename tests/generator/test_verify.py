import math

import numba
import numpy as np
import pytest

from fastmath import _kernels, _libm, _ufuncs
from fastmath._ops import bits_float, float_bits
from fastmath._loops import common_path_of
from fastmath._ufuncs import make_ufunc
from generator.verify import HALF, N_INPUTS, ulp_error, verify_function, verify_kernel

ONE = int(np.array([1.0], np.float32).view(np.uint32)[0])


def test_ulp_error_rules():
    inf, nan = math.inf, math.nan
    f = np.float32
    assert ulp_error(f(1.0), 1.0) == 0.0
    assert ulp_error(f(1.0), 1.0 + 2.0**-24) == 0.5  # ulp32 of 1 is 2^-23
    assert ulp_error(f(nan), nan) == 0.0
    assert ulp_error(f(1.0), nan) == inf and ulp_error(f(nan), 1.0) == inf
    assert ulp_error(f(inf), inf) == 0.0 and ulp_error(f(-inf), inf) == inf
    assert ulp_error(f(inf), 3.5e38) == 0.0  # overflow: rounds to inf
    assert ulp_error(f(inf), 3.3e38) == inf  # finite value: inf is wrong
    assert ulp_error(f(0.0), 0.0) == 0.0 and ulp_error(f(-0.0), 0.0) == inf  # sign of zero
    assert ulp_error(f(2.0**-149), 0.0) == 1.0
    assert ulp_error(f(0.0), 2.0**-150) == 0.5  # subnormal ulp is 2^-149


def test_ulp_error_is_exact_about_underflow_signs_and_overflow():
    inf, f = math.inf, np.float32
    assert ulp_error(f(-0.0), 1e-50) == inf  # an underflow keeps the exact value's sign
    assert ulp_error(f(0.0), -1e-50) == inf
    assert ulp_error(f(-0.0), -1e-50) < 1e-5 and ulp_error(f(0.0), 1e-50) < 1e-5
    flt_max = float(np.finfo(np.float32).max)
    assert ulp_error(f(flt_max), flt_max * (1 + 2.0**-23)) == inf  # rounds to inf: FLT_MAX is wrong
    assert ulp_error(f(flt_max), flt_max * (1 + 2.0**-25)) < 1.0  # rounds to FLT_MAX
    assert ulp_error(f(-inf), -flt_max * 1.01) == 0.0


@numba.njit(error_model="numpy")
def _broken_exp(x):
    """A wrong kernel: correct except 2 ULP off just above x = 1."""
    y = np.float32(np.exp(np.float64(x)))
    if 1.0 < x < 1.0001:
        y = bits_float(np.int32(float_bits(y) + 2))
    return y


def test_verify_finds_a_wrong_kernel():
    start = ONE - (1 << 16)
    check = verify_kernel("exp", _broken_exp, _libm.float64_kernel("exp"), "libm", block=1 << 17, start=start, stop=start + (1 << 18))
    assert not check.proves(1.0)
    assert 1.5 < check.max_ulp < 2.5
    assert check.count_at_least_one_ulp > 0
    assert 1.0 < float.fromhex(check.worst_input_value) < 1.0001
    assert check.inputs_checked == 2 * (1 << 18)  # x and -x


@numba.njit(error_model="numpy")
def _exp_underflowing_to_minus_zero(x):
    y = np.float32(np.exp(np.float64(x)))
    return np.float32(-0.0) if y == 0 else y


def test_verify_finds_an_underflow_to_minus_zero():
    start = int(np.array([103.0], np.float32).view(np.uint32)[0])  # -103 .. : results near and below 2^-149
    kernel = _exp_underflowing_to_minus_zero
    check = verify_function("exp", kernel, block=1 << 20, start=start, stop=start + (1 << 20))
    assert check.max_ulp == math.inf and check.count_at_least_one_ulp > 0
    assert any("breaks the bound" in p for p in check.problems(1.0))
    assert any("exp(-inf)" in f or "-110.0" in f for f in check.special_values["failures"])


def test_published_kernel_passes_a_partial_check_in_every_compilation():
    version = _kernels.current_version()
    kernel = _kernels.kernel_module("exp", version).exp_f32
    check = verify_function("exp", kernel, _ufuncs.build("exp", version), block=1 << 20,
                            start=0x42000000, stop=0x42000000 + (1 << 21))
    assert check.max_ulp < 1.0 and check.inputs_checked == 2 * (1 << 21)
    assert all(c["compared"] == check.inputs_checked and c["differ"] == 0 for c in check.compilations.values()), check.compilations
    has_common_path = common_path_of(kernel, "exp")[0] is not None
    assert set(check.compilations) == {"ufunc", "njit_vectorised", "njit_scalar"} | ({"common_path"} if has_common_path else set())
    assert check.monotonic["pairs"] > 0 and check.monotonic["violations"] == 0
    assert not check.special_values["failures"]
    assert check.problems(1.0) == [f"{check.inputs_checked} of 2^32 inputs checked"]  # partial: no proof


def test_verify_finds_a_broken_ufunc_build():
    """A ufunc whose f->f loop is another compilation than the kernel (here: one constant
    off in its last bit) is caught, although that kernel is itself within 1 ULP."""
    version = _kernels.current_version()
    kernel = _kernels.kernel_module("exp", version).exp_f32
    module = kernel.py_func.__globals__

    def other(x):
        return kernel(x) if x < np.float32(1.125) else np.float32(np.nextafter(kernel(x), np.float32(np.inf)))
    built = make_ufunc("exp", numba.njit(error_model="numpy")(other), _libm.float64_kernel("exp"), "")
    check = verify_function("exp", kernel, built, block=1 << 20, start=ONE, stop=ONE + (1 << 21))
    assert check.compilations["ufunc"]["differ"] > 0
    assert check.compilations["njit_vectorised"]["differ"] == 0
    assert any(p.startswith("ufunc:") for p in check.problems(1.0))
    assert module["PROVENANCE"]["function"] == "exp"


def test_verify_finds_broken_symmetry_and_monotonicity():
    @numba.njit(error_model="numpy")
    def lopsided_sin(x):  # sin, but one ULP up for some negative x: odd symmetry broken
        y = np.float32(np.sin(np.float64(x)))
        return bits_float(np.int32(float_bits(y) + 1)) if x < -1.25 and x > -1.2501 else y

    @numba.njit(error_model="numpy")
    def bumpy_exp(x):  # exp, but one ULP down at one input where exp(x) rounds to 1: a dip
        y = np.float32(np.exp(np.float64(x)))
        return bits_float(np.int32(float_bits(y) - 1)) if x == np.float32(1e-8) else y

    start = int(np.array([1.25], np.float32).view(np.uint32)[0]) - (1 << 15)
    sin_check = verify_function("sin", lopsided_sin, block=1 << 16, start=start, stop=start + (1 << 16))
    start = int(np.array([1e-8], np.float32).view(np.uint32)[0]) - (1 << 15)
    exp_check = verify_function("exp", bumpy_exp, block=1 << 16, start=start, stop=start + (1 << 16))
    assert sin_check.symmetry["violations"] > 0 and sin_check.max_ulp < 1.5
    assert exp_check.monotonic["violations"] >= 1 and exp_check.max_ulp < 1.5


def test_a_partial_range_is_validated():
    with pytest.raises(ValueError):
        verify_kernel("exp", _broken_exp, _libm.float64_kernel("exp"), "libm", start=0, stop=HALF + 1)
    assert N_INPUTS == 2 * HALF
