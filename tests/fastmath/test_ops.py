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
