"""float64 loops: the C library's double-precision functions (glibc: < 1 ULP of float64).

numpy's own float64 exp/log/sin may use SIMD code with up to ~1-4 ULP; these are at
least as accurate. One compiled wrapper per function of ``fastmath.contract``, made on
first use and cached on disk by Numba.
"""
from __future__ import annotations

import functools

import numba

from .contract import CONTRACTS


@functools.cache
def float64_kernel(function: str):
    """math.<function> on float64, compiled (the d->d loop of the ufunc; the exhaustive
    check's reference)."""
    libm = CONTRACTS[function].libm

    def kernel(x):
        return libm(x)
    kernel.__name__ = kernel.__qualname__ = f"{function}_f64"
    return numba.njit(error_model="numpy", cache=True)(kernel)
