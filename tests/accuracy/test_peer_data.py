"""Expected values computed by other projects (tests/data/SOURCES.md): NumPy's validation
sets, glibc's binary32 round-to-nearest cases and Arm optimized-routines' directed cases."""
from pathlib import Path

import numpy as np
import pytest

import fastmath
from fastmath.contract import FUNCTIONS

DATA = Path(__file__).resolve().parent.parent / "data"


def bits32(value: float) -> int:
    return int(np.array([value], np.float32).view(np.uint32)[0])


def as_f32(bits: int) -> np.float32:
    return np.array([bits], np.uint32).view(np.float32)[0]


def ordered(bits: int) -> int:
    """float32 bits on a line where adjacent floats differ by 1 (negatives mirrored)."""
    return bits if bits < 0x80000000 else 0x80000000 - bits


def assert_close_to_correctly_rounded(f, x, expected):
    """y must be the correctly rounded value or a neighbour (error < 1 ULP allows nothing
    else), and exactly equal for NaN, infinities and zeros."""
    with np.errstate(all="ignore"):
        y = f(np.float32(x))
    if np.isnan(expected):
        assert np.isnan(y), (x, y, expected)
    elif np.isinf(expected) or expected == 0:
        assert y == expected and np.signbit(y) == np.signbit(expected), (x, y, expected)
    else:
        assert abs(ordered(bits32(y)) - ordered(bits32(expected))) <= 1, (float(x).hex(), float(y).hex(), float(expected).hex())


def numpy_cases(function):
    for line in (DATA / f"umath-validation-set-{function}.csv").read_text().splitlines():
        if line.startswith("np.float32"):
            _, x, y, _ = line.split(",")
            yield as_f32(int(x, 16)), as_f32(int(y, 16))


_GLIBC_NAMED = {"plus_infty": np.inf, "minus_infty": -np.inf, "qnan_value": np.nan,
                "plus_zero": 0.0, "minus_zero": -0.0}


def glibc_value(text: str) -> np.float32:
    return np.float32(_GLIBC_NAMED[text] if text in _GLIBC_NAMED else float.fromhex(text))


def glibc_cases(function):
    for line in (DATA / f"auto-libm-test-out-{function}.binary32").read_text().splitlines():
        fields = line.split()  # = <func> tonearest binary32 <x> : <expected> : <flags>
        if len(fields) >= 7 and fields[0] == "=" and fields[2:4] == ["tonearest", "binary32"]:
            yield glibc_value(fields[4]), glibc_value(fields[6])


@pytest.mark.parametrize("function", [f for f in FUNCTIONS if (DATA / f"umath-validation-set-{f}.csv").exists()])
def test_numpy_validation_set(function):
    cases = list(numpy_cases(function))
    assert len(cases) > 100
    for x, expected in cases:
        assert_close_to_correctly_rounded(getattr(fastmath, function), x, expected)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_glibc_binary32_cases(function):
    cases = list(glibc_cases(function))
    assert len(cases) > 20
    for x, expected in cases:
        assert_close_to_correctly_rounded(getattr(fastmath, function), x, expected)


def arm_cases(function):
    for line in (DATA / f"{function}f.tst").read_text().splitlines():
        if line.startswith("func="):
            fields = dict(f.split("=", 1) for f in line.split())
            head, _, frac = fields["result"].partition(".")
            yield int(fields["op1"], 16), int(head, 16), int(frac, 16) / 4096 if frac else 0.0


@pytest.mark.parametrize("function", FUNCTIONS)
def test_arm_directed_cases(function):
    """Arm gives the exact result to 1/4096 ULP, so the error itself is checked: < 1 ULP."""
    f = getattr(fastmath, function)
    cases = list(arm_cases(function))
    assert len(cases) >= 4
    for x_bits, trunc_bits, frac in cases:
        with np.errstate(all="ignore"):
            y = f(as_f32(x_bits))
        expected = as_f32(trunc_bits)
        if np.isnan(expected) or np.isinf(expected) or (expected == 0 and frac == 0):
            assert_close_to_correctly_rounded(f, as_f32(x_bits), expected)
            continue
        # exact = truncated + frac ulp away from zero; on the ordered line, away from
        # zero is up for positive results and down for negative ones
        exact = ordered(trunc_bits) + (frac if expected > 0 else -frac)
        err = abs(ordered(bits32(y)) - exact)
        assert err < 1.0, (hex(x_bits), float(y).hex(), hex(trunc_bits), frac, err)
