"""`make kernels`: make every function's cores, verify each kernel exhaustively, publish.

Per function: fit the cores (this issue: classical baseline fits), emit the kernel into a
staging directory, verify all 2^32 inputs; on failure tighten the core budget and try
again; a function that never verifies stops the run and nothing is published. Each
verified function is checkpointed in the staging directory, so a re-run with the same
options resumes where an interrupted one stopped.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from fastmath import _libm
from fastmath.contract import CONTRACTS

from . import emit
from .fit import fit_core
from .measure import measure_speed
from .options import Options
from .scaffolds import SCAFFOLDS
from .verify import verify_kernel

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"


class VerificationFailed(RuntimeError):
    pass


def generator_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "fastmath"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_kernel(path: Path, function: str):
    """Import a staged kernel file under a unique module name; return its float32 kernel."""
    name = f"fastmath_staging_{path.parent.name.replace('-', '_').replace('.', '')}_{function}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return getattr(module, f"{function}_f32")


def _progress(function, done, total, worst):
    if done % (total // 8) == 0 or done == total:
        print(f"  verify {function}: {done / total:6.1%}  max {worst:.4f} ULP", flush=True)


def core_entry(spec, fit) -> dict:
    """The manifest's record of one core: what it approximates, how well, at what cost."""
    return {"formula": fit.program.formula(), "degree": fit.degree, "interval": [spec.lo, spec.hi],
            "form": spec.form, "approximates": spec.note, "fit_error": fit.max_error,
            "fit_error_kind": spec.error, "ops": fit.program.op_counts(), "cost": fit.program.cost(),
            "program": fit.program.to_dict()}


def make_function(function: str, options: Options, staging: Path, meta: dict, log=print) -> dict:
    """Fit, emit and verify one function's kernel; its manifest entry (checkpointed)."""
    checkpoint = staging / f"{function}.json"
    if checkpoint.exists() and (staging / f"{function}.py").exists():
        log(f"{function}: resumed from checkpoint {checkpoint.name}")
        return json.loads(checkpoint.read_text())
    scaffold, contract = SCAFFOLDS[function], CONTRACTS[function]
    budget_log2 = options.core_budget_log2
    for attempt in range(options.budget_retries + 1):
        fits = {spec.name: fit_core(spec, 2.0 ** budget_log2) for spec in scaffold.cores}
        provenance = {
            **meta, "function": function, "method": options.method,
            "internal_precision": scaffold.internal_precision, "domain": contract.domain,
            "max_ulp_contract": contract.max_ulp, "core_budget_log2": budget_log2,
            "cores": {name: fit.program.to_dict() for name, fit in fits.items()},
        }
        source = emit.render_kernel(scaffold, {n: f.program for n, f in fits.items()}, provenance)
        path = emit.write_kernel(staging, function, source)
        kernel = load_kernel(path, function)
        log(f"{function}: cores " + ", ".join(f"{n} degree {f.degree} (error {f.max_error:.2e})"
                                               for n, f in fits.items()) + "; verifying all 2^32 inputs")
        check = verify_kernel(function, kernel, _libm.FLOAT64[function], contract.reference,
                              block=options.verify_block, progress=_progress)
        log(f"{function}: max {check.max_ulp:.4f} ULP at {check.worst_input} "
            f"({check.count_over_half_ulp} inputs > 0.5 ULP) in {check.seconds:.0f} s")
        if check.proves(contract.max_ulp):
            break
        log(f"{function}: does not verify; tightening the core budget to 2^{budget_log2 - 2:g}")
        budget_log2 -= 2
    else:
        raise VerificationFailed(f"{function}: no kernel verified under {contract.max_ulp} ULP "
                                 f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
    from fastmath._ufuncs import make_ufunc
    ufunc = make_ufunc(function, kernel, _libm.FLOAT64[function], "")
    entry = {
        "source": f"{function}.py",
        "method": options.method,
        "internal_precision": scaffold.internal_precision,
        "core_budget_log2": budget_log2,
        "cores": {spec.name: core_entry(spec, fits[spec.name]) for spec in scaffold.cores},
        "ops_total": sum(f.program.cost() for f in fits.values()),
        "verification": check.to_dict(),
        "speed": measure_speed(function, ufunc, options.bench_n, options.bench_repeats, options.seed),
    }
    emit.write_text_atomic(checkpoint, json.dumps(entry, indent=2, sort_keys=True))
    return entry


def make_kernels(options: Options, generated: Path = GENERATED, log=print) -> Path:
    """Run the whole pipeline; the path of the published version. Raises, publishing
    nothing, if any function fails verification."""
    generated.mkdir(exist_ok=True)
    staging = emit.staging_dir(generated, options.config_hash(), options.seed)
    meta_path = staging / "run.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"resuming {meta['version']} in {staging.name}")
    else:
        meta = {"version": emit.next_version(generated), "seed": options.seed,
                "config_hash": options.config_hash(), "generator_commit": generator_commit()}
        emit.write_text_atomic(meta_path, json.dumps(meta, indent=2, sort_keys=True))
    entries = {f: make_function(f, options, staging, meta, log) for f in options.functions}
    manifest = {
        **meta,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": options.to_dict(),
        "functions": entries,
    }
    target = emit.publish(generated, staging, meta["version"], manifest, options.functions)
    log(f"published {meta['version']} -> {target} (CURRENT = {meta['version']})")
    return target
