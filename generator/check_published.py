"""`make verify`: exhaustively re-verify the kernels the runtime ships, against the manifest.

It imports each kernel exactly as the runtime does (fastmath.generated.<version>) and builds
its ufunc as ``fastmath.<f>`` is built, checks all 2^32 float32 inputs in every compilation
(``generator.verify``), prints per function the max ULP, worst input, the count of inputs
evaluated, and the bit-identity, symmetry, monotonicity and special-value results, and fails
if any check fails or the max ULP and worst input differ from what the manifest recorded.
"""
from __future__ import annotations

import time

from fastmath import _kernels, _ufuncs
from fastmath.contract import CONTRACTS

from .verify import COMPILATIONS, verify_function


def _summary(check) -> str:
    same = "/".join(str(check.compilations[n]["differ"]) for n in COMPILATIONS if n in check.compilations)
    sym = f"{check.symmetry['kind']} {check.symmetry['violations']}" if check.symmetry else "-"
    mono = str(check.monotonic["violations"]) if check.monotonic else "-"
    special = f"{check.special_values['checked'] - len(check.special_values['failures'])}/{check.special_values['checked']}"
    return f"{same:>9} {sym:>7} {mono:>5} {special:>7}"


def verify_published(version: str | None, functions) -> int:
    version = version or _kernels.current_version()
    manifest = _kernels.manifest(version)
    print(f"fastmath kernels {version}: exhaustive check, all 2^32 float32 inputs per function, in every compilation")
    print(f"{'function':8} {'max ULP':>9} {'worst input':>12} {'evaluated':>10} {'> 0.5 ULP':>10} {'>= 1 ULP':>9} "
          f"{'differ u/v/s':>9} {'symm':>7} {'mono':>5} {'special':>7} {'seconds':>8}  status")
    failures = []
    t0 = time.perf_counter()
    for function in functions:
        contract = CONTRACTS[function]
        kernel = getattr(_kernels.kernel_module(function, version), f"{function}_f32")
        check = verify_function(function, kernel, _ufuncs.build(function, version))
        recorded = manifest["functions"][function]["verification"]
        problems = check.problems(contract.max_ulp)
        if (check.max_ulp, check.worst_input, check.count_over_half_ulp) != (
                recorded["max_ulp"], recorded["worst_input"], recorded["count_over_half_ulp"]):
            problems.append(f"differs from the manifest (max {recorded['max_ulp']:.4f} ULP at "
                            f"{recorded['worst_input']}, {recorded['count_over_half_ulp']} > 0.5 ULP)")
        print(f"{function:8} {check.max_ulp:9.4f} {check.worst_input:>12} {check.inputs_checked:10d} "
              f"{check.count_over_half_ulp:10d} {check.count_at_least_one_ulp:9d} {_summary(check)} {check.seconds:8.1f}  "
              f"{'FAIL: ' + '; '.join(problems) if problems else 'ok'}", flush=True)
        failures += [f"{function}: {p}" for p in problems]
    print(f"total {time.perf_counter() - t0:.0f} s (differ u/v/s: inputs where the ufunc, a vectorised and a scalar "
          f"@njit loop differ from the kernel; symm, mono: violations; special: exact special values)")
    if failures:
        print("VERIFICATION FAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


# ---- Re-rendering a published version ------------------------------------------------------
_BLOCK = 1 << 16


def make_comparer(a, b):
    """A compiled function counting the inputs in [start, start + count) (count a multiple
    of 2^16) where kernels a and b give different bits; also the first such input."""
    import numba
    import numpy as np
    from numba import prange

    from fastmath._ops import bits_float, float_bits

    @numba.njit(parallel=True, error_model="numpy")
    def compare(start, count):
        nblocks = count // _BLOCK
        differ = np.zeros(nblocks, np.int64)
        first = np.full(nblocks, -1, np.int64)
        for blk in prange(nblocks):
            base = start + blk * _BLOCK
            n, at = 0, -1
            for j in range(_BLOCK):
                x = bits_float(np.int32(np.uint32(base + j)))
                if float_bits(a(x)) != float_bits(b(x)):
                    n += 1
                    if at < 0:
                        at = base + j
            differ[blk], first[blk] = n, at
        return differ, first

    return compare


def rerender(version: str, functions, perturb: bool = False, directory=None) -> dict:
    """Render each function of a published version again, with the generator's current
    scaffolds and the version's own core programs (from its manifest), and compare the
    result with the published kernel on all 2^32 float32 inputs, bit for bit. With
    `perturb`, bit 29 of one constant of the first core (a float32 constant's last bit) is
    flipped first, to show the comparison catches a one-bit change. {function: (inputs differing, first one)}."""
    import tempfile
    from pathlib import Path

    import numpy as np

    from . import emit
    from .functions import scaffold
    from .pipeline import load_kernel
    from .program import Node, Program

    manifest = _kernels.manifest(version)
    directory = Path(directory or tempfile.mkdtemp(prefix=f"rerender-{version}-"))
    results = {}
    for function in functions:
        entry = manifest["functions"][function]
        chosen = scaffold(function, entry.get("variant", "f64"))
        programs = {name: Program.from_dict(core["program"]) for name, core in entry["cores"].items()}
        if perturb:
            first = chosen.cores[0].name
            nodes = list(programs[first].nodes)
            i = next(k for k, node in enumerate(nodes) if node.op == "const")
            bits = np.array([nodes[i].value]).view(np.int64)[0] ^ (1 << 29)  # a float32 core's last bit
            nodes[i] = Node("const", (), float(np.array([bits]).view(np.float64)[0]))
            programs[first] = Program(tuple(nodes))
        old = getattr(_kernels.kernel_module(function, version), f"{function}_f32")
        source = emit.render_kernel(chosen, programs, old.py_func.__globals__["PROVENANCE"])
        new = load_kernel(emit.write_kernel(directory, function, source), function)
        compare = make_comparer(new, old)
        t0 = time.perf_counter()
        differ, first = 0, -1
        for start in range(0, 1 << 32, 1 << 26):
            d, f = compare(start, 1 << 26)
            differ += int(d.sum())
            hits = f[f >= 0]
            if first < 0 and hits.size:
                first = int(hits[0])
        results[function] = (differ, first)
        print(f"{function:6} ({chosen.label}{', perturbed' if perturb else ''}): {differ} of 2^32 inputs differ"
              + (f", first at 0x{first:08x}" if first >= 0 else "") + f"  [{time.perf_counter() - t0:.0f} s]", flush=True)
    return results
