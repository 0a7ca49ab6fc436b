"""Start-up (fastmath._startup): using fastmath does not import SciPy's linalg, and @njit code
that needs a BLAS still finds it. In a fresh interpreter: once anything has compiled or loaded
in this test process, Numba's BLAS check has run."""
from .test_import_forms import run_fresh


def test_first_use_leaves_scipy_linalg_unimported_and_blas_working():
    out = run_fresh("""
        import numba
        import fastmath
        assert fastmath.exp(np.ones(3, np.float32))[0] == np.float32(np.e)
        # (numba.np.arraymath, the module whose import-time check is deferred, is imported by a
        # first use that compiles; one that loads cached loops does not import it at all)
        assert "scipy.linalg" not in sys.modules, "fastmath's first use imported scipy.linalg"
        import numba.np.arraymath as arraymath
        assert "scipy.linalg" not in sys.modules, "importing numba.np.arraymath imported scipy.linalg"
        assert arraymath._HAVE_BLAS  # SciPy's linalg is installed: the deferred answer is yes

        @numba.njit
        def dot(a, b):
            return np.dot(a, b)

        @numba.njit
        def correlate(a, b):  # the one user of the import-time answer
            return np.correlate(a, b)

        assert dot(np.arange(3.0), np.arange(3.0)) == 5.0
        assert "scipy.linalg" in sys.modules  # Numba's own check, when BLAS code compiles
        assert np.array_equal(correlate(np.ones(5), np.ones(3)), np.full(3, 3.0))
    """)
    assert out.returncode == 0 and out.stdout.strip().endswith("OK"), out.stderr[-3000:]
