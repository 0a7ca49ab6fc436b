"""Expected values computed by other projects (tests/data/SOURCES.md): NumPy's validation
sets, glibc's binary32 round-to-nearest cases and Arm optimized-routines' directed cases."""
from pathlib import Path

import numpy as np
import pytest

from fastmath.contract import FUNCTIONS

from ..conftest import assert_contract, assert_special_exact, call, contract_error, exact_value, round32

DATA = Path(__file__).resolve().parent.parent / "data"


def bits32(value: float) -> int:
    return int(np.array([value], np.float32).view(np.uint32)[0])


def as_f32(bits: int) -> np.float32:
    return np.array([bits], np.uint32).view(np.float32)[0]


def ordered(bits: int) -> int:
    """float32 bits on a line where adjacent floats differ by 1 (negatives mirrored)."""
    return bits if bits < 0x80000000 else 0x80000000 - bits


# Peer values that are not the correctly rounded float32 (checked with mpmath): NumPy's log
# set gives log(0x1.fffffcp-1) = -0x1p-23 (exact -0x1.0000010000015p-23: 0.50000004 ULP away,
# the other neighbour is the nearest) and log(0x1.960ad2p-1) = -0x1.dadd48p-3 (exact
# -0x1.dadd46f8a5ca3p-3: 0.514 ULP away). Every other peer value agrees with mpmath bit for bit.
KNOWN_PEER_ERRORS = {("numpy", "log", 0x3F7FFFFE), ("numpy", "log", 0x3F4B0569)}


def check_correctly_rounded_cases(peer, function, cases):
    """cases: (x, expected) with expected the correctly rounded float32 of f(x) (not exact).
    The kernel is held to the contract against the exact value (mpmath): error < max_ulp
    ulp32(exact), Annex F's special cases exactly; and where the correctly rounded value is
    NaN, ±inf or ±0, the result must be exactly it, sign included. The peer's value is checked
    to be the correctly rounded mpmath value too, so that a wrong exact value cannot hide."""
    x = np.array([c[0] for c in cases], np.float32)
    y = call(function, x)
    for xi, yi, (_, expected) in zip(x, y, cases):
        e = exact_value(function, xi)
        if (peer, function, bits32(xi)) in KNOWN_PEER_ERRORS:
            assert contract_error(function, xi, expected, e) < 1  # a neighbour of the exact value
        else:
            assert bits32(round32(e)) == bits32(expected) or (np.isnan(expected) and np.isnan(round32(e))), \
                (peer, function, float(xi).hex(), float(expected).hex(), round32(e))
        assert_contract(function, xi, yi, e)
        assert_special_exact(function, xi, yi, expected)


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
    check_correctly_rounded_cases("numpy", function, cases)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_glibc_binary32_cases(function):
    cases = list(glibc_cases(function))
    assert len(cases) > 20
    check_correctly_rounded_cases("glibc", function, cases)


def arm_cases(function):
    for line in (DATA / f"{function}f.tst").read_text().splitlines():
        if line.startswith("func="):
            fields = dict(f.split("=", 1) for f in line.split())
            head, _, frac = fields["result"].partition(".")
            yield int(fields["op1"], 16), int(head, 16), int(frac, 16) / 4096 if frac else 0.0


@pytest.mark.parametrize("function", FUNCTIONS)
def test_arm_directed_cases(function):
    """Arm gives the exact result to 1/4096 ULP, so the error itself is checked: < 1 ULP
    (where the exact value is NaN, ±inf or ±0, the result must be exactly it). The contract
    rule against mpmath is applied as well."""
    cases = list(arm_cases(function))
    assert len(cases) >= 4
    y = call(function, np.array([as_f32(c[0]) for c in cases], np.float32))
    for (x_bits, trunc_bits, frac), yi in zip(cases, y):
        x = as_f32(x_bits)
        assert_contract(function, x, yi)
        expected = as_f32(trunc_bits)
        if np.isnan(expected) or np.isinf(expected) or (expected == 0 and frac == 0):
            assert_special_exact(function, x, yi, expected)
            continue
        # exact = truncated + frac ulp away from zero; on the ordered line, away from
        # zero is up for positive results and down for negative ones
        exact = ordered(trunc_bits) + (frac if expected > 0 else -frac)
        err = abs(ordered(bits32(yi)) - exact)
        assert err < 1.0, (hex(x_bits), float(yi).hex(), hex(trunc_bits), frac, err)
