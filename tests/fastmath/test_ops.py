"""The int32 intrinsics of fastmath._ops (fma and the bit casts are covered by the kernel tests)."""
import numba
import numpy as np
from hypothesis import given, settings, strategies as st

from fastmath._ops import add_i32, sar_i32, shl_i32, sub_i32

int32s = st.integers(-2**31, 2**31 - 1)


@numba.njit
def _int32_ops(a, b, n):
    a, b, n = np.int32(a), np.int32(b), np.int32(n)
    return add_i32(a, b), sub_i32(a, b), shl_i32(a, n), sar_i32(a, n)


def _wrap(v: int) -> int:
    return (v + 2**31) % 2**32 - 2**31


@settings(deadline=None)  # the first example compiles
@given(int32s, int32s, st.integers(0, 31))
def test_int32_ops_are_c_int32_arithmetic(a, b, n):
    assert _int32_ops(a, b, n) == (_wrap(a + b), _wrap(a - b), _wrap(a << n), a >> n)


def test_int32_ops_stay_int32():
    """The point of them: Numba widens int32 + int32 to int64; these do not."""
    _int32_ops(1, 2, 3)
    assert _int32_ops.nopython_signatures[0].return_type == numba.types.UniTuple(numba.types.int32, 4)


def test_ldexp_is_one_rounding_and_the_same_on_every_target():
    """ldexp (vscalefps on AVX-512) and the two-multiply code other CPUs get give the same bits
    as an exact scaling rounded once, subnormal and overflowing results included."""
    from fastmath._ops import ldexp, ldexp_by_multiplies

    @numba.njit(error_model="numpy")
    def both(y, k, a, b):
        for i in range(y.size):
            a[i] = ldexp(y[i], k[i])
            b[i] = ldexp_by_multiplies(y[i], k[i])

    rng = np.random.default_rng(11)
    for dtype, kmax in ((np.float32, 252), (np.float64, 2044)):
        y = rng.uniform(0.5, 2.0, 1 << 16).astype(dtype)
        k = rng.integers(-kmax, kmax + 1, y.size).astype(np.int32)
        k[:4096] = rng.integers(-200 if dtype is np.float32 else -1100, -120 if dtype is np.float32 else -1000, 4096)
        a, b = np.empty_like(y), np.empty_like(y)
        with np.errstate(all="ignore"):
            both(y, k, a, b)
            exact = np.ldexp(y.astype(np.longdouble), k).astype(dtype)  # long double: exact, one rounding to dtype
        uint = np.uint32 if dtype is np.float32 else np.uint64
        np.testing.assert_array_equal(a.view(uint), exact.view(uint))
        np.testing.assert_array_equal(b.view(uint), exact.view(uint))
