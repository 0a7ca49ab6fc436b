"""The ufunc loops' object-code cache (fastmath._objcache), in fresh processes: a loop is
compiled once, then loaded with no compilation and no Numba typing (its lowering modules stay
unimported), with the same bits; a damaged file is compiled again and replaced; and ufuncs
built without a Numba refresh still resolve inside @njit code compiled after them."""
import textwrap

from .test_import_forms import run_fresh

# test_loops' toy kernel (2x), its common path one ULP up, on |x| < 1.
RUN = '''
import ctypes, hashlib, sys
from fastmath import _loops
from tests.fastmath.test_loops import _is_small, _marked, _plain
loop = _loops.compile_loop(_plain, _marked, _is_small, cache_name="objcache_test",
                           options={"error_model": "numpy"})
x = np.linspace(-3, 3, 5000).astype(np.float32)
x[1234] = np.nan
y = np.empty_like(x)
pointer = ctypes.POINTER
call = ctypes.CFUNCTYPE(None, pointer(ctypes.c_void_p), pointer(ctypes.c_ssize_t), pointer(ctypes.c_ssize_t),
                        ctypes.c_void_p)(loop.address)
call((ctypes.c_void_p * 2)(x.ctypes.data, y.ctypes.data), (ctypes.c_ssize_t * 1)(x.size),
     (ctypes.c_ssize_t * 2)(4, 4), None)
twice = 2 * x  # the kernel's; the common path's one ULP up (on chunks of |x| < 1 only)
up = np.nextafter(twice, np.float32(np.inf))
assert ((y == twice) | (y == up) | np.isnan(x)).all() and (y == up).any() and np.isnan(y[1234])
print(type(loop).__name__, "numba.np.arraymath" in sys.modules, hashlib.sha256(y.tobytes()).hexdigest()[:12])
'''


def _run(cache):
    out = run_fresh(RUN, env={"NUMBA_CACHE_DIR": str(cache)})
    assert out.returncode == 0 and out.stdout.strip().endswith("OK"), out.stderr[-3000:]
    return out.stdout.split()[:3]


def test_a_loop_compiles_once_then_loads_without_numba_typing(tmp_path):
    cache = tmp_path / "cache"
    kind, typed, bits = _run(cache)
    assert kind == "CFunc"  # compiled: Numba's typing ran
    files = list(cache.rglob("fastmath-loop-*objcache_test*.nbo"))
    assert len(files) == 1 and files[0].stat().st_size > 0
    assert _run(cache) == ["CachedLoop", "False", bits]  # loaded: no typing, same bits
    files[0].write_bytes(files[0].read_bytes()[:100])  # a damaged file: compiled again, replaced
    assert _run(cache) == ["CFunc", "True", bits]
    assert _run(cache) == ["CachedLoop", "False", bits]
    assert not list(cache.rglob("*.tmp"))


def test_ufuncs_built_before_any_compilation_resolve_in_njit_code():
    out = run_fresh(textwrap.dedent("""
        import numba
        import fastmath
        x = np.linspace(0.5, 4.0, 100).astype(np.float32)
        y = fastmath.exp(x), fastmath.log(x)  # built (and loaded) before anything compiled

        @numba.njit
        def both(x):
            out = np.empty((2, x.size), x.dtype)
            for i in range(x.size):
                out[0, i] = fastmath.exp(x[i])
                out[1, i] = fastmath.log(x[i])
            return out

        z = both(x)
        assert np.array_equal(z[0], y[0]) and np.array_equal(z[1], y[1])
    """))
    assert out.returncode == 0 and out.stdout.strip().endswith("OK"), out.stderr[-3000:]
