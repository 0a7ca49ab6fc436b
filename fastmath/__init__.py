"""fastmath: float32 exp, log, sin and erf, discovered by evolution and proven < 1 ULP.

``fastmath.exp``, ``log``, ``sin`` and ``erf`` are numpy ufuncs, usable in place of
``numpy.exp`` etc. and inside ``@numba.njit`` code. They are built on first use (and
cached by Numba on disk), so ``import fastmath`` itself compiles nothing.

``fastmath.jit`` (one function) and ``fastmath.enable_numba()`` / ``disable_numba()`` /
``numba_enabled()`` (the whole process) make unchanged Numba code that calls ``math.exp``,
``np.exp`` etc. on float32 use the kernels (``fastmath.numba_pass``, imported on first use).
"""
from __future__ import annotations

import threading

from .contract import CONTRACTS, FUNCTIONS

_NUMBA_PASS_API = ("jit", "enable_numba", "disable_numba", "numba_enabled")
__all__ = list(FUNCTIONS) + list(_NUMBA_PASS_API) + ["info", "kernel_version", "CONTRACTS"]
__version__ = "0.1.0"

_lock = threading.Lock()


def __getattr__(name: str):
    """Build a function on first access; it then lives in the module's globals, so this
    hook is not called for it again."""
    if name in FUNCTIONS:
        with _lock:
            if name not in globals():  # another thread may have built it meanwhile
                from . import _ufuncs
                globals()[name] = _ufuncs.build(name)
            return globals()[name]
    if name in _NUMBA_PASS_API:
        from . import numba_pass  # imports numba
        return getattr(numba_pass, name)
    raise AttributeError(f"module 'fastmath' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(FUNCTIONS) | set(_NUMBA_PASS_API))


def kernel_version() -> str:
    """The generated kernel version in use (generated/CURRENT, or $FASTMATH_KERNELS)."""
    from . import _kernels
    return _kernels.current_version()


def info(function: str) -> dict:
    """The manifest entry of one function in the kernel version in use: provenance, the core
    programs, the exhaustive verification result and the measured speed."""
    if function not in FUNCTIONS:
        raise ValueError(f"fastmath.info: unknown function {function!r}; expected one of {', '.join(FUNCTIONS)}")
    from . import _kernels
    m = _kernels.manifest()
    return {"version": m["version"], "seed": m["seed"], "generator_commit": m["generator_commit"],
            **m["functions"][function]}
