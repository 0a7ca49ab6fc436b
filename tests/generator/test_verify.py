import math

import numba
import numpy as np

from fastmath import _kernels, _libm
from fastmath._ops import bits_float, float_bits
from generator.verify import ulp_error, verify_kernel


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


@numba.njit(error_model="numpy")
def _broken_exp(x):
    """A wrong kernel: correct except 2 ULP off just above x = 1."""
    y = np.float32(np.exp(np.float64(x)))
    if 1.0 < x < 1.0001:
        y = bits_float(np.int32(float_bits(y) + 2))
    return y


def test_verify_finds_a_wrong_kernel():
    start = int(np.array([1.0], np.float32).view(np.uint32)[0]) - (1 << 16)
    check = verify_kernel("exp", _broken_exp, _libm.float64_kernel("exp"), "libm", block=1 << 17, start=start, stop=start + (1 << 18))
    assert not check.proves(1.0)
    assert 1.5 < check.max_ulp < 2.5
    assert check.count_at_least_one_ulp > 0
    assert 1.0 < float.fromhex(check.worst_input_value) < 1.0001


def test_published_kernel_passes_a_partial_check():
    kernel = _kernels.kernel_module("exp").exp_f32
    check = verify_kernel("exp", kernel, _libm.float64_kernel("exp"), "libm", block=1 << 20, start=0x42000000, stop=0x42000000 + (1 << 21))
    assert check.max_ulp < 1.0 and check.inputs_checked == 1 << 21
    assert not check.proves(1.0)  # a partial check never counts as a proof
