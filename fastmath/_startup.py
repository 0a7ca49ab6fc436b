"""What fastmath does before Numba loads its first compiled function: start-up cost only.

Numba's ``numba.np.arraymath``, imported when the first compiled function is loaded, asks
at import whether a BLAS is there (for ``np.dot`` and friends in @njit code) by importing
``scipy.linalg.cython_blas``: 0.13-0.16 s here, a third of fastmath's start-up, for code
fastmath never runs. ``defer_numba_blas_check`` answers that one import-time question by
whether SciPy's ``linalg`` can be found, without importing it; every later check (when @njit
code using BLAS compiles) is Numba's own, which imports it.
"""
from __future__ import annotations

import functools
import importlib.util
import sys


@functools.cache
def defer_numba_blas_check() -> None:
    """Install the deferred check if ``numba.np.arraymath`` is not imported yet and Numba's
    layout is the one known (``numba.np.linalg.ensure_blas``); otherwise change nothing."""
    if "numba.np.arraymath" in sys.modules:
        return
    try:
        from numba.np import linalg
        original = linalg.ensure_blas
    except (ImportError, AttributeError):
        return
    answered = []

    def ensure_blas():
        if answered:  # (arraymath keeps this function: its later calls are Numba's check)
            return original()
        answered.append(True)
        linalg.ensure_blas = original
        if importlib.util.find_spec("scipy") is None or importlib.util.find_spec("scipy.linalg") is None:
            raise ImportError("scipy 0.16+ is required for linear algebra")

    linalg.ensure_blas = ensure_blas
