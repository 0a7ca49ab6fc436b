"""Exhaustive verification: every float32 input of a kernel against a float64 reference.

The ULP error of a result y for the exact value e (taken from float64 libm, whose own
error is ~2^-29 float32 ULP) is |y - e| / ulp32(e), ulp32(e) = 2^(max(floor(log2|e|), -126) - 23),
and 2^104 (the top binade's) for |e| >= 2^128. Non-finite and zero results follow C99
Annex F exactly, and count as an infinite error when they do not match:
  * e NaN: y must be NaN;  y NaN: e must be NaN.
  * e = ±inf (an exact infinity, e.g. exp(inf)): y must equal it.
  * y = ±inf for finite e: correct only if e rounds to that infinity in float32 (overflow).
  * e = ±0: y must be a zero of the same sign.
All 2^32 bit patterns are checked, in parallel over the cores (numba prange).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numba
import numpy as np
from numba import prange

from fastmath._ops import bits_float, float_bits

N_INPUTS = 1 << 32
_BLOCK = 1 << 16  # inputs per parallel work item


@numba.njit(error_model="numpy", inline="always")
def ulp_error(y, e):
    """ULP error of float32 y against the (float64) exact value e; inf if a rule is broken."""
    yd = np.float64(y)
    if math.isnan(e) or math.isnan(yd):
        return 0.0 if (math.isnan(e) and math.isnan(yd)) else math.inf
    if math.isinf(e):
        return 0.0 if yd == e else math.inf
    if math.isinf(yd):
        return 0.0 if np.float64(np.float32(e)) == yd else math.inf
    if e == 0.0:
        if yd != 0.0:
            return abs(yd) / 2.0 ** -149
        return 0.0 if (float_bits(yd) < 0) == (float_bits(e) < 0) else math.inf
    exponent = max(math.frexp(e)[1] - 1, -126)
    exponent = min(exponent, 127)
    return abs(yd - e) / math.ldexp(1.0, exponent - 23)


def make_checker(kernel, reference):
    """A compiled function checking inputs [start, start + count) (count a multiple of 2^16)."""

    @numba.njit(parallel=True, error_model="numpy")
    def check(start, count):
        nblocks = count // _BLOCK
        worst = np.zeros(nblocks)
        worst_bits = np.zeros(nblocks, np.int64)
        over_half = np.zeros(nblocks, np.int64)
        over_one = np.zeros(nblocks, np.int64)
        for b in prange(nblocks):
            base = start + b * _BLOCK
            w, wb, h, o = -1.0, base, 0, 0
            for j in range(_BLOCK):
                x = bits_float(np.int32(np.uint32(base + j)))
                err = ulp_error(kernel(x), reference(np.float64(x)))
                if err > w:
                    w, wb = err, base + j
                if err > 0.5:
                    h += 1
                if err >= 1.0:
                    o += 1
            worst[b], worst_bits[b], over_half[b], over_one[b] = w, wb, h, o
        return worst, worst_bits, over_half, over_one

    return check


@dataclass
class Verification:
    function: str
    inputs_checked: int
    max_ulp: float
    worst_input: str  # bit pattern, hex
    worst_input_value: str  # float.hex of the worst input
    worst_output: str
    worst_reference: str
    count_over_half_ulp: int
    count_at_least_one_ulp: int
    seconds: float
    reference: str

    def proves(self, max_ulp: float) -> bool:
        """Every float32 input was checked and every error is below max_ulp."""
        return self.inputs_checked == N_INPUTS and self.max_ulp < max_ulp

    def to_dict(self) -> dict:
        return asdict(self)


def verify_kernel(function: str, kernel, reference, reference_name: str, block: int = 1 << 24,
                  start: int = 0, stop: int = N_INPUTS, progress=None) -> Verification:
    """Check kernel on the bit patterns [start, stop) (all of them by default)."""
    check = make_checker(kernel, reference)
    t0 = time.perf_counter()
    worst, worst_bits, over_half, over_one = -1.0, start, 0, 0
    for s in range(start, stop, block):
        w, wb, h, o = check(s, min(block, stop - s))
        i = int(np.argmax(w))
        if w[i] > worst:
            worst, worst_bits = float(w[i]), int(wb[i])
        over_half += int(h.sum())
        over_one += int(o.sum())
        if progress:
            progress(function, s + block - start, stop - start, worst)
    x = np.array([worst_bits], np.uint32).view(np.float32)
    y = float(kernel(x[0]))
    return Verification(
        function=function, inputs_checked=stop - start, max_ulp=worst,
        worst_input=f"0x{worst_bits:08x}", worst_input_value=float(x[0]).hex(), worst_output=y.hex(),
        worst_reference=float(reference(float(x[0]))).hex(), count_over_half_ulp=over_half,
        count_at_least_one_ulp=over_one, seconds=round(time.perf_counter() - t0, 1),
        reference=reference_name,
    )
