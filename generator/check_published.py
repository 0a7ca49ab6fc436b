"""`make verify`: exhaustively re-verify the kernels the runtime ships, against the manifest.

It imports each kernel exactly as the runtime does (fastmath.generated.<version>) and builds
its ufunc as ``fastmath.<f>`` is built, checks all 2^32 float32 inputs in every compilation
(``generator.verify``), prints per function the max ULP, worst input, the count of inputs
evaluated, and the bit-identity, symmetry, monotonicity and special-value results, and fails
if any check fails or the max ULP and worst input differ from what the manifest recorded.
"""
from __future__ import annotations

import os
import time

from fastmath import _kernels, _ufuncs
from fastmath.contract import CONTRACTS

from .verify import COMPILATIONS, verify_function
from .verify64 import KERNEL_INPUTS, verify_kernel64


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
          f"{'differ u/v/s/c':>9} {'symm':>7} {'mono':>5} {'special':>7} {'seconds':>8}  status")
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
    print(f"total {time.perf_counter() - t0:.0f} s (differ u/v/s/c[/w]: inputs where the ufunc, a vectorised and a "
          f"scalar @njit loop, the common path and the wide path (where there is one) differ from the kernel; symm, "
          f"mono: violations; special: exact special values)")
    failures += verify_published64(version, functions, manifest)
    if failures:
        print("VERIFICATION FAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


def float64_sample_size() -> int:
    """Sampled float64 inputs per kernel: make kernels' count (10^8, about 20 s per function
    here), or what $FASTMATH_VERIFY64_INPUTS says (a smaller sample, for a quick look)."""
    return int(os.environ.get("FASTMATH_VERIFY64_INPUTS", KERNEL_INPUTS))


def verify_published64(version: str, functions, manifest: dict) -> list[str]:
    """The sampled check of each float64 kernel of the version (``generator.verify64``), as
    the runtime imports and builds it; with the manifest's sample size it must also repeat
    the manifest's max ULP and worst input exactly. The failures, printed."""
    shipped = [f for f in functions if _kernels.kernel(f, "float64", version) is not None]
    if not shipped:
        return []
    inputs = float64_sample_size()
    print(f"fastmath kernels {version}: float64 kernels, sampled ({inputs:,} inputs + the hard cases + special values)")
    failures = []
    for function in shipped:
        kernel = _kernels.kernel(function, "float64", version)
        ufunc = (_ufuncs.build(function, version) if CONTRACTS[function].float64_loop(True) == "kernel"
                 else _ufuncs.float64_kernel_ufunc(function, version))  # (exp, log: the ufunc is numpy's)
        check = verify_kernel64(function, kernel, ufunc, inputs=inputs)
        problems = check.problems(CONTRACTS[function].max_ulp)
        recorded = manifest["functions"][function]["float64"]["verification"]
        if check.inputs_checked == recorded["inputs_checked"] and (check.max_ulp, check.worst_input) != (
                recorded["max_ulp"], recorded["worst_input"]):
            problems.append(f"differs from the manifest (max {recorded['max_ulp']:.4f} ULP at {recorded['worst_input']})")
        differ = "/".join(str(c["differ"]) for c in check.compilations.values())
        letters = "/".join(name[0] for name in check.compilations)  # ufunc, kernel alone, common, wide path
        special = check.special_values
        print(f"{function + '_f64':8} max {check.max_ulp:.4f} ULP at {check.worst_input} ({check.peer}: "
              f"{check.peer_max_ulp:.4f}) over {check.inputs_checked:,} inputs; differ {letters} {differ}; special "
              f"{special['checked'] - len(special['failures'])}/{special['checked']}; {check.seconds:.1f} s  "
              f"{'FAIL: ' + '; '.join(problems) if problems else 'ok'}", flush=True)
        failures += [f"{function} float64: {p}" for p in problems]
    return failures


# ---- Re-rendering a published version ------------------------------------------------------
def _flip_bit_29(value: float) -> float:
    """value with bit 29 of its float64 pattern flipped: a float32 constant's last bit."""
    import numpy as np
    return float(np.array([np.array([value]).view(np.int64)[0] ^ (1 << 29)]).view(np.float64)[0])


def rerender(version: str, functions, perturb: bool = False, directory=None) -> dict:
    """Render each function of a published version again, with the generator's current
    scaffolds and the version's own core programs (from its manifest), and compare the
    result with the published kernel on all 2^32 float32 inputs, bit for bit (each kernel in
    its own vectorised loop, ``verify.make_loops``). With `perturb`, bit 29 of the first
    constant of the first core (a float32 constant's last bit) is flipped first, to show the
    comparison catches a one-bit change. {function: (inputs differing, first one or -1)}."""
    import tempfile
    from pathlib import Path

    import numpy as np

    from . import emit
    from .functions import scaffold
    from .pipeline import load_kernel
    from .program import Program
    from .verify import count_differing, make_loops

    manifest = _kernels.manifest(version)
    directory = Path(directory or tempfile.mkdtemp(prefix=f"rerender-{version}-"))
    chunk = 1 << 24
    results = {}
    for function in functions:
        entry = manifest["functions"][function]
        chosen = scaffold(function, entry.get("variant", "f64"))
        programs = {name: Program.from_dict(core["program"]) for name, core in entry["cores"].items()}
        if perturb:
            first = programs[chosen.cores[0].name]
            values = first.constants()
            programs[chosen.cores[0].name] = first.with_constants([_flip_bit_29(values[0])] + values[1:])
        old = getattr(_kernels.kernel_module(function, version), f"{function}_f32")
        source = emit.render_kernel(chosen, programs, old.py_func.__globals__["PROVENANCE"])
        new = load_kernel(emit.write_kernel(directory, function, source), function)
        (run_new, _), (run_old, _) = make_loops(new), make_loops(old)
        a, b = np.empty(chunk, np.float32), np.empty(chunk, np.float32)
        t0 = time.perf_counter()
        differ, first_at = 0, -1
        for start in range(0, 1 << 32, chunk):
            x = np.arange(start, start + chunk, dtype=np.uint32).view(np.float32)
            run_new(x, a)
            run_old(x, b)
            d, at = count_differing(a, b)
            differ += int(d)
            if first_at < 0 and at >= 0:
                first_at = start + int(at)
        results[function] = (differ, first_at)
        print(f"{function:6} ({chosen.label}{', perturbed' if perturb else ''}): {differ} of 2^32 inputs differ"
              + (f", first at 0x{first_at:08x}" if first_at >= 0 else "") + f"  [{time.perf_counter() - t0:.0f} s]",
              flush=True)
    return results
