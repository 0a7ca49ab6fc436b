"""Sampled float64 accuracy of fastmath's float64 loops (and of their peers), in float64 ULP.

2^64 inputs cannot all be checked: this samples. For each function, `blocks` blocks of 2^20
inputs: half random bit patterns over every binade and sign (finite, inside the function's
domain), half uniform over the range users call it on. The reference is the x87 long double
function (numpy.<f> on np.longdouble: glibc's expl/logl/sinl/cosl, 64-bit significand, about
2^-11 ULP of float64), except for erf (numpy has no long double erf): mpmath at 120 bits on
one block of 2^14 inputs.

    .venv/bin/python -m generator.verify64 [blocks]      (default 16: 2^24 per function)

tests/accuracy/test_float64.py runs one block per function.
"""
from __future__ import annotations

import sys

import numpy as np

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS

BLOCK = 1 << 20


def ulp64(e: np.ndarray) -> np.ndarray:
    """2^(max(floor(log2 |e|), -1022) - 52), the contract's ULP rule for float64, in long double."""
    magnitude = np.abs(e.astype(np.longdouble))
    exponent = np.maximum(np.frexp(magnitude)[1] - 1, -1022)
    return np.ldexp(np.longdouble(1), exponent - 52)


def sample(function: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n float64 inputs: half random bit patterns (finite, in the domain), half typical values."""
    bits = rng.integers(0, 1 << 64, n // 2, dtype=np.uint64, endpoint=False)
    x = bits.view(np.float64)
    typical = {"exp": (-745.0, 709.7), "log": (0.0, 1e6), "sin": (-1e4, 1e4), "cos": (-1e4, 1e4), "erf": (-6.0, 6.0)}
    x = np.concatenate([x, rng.uniform(*typical[function], n - n // 2)])
    x = x[np.isfinite(x)]
    if function == "exp":
        x = x[x < 709.78]  # beyond: overflow to inf, checked by the special-value tests
    if function == "log":
        x = np.abs(x)
    return x


def long_double_reference(function: str, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return getattr(np, function)(x.astype(np.longdouble))


def mpmath_reference(function: str, x: np.ndarray) -> np.ndarray:
    import mpmath
    f = getattr(mpmath, CONTRACTS[function].mp_reference)
    with mpmath.workprec(120):  # (not mpmath.mp.prec = 120: that would stay set for every caller)
        return np.array([np.longdouble(str(f(mpmath.mpf(float(v))))) for v in x])


def max_ulp(y: np.ndarray, reference: np.ndarray, x: np.ndarray) -> tuple[float, float, int]:
    """(max error in float64 ULP, worst input, inputs counted): finite results in the normal range."""
    tiny, huge = np.longdouble(np.finfo(np.float64).tiny), np.longdouble(np.finfo(np.float64).max)
    counted = np.isfinite(reference) & (np.abs(reference) <= huge) & (np.abs(reference) >= tiny)
    error = np.abs(y[counted].astype(np.longdouble) - reference[counted]) / ulp64(reference[counted])
    if not error.size:
        return 0.0, float("nan"), 0
    worst = int(np.argmax(error))
    return float(error[worst]), float(x[counted][worst]), int(counted.sum())


def check(function: str, blocks: int, seed: int = 0):
    """{who: (max ULP, worst input, inputs)} for fastmath's float64 loop and the peer."""
    rng = np.random.default_rng(seed)
    ours, peer = getattr(fastmath, function), CONTRACTS[function].peer_function()
    results = {"fastmath": (0.0, None, 0), CONTRACTS[function].peer: (0.0, None, 0)}
    exact = hasattr(np, function) and np.finfo(np.longdouble).nmant >= 63
    for _ in range(blocks if exact else 1):
        x = sample(function, BLOCK if exact else 1 << 14, rng)
        reference = long_double_reference(function, x) if exact else mpmath_reference(function, x)
        for who, f in (("fastmath", ours), (CONTRACTS[function].peer, peer)):
            with np.errstate(all="ignore"):
                error, at, count = max_ulp(f(x), reference, x)
            worst, worst_at, total = results[who]
            results[who] = (error, at, total + count) if error > worst else (worst, worst_at, total + count)
    return results, ("x87 long double" if exact else "mpmath, 120 bits")


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    print("| function | reference | inputs | fastmath float64: max ULP (at x) | peer: max ULP (at x) |")
    print("|---|---|---|---|---|")
    for function in FUNCTIONS:
        results, reference = check(function, blocks)
        (ours, at, n), (theirs, peer_at, _) = results.values()
        peer = CONTRACTS[function].peer
        print(f"| {function} | {reference} | {n:,} | {ours:.4f} ({at!r}) | {peer}: {theirs:.4f} ({peer_at!r}) |")


if __name__ == "__main__":
    main()
