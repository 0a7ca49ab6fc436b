"""`make kernels`: make every function's cores, verify each kernel exhaustively, publish.

Per function and scaffold variant (the function's home, ``generator.functions``): evolve
the cores (or, with method "baseline fit", fit them classically; the default variant
only), emit the kernel into a staging directory, verify all 2^32 inputs; on failure move
the cores up their Pareto fronts (or tighten the fits' budget) and try again. Of the
variants that verify, the fastest (timed in one process) ships; a function with none
stops the run and nothing is published. Searches checkpoint every generation and each
finished function is checkpointed in the staging directory, so a re-run with the same
options and code resumes where an interrupted one stopped.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from fastmath import _libm
from fastmath.contract import CONTRACTS, FUNCTIONS

from . import emit
from .cost import model_cost
from .fit import fit_core
from .functions import home
from .kernel_objective import kernel_spec
from .measure import measure_speed, median_ns_per_element
from .modules import ROOT, load_module
from .options import KERNEL_SEARCH, Options
from .program import Program
from .scaffold import CoreSpec, Scaffold, kernel_name
from .search import default_executor, progress_line, run_search
from .verify import Verification, verify_function
from .verify64 import verify_kernel64

GENERATED = ROOT / "generated"


class VerificationFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Candidate:
    """A feasible Pareto member of a core's search, as a core in u."""
    cost: int  # model cost
    error: float  # max ULP on the archive inputs
    program: Program
    birth: int | None
    lineage: tuple


@dataclass
class MadeVariant:
    """One scaffold variant, made and verified."""
    scaffold: Scaffold
    path: Path
    kernel: object  # the compiled float32 kernel
    check: Verification
    cores: dict  # manifest entries per core
    facts: dict  # manifest facts of the variant


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
    """sha256 (first 12 hex digits) of the code that decides the kernels: the generator
    (function homes included), and the runtime modules kernels and verification use. A run
    resumes only with equal code."""
    files = sorted((ROOT / "generator").rglob("*.py")) + [ROOT / "fastmath" / n for n in ("_ops.py", "_libm.py", "contract.py")]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def load_kernel(path: Path, function: str, dtype: str = "float32"):
    """Import a staged kernel file (afresh); return its kernel (``<function>_f32`` or _f64)."""
    name = kernel_name(function, dtype)
    module = f"fastmath_staging_{path.parent.name}_{name}".replace("-", "_").replace(".", "")
    return getattr(load_module(path, name=module), name)


def render(scaffold: Scaffold, programs: dict, provenance: dict, directory: Path) -> tuple[Path, object]:
    """Emit one kernel into directory and load it: (path, kernel)."""
    directory.mkdir(exist_ok=True)
    path = emit.write_kernel(directory, scaffold.kernel_name if scaffold.dtype != "float32" else scaffold.function,
                             emit.render_kernel(scaffold, programs, provenance))
    return path, load_kernel(path, scaffold.function, scaffold.dtype)


def slot_seed(seed: int, function: str, slot: str) -> int:
    """The search seed of one core: a pure function of the run seed and the core's name."""
    words = [seed, *function.encode(), 0, *slot.encode()]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def core_generations(core: CoreSpec, config) -> int:
    """A core's generations: its own (``CoreSpec.generations``, what `make kernels` gives it)
    scaled by the run's generations against the default run's (250), so a short run (the
    tests') stays short; else the run's."""
    if core.generations is None:
        return config.generations
    return max(1, round(core.generations * config.generations / KERNEL_SEARCH.generations))


def core_seed(seed: int, scaffold: Scaffold, slot: str) -> int:
    """slot_seed of a core of a scaffold variant, named slot@variant."""
    return slot_seed(seed, scaffold.function, f"{slot}@{scaffold.variant}")


def baseline_fits(scaffold: Scaffold, budget_log2: float) -> dict:
    """Classical fits of each core, to the core's or else the scaffold's own budget if they set one."""
    if scaffold.fit_budget_log2 is not None:
        budget_log2 = scaffold.fit_budget_log2
    return {spec.name: fit_core(spec, 2.0 ** (budget_log2 if spec.fit_budget_log2 is None else spec.fit_budget_log2))
            for spec in scaffold.cores}


def core_entry(spec: CoreSpec, program: Program, **facts) -> dict:
    """The manifest's record of one core: what it approximates, how well, at what cost."""
    return {"formula": program.formula(), "interval": [spec.lo, spec.hi], "form": spec.form,
            "approximates": spec.note, "ops": program.op_counts(), "cost": program.cost(),
            "model_cost": model_cost(program), "program": program.to_dict(), **facts}


def ufunc_of(function: str, kernel, dtype: str = "float32"):
    """The kernel as a ufunc, built once per kernel: verification, timing and the manifest's
    speed share it. float32: f->f, with the C library's d->d; float64: d->d alone, the
    kernel's block loop (``fastmath._loops``) as the ufunc will run it."""
    return _ufunc_of(function, kernel, dtype)  # (one cache key whether dtype is given or not)


@functools.cache
def _ufunc_of(function: str, kernel, dtype: str):
    from fastmath._loops import common_path_of, compile_loop
    from fastmath._ufuncs import make_ufunc
    if dtype == "float64":
        loop = compile_loop(kernel, *common_path_of(kernel, function, dtype), dtype=dtype)
        return make_ufunc(function, None, kernel, "", loop64=loop)
    return make_ufunc(function, kernel, _libm.float64_kernel(function), "")


def time_kernels(function: str, kernels: list, n: int, repeats: int, seed: int, dtype: str = "float32") -> list[float]:
    """Median ns/element of each kernel (of dtype) as a ufunc, interleaved in one process."""
    ufuncs = [ufunc_of(function, k, dtype) for k in kernels]
    x = home(function).bench_inputs(np.random.default_rng(seed), n).astype(dtype)
    return median_ns_per_element(ufuncs, x, repeats)


def candidates(state, feasible_ulp: float, form: str) -> list[Candidate]:
    """Feasible Pareto members (archive max ULP < feasible_ulp), cheapest first, as cores in
    u (the search evolves P of u * P(u^2) or P(u^2) for odd and even cores)."""
    return [Candidate(m.cost, m.error, m.program.in_form(form), m.origin.birth, m.origin.lineage)
            for m in state.archive.front() if m.error < feasible_ulp]


def write_front(directory: Path, label: str, slot: str, state, form: str) -> str:
    """The core's Pareto front as CSV (model cost, archive max ULP, paper op count, formula);
    the file's name."""
    lines = ["model_cost,archive_max_ulp,ops,birth,formula"]
    for m in state.archive.front():
        program = m.program.in_form(form)
        lines.append(f'{m.cost},{m.error!r},{program.cost()},{m.origin.birth},"{program.formula()}"')
    name = f"pareto_{label}_{slot}.csv"
    emit.write_text_atomic(directory / name, "\n".join(lines) + "\n")
    return name


@dataclass
class Build:
    """One `make kernels` run: its options, staging directory, run metadata (version, seed,
    config hash, commit), log, and the executor the searches run on."""
    options: Options
    staging: Path
    meta: dict
    log: Callable[[str], None] = print
    executor: object | None = None

    # ---- one function ----------------------------------------------------------------------
    def make_function(self, function: str) -> dict:
        """Make, emit and verify one function's kernel; its manifest entry (checkpointed)."""
        checkpoint = self.staging / f"{function}.json"
        if checkpoint.exists() and (self.staging / f"{function}.py").exists():
            self.log(f"{function}: resumed from checkpoint {checkpoint.name}")
            return json.loads(checkpoint.read_text())
        if self.options.method == "evolved":
            made = self.make_evolved(function)
        else:
            made = self.make_fitted(function)
        entry = self.finish(made)
        float64 = home(function).variants_of("float64")
        if float64 and self.options.method == "evolved":
            # A float64 kernel that does not verify is not shipped, and the run goes on: the
            # ufunc's float64 loop is then the contract's float64 (the peer's, or libm).
            try:
                made64 = self.evolve_variant(float64[0])
                emit.write_text_atomic(self.staging / made64.path.name, made64.path.read_text())
                entry["float64"] = self.finish(made64)
            except VerificationFailed as exc:
                self.log(f"{float64[0].label}: NOT SHIPPED: {exc}")
                entry["float64"] = {"variant": float64[0].variant, "failed": str(exc)}
        # Ship the verified file itself: the same bytes, under the function's name.
        emit.write_text_atomic(self.staging / f"{function}.py", made.path.read_text())
        emit.write_text_atomic(self.staging / f"{function}.json", json.dumps(entry, indent=2, sort_keys=True))
        return entry

    def provenance(self, scaffold: Scaffold, programs: dict, method: str) -> dict:
        contract = CONTRACTS[scaffold.function]
        return {**self.meta, "function": scaffold.function, "method": method, "variant": scaffold.variant,
                "internal_precision": scaffold.internal_precision,
                "domain": contract.domain if scaffold.dtype == "float32" else contract.domain64,
                "max_ulp_contract": contract.max_ulp,
                "cores": {name: p.to_dict() for name, p in programs.items()}}

    def render(self, scaffold: Scaffold, programs: dict, method: str, directory: Path) -> tuple[Path, object]:
        return render(scaffold, programs, self.provenance(scaffold, programs, method), directory)

    def verify(self, scaffold: Scaffold, kernel):
        """The exhaustive check (float32 kernels) or the sampled one (float64)."""
        function, label = scaffold.function, scaffold.label
        if scaffold.dtype == "float64":
            self.log(f"{label}: sampled check, {self.options.verify64_inputs:,} float64 inputs and the hard cases")
            check = verify_kernel64(function, kernel, ufunc_of(function, kernel, "float64"),
                                    inputs=self.options.verify64_inputs, seed=self.options.seed)
            if check.problems(CONTRACTS[function].max_ulp):
                self.log(f"{label}: " + "; ".join(check.problems(CONTRACTS[function].max_ulp)))
            self.log(f"{label}: max {check.max_ulp:.4f} ULP at {check.worst_input} ({check.peer}: "
                     f"{check.peer_max_ulp:.4f}) over {check.inputs_checked:,} inputs in {check.seconds:.0f} s")
            return check
        self.log(f"{label}: verifying all 2^32 inputs")

        def progress(_, done, total, worst):
            if done % (total // 8) == 0 or done == total:
                print(f"  verify {label}: {done / total:6.1%}  max {worst:.4f} ULP", flush=True)

        check = verify_function(function, kernel, ufunc_of(function, kernel), block=self.options.verify_block,
                                progress=progress)
        if check.problems(CONTRACTS[function].max_ulp):
            self.log(f"{label}: " + "; ".join(check.problems(CONTRACTS[function].max_ulp)))
        self.log(f"{label}: max {check.max_ulp:.4f} ULP at {check.worst_input} "
                 f"({check.count_over_half_ulp} inputs > 0.5 ULP) in {check.seconds:.0f} s")
        return check

    def make_fitted(self, function: str) -> MadeVariant:
        scaffold, contract = home(function).variant(), CONTRACTS[function]
        budget_log2 = self.options.core_budget_log2
        for _ in range(self.options.budget_retries + 1):
            fits = baseline_fits(scaffold, budget_log2)
            programs = {n: f.program for n, f in fits.items()}
            path, kernel = self.render(scaffold, programs, self.options.method, self.staging / f".variant-{scaffold.label}")
            self.log(f"{function}: cores " + ", ".join(f"{n} degree {f.degree} (error {f.max_error:.2e})"
                                                        for n, f in fits.items()))
            check = self.verify(scaffold, kernel)
            if check.proves(contract.max_ulp):
                break
            self.log(f"{function}: does not verify; tightening the core budget to 2^{budget_log2 - 2:g}")
            budget_log2 -= 2
        else:
            raise VerificationFailed(f"{function}: no kernel verified under {contract.max_ulp} ULP "
                                     f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
        cores = {spec.name: core_entry(spec, fits[spec.name].program, degree=fits[spec.name].degree,
                                       fit_error=fits[spec.name].max_error, fit_error_kind=spec.error)
                 for spec in scaffold.cores}
        return MadeVariant(scaffold, path, kernel, check, cores, {"core_budget_log2": budget_log2})

    def make_evolved(self, function: str) -> MadeVariant:
        """Evolve and verify every scaffold variant of the function (``evolve_variant``);
        the fastest that verified, timed against the others in one process."""
        made, failures = [], {}
        for scaffold in home(function).variants:
            try:
                made.append(self.evolve_variant(scaffold))
            except VerificationFailed as exc:
                failures[scaffold.variant] = str(exc)
                self.log(f"{scaffold.label}: not a candidate: {exc}")
        if not made:
            raise VerificationFailed("; ".join(failures.values()))
        timed = self.time(function, [m.kernel for m in made]) if len(made) > 1 else []
        chosen = made[min(range(len(made)), key=timed.__getitem__) if timed else 0]
        variants = [{"variant": m.scaffold.variant, "internal_precision": m.scaffold.internal_precision,
                     "max_ulp": m.check.max_ulp, "worst_input": m.check.worst_input,
                     "model_cost_total": sum(c["model_cost"] for c in m.cores.values()),
                     **({"ns_per_element": round(timed[i], 4)} if timed else {})}
                    for i, m in enumerate(made)]
        variants += [{"variant": v, "failed": reason} for v, reason in failures.items()]
        if timed:
            self.log(f"{function}: variants " + "; ".join(
                f"{v['variant']} {v['ns_per_element']:.3f} ns ({v['max_ulp']:.4f} ULP)" for v in variants if "max_ulp" in v)
                + f" -> {chosen.scaffold.variant}")
        chosen.facts = {**chosen.facts, "variants": variants}
        return chosen

    # ---- one scaffold variant --------------------------------------------------------------
    def evolve_variant(self, scaffold: Scaffold) -> MadeVariant:
        """Evolve each core of one scaffold in turn (the others fixed: evolved ones, else
        baseline fits), pick the shipped member of each front, verify exhaustively; on
        failure, record the worst input and move each core one step up its Pareto front (to
        a more accurate member)."""
        label, contract = scaffold.label, CONTRACTS[scaffold.function]
        directory = self.staging / f".variant-{label}"
        baseline = {n: f.program for n, f in baseline_fits(scaffold, self.options.core_budget_log2).items()}
        programs, failed_inputs, fronts, states, chosen, trials = dict(baseline), [], {}, {}, {}, {}
        for spec in scaffold.cores:
            states[spec.name] = self.evolve_core(scaffold, spec.name, programs)
            fronts[spec.name] = candidates(states[spec.name], self.feasible_ulp(scaffold), spec.form)
            if not fronts[spec.name]:
                raise VerificationFailed(f"{label}/{spec.name}: the search found no member under "
                                         f"{self.feasible_ulp(scaffold)} ULP on its validation inputs")
            chosen[spec.name], trials[spec.name] = self.choose_core(scaffold, spec.name, fronts[spec.name], programs)
            programs[spec.name] = chosen[spec.name].program
        for _ in range(self.options.budget_retries + 1):
            path, kernel = self.render(scaffold, programs, "evolved", directory)
            check = self.verify(scaffold, kernel)
            if check.proves(contract.max_ulp):
                break
            failed_inputs.append(check.worst_input)
            self.log(f"{label}: does not verify; each core moves one step up its Pareto front")
            moved = False
            for name, front in fronts.items():
                at = next(i for i, c in enumerate(front) if c.program == programs[name])
                if at + 1 < len(front):
                    chosen[name] = front[at + 1]
                    programs[name] = front[at + 1].program
                    moved = True
            if not moved:
                raise VerificationFailed(f"{label}: no more accurate Pareto member to try "
                                         f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
        else:
            raise VerificationFailed(f"{label}: no evolved kernel verified under {contract.max_ulp} ULP "
                                     f"(last: {check.max_ulp:.4f} ULP at {check.worst_input})")
        # The baseline-fit kernel this one replaces, timed against it in one process.
        _, base_kernel = self.render(scaffold, baseline, "baseline fit", self.staging / f".baseline-{label}")
        ours, theirs = self.time(scaffold.function, [kernel, base_kernel], dtype=scaffold.dtype)
        cores = {}
        for spec in scaffold.cores:
            state, pick = states[spec.name], chosen[spec.name]
            cores[spec.name] = core_entry(
                spec, pick.program, archive_max_ulp=pick.error, search_seed=core_seed(self.options.seed, scaffold, spec.name),
                generations=state.generation, births=state.births, evaluations=state.evaluations,
                search_seconds=round(state.seconds, 1), born=pick.birth, lineage=[list(x) for x in pick.lineage],
                candidates=trials[spec.name], baseline=core_entry(spec, baseline[spec.name]))
            write_front(self.staging, label, spec.name, state, spec.form)
        facts = {"failed_inputs": failed_inputs,
                 "vs_baseline_fit": {"n": self.options.bench_n, "ns_per_element": round(ours, 4),
                                     "baseline_ns_per_element": round(theirs, 4), "speedup": round(theirs / ours, 3)}}
        self.log(f"{label}: {ours:.3f} ns/element vs the baseline fit's {theirs:.3f} (x{theirs / ours:.2f})")
        return MadeVariant(scaffold, path, kernel, check, cores, facts)

    def feasible_ulp(self, scaffold: Scaffold) -> float:
        """The scaffold's own feasibility bound (where its method's roundings cannot reach the
        run's), else the run's for its dtype."""
        if scaffold.feasible_ulp is not None:
            return scaffold.feasible_ulp
        return self.options.feasible_ulp if scaffold.dtype == "float32" else self.options.feasible_ulp64

    def evolve_core(self, scaffold: Scaffold, slot: str, programs: dict):
        """Run (or resume) the search for one core; its final state."""
        label = scaffold.label
        fixed = {n: p for n, p in programs.items() if n != slot}
        spec = kernel_spec(scaffold.function, slot, fixed, scaffold.variant)
        checkpoint = self.staging / f"{label}.{slot}.search.json"
        t0 = time.perf_counter()
        show = progress_line(f"{label}/{slot}")

        def progress(state, config):
            if state.generation % 10 == 0 or state.generation == config.generations:
                show(state, config)

        config = self.options.search if scaffold.dtype == "float32" else self.options.search64
        core = scaffold.core(slot)  # (a core needing a high degree may raise its cost cap and generations)
        config = replace(config, max_cost=core.max_cost or config.max_cost,
                         generations=core_generations(core, config))
        state = run_search(spec, config, core_seed(self.options.seed, scaffold, slot), self.executor,
                           checkpoint, progress=progress)
        self.log(f"{label}/{slot}: {state.generation} generations, {state.births} births, "
                 f"{state.evaluations / max(state.seconds, 1e-9):,.0f} evaluations/s, Pareto front of "
                 f"{len(state.archive.front())} ({time.perf_counter() - t0:.0f} s here)")
        return state

    def choose_core(self, scaffold: Scaffold, slot: str, front: list[Candidate], programs: dict):
        """Among the cheapest feasible members, the one to ship: by measured speed of the
        whole kernel (or by the cost model), with each candidate's facts for the manifest."""
        trial = front[: self.options.candidates]
        timed = []
        if self.options.choose == "speed" and len(trial) > 1:
            kernels = [self.render(scaffold, {**programs, slot: c.program}, "trial",
                                   self.staging / f".choose-{scaffold.label}-{slot}-{i}")[1]
                       for i, c in enumerate(trial)]
            timed = self.time(scaffold.function, kernels, repeats=31, dtype=scaffold.dtype)
            pick = min(range(len(trial)), key=lambda i: (timed[i], trial[i].cost))
        else:
            pick = 0
        facts = [{"model_cost": c.cost, "archive_max_ulp": c.error, "formula": c.program.formula(),
                  **({"ns_per_element": round(timed[i], 4)} if timed else {})} for i, c in enumerate(trial)]
        self.log(f"{scaffold.label}/{slot}: candidates " + "; ".join(
            f"cost {f['model_cost']} ({f['archive_max_ulp']:.3f} ULP" + (f", {f['ns_per_element']:.3f} ns)" if timed else ")")
            for f in facts) + f" -> #{pick}")
        return trial[pick], facts

    def time(self, function: str, kernels: list, repeats: int | None = None, dtype: str = "float32") -> list[float]:
        return time_kernels(function, kernels, self.options.bench_n, repeats or self.options.bench_repeats,
                            self.options.seed, dtype)

    def finish(self, made: MadeVariant) -> dict:
        """A verified kernel's manifest entry: the function's own (float32), or the one under
        its "float64" (make_function checkpoints the function's entry)."""
        scaffold, options = made.scaffold, self.options
        if scaffold.dtype == "float32":
            own = {"source": f"{scaffold.function}.py", "internal_precision": scaffold.internal_precision}
        else:
            own = {"source": made.path.name, "kernel": scaffold.kernel_name}
        ufunc = ufunc_of(scaffold.function, made.kernel, scaffold.dtype)
        return {
            **own,
            "method": options.method,
            "variant": scaffold.variant,
            "cores": made.cores,
            "ops_total": sum(c["cost"] for c in made.cores.values()),
            "model_cost_total": sum(c["model_cost"] for c in made.cores.values()),
            **made.facts,
            "verification": made.check.to_dict(),
            "speed": measure_speed(scaffold.function, ufunc, options.bench_n, options.bench_repeats, options.seed,
                                   scaffold.dtype),
        }


def staging_for(options: Options, generated: Path) -> Path:
    """The staging directory of a run: one per (config, code, seed), so that a re-run
    resumes only what was made by the same options with the same generator code."""
    return emit.staging_dir(generated, f"{options.config_hash()}-{source_hash()}", options.seed)


def start_build(options: Options, generated: Path, log=print) -> Build:
    """The build of a run: a new staging directory, or the one an interrupted run left."""
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
    return Build(options, staging, meta, log)


def make_kernels(options: Options, generated: Path = GENERATED, log=print) -> Path:
    """Run the whole pipeline; the path of the published version. Raises, publishing
    nothing, if any function fails verification."""
    build = start_build(options, generated, log)
    if options.method == "evolved":
        build.executor = default_executor(options.workers or None, options.scheduler)
    try:
        made = {f: build.make_function(f) for f in options.functions}
    finally:
        if build.executor is not None:
            build.executor.shutdown()
    carried = carry_forward(build.staging, generated, [f for f in FUNCTIONS if f not in made], log)
    entries = {f: made[f] if f in made else carried[f] for f in FUNCTIONS if f in made or f in carried}
    extras = sorted(p.name for p in build.staging.glob("pareto_*.csv"))
    if extras:
        plot_fronts(build.staging, extras)
        extras.append("pareto.png")
    extras += [entry["float64"]["source"] for entry in entries.values() if "source" in entry.get("float64", {})]
    manifest = {
        **build.meta,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "config": options.to_dict(),
        "functions": entries,
    }
    target = emit.publish(generated, build.staging, build.meta["version"], manifest, tuple(entries), extras)
    log(f"published {build.meta['version']} -> {target} (CURRENT = {build.meta['version']})")
    return target


def carry_forward(staging: Path, generated: Path, functions: list[str], log=print) -> dict:
    """The manifest entries of `functions`, which this run does not make (``--functions``
    named others), as the current version ships them: their kernel files and Pareto fronts
    copied into staging unchanged, each entry marked ``carried_from`` (the version, seed,
    config and generator commit that made it; kept from the first version for a kernel
    carried again). So a run over some functions publishes a complete version, and
    ``make verify`` checks the carried kernels again in it. With no current version
    nothing is carried: the version holds what the run made."""
    current = (generated / "CURRENT").read_text().strip() if (generated / "CURRENT").exists() else None
    if not functions or current is None:
        return {}
    source = generated / current
    manifest = json.loads((source / "manifest.json").read_text())
    entries = {}
    for function in functions:
        entry = manifest["functions"].get(function)
        if entry is None:
            log(f"{function}: not in {current}, so not in this version either")
            continue
        origin = {key: manifest[key] for key in ("version", "seed", "config_hash", "generator_commit")}
        entries[function] = {**entry, "carried_from": entry.get("carried_from", origin)}
        names = [f"{function}.py"] + ([entry["float64"]["source"]] if "source" in entry.get("float64", {}) else [])
        names += [p.name for p in source.glob(f"pareto_{function}-*.csv")]
        for name in names:
            emit.write_text_atomic(staging / name, (source / name).read_text())
        log(f"{function}: carried forward from {current} ({entries[function]['carried_from']['version']}'s kernel)")
    return entries


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
