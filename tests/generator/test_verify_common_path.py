"""verify's common-path check (a module of its own: the common path is found by name among
the kernel module's globals, ``exp_f32_common``, and these would be found by every exp kernel
defined here)."""
import numba
import numpy as np

from fastmath import _kernels, _libm
from fastmath._ufuncs import make_ufunc
from generator.verify import verify_function

ONE = int(np.array([1.0], np.float32).view(np.uint32)[0])


# A kernel module's common path (fastmath._loops), as the test module's own globals: the
# published exp, and a common path one ULP off for x > 1.25 (inside its range, x > 1).
_EXP = _kernels.kernel_module("exp", _kernels.current_version()).exp_f32


@numba.njit(error_model="numpy")
def _exp_with_common_path(x):
    return _EXP(x)


@numba.njit(error_model="numpy")
def exp_f32_common(x):
    y = _EXP(x)
    return np.float32(np.nextafter(y, np.float32(np.inf))) if x > np.float32(1.25) else y


@numba.njit(error_model="numpy")
def exp_f32_is_common(x):
    return x > np.float32(1.0)


def test_verify_finds_a_common_path_that_differs_from_its_kernel():
    """The common path is compared with the kernel on every input of its range: one off
    in its last bit for x > 1.25 is caught, although the kernel itself is within 1 ULP."""
    built = make_ufunc("exp", _exp_with_common_path, _libm.float64_kernel("exp"), "")
    check = verify_function("exp", _exp_with_common_path, built, block=1 << 20, start=ONE, stop=ONE + (1 << 22))
    common = check.compilations["common_path"]
    assert common["common_inputs"] == (1 << 22) - 1 and common["differ"] > 0  # x > 1: all positive x but 1
    assert common["first"] is not None and float(np.array([int(common["first"], 16)], np.uint32).view(np.float32)[0]) > 1.25
    assert check.compilations["ufunc"]["differ"] > 0  # the ufunc runs the common path on those blocks
    assert any(p.startswith("common_path:") for p in check.problems(1.0))


# The same for a wide path (named after the kernel's own function): one ULP off for x > 1.25.
@numba.njit(error_model="numpy")
def _exp_with_wide_path(x):
    return _EXP(x)


@numba.njit(error_model="numpy")
def _exp_with_wide_path_wide(x):
    return exp_f32_common(x)


@numba.njit(error_model="numpy")
def _exp_with_wide_path_is_wide(x):
    return x > np.float32(1.0)


def test_verify_finds_a_wide_path_that_differs_from_its_kernel():
    built = make_ufunc("exp", _exp_with_wide_path, _libm.float64_kernel("exp"), "")
    check = verify_function("exp", _exp_with_wide_path, built, block=1 << 20, start=ONE, stop=ONE + (1 << 22))
    wide = check.compilations["wide_path"]
    assert wide["common_inputs"] == (1 << 22) - 1 and wide["differ"] > 0
    assert float(np.array([int(wide["first"], 16)], np.uint32).view(np.float32)[0]) > 1.25
    assert any(problem.startswith("wide_path") for problem in check.problems(1.0))
