"""Exhaustive verification: every float32 input of a kernel, in every compilation users run.

The ULP error of a result y for the exact value e (taken from float64 libm, whose own
error is ~2^-29 float32 ULP) is |y - e| / ulp32(e), ulp32(e) = 2^(max(floor(log2|e|), -126) - 23),
and 2^104 (the top binade's) for |e| >= 2^128. Non-finite and zero results follow C99
Annex F (round to nearest) exactly, and count as an infinite error when they do not match:
  * e NaN: y must be NaN;  y NaN: e must be NaN.
  * e = ±inf (an exact infinity, e.g. exp(inf)): y must equal it.
  * e rounds to ±inf in float32 (overflow): y must be that infinity (FLT_MAX is wrong);
    y = ±inf for an e that does not: wrong.
  * y = ±0: its sign must be e's (an underflow to -0 of a positive value is wrong).
  * e = ±0: y must be a zero of the same sign.

All 2^32 bit patterns are checked, in parallel over the cores, as pairs x and -x (so odd or
even symmetry is checked exactly where the contract states it), and on each input the kernel
is run in every way that must agree bit for bit:
  * ``kernel``: inlined into the checking loop (the results whose error is measured);
  * ``ufunc``: the numpy ufunc's own compiled loop (what ``fastmath.exp(array)`` runs);
  * ``njit_vectorised``: inlined into an @njit loop that LLVM vectorises (``out[i] = f(x[i])``);
  * ``njit_scalar``: inlined into an @njit loop that stays scalar (an in-order float sum, as
    user code without ``fastmath=True`` has);
  * ``common_path``: the kernel module's common path (``fastmath._loops``), if it has one, on
    every input in its range (the ufunc runs it on blocks of such inputs).
Monotonicity (non-decreasing over all non-NaN results, in input order) is checked where the
contract states it, and the contract's special values exactly, on the kernel and the ufunc.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numba
import numpy as np
from numba import prange

from fastmath._libm import float64_kernel
from fastmath._loops import common_path_of, wide_path_of
from fastmath._ops import bits_float, float_bits
from fastmath.contract import CONTRACTS

N_INPUTS = 1 << 32
HALF = 1 << 31  # bit patterns [0, 2^31) are +0 .. +NaN; x | HALF is -x
_BLOCK = 1 << 16  # inputs per parallel work item
COMPILATIONS = ("ufunc", "njit_vectorised", "njit_scalar", "common_path", "wide_path")


@numba.njit(error_model="numpy", inline="always")
def ulp_error(y, e):
    """ULP error of float32 y against the (float64) exact value e; inf if a rule is broken."""
    yd = np.float64(y)
    if math.isnan(e) or math.isnan(yd):
        return 0.0 if (math.isnan(e) and math.isnan(yd)) else math.inf
    if math.isinf(e):
        return 0.0 if yd == e else math.inf
    rounded = np.float64(np.float32(e))
    if math.isinf(rounded):  # overflow: round to nearest gives the infinity, not FLT_MAX
        return 0.0 if yd == rounded else math.inf
    if math.isinf(yd):
        return math.inf
    if yd == 0.0 and (float_bits(yd) < 0) != (e < 0.0 or (e == 0.0 and float_bits(e) < 0)):
        return math.inf  # a zero result has the exact value's sign
    if e == 0.0:
        return abs(yd) / 2.0 ** -149
    exponent = max(math.frexp(e)[1] - 1, -126)
    exponent = min(exponent, 127)
    return abs(yd - e) / math.ldexp(1.0, exponent - 23)


@numba.njit(error_model="numpy", inline="always")
def _input(bits):
    return bits_float(np.int32(np.uint32(bits)))


def make_checker(kernel, reference):
    """check(start, count, sign, out): ULP errors of the kernel on the inputs with magnitude
    bits [start, start + count) and sign bit `sign` (count a multiple of 2^16); the kernel's
    results go to out."""

    @numba.njit(parallel=True, error_model="numpy")
    def check(start, count, sign, out):
        nblocks = count // _BLOCK
        worst = np.zeros(nblocks)
        worst_bits = np.zeros(nblocks, np.int64)
        over_half = np.zeros(nblocks, np.int64)
        over_one = np.zeros(nblocks, np.int64)
        for b in prange(nblocks):
            base = start + b * _BLOCK
            w, wb, h, o = -1.0, base | sign, 0, 0
            for j in range(_BLOCK):
                x = _input((base + j) | sign)
                y = kernel(x)
                out[b * _BLOCK + j] = y
                err = ulp_error(y, reference(np.float64(x)))
                if err > w:
                    w, wb = err, (base + j) | sign
                if err > 0.5:
                    h += 1
                if err >= 1.0:
                    o += 1
            worst[b], worst_bits[b], over_half[b], over_one[b] = w, wb, h, o
        return worst, worst_bits, over_half, over_one

    return check


def make_loops(kernel):
    """The kernel inlined into two @njit loops over float32 arrays, as user code writes them:
    one LLVM vectorises, one it cannot (an in-order float sum carried through the loop)."""

    @numba.njit(parallel=True, error_model="numpy")
    def vectorised(x, out):
        for b in prange(x.size // _BLOCK):
            lo = b * _BLOCK
            for j in range(lo, lo + _BLOCK):
                out[j] = kernel(x[j])

    @numba.njit(parallel=True, error_model="numpy")
    def scalar(x, out):
        sums = np.zeros(x.size // _BLOCK, np.float32)
        for b in prange(x.size // _BLOCK):
            lo = b * _BLOCK
            s = np.float32(0.0)
            for j in range(lo, lo + _BLOCK):
                y = kernel(x[j])
                out[j] = y
                s += y
            sums[b] = s
        return sums

    return vectorised, scalar


def make_common_path_loop(common, is_common):
    """out = the common path's results where an input is common, else the kernel's (y):
    equal to y exactly when the common path gives the kernel's bits on its whole range."""

    @numba.njit(parallel=True, error_model="numpy")
    def common_path(x, y, out):
        counts = np.zeros(x.size // _BLOCK, np.int64)
        for b in prange(x.size // _BLOCK):
            lo, c = b * _BLOCK, 0
            for j in range(lo, lo + _BLOCK):
                if is_common(x[j]):
                    out[j] = common(x[j])
                    c += 1
                else:
                    out[j] = y[j]
            counts[b] = c
        return counts.sum()

    return common_path


@numba.njit(parallel=True)
def count_differing(a, b):
    """(count of positions where float32 arrays a and b differ in bits, the first one or -1)."""
    nblocks = a.size // _BLOCK
    count = np.zeros(nblocks, np.int64)
    first = np.full(nblocks, -1, np.int64)
    ia, ib = a.view(np.int32), b.view(np.int32)
    for blk in prange(nblocks):
        for j in range(blk * _BLOCK, (blk + 1) * _BLOCK):
            if ia[j] != ib[j]:
                count[blk] += 1
                if first[blk] < 0:
                    first[blk] = j
    hits = first[first >= 0]
    return count.sum(), (hits[0] if hits.size else -1)


@numba.njit(parallel=True)
def _symmetry_violations(positive, negative, odd):
    """(count of i with f(-x_i) != -f(x_i) (odd) or != f(x_i) (even), in bits; NaN results
    must be NaN on both sides; the first such i or -1)."""
    nblocks = positive.size // _BLOCK
    count = np.zeros(nblocks, np.int64)
    first = np.full(nblocks, -1, np.int64)
    ip, ineg = positive.view(np.int32), negative.view(np.int32)
    flip = np.int32(-0x80000000) if odd else np.int32(0)
    for blk in prange(nblocks):
        for j in range(blk * _BLOCK, (blk + 1) * _BLOCK):
            p_nan, n_nan = positive[j] != positive[j], negative[j] != negative[j]
            bad = (p_nan != n_nan) if (p_nan or n_nan) else (ineg[j] != (ip[j] ^ flip))
            if bad:
                count[blk] += 1
                if first[blk] < 0:
                    first[blk] = j
    hits = first[first >= 0]
    return count.sum(), (hits[0] if hits.size else -1)


@numba.njit
def _monotonic_violations(y, descending, last):
    """Walk y (results in ascending bit order) from `last` (the result before y[0], NaN if
    none), skipping NaN results: (violations, first index or -1, compared pairs, the new
    last). For positive x ascending bits are ascending values, so results must not
    decrease; for negative x they are descending values, so results must not increase."""
    count, first, pairs = 0, -1, 0
    for j in range(y.size):
        v = y[j]
        if v != v:
            continue
        if last == last:
            pairs += 1
            if (v > last) if descending else (v < last):
                count += 1
                if first < 0:
                    first = j
        last = v
    return count, first, pairs, last


@dataclass
class Verification:
    function: str
    inputs_checked: int  # inputs whose ULP error was actually evaluated
    max_ulp: float
    worst_input: str  # bit pattern, hex
    worst_input_value: str  # float.hex of the worst input
    worst_output: str
    worst_reference: str
    count_over_half_ulp: int
    count_at_least_one_ulp: int
    seconds: float
    reference: str
    # per compilation: inputs compared with the kernel, how many differ, the first that does
    compilations: dict = field(default_factory=dict)
    symmetry: dict | None = None  # {"kind", "pairs", "violations", "first"}
    monotonic: dict | None = None  # {"pairs", "violations", "first"}
    special_values: dict = field(default_factory=dict)  # {"checked", "failures"}

    def problems(self, max_ulp: float) -> list[str]:
        """Why this check is not a proof of the contract (empty: it is one)."""
        out = []
        if self.inputs_checked != N_INPUTS:
            out.append(f"{self.inputs_checked} of 2^32 inputs checked")
        if not self.max_ulp < max_ulp:
            out.append(f"max {self.max_ulp:.4f} ULP at {self.worst_input} breaks the bound (< {max_ulp:g})")
        for name, c in self.compilations.items():
            if c["compared"] != self.inputs_checked or c["differ"]:
                out.append(f"{name}: {c['differ']} of {c['compared']} inputs differ from the kernel"
                           + (f" (first {c['first']})" if c["first"] else ""))
        for name, s in (("symmetry", self.symmetry), ("monotonicity", self.monotonic)):
            if s is not None and s["violations"]:
                out.append(f"{name}: {s['violations']} violations (first at {s['first']})")
        out += [f"special value: {f}" for f in self.special_values.get("failures", [])]
        return out

    def proves(self, max_ulp: float) -> bool:
        """Every float32 input was checked, every error is below max_ulp, and every other
        check (compilations, symmetry, monotonicity, special values) passed."""
        return not self.problems(max_ulp)

    def to_dict(self) -> dict:
        return asdict(self)


def _hex_bits(bits: int) -> str:
    return f"0x{bits & 0xFFFFFFFF:08x}"


def check_special_values(kernel, ufunc, special_values) -> dict:
    """The contract's (input, exact output) pairs, on the kernel and the ufunc: NaN for NaN,
    else equal with the same sign."""
    failures = []
    for x, expected in special_values:
        x32 = np.float32(x)
        with np.errstate(all="ignore"):
            got = [("kernel", kernel(x32))] + ([("ufunc", ufunc(np.array([x32]))[0])] if ufunc is not None else [])
        for who, y in got:
            ok = np.isnan(y) if np.isnan(expected) else (y == expected and np.signbit(y) == np.signbit(np.float32(expected)))
            if not ok:
                failures.append(f"{who}({x!r}) = {float(y)!r}, expected {expected!r}")
    return {"checked": len(special_values) * (2 if ufunc is not None else 1), "failures": failures}


def verify_kernel(function: str, kernel, reference, reference_name: str, block: int = 1 << 24,
                  start: int = 0, stop: int = HALF, progress=None, ufunc=None, symmetry: str | None = None,
                  monotonic: bool = False, special_values=()) -> Verification:
    """Check the kernel on the inputs ±x for x with bit patterns [start, stop) (0 <= start <
    stop <= 2^31; all 2^32 inputs by default), in every compilation (``ufunc``: the numpy
    ufunc built on it, if given), with the contract's symmetry, monotonicity and special
    values (see the module doc)."""
    if not (0 <= start < stop <= HALF and (stop - start) % _BLOCK == 0):
        raise ValueError("verify_kernel: need 0 <= start < stop <= 2^31, a multiple of 2^16 apart")
    check = make_checker(kernel, reference)
    vectorised, scalar = make_loops(kernel)
    common, is_common = common_path_of(kernel, function)
    common_path = make_common_path_loop(common, is_common) if common is not None else None
    wide, is_wide = wide_path_of(kernel)
    wide_path = make_common_path_loop(wide, is_wide) if wide is not None else None
    t0 = time.perf_counter()
    worst, worst_bits, over_half, over_one, checked = -1.0, start, 0, 0, 0
    present = {"ufunc": ufunc is not None, "common_path": common_path is not None, "wide_path": wide_path is not None}
    compilations = {name: {"compared": 0, "differ": 0, "first": None} for name in COMPILATIONS if present.get(name, True)}
    for name, path in (("common_path", common_path), ("wide_path", wide_path)):
        if path:
            compilations[name]["common_inputs"] = 0
    symmetric = {"kind": symmetry, "pairs": 0, "violations": 0, "first": None} if symmetry else None
    mono = {"pairs": 0, "violations": 0, "first": None} if monotonic else None
    last_positive = last_negative = np.float32(np.nan)
    for s in range(start, stop, block):
        n = min(block, stop - s)
        results = {}
        for sign in (0, HALF):
            y = np.empty(n, np.float32)
            w, wb, h, o = check(s, n, sign, y)
            i = int(np.argmax(w))
            if w[i] > worst:
                worst, worst_bits = float(w[i]), int(wb[i])
            over_half += int(h.sum())
            over_one += int(o.sum())
            checked += n
            results[sign] = y
            x = (np.arange(s, s + n, dtype=np.uint32) | np.uint32(sign)).view(np.float32)
            other = np.empty_like(y)
            for name in compilations:
                with np.errstate(all="ignore"):
                    if name == "ufunc":
                        _call_in_halves(ufunc, x, other)
                    elif name == "njit_vectorised":
                        vectorised(x, other)
                    elif name == "common_path":
                        compilations[name]["common_inputs"] += int(common_path(x, y, other))
                    elif name == "wide_path":
                        compilations[name]["common_inputs"] += int(wide_path(x, y, other))
                    else:
                        scalar(x, other)
                differ, first = count_differing(y, other)
                c = compilations[name]
                c["compared"] += n
                c["differ"] += int(differ)
                if differ and c["first"] is None:
                    c["first"] = _hex_bits((s + int(first)) | sign)
        if symmetric:
            count, first = _symmetry_violations(results[0], results[HALF], symmetry == "odd")
            symmetric["pairs"] += n
            symmetric["violations"] += int(count)
            if count and symmetric["first"] is None:
                symmetric["first"] = _hex_bits(s + int(first))
        if mono:
            cp, fp, pp, last_positive = _monotonic_violations(results[0], False, last_positive)
            cn, fn, pn, last_negative = _monotonic_violations(results[HALF], True, last_negative)
            mono["pairs"] += pp + pn
            mono["violations"] += cp + cn
            if (cp or cn) and mono["first"] is None:
                mono["first"] = _hex_bits(s + fp) if cp else _hex_bits((s + fn) | HALF)
        if progress:
            progress(function, 2 * (s + n - start), 2 * (stop - start), worst)
    if mono and start == 0:  # across zero: f(-0) <= f(+0), and the two walks meet there
        zero_pair = check_pair_across_zero(kernel)
        mono["pairs"] += 1
        mono["violations"] += zero_pair
    x = np.array([worst_bits], np.uint32).view(np.float32)
    y = float(kernel(x[0]))
    return Verification(
        function=function, inputs_checked=checked, max_ulp=worst,
        worst_input=_hex_bits(worst_bits), worst_input_value=float(x[0]).hex(), worst_output=y.hex(),
        worst_reference=float(reference(float(x[0]))).hex(), count_over_half_ulp=over_half,
        count_at_least_one_ulp=over_one, seconds=round(time.perf_counter() - t0, 1),
        reference=reference_name, compilations=compilations, symmetry=symmetric, monotonic=mono,
        special_values=check_special_values(kernel, ufunc, special_values),
    )


def _call_in_halves(ufunc, x, out) -> None:
    """ufunc(x, out=out), the two halves on two threads (numpy releases the GIL in the loop)."""
    from concurrent.futures import ThreadPoolExecutor
    half = x.size // 2
    def call(part):
        with np.errstate(all="ignore"):  # (numpy's error state is per thread)
            ufunc(x[part], out=out[part])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(call, (slice(0, half), slice(half, None))))


def check_pair_across_zero(kernel) -> int:
    """1 if f(-0) > f(+0) (a monotonicity violation where the negative and positive walks
    meet), else 0."""
    a, b = kernel(np.float32(-0.0)), kernel(np.float32(0.0))
    return int(a == a and b == b and a > b)


def verify_function(function: str, kernel, ufunc=None, block: int = 1 << 24, progress=None, **span) -> Verification:
    """verify_kernel with what the contract says of the function: its reference, symmetry,
    monotonicity and special values (``span``: start/stop of a partial check)."""
    c = CONTRACTS[function]
    return verify_kernel(function, kernel, float64_kernel(function), c.reference, block=block, progress=progress,
                         ufunc=ufunc, symmetry=c.symmetry, monotonic=c.monotonic, special_values=c.special_values,
                         **span)
