"""fastmath's functions are real numpy ufuncs that behave as numpy's do."""
import warnings

import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator.measure import peer


def sample(function, n=257, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.01, 4.0, n) if function == "log" else rng.uniform(-4.0, 4.0, n)
    return x.astype(dtype)


def test_is_a_real_ufunc(ufunc, function):
    assert isinstance(ufunc, np.ufunc)
    assert ufunc.__name__ == function
    assert ufunc.nin == 1 and ufunc.nout == 1
    assert ufunc.types == [f"{c}->{c}" for c in CONTRACTS[function].loops]
    assert "ULP" in ufunc.__doc__


def test_out_and_where(ufunc, function):
    x = sample(function)
    out = np.full_like(x, -7.0)
    mask = np.arange(x.size) % 3 == 0
    res = ufunc(x, out=out, where=mask)
    assert res is out
    np.testing.assert_array_equal(out[mask], ufunc(x)[mask])
    assert np.all(out[~mask] == -7.0)
    out2 = np.empty_like(x)
    assert ufunc(x, out=(out2,)) is out2


def test_broadcasting_and_shapes(ufunc, function):
    x = sample(function, 12).reshape(3, 4)
    assert ufunc(x).shape == (3, 4)
    col = sample(function, 3).reshape(3, 1)
    out = np.empty((3, 4), np.float32)
    ufunc(col, out=out)  # broadcasts (3, 1) into (3, 4)
    np.testing.assert_array_equal(out, np.broadcast_to(ufunc(col), (3, 4)))


def test_zero_dim_scalars_lists_empty(ufunc, function):
    v = np.float32(0.5)
    assert isinstance(ufunc(v), np.float32)
    assert ufunc(np.array(v)).shape == ()
    assert ufunc(np.array(v)) == ufunc(v)
    lst = ufunc([0.25, 0.5])
    assert lst.dtype == np.float64  # a Python float list is float64, as with numpy
    assert ufunc(np.empty(0, np.float32)).shape == (0,)
    assert ufunc(np.empty((0, 3), np.float32)).dtype == np.float32


def test_non_contiguous_views(ufunc, function):
    x = sample(function, 4000).reshape(40, 100)
    for view in (x[::3], x[:, ::7], x.T, x[::-1, 5:60:2]):
        np.testing.assert_array_equal(ufunc(view), ufunc(np.ascontiguousarray(view)))
    unaligned = np.frombuffer(b"\0" + x.tobytes(), dtype=np.float32, count=x.size, offset=1)
    np.testing.assert_array_equal(ufunc(unaligned), ufunc(x.ravel()))


def test_float32_results_match_kernel_loop_for_large_arrays(ufunc, function):
    # numpy splits big arrays into buffered chunks; the result must not depend on it
    x = sample(function, 100_003)
    y = ufunc(x)
    np.testing.assert_array_equal(y[:1000], ufunc(x[:1000]))
    np.testing.assert_array_equal(y[-1000:], ufunc(x[-1000:]))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint64])
def test_integer_input_types_as_numpy(ufunc, function, dtype):
    x = np.arange(1, 6).astype(dtype)
    y = ufunc(x)
    # numpy's type resolution over the peer's loop order: e.g. int8 -> float16 for numpy.exp,
    # int16 -> float32, wider -> float64; scipy.special.erf: every integer -> float64
    expected = peer(function)[1](x).dtype
    assert y.dtype == expected
    np.testing.assert_array_equal(y, ufunc(x.astype(expected)))


def test_dtype_argument(ufunc, function):
    x = sample(function, 64, np.float64)
    y = ufunc(x, dtype=np.float32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, ufunc(x.astype(np.float32)))
    with pytest.raises(TypeError):
        ufunc(x, out=np.empty(64, np.float32), casting="safe")  # float64 -> float32 is not safe


def test_float64_is_not_downcast(ufunc, function):
    """float64 runs in float64: the version's float64 kernel where it ships one, else the
    peer's own loop or the C library, as the contract says (their accuracy:
    tests/accuracy/test_float64.py)."""
    from fastmath import _kernels
    x = sample(function, 500, np.float64)
    y = ufunc(x)
    assert y.dtype == np.float64
    kernel64 = _kernels.kernel(function, "float64")
    if kernel64 is not None and CONTRACTS[function].float64_loop(True) == "kernel":
        ref = np.array([kernel64(v) for v in x])
    elif CONTRACTS[function].float64 == "peer":
        ref = CONTRACTS[function].peer_function()(x)
    else:
        ref = np.array([CONTRACTS[function].libm(v) for v in x])
    np.testing.assert_array_equal(y, ref)


def test_unsupported_types_raise_clear_type_error(ufunc, function):
    """Types without a loop (strings, objects; longdouble for erf, as SciPy's erf) raise
    numpy's TypeError; the others are in tests/fastmath/test_dtypes.py."""
    bad = [np.array([1 + 2j], np.complex64), np.array(["a"]), np.array([1.0], np.longdouble), np.array([1.0], object)]
    unsupported = [b for b in bad if b.dtype.char not in CONTRACTS[function].loops]
    assert len(unsupported) >= 2
    for b in unsupported:
        with pytest.raises(TypeError, match="not supported for the input types"):
            ufunc(b)


def test_float16_input_gives_the_peers_dtype(ufunc, function):
    x = sample(function, 16).astype(np.float16)
    y = ufunc(x)
    assert y.dtype == peer(function)[1](x).dtype  # float16 for numpy's functions, float64 for scipy's erf
    if y.dtype == np.float16:  # numpy's own float16 loop (test_dtypes: as accurate as the kernel rounded)
        np.testing.assert_array_equal(y.view(np.uint16), peer(function)[1](x).view(np.uint16))


def test_ufunc_at_and_methods(ufunc, function):
    x = sample(function, 10)
    expected = x.copy()
    expected[[1, 3]] = ufunc(x[[1, 3]])
    ufunc.at(x, [1, 3])
    np.testing.assert_array_equal(x, expected)
    with pytest.raises(ValueError):
        ufunc.reduce(x)  # unary ufuncs have no reduce, as with numpy


class Wrapped:
    """A container implementing __array_ufunc__ (as xarray, dask, pint do)."""

    def __init__(self, a):
        self.a = a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [i.a if isinstance(i, Wrapped) else i for i in inputs]
        return Wrapped(getattr(ufunc, method)(*inputs, **kwargs))


def test_array_ufunc_protocol(ufunc, function):
    x = sample(function, 8)
    res = ufunc(Wrapped(x))
    assert isinstance(res, Wrapped)
    np.testing.assert_array_equal(res.a, ufunc(x))


def test_floating_point_warnings_as_numpy():
    specials = {
        "exp": [np.nan, np.inf, -np.inf, 100.0, -200.0, 1.0],
        "log": [np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1.0],
        "sin": [np.nan, np.inf, -np.inf, 1e30, 1.0],
        "cos": [np.nan, np.inf, -np.inf, 1e30, 0.0, 1.0],
    }
    for function, values in specials.items():
        for v in values:
            x = np.full(64, v, np.float32)
            with warnings.catch_warnings(record=True) as ours, np.errstate(all="warn", under="ignore"):
                warnings.simplefilter("always")
                getattr(fastmath, function)(x)
            with warnings.catch_warnings(record=True) as theirs, np.errstate(all="warn", under="ignore"):
                warnings.simplefilter("always")
                getattr(np, function)(x)
            kinds = lambda ws: sorted(str(w.message).split(" encountered")[0] for w in ws)
            assert kinds(ours) == kinds(theirs), (function, v, kinds(ours), kinds(theirs))


def test_erf_raises_no_warnings_on_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e38, -1e-45], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            fastmath.erf(np.repeat(x, 16))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_named_as_numpy_names_its_ufuncs(function):
    """__module__ and __qualname__ as numpy sets them on its own: numpy.ma wraps a ufunc by
    its __qualname__ (numpy.ma imported after numpy.exp was swapped for fastmath's failed),
    and pickle finds the ufunc again by module and name."""
    import pickle

    import numpy.ma as ma
    ufunc = getattr(fastmath, function)
    assert (ufunc.__module__, ufunc.__qualname__, ufunc.__name__) == ("fastmath", function, function)
    assert ma.core._MaskedUnaryOperation(ufunc).__qualname__ == function
    assert pickle.loads(pickle.dumps(ufunc)) is ufunc
