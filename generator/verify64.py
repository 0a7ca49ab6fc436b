"""Sampled float64 accuracy, in float64 ULP: of fastmath's float64 loops against their peers
(``check``, ``main``), and of a float64 kernel before it is published (``verify_kernel64``).

2^64 inputs cannot all be checked: this samples. For each function, `blocks` blocks of 2^20
inputs: half random bit patterns over every binade and sign (finite, inside the function's
domain), half uniform over the range users call it on. The reference is the x87 long double
function (``generator.long_double``: glibc's expl/logl/sinl/cosl through numpy's longdouble,
erfl through a loop llvmlite compiles; 64-bit significand, about 2^-11 ULP of float64);
where long double is not the x87 type, mpmath at 120 bits on one block of 2^14 inputs.

    .venv/bin/python -m generator.verify64 [blocks]      (default 16: 2^24 per function)

tests/accuracy/test_float64.py runs one block per function.

A float64 kernel (``verify_kernel64``, run by `make kernels` before publishing and by `make
verify`) is checked on a reproducible sample: every binade and sign (random bit patterns),
magnitudes spread evenly over the binades where the kernel computes itself, the ranges users
call it on, the function's hard cases (``hard_cases``: for sin and cos the float64 nearest to
multiples of pi/2, and their neighbours), and the special values with numpy's flags, against
the x87 long double function split into float64 hi + lo. The same inputs run through the
ufunc (blocks, common path), an @njit loop and the kernel itself, which must agree bit for
bit, and through the peer, whose max ULP on the same inputs is recorded beside ours.
"""
from __future__ import annotations

import functools
import math
import sys
import time
from dataclasses import asdict, dataclass, field

import numba
import numpy as np

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS

from . import long_double
from .long_double import SCALED_BELOW, SUBNORMAL_SCALE

BLOCK = 1 << 20
TYPICAL = {"exp": (-745.0, 709.7), "log": (0.0, 1e6), "sin": (-1e4, 1e4), "cos": (-1e4, 1e4), "erf": (-6.0, 6.0)}


def ulp64(e: np.ndarray) -> np.ndarray:
    """2^(max(floor(log2 |e|), -1022) - 52), the contract's ULP rule for float64, in long double."""
    magnitude = np.abs(e.astype(np.longdouble))
    exponent = np.maximum(np.frexp(magnitude)[1] - 1, -1022)
    return np.ldexp(np.longdouble(1), exponent - 52)


def sample(function: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n float64 inputs: half random bit patterns (finite, in the domain), half typical values."""
    bits = rng.integers(0, 1 << 64, n // 2, dtype=np.uint64, endpoint=False)
    x = bits.view(np.float64)
    x = np.concatenate([x, rng.uniform(*TYPICAL[function], n - n // 2)])
    x = x[np.isfinite(x)]
    if function == "exp":
        x = x[x < 709.78]  # beyond: overflow to inf, checked by the special-value tests
    if function == "log":
        x = np.abs(x)
    return x


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
    exact = long_double.available()
    for _ in range(blocks if exact else 1):
        x = sample(function, BLOCK if exact else 1 << 14, rng)
        reference = long_double.values(function, x) if exact else mpmath_reference(function, x)
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



# ---- Verifying a float64 kernel (sampled) ---------------------------------------------------
KERNEL_INPUTS = 100_000_000  # per function in `make kernels` and `make verify`
PEER_SLACK = 2.0**-10  # ULP: the long double reference's own error is ~2^-11
# pi/2 to the long double's 64 bits, parsed from its digits (np.longdouble(np.pi) is the
# float64 pi, 2^-53 off: k times it missed the float64 nearest k pi/2 for k >= 1000 or so)
PIO2_LONG_DOUBLE = np.longdouble("3.14159265358979323846264338327950288") / 2


@numba.njit(error_model="numpy", inline="always")
def ulp_error64(y, hi, lo):
    """float64 ULP error of y against the exact value hi + lo (hi = RN(exact); lo scaled by
    2^64 where |hi| < 2^-969, as ``reference64`` gives it); inf where a
    C99 Annex F rule is broken (NaN for NaN, exact infinities, signed zeros)."""
    if math.isnan(hi) or math.isnan(y):
        return 0.0 if (math.isnan(hi) and math.isnan(y)) else math.inf
    if math.isinf(hi) or math.isinf(y):
        return 0.0 if y == hi else math.inf
    if hi == 0.0 and lo == 0.0:
        return 0.0 if (y == 0.0 and math.copysign(1.0, y) == math.copysign(1.0, hi)) else math.inf
    fraction, exponent = math.frexp(hi)
    exponent -= 1
    if abs(fraction) == 0.5 and lo != 0.0 and (lo < 0.0) != (hi < 0.0):
        exponent -= 1  # hi a power of two, the exact value just below it in magnitude: its binade
    ulp = math.ldexp(1.0, max(exponent, -1022) - 52)
    if abs(hi) < SCALED_BELOW:  # (lo is scaled, see generator.long_double.hi_lo; y - hi is exact)
        return abs((y - hi) * SUBNORMAL_SCALE - lo) / (ulp * SUBNORMAL_SCALE)
    return abs((y - hi) - lo) / ulp


@numba.njit(error_model="numpy")
def ulp_errors64(y, hi, lo, out):
    for i in range(y.size):
        out[i] = ulp_error64(y[i], hi[i], lo[i])


def reference64(function: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact value at each x as float64 hi + lo, from the x87 long double function
    (``generator.long_double``: numpy's for exp, log, sin, cos; glibc's erfl by llvmlite)."""
    return long_double.hi_lo(function, x)


def hard_cases(function: str, rng: np.random.Generator, n: int = 1 << 18) -> np.ndarray:
    """Inputs where a float64 kernel is most easily wrong. sin, cos: the float64 nearest k pi/2
    (k < 2^29, every k up to 2^16 and random ones above, from long double) and their two
    neighbours each side, where the reduced argument cancels most; and the literature's
    hardest float64 for reduction mod pi/2 (6381956970095103 2^797, |r| ~ 2^-61). Every
    function: ``threshold_inputs64``. erf: the 2^12 float64 each side of where the kernel
    changes piece (0.5, 1.5) or clamps (6), and of where erf starts to round to 1. exp and
    log: the 2^12 float64 each side of ``EXP_POINTS``, ``LOG_POINTS`` (both signs)."""
    if function in NEAR_POINTS:
        return np.concatenate([near_points(NEAR_POINTS[function], 1 << 12), threshold_inputs64()])
    if function not in ("sin", "cos"):
        return threshold_inputs64()
    k = np.concatenate([np.arange(1, 1 << 16), rng.integers(1 << 16, 1 << 29, n)]).astype(np.longdouble)
    with np.errstate(all="ignore"):
        near = (k * PIO2_LONG_DOUBLE).astype(np.float64)
    x = [near]
    up, down = near, near
    for _ in range(2):
        up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
        x += [up, down]
    x = np.concatenate(x + [np.array([math.ldexp(6381956970095103, 797)])])
    return np.concatenate([x, -x, threshold_inputs64()])


EXP_POINTS = (708.0, 746.0, 709.782712893384, -708.3964185322641, -745.1332191019411, 0.34657359027997264,
              2.0**-54, 2.0**-60)  # where the kernel changes path (708), clamps (746), overflows, turns
#                                  subnormal, rounds to 0, changes k (ln2/2), rounds to 1, stops raising |x|
ERF_POINTS = (0.5, 1.5, 6.0, 5.921587195794507)  # the last: the least x with erf(x) > 1 - 2^-54, near
LOG_POINTS = (1.0, 0.7071067811865476, 1.4142135623730951, 2.0, 2.718281828459045, 2.2250738585072014e-308)
#            log x ~ x - 1 (cancellation), where k changes (RN(sqrt(1/2)) 2^j), e, the least normal
NEAR_POINTS = {"erf": ERF_POINTS, "exp": EXP_POINTS, "log": LOG_POINTS}  # hard_cases: the 2^12 float64 each side


def near_points(points, count: int) -> np.ndarray:
    """The `count` float64 on each side of each point (and the point), both signs."""
    steps = np.arange(-count, count + 1, dtype=np.int64)
    x = np.concatenate([(np.float64(p).view(np.int64) + steps).view(np.float64) for p in points])
    return np.concatenate([x, -x])


# Inputs whose results overflow, are subnormal or round to 0 (flags: overflow, underflow),
# and their normal neighbours, for the special-value check (which compares flags).
RANGE_EDGES64 = {"exp": (709.78, 709.79, 710.0, 1000.0, -708.39, -708.4, -720.0, -745.13, -745.2, -746.0, -1000.0)}


def special_inputs64() -> np.ndarray:
    """±0, the subnormal extremes, the least normal, a tiny normal, ±inf and NaN (both signs):
    where the result is exact (x, 1, NaN) and must be the C library's, flags included."""
    x = np.array([0.0, 5e-324, 2.225073858507201e-308, 2.2250738585072014e-308, 1e-300, math.inf], np.float64)
    return np.concatenate([x, -x, np.array([np.nan, -np.nan])])


def threshold_inputs64() -> np.ndarray:
    """The float64 kernels' own thresholds and the top of the range, with their neighbours
    (both signs), for the sampled ULP check: 2^-27 and 2^28 (sin and cos change path
    there), 1e300 and DBL_MAX."""
    x = []
    for v in (2.0**-27, 2.0**28, 1e300, 1.7976931348623157e308):
        x += [v, np.nextafter(v, 0.0), np.nextafter(v, np.inf) if v < 1.7e308 else v]
    x = np.array(x, np.float64)
    return np.concatenate([x, -x])


def sample64(function: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n float64 inputs: a quarter random bit patterns (every binade and sign), a quarter
    magnitudes log-uniform over [2^-30, 2^30] (either sign), a quarter the users' range
    (``TYPICAL``) and a quarter in [-8, 8] (log: the last three positive)."""
    q = n // 4
    bits = rng.integers(0, 1 << 64, q, dtype=np.uint64, endpoint=False).view(np.float64)
    spread = np.exp(rng.uniform(-30 * math.log(2), 30 * math.log(2), q)) * rng.choice([-1.0, 1.0], q)
    typical = rng.uniform(*TYPICAL[function], q)
    near = rng.uniform(-8.0, 8.0, n - 3 * q)
    if function == "log":  # its domain: positive x (the random bit patterns keep the negatives)
        spread, near = np.abs(spread), np.abs(near)
    x = np.concatenate([bits, spread, typical, near])
    return np.where(np.isnan(x), 1.0, x)


@dataclass
class SampledVerification:
    """What was checked of a float64 kernel: sampled, not proven."""
    function: str
    method: str
    reference: str
    inputs_checked: int
    hard_cases: int
    max_ulp: float
    worst_input: str  # float.hex
    worst_output: str
    count_over_half_ulp: int
    count_at_least_one_ulp: int
    peer: str
    peer_max_ulp: float  # the peer's max ULP on the same inputs
    peer_worst_input: str
    seconds: float
    compilations: dict = field(default_factory=dict)  # {name: {"compared", "differ", "first"}}
    special_values: dict = field(default_factory=dict)  # {"checked", "failures"}

    def problems(self, max_ulp: float) -> list[str]:
        """Why this kernel may not ship: an error at or above the bound, or above the peer's
        own max on the same inputs (where the peer is under the bound; 2^-10 ULP of slack for
        the reference's own error), a compilation that differs, a special value."""
        out = []
        if not self.max_ulp < max_ulp:
            out.append(f"max {self.max_ulp:.4f} ULP at {self.worst_input} breaks the bound (< {max_ulp:g})")
        if self.peer_max_ulp < max_ulp and self.max_ulp > self.peer_max_ulp + PEER_SLACK:
            out.append(f"max {self.max_ulp:.4f} ULP at {self.worst_input}: less accurate than {self.peer} "
                       f"({self.peer_max_ulp:.4f} ULP at {self.peer_worst_input}) on the same inputs")
        for name, c in self.compilations.items():
            if c["differ"]:
                out.append(f"{name}: {c['differ']} of {c['compared']} inputs differ from the kernel (first {c['first']})")
        out += [f"special value: {f}" for f in self.special_values.get("failures", [])]
        return out

    def proves(self, max_ulp: float) -> bool:
        """Every sampled error is below max_ulp and every other check passed (sampled: not
        a proof over all 2^64 inputs, the name says what the pipeline asks of it)."""
        return not self.problems(max_ulp)

    def to_dict(self) -> dict:
        return asdict(self)


def _flags_of(f, x: float, n: int = 1) -> tuple:
    """(result, the floating-point exceptions numpy reports) of f on n copies of x."""
    raised = []

    def record(kind, flag):
        raised.append(kind)
    with np.errstate(all="call", call=record):
        y = f(np.full(n, x))[0]
    return y, tuple(sorted(set(raised)))


@functools.cache
def flag_reference(function: str):
    """Whose floating-point flags a float64 ufunc must raise: numpy's own loop, or where
    numpy has none (erf) the C library's function in a ufunc (scipy.special clears the
    flags its loops raise, so it reports none)."""
    if hasattr(np, function):
        return getattr(np, function)
    from fastmath._libm import float64_kernel
    return numba.vectorize(["float64(float64)"])(float64_kernel(function).py_func)


def check_special_values64(function: str, kernel, ufunc) -> dict:
    """On the special inputs: the kernel and the ufunc give the C library's result (NaN for
    NaN, else equal with the same sign), and the ufunc raises what ``flag_reference`` raises
    (at one element and in a vectorised block of 64); on the function's ``RANGE_EDGES64``,
    the flags (their values are in the sampled check)."""
    from fastmath._libm import float64_kernel
    libm = float64_kernel(function)  # compiled: C's results (Python's math raises for log(0), sin(inf))
    peer = flag_reference(function)
    failures = []
    specials, edges = special_inputs64(), np.array(RANGE_EDGES64.get(function, ()), np.float64)
    for x in specials:
        x = float(x)
        with np.errstate(all="ignore"):
            expected = float(libm(x))
            got = [("kernel", float(kernel(x))), ("ufunc", float(ufunc(np.array([x]))[0]))]
        for who, y in got:
            same = math.isnan(y) if math.isnan(expected) else (y == expected and math.copysign(1, y) == math.copysign(1, expected))
            if not same:
                failures.append(f"{who}({x!r}) = {y!r}, expected {expected!r}")
    for x in np.concatenate([specials, edges]):
        for n in (1, 64):
            theirs, ours = _flags_of(peer, float(x), n), _flags_of(ufunc, float(x), n)
            if theirs[1] != ours[1]:
                failures.append(f"flags of {function}({float(x)!r}) x {n}: {ours[1]}, the reference's {theirs[1]}")
    return {"checked": 2 * specials.size + 2 * (specials.size + edges.size), "failures": failures}


def _loops64(kernel, common, is_common):
    @numba.njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = kernel(x[i])

    return loop, _path_loop64(kernel, common, is_common)


def _path_loop64(kernel, path, in_range):
    """out = a path's results (the common or the wide path) on the inputs of its range, the
    kernel's elsewhere; None without the path."""
    if path is None:
        return None

    @numba.njit(error_model="numpy")
    def path_loop(x, out):
        for i in range(x.size):
            out[i] = path(x[i]) if in_range(x[i]) else kernel(x[i])

    return path_loop


def _nan_and_infinities() -> np.ndarray:
    """±inf and NaNs of both signs, quiet and signalling, with small and large payloads: the
    inputs a wide path is for that sampling does not draw."""
    bits = np.array([0x7FF0000000000000, 0x7FF8000000000000, 0x7FF0000000000001, 0x7FF4000000000000,
                     0x7FFFFFFFFFFFFFFF, 0x7FF8000000000ABC, 0x7FFC0000DEADBEEF], np.uint64)
    return np.concatenate([bits, bits | np.uint64(1 << 63)]).view(np.float64)


def _differ(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(how many results differ in their bits, the first index), NaN payloads aside."""
    same = (a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))
    bad = np.flatnonzero(~same)
    return int(bad.size), (int(bad[0]) if bad.size else -1)


def verify_kernel64(function: str, kernel, ufunc, inputs: int = KERNEL_INPUTS, seed: int = 0,
                    block: int = BLOCK, progress=None) -> SampledVerification:
    """The sampled check of a float64 kernel (see the module doc): `inputs` sampled inputs
    plus the hard cases and special values."""
    from fastmath._loops import common_path_of, wide_path_of
    contract = CONTRACTS[function]
    peer = contract.peer_function()
    rng = np.random.default_rng(seed)
    loop, common_loop = _loops64(kernel, *common_path_of(kernel, function, "float64"))
    wide_loop = _path_loop64(kernel, *wide_path_of(kernel))
    hard = hard_cases(function, rng)
    t0 = time.perf_counter()
    worst, worst_x, over_half, over_one, peer_worst, peer_worst_x, checked = -1.0, 0.0, 0, 0, -1.0, 0.0, 0
    names = (("ufunc", "kernel_alone") + (("common_path",) if common_loop is not None else ())
             + (("wide_path",) if wide_loop is not None else ()))
    compilations = {n: {"compared": 0, "differ": 0, "first": None} for n in names}
    batches = [hard] + [None] * -(-inputs // block)
    for index, batch in enumerate(batches):
        x = batch if batch is not None else sample64(function, min(block, inputs - (index - 1) * block), rng)
        y = np.empty_like(x)
        with np.errstate(all="ignore"):
            loop(x, y)
            hi, lo = reference64(function, x)
            errors = np.empty_like(x)
            ulp_errors64(y, hi, lo, errors)
            theirs = np.empty_like(x)
            ulp_errors64(peer(x), hi, lo, theirs)
            others = {"ufunc": ufunc(x)}
            for name, path_loop in (("common_path", common_loop), ("wide_path", wide_loop)):
                if path_loop is not None:
                    others[name] = np.empty_like(x)
                    path_loop(x, others[name])
            others["kernel_alone"] = np.array([kernel(v) for v in x[:4096]])  # called from Python, not inlined
        i = int(np.argmax(errors))
        if errors[i] > worst:
            worst, worst_x = float(errors[i]), float(x[i])
        j = int(np.argmax(theirs))
        if theirs[j] > peer_worst:
            peer_worst, peer_worst_x = float(theirs[j]), float(x[j])
        over_half += int((errors > 0.5).sum())
        over_one += int((errors >= 1.0).sum())
        checked += x.size
        for name, other in others.items():
            differ, first = _differ(y[:other.size], other)
            c = compilations[name]
            c["compared"] += other.size
            c["differ"] += differ
            if differ and c["first"] is None:
                c["first"] = float(x[first]).hex()
        if progress:
            progress(checked, inputs + hard.size, worst)
    if wide_loop is not None:  # the wide path on the NaNs and infinities it is for, bit for bit
        x = _nan_and_infinities()
        y, other = np.empty_like(x), np.empty_like(x)
        with np.errstate(all="ignore"):
            loop(x, y)
            wide_loop(x, other)
        c = compilations["wide_path"]
        same = y.view(np.int64) == other.view(np.int64)
        c["compared"] += x.size
        c["differ"] += int((~same).sum())
        if not same.all() and c["first"] is None:
            c["first"] = float(x[int(np.argmin(same))]).hex()
    return SampledVerification(
        function=function, method=f"sampled: {inputs:,} inputs (seed {seed}) + {hard.size:,} hard cases + special values",
        reference="x87 long double (numpy longdouble: glibc's 64-bit-significand function), as float64 hi + lo",
        inputs_checked=checked, hard_cases=int(hard.size), max_ulp=worst, worst_input=worst_x.hex(),
        worst_output=float(kernel(worst_x)).hex(), count_over_half_ulp=over_half, count_at_least_one_ulp=over_one,
        peer=contract.peer, peer_max_ulp=peer_worst, peer_worst_input=peer_worst_x.hex(),
        seconds=round(time.perf_counter() - t0, 1), compilations=compilations,
        special_values=check_special_values64(function, kernel, ufunc))


if __name__ == "__main__":
    main()
