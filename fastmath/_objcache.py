"""The ufunc loops' on-disk cache: a loop's machine code, loaded with no Numba typing.

Numba's own cache (``cfunc(cache=True)``) refreshes its typing and lowering registries before
it loads anything: 0.16 s of module imports in a fresh process, 40% of fastmath's start-up
with a warm cache, for a loop that needs no typing at all. Here a loop, once compiled, is
kept as the object code of its library (``serialize_using_object_code``, as Numba's cache
keeps it) and loaded into Numba's JIT (the CPU target's codegen, which knows Numba's C
helpers, once Numba's runtime (NRT) is initialised) without that refresh.

The key names everything the machine code depends on: the loop's name (its version,
function and kernel-source hash, ``_loops.module_loop``), the dtype and compile options, the
source of the runtime modules a loop is built from, the Numba and llvmlite versions, and the
codegen's target (triple, CPU, features). A file that cannot be read or loaded is compiled
again and replaced; writes are atomic (a temporary file renamed), so an interrupted run
leaves no half file. The directory is Numba's cache directory for ``fastmath/_loops.py``
(``NUMBA_CACHE_DIR`` if set, ``fastmath/__pycache__`` if writable, else Numba's per-user
one).
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1  # of the cache file: (FORMAT, key, library payload, wrapper symbol)
# The runtime modules a loop's machine code comes from, besides its kernel module (whose
# source hash is in the loop's name).
SOURCES = ("_loops.py", "_ops.py", "_objcache.py")


@dataclass(frozen=True)
class CachedLoop:
    """A loaded loop: the address of its C callback, and the library that holds the code
    (kept alive with it)."""

    address: int
    library: object


def load_or_compile(pyfunc, signature, options: dict, name: str, compile_cfunc):
    """The loop ``pyfunc`` (a ``_loops._loop`` instance named ``name``) as a C callback with
    ``.address``: loaded from the cache if there, else ``compile_cfunc()`` (a Numba cfunc)
    and its object code saved."""
    from numba.core.registry import cpu_target
    from numba.core.runtime import nrt

    context = cpu_target.target_context
    nrt.rtsys.initialize(context)  # (the code refers to NRT symbols; ~25 ms, once)
    codegen = context.codegen()
    key = _key(name, signature, options, codegen)
    path = _directory(pyfunc) / f"fastmath-loop-{name}-{key[:16]}.nbo"
    loaded = _load(path, key, codegen)
    if loaded is not None:
        return loaded
    cfunc = compile_cfunc()
    _save(path, key, cfunc._library.serialize_using_object_code(), cfunc.native_name)
    return cfunc


def _key(name: str, signature, options: dict, codegen) -> str:
    import llvmlite
    import numba

    parts = [str(FORMAT), name, str(signature), repr(sorted(options.items())), numba.__version__,
             llvmlite.__version__, repr(codegen.magic_tuple()), _sources_digest()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def _sources_digest() -> str:
    """The hash of SOURCES, read once per process (every loop's key holds it)."""
    here = Path(__file__).parent
    return hashlib.sha256("\0".join((here / source).read_text() for source in SOURCES).encode()).hexdigest()


_directories: dict[str, Path] = {}  # source file -> Numba's cache directory for it


def _directory(pyfunc) -> Path:
    """Numba's cache directory for the module that defines ``pyfunc``: one per source file
    (Numba's locator checks the directory is writable with a file of its own), found once."""
    from numba.core.caching import FunctionCache

    filename = pyfunc.__code__.co_filename
    if filename not in _directories:
        _directories[filename] = Path(FunctionCache(pyfunc)._cache_path)
    return _directories[filename]


def _load(path: Path, key: str, codegen) -> CachedLoop | None:
    try:
        with open(path, "rb") as file:
            form, stored_key, payload, wrapper = pickle.load(file)
        if form != FORMAT or stored_key != key:
            return None
        library = codegen.unserialize_library(payload)
        return CachedLoop(library.get_pointer_to_function(wrapper), library)
    except Exception:  # none yet, or a truncated or foreign file: compiled (again), and saved
        return None


def _save(path: Path, key: str, payload, wrapper: str) -> None:
    """Write atomically; a cache that cannot be written (read-only install) is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump((FORMAT, key, payload, wrapper), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
