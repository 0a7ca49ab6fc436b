"""fastmath: float32 exp, log, sin and erf, discovered by evolution and proven < 1 ULP.

``fastmath.exp``, ``log``, ``sin`` and ``erf`` are numpy ufuncs, usable in place of
``numpy.exp`` etc. and inside ``@numba.njit`` code. They are built on first use (and
cached by Numba on disk), so ``import fastmath`` itself compiles nothing. Every way of naming
one gives the same ufunc: ``import fastmath.exp``, ``from fastmath import exp``,
``fastmath.exp``, also when the first use is inside ``@numba.njit`` code.

``fastmath.jit`` (one function) and ``fastmath.enable_numba()`` / ``disable_numba()`` /
``numba_enabled()`` (the whole process) make unchanged Numba code that calls ``math.exp``,
``np.exp`` etc. on float32 use the kernels (``fastmath.numba_pass``, imported on first use).
"""
from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec

from .contract import CONTRACTS, FUNCTIONS

_NUMBA_PASS_API = ("jit", "enable_numba", "disable_numba", "numba_enabled")
__all__ = list(FUNCTIONS) + list(_NUMBA_PASS_API) + ["info", "kernel_version", "CONTRACTS"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Build a function on first access; it then lives in the module's globals, so this
    hook is not called for it again."""
    if name in FUNCTIONS:
        return _function(name)
    if name in _NUMBA_PASS_API:
        from . import _startup
        _startup.defer_numba_blas_check()  # (imports numba)
        from . import numba_pass
        return getattr(numba_pass, name)
    raise AttributeError(f"module 'fastmath' has no attribute {name!r}")


def _function(name: str):
    """The ufunc of one function of FUNCTIONS, built once per process.

    The lock is Numba's compiler lock, not a lock of our own: building compiles, so it takes
    that lock anyway, and a thread compiling @njit code that names ``fastmath.exp`` holds it
    while it gets here; a second lock taken before it could deadlock against that thread.
    """
    from . import _startup
    _startup.defer_numba_blas_check()  # (imports numba)
    from numba.core.compiler_lock import global_compiler_lock
    with global_compiler_lock:
        if name not in globals():  # another thread may have built it meanwhile
            from . import _ufuncs
            ufunc = _ufuncs.build(name)
            _refresh_numba()
            globals()[name] = ufunc
        return globals()[name]


def _refresh_numba():
    """Make Numba's typing and target contexts see the ``@overload`` the build just registered.

    They take in new registrations only when refreshed, which Numba does at the start of each
    compilation. ``fastmath.exp(x)`` inside @njit code is resolved by a getattr on this module
    while Numba types the caller, so a function first built then would be registered too late
    for that compilation ("Unknown attribute 'exp' of type Module(fastmath)"). Refreshing is
    cheap (only new registrations are installed) and also what Numba does itself mid-typing.
    The njit, vectorize and ufunc-builder targets all share the CPU target's contexts.
    Before Numba's first refresh (nothing compiled yet in this process) there is nothing to
    do: that refresh, when a compilation starts, installs every registration, ours included;
    and it imports Numba's lowering modules, 0.15 s that a user of the ufuncs alone never
    needs.
    """
    from numba.core.registry import cpu_target
    if cpu_target.target_context._registries or cpu_target.typing_context._registries:
        cpu_target.target_context.refresh()  # refreshes cpu_target.typing_context too


class _FunctionImporter:
    """Makes ``import fastmath.exp`` work: a meta-path finder and loader for exactly
    ``fastmath.<f>``, f in FUNCTIONS, whose entry in sys.modules (and so the attribute the
    import system sets on this package) is the ufunc itself, the object ``fastmath.exp`` is."""

    package = __name__

    def find_spec(self, fullname, path=None, target=None):
        parent, _, name = fullname.rpartition(".")
        if parent != self.package or name not in FUNCTIONS:
            return None
        return ModuleSpec(fullname, self)

    def create_module(self, spec):
        return None  # a placeholder module, replaced in sys.modules by exec_module

    def exec_module(self, module):
        # the import system returns (and binds on the parent) whatever sys.modules then holds
        name = module.__name__
        sys.modules[name] = _function(name.rpartition(".")[2])


if not any(getattr(finder, "package", None) == __name__ and type(finder).__name__ == "_FunctionImporter"
           for finder in sys.meta_path):  # importlib.reload(fastmath) must not add a second one
    sys.meta_path.insert(0, _FunctionImporter())


def _bind_numpy_loops():
    """Name numpy's float64 loops for compiled code (``_numpy_loops.register_symbols``), before
    Numba may load cached @njit code that calls them: that code imported this module first."""
    from ._numpy_loops import register_symbols
    register_symbols()


_bind_numpy_loops()


def __dir__():
    return sorted(set(globals()) | set(FUNCTIONS) | set(_NUMBA_PASS_API))


def kernel_version() -> str:
    """The generated kernel version in use (generated/CURRENT, or $FASTMATH_KERNELS)."""
    from . import _kernels
    return _kernels.current_version()


def info(function: str) -> dict:
    """The manifest entry of one function in the kernel version in use: provenance, the core
    programs, the exhaustive verification result and the measured speed (and under
    ``float64``, those of its float64 kernel, where the version ships one: sampled); and
    ``loops``: who computes each dtype's loop (a fastmath kernel, the C library, or numpy's own)."""
    if function not in FUNCTIONS:
        raise ValueError(f"fastmath.info: unknown function {function!r}; expected one of {', '.join(FUNCTIONS)}")
    from . import _kernels
    m = _kernels.manifest()
    return {"version": m["version"], "seed": m["seed"], "generator_commit": m["generator_commit"],
            **m["functions"][function],
            "loops": CONTRACTS[function].loop_sources(_kernels.float64_module(function) is not None)}
