"""The ufunc loop's speculative common path (``fastmath._loops``) against the same loop with
the test pass before the common path (``SPECULATE = False``, the loop before 2026-11-30), and
NumPy, interleaved in one process (``generator.measure.median_ns_per_element``), on the bench
inputs, and on inputs with a rare uncommon value (log of data with zeros, exp with values
that overflow):

    PYTHONPATH=. .venv/bin/python benchmarks/speculation.py
"""
import numpy as np

from fastmath import _kernels, _loops
from fastmath._kernels import kernel_name
from fastmath._libm import float64_kernel
from fastmath._ufuncs import make_ufunc
from generator.measure import median_ns_per_element, peer, sample_inputs


def ufuncs(function: str, dtype: str):
    """(speculative, tested) ufuncs over the current version's kernel for dtype."""
    module = _kernels.kernel_module(function) if dtype == "float32" else _kernels.float64_module(function)
    kernel = getattr(module, kernel_name(function, dtype))
    made, speculates = [], _loops.SPECULATE
    for speculate in (True, False):
        _loops.SPECULATE = speculate  # (read when a loop's namespace is made)
        loop = _loops.compile_loop(kernel, *_loops.common_path_of(kernel, function, dtype), dtype=dtype)
        made.append(make_ufunc(function, kernel, float64_kernel(function), "", loop32=loop) if dtype == "float32"
                    else make_ufunc(function, None, kernel, "", loop64=loop))
    _loops.SPECULATE = speculates
    return made


def repeats(n: int) -> int:
    return 301 if n <= 1 << 16 else (31 if n <= 1 << 20 else 9)


def main():
    print("| function | dtype | n | speculative ns | tested first ns | numpy ns | speculative / tested | vs numpy |")
    print("|---|---|---|---|---|---|---|---|")
    for function, dtype in (("exp", "float32"), ("log", "float32"), ("sin", "float32"), ("cos", "float32"),
                            ("sin", "float64"), ("cos", "float64")):
        new, old = ufuncs(function, dtype)
        for n in (1 << 12, 1 << 16, 1 << 20, 1 << 24):
            x = sample_inputs(function, n, np.random.default_rng(0)).astype(dtype)
            a, b, c = median_ns_per_element([new, old, peer(function)[1]], x, repeats(n))
            print(f"| {function} | {dtype} | 2^{n.bit_length() - 1} | {a:.3f} | {b:.3f} | {c:.3f} | **{b / a:.2f}** | {c / a:.2f} |",
                  flush=True)
    print()
    print("| function | rare value | share | speculative ns | tested first ns | numpy ns | speculative / tested | vs numpy |")
    print("|---|---|---|---|---|---|---|---|")
    for function, value in (("log", 0.0), ("exp", 100.0)):
        new, old = ufuncs(function, "float32")
        for share in (1e-4, 1e-3, 1e-2, 1e-1):
            x = sample_inputs(function, 1 << 20, np.random.default_rng(0)).astype(np.float32)
            x[np.random.default_rng(1).random(x.size) < share] = value
            with np.errstate(all="ignore"):
                a, b, c = median_ns_per_element([new, old, peer(function)[1]], x, 31)
            print(f"| {function} | {value:g} | {share:g} | {a:.3f} | {b:.3f} | {c:.3f} | **{b / a:.2f}** | {c / a:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
