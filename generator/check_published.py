"""`make verify`: exhaustively re-verify the kernels the runtime ships, against the manifest.

It imports each kernel exactly as the runtime does (fastmath.generated.<version>), checks
all 2^32 float32 inputs, prints max ULP, worst input and time per function, and fails
if any function is >= its contract's bound or differs from what the manifest recorded.
"""
from __future__ import annotations

import time

from fastmath import _kernels, _libm
from fastmath.contract import CONTRACTS

from .verify import verify_kernel


def verify_published(version: str | None, functions) -> int:
    version = version or _kernels.current_version()
    manifest = _kernels.manifest(version)
    print(f"fastmath kernels {version}: exhaustive check, all 2^32 float32 inputs per function")
    print(f"{'function':8} {'max ULP':>9} {'worst input':>12} {'> 0.5 ULP':>10} {'>= 1 ULP':>9} {'seconds':>8}  status")
    failures = []
    t0 = time.perf_counter()
    for function in functions:
        contract = CONTRACTS[function]
        kernel = getattr(_kernels.kernel_module(function, version), f"{function}_f32")
        check = verify_kernel(function, kernel, _libm.FLOAT64[function], contract.reference)
        recorded = manifest["functions"][function]["verification"]
        problems = []
        if not check.proves(contract.max_ulp):
            problems.append(f"max {check.max_ulp:.4f} ULP breaks the contract (< {contract.max_ulp:g})")
        if (check.max_ulp, check.worst_input, check.count_over_half_ulp) != (
                recorded["max_ulp"], recorded["worst_input"], recorded["count_over_half_ulp"]):
            problems.append(f"differs from the manifest (max {recorded['max_ulp']:.4f} ULP at "
                            f"{recorded['worst_input']}, {recorded['count_over_half_ulp']} > 0.5 ULP)")
        print(f"{function:8} {check.max_ulp:9.4f} {check.worst_input:>12} {check.count_over_half_ulp:10d} "
              f"{check.count_at_least_one_ulp:9d} {check.seconds:8.1f}  {'FAIL: ' + '; '.join(problems) if problems else 'ok'}",
              flush=True)
        failures += [f"{function}: {p}" for p in problems]
    print(f"total {time.perf_counter() - t0:.0f} s")
    if failures:
        print("VERIFICATION FAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0
