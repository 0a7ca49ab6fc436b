"""Max ULP error of NumPy's float32 exp, log and sin over all 2^32 float32 inputs.

    .venv/bin/python benchmarks/peer_accuracy.py [function ...]     (default: every function)

Every float32 bit pattern is run through numpy's float32 ufunc (np.exp, np.log, np.sin) in
chunks of 2^24 and compared with the float64 C library (math.exp etc. on float64(x) in an
@njit loop), with the ULP rule of `make verify` (generator.verify.ulp_error: error in float32
ULP of the exact value; NaN, infinities and signed zeros must match exactly). The same loop
also checks the C library's own float32 function (math.exp on a float32 in @njit: expf, logf,
sinf, erff). Where numpy has no such ufunc (erf), only the C library column is printed.

Prints, per function and implementation, the max ULP, the worst input (bit pattern and value),
the count of inputs with error > 0.5 ULP and >= 1 ULP, and the run time. numpy's float32 code
is chosen at run time by CPU features (the enabled ones are printed): results hold for this
numpy version on a CPU with the same features.
"""
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba import prange

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for generator/
from fastmath._libm import float64_kernel  # noqa: E402  (the reference of `make verify`)
from fastmath.contract import CONTRACTS, FUNCTIONS  # noqa: E402
from generator.verify import ulp_error  # noqa: E402  (the ULP rule of `make verify`)

CHUNK = 1 << 24  # inputs per numpy call
BLOCK = 1 << 16  # inputs per parallel work item
N_INPUTS = 1 << 32


def peer_ufunc(name):
    """numpy's float32 ufunc of the function, if numpy has one (the contract's peer)."""
    contract = CONTRACTS[name]
    return contract.peer_function() if contract.peer.startswith("numpy.") else None


def libm32(name):
    """The C library's float32 function: math.<name> on a float32 in @njit (expf, logf, ...)."""
    libm = CONTRACTS[name].libm

    def f(x):
        return libm(x)
    return numba.njit(error_model="numpy")(f)


def make_checker(ref64, libm32):
    """Errors of y (numpy's results for x) and of libm32(x) against ref64(float64(x))."""

    @numba.njit(parallel=True, error_model="numpy")
    def check(x, y, have_y):
        nblocks = x.size // BLOCK
        # [implementation, block]: worst error, its index, count > 0.5, count >= 1
        worst = np.full((2, nblocks), -1.0)
        worst_i = np.zeros((2, nblocks), np.int64)
        half = np.zeros((2, nblocks), np.int64)
        one = np.zeros((2, nblocks), np.int64)
        for b in prange(nblocks):
            for j in range(b * BLOCK, (b + 1) * BLOCK):
                e = ref64(np.float64(x[j]))
                for k in range(2):
                    if k == 0:
                        if not have_y:
                            continue
                        err = ulp_error(y[j], e)
                    else:
                        err = ulp_error(libm32(x[j]), e)
                    if err > worst[k, b]:
                        worst[k, b], worst_i[k, b] = err, j
                    if err > 0.5:
                        half[k, b] += 1
                    if err >= 1.0:
                        one[k, b] += 1
        return worst, worst_i, half, one

    return check


def measure(name):
    ufunc, ref64, lib32 = peer_ufunc(name), float64_kernel(name), libm32(name)
    check = make_checker(ref64, lib32)
    base = np.arange(CHUNK, dtype=np.uint32)
    bits = np.empty(CHUNK, np.uint32)
    x = bits.view(np.float32)
    y = np.empty(CHUNK, np.float32)
    worst = [-1.0, -1.0]
    worst_bits = [0, 0]
    half = [0, 0]
    one = [0, 0]
    t0 = time.perf_counter()
    for start in range(0, N_INPUTS, CHUNK):
        np.add(base, np.uint32(start), out=bits)
        if ufunc is not None:
            with np.errstate(all="ignore"):
                ufunc(x, out=y)
        w, wi, h, o = check(x, y, ufunc is not None)
        for k in range(2):
            i = int(np.argmax(w[k]))
            if w[k, i] > worst[k]:
                worst[k], worst_bits[k] = float(w[k, i]), start + int(wi[k, i])
            half[k] += int(h[k].sum())
            one[k] += int(o[k].sum())
    seconds = time.perf_counter() - t0
    rows = []
    for k, who in enumerate((f"numpy.{name}" if ufunc is not None else None, f"C library {name}f")):
        if who is None:
            continue
        xw = np.array([worst_bits[k]], np.uint32).view(np.float32)
        with np.errstate(all="ignore"):
            yw = float(ufunc(xw)[0]) if k == 0 else float(lib32(xw[0]))
        rows.append((name, who, worst[k], f"0x{worst_bits[k]:08x}", float(xw[0]).hex(), yw.hex(),
                     float(ref64(float(xw[0]))).hex(), half[k], one[k]))
    return rows, seconds


def cpu_features():
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
        return ", ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f))
    except ImportError:
        return "unknown"


def main(names):
    print(f"numpy {np.__version__} (dispatch enabled: {cpu_features()}), numba {numba.__version__}, "
          f"{'-'.join(platform.libc_ver())}, {platform.machine()}, {numba.config.NUMBA_NUM_THREADS} threads")
    print("all 2^32 float32 inputs; reference: float64 C library on float64(x); "
          "ULP rule: generator.verify.ulp_error\n")
    print("| function | implementation | max ULP | worst input | worst input value | result | reference "
          "| inputs > 0.5 ULP | inputs >= 1 ULP |")
    print("|---|---|---|---|---|---|---|---|---|")
    t_all = time.perf_counter()
    times = []
    for name in names:
        rows, seconds = measure(name)
        times.append(f"{name} {seconds:.0f} s")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]:,} | {r[8]:,} |",
                  flush=True)
    print(f"\ntime: {', '.join(times)}; {time.perf_counter() - t_all:.0f} s in all (compilation included)")


if __name__ == "__main__":
    args = sys.argv[1:] or list(FUNCTIONS)
    unknown = [a for a in args if a not in FUNCTIONS]
    if unknown:
        sys.exit(f"unknown function(s) {unknown}; choose from {list(FUNCTIONS)}")
    main(args)
