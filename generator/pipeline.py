"""`make kernels`: make every function's cores, verify each kernel exhaustively, publish.

Per function and scaffold variant (``generator.scaffolds.VARIANTS``): evolve the cores
(or, with method "baseline fit", fit them classically; the default variant only), emit
the kernel into a staging directory, verify all 2^32 inputs; on failure move the cores
up their Pareto fronts (or tighten the fits' budget) and try again. Of the variants that
verify, the fastest (timed in one process) ships; a function with none stops the run and
nothing is published. Searches checkpoint every generation and each finished function is
checkpointed in the staging directory, so a re-run with the same options resumes where
an interrupted one stopped.
"""
from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from fastmath import _libm
from fastmath.contract import CONTRACTS

from . import emit
from .fit import fit_core
from .kernel_objective import kernel_spec, model_cost
from .measure import measure_speed, median_ns_per_element, sample_inputs
from .options import Options
from .scaffolds import SCAFFOLDS, VARIANTS, Scaffold, is_default
from .search import default_executor, progress_line, run_search
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


def source_hash() -> str:
    """sha256 (first 12 hex digits) of the code that decides the kernels: the generator, and
    the runtime modules kernels and verification use. A run resumes only with equal code."""
    files = sorted((ROOT / "generator").glob("*.py")) + [ROOT / "fastmath" / n for n in ("_ops.py", "_libm.py", "contract.py")]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def staging_for(options: Options, generated: Path) -> Path:
    """The staging directory of a run: one per (config, code, seed), so that a re-run
    resumes only what was made by the same options with the same generator code."""
    return emit.staging_dir(generated, f"{options.config_hash()}-{source_hash()}", options.seed)


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


def core_entry(spec, program, **facts) -> dict:
    """The manifest's record of one core: what it approximates, how well, at what cost."""
    return {"formula": program.formula(), "interval": [spec.lo, spec.hi], "form": spec.form,
            "approximates": spec.note, "ops": program.op_counts(), "cost": program.cost(),
            "model_cost": model_cost(program), "program": program.to_dict(), **facts}


def baseline_fits(scaffold, budget_log2: float) -> dict:
    """Classical fits of each core, to the scaffold's own budget if it sets one."""
    if scaffold.fit_budget_log2 is not None:
        budget_log2 = scaffold.fit_budget_log2
    return {spec.name: fit_core(spec, 2.0 ** budget_log2) for spec in scaffold.cores}


def render(scaffold: Scaffold, programs: dict, provenance: dict, directory: Path) -> tuple[Path, object]:
    """Emit one kernel into directory and load it: (path, float32 kernel)."""
    source = emit.render_kernel(scaffold, programs, provenance)
    path = emit.write_kernel(directory, scaffold.function, source)
    return path, load_kernel(path, scaffold.function)


def time_kernels(function: str, kernels: list, n: int, repeats: int, seed: int) -> list[float]:
    """Median ns/element of each float32 kernel as a ufunc, interleaved in one process."""
    from fastmath._ufuncs import make_ufunc
    ufuncs = [make_ufunc(function, k, _libm.FLOAT64[function], "") for k in kernels]
    x = sample_inputs(function, n, np.random.default_rng(seed))
    return median_ns_per_element(ufuncs, x, repeats)


def slot_seed(seed: int, function: str, slot: str) -> int:
    """The search seed of one core: a pure function of the run seed and the core's name."""
    words = [seed, *function.encode(), 0, *slot.encode()]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def _label(scaffold: Scaffold) -> str:
    """How files and logs name a scaffold: the function, plus the variant unless default."""
    return scaffold.function if is_default(scaffold) else f"{scaffold.function}-{scaffold.variant}"


def core_seed(seed: int, scaffold: Scaffold, slot: str) -> int:
    """slot_seed of the core; other variants' cores are named slot@variant."""
    return slot_seed(seed, scaffold.function, slot if is_default(scaffold) else f"{slot}@{scaffold.variant}")


def evolve_core(scaffold: Scaffold, slot, programs, options, staging, executor, log):
    """Run (or resume) the search for one core; its final state."""
    function, label = scaffold.function, _label(scaffold)
    fixed = {n: p for n, p in programs.items() if n != slot}
    spec = kernel_spec(function, slot, fixed, scaffold.variant)
    checkpoint = staging / f"{label}.{slot}.search.json"
    t0 = time.perf_counter()
    state = run_search(spec, options.search, core_seed(options.seed, scaffold, slot), executor, checkpoint,
                       progress=_every(10, progress_line(f"{label}/{slot}")))
    log(f"{label}/{slot}: {state.generation} generations, {state.births} births, "
        f"{state.evaluations / max(state.seconds, 1e-9):,.0f} evaluations/s, Pareto front of {len(state.archive)} "
        f"({time.perf_counter() - t0:.0f} s here)")
    return state


def _every(k, show):
    def maybe(state, config):
        if state.generation % k == 0 or state.generation == config.generations:
            show(state, config)
    return maybe


def candidates(state, options, form: str) -> list:
    """Feasible Pareto members (archive max ULP < options.feasible_ulp), cheapest first, as
    cores in u (the search evolves P of u * P(u^2) or P(u^2) for odd and even cores)."""
    return [(c, e, p.in_form(form), r) for c, e, p, r in state.archive.front() if e < options.feasible_ulp]


def choose_core(scaffold: Scaffold, slot, members, programs, options, staging, meta, log):
    """Among the cheapest feasible members, the one to ship: by measured speed of the whole
    kernel (or by the cost model), with each candidate's facts for the manifest."""
    function, label = scaffold.function, _label(scaffold)
    trial = members[: options.candidates]
    timed = []
    if options.choose == "speed" and len(trial) > 1:
        kernels = []
        for i, (_, _, program, _) in enumerate(trial):
            probe_dir = staging / f".choose-{label}-{slot}-{i}"
            probe_dir.mkdir(exist_ok=True)
            _, k = render(scaffold, {**programs, slot: program},
                          _provenance(scaffold, meta, options, programs, "trial"), probe_dir)
            kernels.append(k)
        timed = time_kernels(function, kernels, options.bench_n, 31, options.seed)
        pick = min(range(len(trial)), key=lambda i: (timed[i], trial[i][0]))
    else:
        pick = 0
    facts = [{"model_cost": c, "archive_max_ulp": e, "formula": p.formula(),
              **({"ns_per_element": round(timed[i], 4)} if timed else {})} for i, (c, e, p, _) in enumerate(trial)]
    log(f"{label}/{slot}: candidates " + "; ".join(
        f"cost {f['model_cost']} ({f['archive_max_ulp']:.3f} ULP" + (f", {f['ns_per_element']:.3f} ns)" if timed else ")")
        for f in facts) + f" -> #{pick}")
    return trial[pick], facts


def _provenance(scaffold: Scaffold, meta, options, programs, method) -> dict:
    contract = CONTRACTS[scaffold.function]
    return {**meta, "function": scaffold.function, "method": method, "variant": scaffold.variant,
            "internal_precision": scaffold.internal_precision,
            "domain": contract.domain, "max_ulp_contract": contract.max_ulp,
            "cores": {name: p.to_dict() for name, p in programs.items()}}


def make_function(function: str, options: Options, staging: Path, meta: dict, log=print, executor=None) -> dict:
    """Make, emit and verify one function's kernel; its manifest entry (checkpointed)."""
    checkpoint = staging / f"{function}.json"
    if checkpoint.exists() and (staging / f"{function}.py").exists():
        log(f"{function}: resumed from checkpoint {checkpoint.name}")
        return json.loads(checkpoint.read_text())
    if options.method == "evolved":
        return _make_evolved(function, options, staging, meta, log, executor)
    return _make_fitted(function, options, staging, meta, log)


def _verify(function, kernel, options, log, label=None):
    label = label or function
    log(f"{label}: verifying all 2^32 inputs")
    check = verify_kernel(function, kernel, _libm.FLOAT64[function], CONTRACTS[function].reference,
                          block=options.verify_block, progress=lambda f, d, t, w: _progress(label, d, t, w))
    log(f"{label}: max {check.max_ulp:.4f} ULP at {check.worst_input} "
        f"({check.count_over_half_ulp} inputs > 0.5 ULP) in {check.seconds:.0f} s")
    return check


def _make_fitted(function, options, staging, meta, log) -> dict:
    scaffold, contract = SCAFFOLDS[function], CONTRACTS[function]
    budget_log2 = options.core_budget_log2
    for attempt in range(options.budget_retries + 1):
        fits = baseline_fits(scaffold, budget_log2)
        programs = {n: f.program for n, f in fits.items()}
        provenance = {**_provenance(scaffold, meta, options, programs, options.method), "core_budget_log2": budget_log2}
        path, kernel = render(scaffold, programs, provenance, staging)
        log(f"{function}: cores " + ", ".join(f"{n} degree {f.degree} (error {f.max_error:.2e})" for n, f in fits.items()))
        check = _verify(function, kernel, options, log)
        if check.proves(contract.max_ulp):
            break
        log(f"{function}: does not verify; tightening the core budget to 2^{budget_log2 - 2:g}")
        budget_log2 -= 2
    else:
        raise VerificationFailed(f"{function}: no kernel verified under {contract.max_ulp} ULP "
                                 f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
    cores = {spec.name: core_entry(spec, fits[spec.name].program, degree=fits[spec.name].degree,
                                   fit_error=fits[spec.name].max_error, fit_error_kind=spec.error)
             for spec in scaffold.cores}
    return _finish(scaffold, kernel, check, cores, {"core_budget_log2": budget_log2}, options, staging)


def _make_evolved(function, options, staging, meta, log, executor) -> dict:
    """Evolve and verify every scaffold variant of the function (``_evolve_variant``);
    ship the fastest that verified, timed against the others in one process."""
    made, failures = [], {}
    for scaffold in VARIANTS[function]:
        try:
            made.append(_evolve_variant(scaffold, options, staging, meta, log, executor))
        except VerificationFailed as exc:
            failures[scaffold.variant] = str(exc)
            log(f"{_label(scaffold)}: not a candidate: {exc}")
    if not made:
        raise VerificationFailed("; ".join(failures.values()))
    timed = time_kernels(function, [m["kernel"] for m in made], options.bench_n, options.bench_repeats,
                         options.seed) if len(made) > 1 else []
    chosen = made[min(range(len(made)), key=timed.__getitem__) if timed else 0]
    variants = [{"variant": m["scaffold"].variant, "internal_precision": m["scaffold"].internal_precision,
                 "max_ulp": m["check"].max_ulp, "worst_input": m["check"].worst_input,
                 "model_cost_total": sum(c["model_cost"] for c in m["cores"].values()),
                 **({"ns_per_element": round(timed[i], 4)} if timed else {})}
                for i, m in enumerate(made)]
    variants += [{"variant": v, "failed": reason} for v, reason in failures.items()]
    if timed:
        log(f"{function}: variants " + "; ".join(
            f"{v['variant']} {v['ns_per_element']:.3f} ns ({v['max_ulp']:.4f} ULP)" for v in variants if "max_ulp" in v)
            + f" -> {chosen['scaffold'].variant}")
    # Ship the verified file itself: the same bytes, under the function's name.
    emit.write_text_atomic(staging / f"{function}.py", chosen["path"].read_text())
    facts = {**chosen["facts"], "variant": chosen["scaffold"].variant, "variants": variants}
    return _finish(chosen["scaffold"], chosen["kernel"], chosen["check"], chosen["cores"], facts, options, staging)


def _evolve_variant(scaffold: Scaffold, options, staging, meta, log, executor) -> dict:
    """Evolve each core of one scaffold in turn (the others fixed: evolved ones, else
    baseline fits), pick the shipped member of each front, verify exhaustively; on failure,
    record the worst input and move each core one step up its Pareto front (to a more
    accurate member). The verified kernel, its facts and the cores' manifest entries."""
    function, label, contract = scaffold.function, _label(scaffold), CONTRACTS[scaffold.function]
    directory = staging / f".variant-{label}"
    directory.mkdir(exist_ok=True)
    baseline = {n: f.program for n, f in baseline_fits(scaffold, options.core_budget_log2).items()}
    programs, failed_inputs, states, chosen, trials = dict(baseline), [], {}, {}, {}
    for spec in scaffold.cores:
        state = evolve_core(scaffold, spec.name, programs, options, staging, executor, log)
        members = candidates(state, options, spec.form)
        if not members:
            raise VerificationFailed(f"{label}/{spec.name}: the search found no member under "
                                     f"{options.feasible_ulp} ULP on its validation inputs")
        states[spec.name] = (state, members)
        chosen[spec.name], trials[spec.name] = choose_core(scaffold, spec.name, members, programs, options,
                                                           staging, meta, log)
        programs[spec.name] = chosen[spec.name][2]
    for attempt in range(options.budget_retries + 1):
        provenance = _provenance(scaffold, meta, options, programs, "evolved")
        path, kernel = render(scaffold, programs, provenance, directory)
        check = _verify(function, kernel, options, log, label)
        if check.proves(contract.max_ulp):
            break
        failed_inputs.append(check.worst_input)
        log(f"{label}: does not verify; each core moves one step up its Pareto front")
        moved = False
        for name, (_, members) in states.items():
            at = next(i for i, m in enumerate(members) if m[2] == programs[name])
            if at + 1 < len(members):
                chosen[name] = members[at + 1]
                programs[name] = members[at + 1][2]
                moved = True
        if not moved:
            raise VerificationFailed(f"{label}: no more accurate Pareto member to try "
                                     f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
    else:
        raise VerificationFailed(f"{label}: no evolved kernel verified under {contract.max_ulp} ULP "
                                 f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
    # The baseline-fit kernel this one replaces, timed against it in one process.
    base_dir = staging / f".baseline-{label}"
    base_dir.mkdir(exist_ok=True)
    _, base_kernel = render(scaffold, baseline, _provenance(scaffold, meta, options, baseline, "baseline fit"), base_dir)
    ours, theirs = time_kernels(function, [kernel, base_kernel], options.bench_n, options.bench_repeats, options.seed)
    cores = {}
    for spec in scaffold.cores:
        state, _ = states[spec.name]
        cost, error, program, record = chosen[spec.name]
        cores[spec.name] = core_entry(
            spec, program, archive_max_ulp=error, search_seed=core_seed(options.seed, scaffold, spec.name),
            generations=state.generation, births=state.births, evaluations=state.evaluations,
            search_seconds=round(state.seconds, 1), born=record.get("birth"), lineage=record.get("lineage", []),
            candidates=trials[spec.name], baseline=core_entry(spec, baseline[spec.name]))
        _write_front(staging, label, spec.name, state, spec.form)
    facts = {"failed_inputs": failed_inputs,
             "vs_baseline_fit": {"n": options.bench_n, "ns_per_element": round(ours, 4),
                                 "baseline_ns_per_element": round(theirs, 4), "speedup": round(theirs / ours, 3)}}
    log(f"{label}: {ours:.3f} ns/element vs the baseline fit's {theirs:.3f} (x{theirs / ours:.2f})")
    return {"scaffold": scaffold, "path": path, "kernel": kernel, "check": check, "cores": cores, "facts": facts}


def _write_front(staging: Path, function: str, slot: str, state, form: str) -> None:
    """The core's Pareto front as CSV (model cost, archive max ULP, paper op count, formula)."""
    lines = ["model_cost,archive_max_ulp,ops,birth,formula"]
    for cost, error, program, record in state.archive.front():
        program = program.in_form(form)
        lines.append(f'{cost},{error!r},{program.cost()},{record.get("birth", "")},"{program.formula()}"')
    emit.write_text_atomic(staging / f"pareto_{function}_{slot}.csv", "\n".join(lines) + "\n")


def _finish(scaffold: Scaffold, kernel, check, cores, facts, options, staging) -> dict:
    from fastmath._ufuncs import make_ufunc
    function = scaffold.function
    ufunc = make_ufunc(function, kernel, _libm.FLOAT64[function], "")
    entry = {
        "source": f"{function}.py",
        "method": options.method,
        "internal_precision": scaffold.internal_precision,
        "cores": cores,
        "ops_total": sum(c["cost"] for c in cores.values()),
        "model_cost_total": sum(c["model_cost"] for c in cores.values()),
        **facts,
        "verification": check.to_dict(),
        "speed": measure_speed(function, ufunc, options.bench_n, options.bench_repeats, options.seed),
    }
    emit.write_text_atomic(staging / f"{function}.json", json.dumps(entry, indent=2, sort_keys=True))
    return entry


def make_kernels(options: Options, generated: Path = GENERATED, log=print) -> Path:
    """Run the whole pipeline; the path of the published version. Raises, publishing
    nothing, if any function fails verification."""
    generated.mkdir(exist_ok=True)
    staging = staging_for(options, generated)
    meta_path = staging / "run.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"resuming {meta['version']} in {staging.name}")
    else:
        meta = {"version": emit.next_version(generated), "seed": options.seed,
                "config_hash": options.config_hash(), "generator_commit": generator_commit(),
                "generator_source_hash": source_hash()}
        emit.write_text_atomic(meta_path, json.dumps(meta, indent=2, sort_keys=True))
    executor = default_executor(options.workers or None, options.scheduler) if options.method == "evolved" else None
    try:
        entries = {f: make_function(f, options, staging, meta, log, executor) for f in options.functions}
    finally:
        if executor is not None:
            executor.shutdown()
    extras = sorted(p.name for p in staging.glob("pareto_*.csv"))
    if extras:
        plot_fronts(staging, extras)
        extras.append("pareto.png")
    manifest = {
        **meta,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": options.to_dict(),
        "functions": entries,
    }
    target = emit.publish(generated, staging, meta["version"], manifest, options.functions, extras)
    log(f"published {meta['version']} -> {target} (CURRENT = {meta['version']})")
    return target


def plot_fronts(staging: Path, csv_names: list[str]) -> None:
    """pareto.png: every searched core's Pareto front, max ULP against model cost."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in csv_names:
        rows = [line.split(",", 4) for line in (staging / name).read_text().splitlines()[1:]]
        cost = [int(r[0]) for r in rows]
        ulp = [float(r[1]) for r in rows]
        ax.step(cost, ulp, where="post", marker="o", label=name[len("pareto_"):-len(".csv")].replace("_", "/", 1))
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("model cost (vector ops per element)")
    ax.set_ylabel("max ULP of the whole kernel (archive inputs)")
    ax.set_title("Pareto fronts of the evolved cores")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(staging / "pareto.png", dpi=110, metadata={"Software": None})
    plt.close(fig)
