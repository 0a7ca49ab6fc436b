"""float64 loops: the C library's double-precision functions (glibc: < 1 ULP of float64).

numpy's own float64 exp/log/sin may use SIMD code with up to ~1-4 ULP; these are at
least as accurate. Faster float64 kernels are later work.
"""
import math

import numba


def _libm(fn):
    return numba.njit(error_model="numpy", cache=True)(fn)


@_libm
def exp_f64(x):
    return math.exp(x)


@_libm
def log_f64(x):
    return math.log(x)


@_libm
def sin_f64(x):
    return math.sin(x)


@_libm
def erf_f64(x):
    return math.erf(x)


FLOAT64 = {"exp": exp_f64, "log": log_f64, "sin": sin_f64, "erf": erf_f64}
