"""Does the search's cost model rank programs as the compiled kernels run?

For each function's first core (of a scaffold variant: `exp` (its default), `exp@f32`): a short search
(from f(u) = u) gives a Pareto front of programs of every cost; each member is emitted into
the real kernel, compiled as a ufunc, and timed on 2^16 float32 inputs (median of
interleaved repeats, one process). Prints
model cost, paper op count, measured ns/element, and Kendall's tau between model cost and
time (1 = same ranking).

    PYTHONPATH=. .venv/bin/python benchmarks/cost_model.py [generations] [functions, e.g. exp,exp@f32]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scipy.stats import kendalltau

from generator import pipeline
from generator.cost import model_cost
from generator.functions import scaffold as get_scaffold
from generator.kernel_objective import kernel_spec
from generator.search import SearchConfig, run_search

PROVENANCE = {"version": "cost-check", "seed": 0, "config_hash": "-", "generator_commit": "-", "domain": "-",
              "max_ulp_contract": 1.0, "method": "cost model check"}


def check(name: str, generations: int, workdir: Path) -> float:
    function, _, variant = name.partition("@")
    scaffold = get_scaffold(function, variant or None)
    fits = {n: f.program for n, f in pipeline.baseline_fits(scaffold, -34).items()}
    slot = scaffold.cores[0].name
    spec = kernel_spec(function, slot, {n: p for n, p in fits.items() if n != slot}, scaffold.variant)
    config = SearchConfig(population=32, generations=generations, max_cost=14, validation_points=1024,
                          op_weights=(1, 1, 1, 1, 3), tune_iterations=40, tune_patience=15)
    state = run_search(spec, config, seed=11)
    form = scaffold.cores[0].form  # odd/even cores: the search evolves P of u * P(u^2) or P(u^2)
    members = [(m.cost, m.program.in_form(form)) for m in state.archive.front() if m.cost > 0]
    kernels = []
    for i, (_, program) in enumerate(members):
        d = workdir / f"{function}-{scaffold.variant}-{i}"
        d.mkdir()
        kernels.append(pipeline.render(scaffold, {**fits, slot: program}, PROVENANCE, d)[1])
    times = pipeline.time_kernels(function, kernels, 1 << 16, 51, 0)
    print(f"\n{name}/{slot}: {len(members)} Pareto members after {generations} generations")
    print("model cost | ops (paper) | ns/element | program")
    for (cost, program), t in zip(members, times):
        print(f"{cost:10d} | {program.cost():11d} | {t:10.3f} | {program.formula()[:90]}")
    tau = kendalltau([model_cost(p) for _, p in members], times).statistic
    print(f"Kendall tau (model cost vs measured time): {tau:.2f}")
    return tau


if __name__ == "__main__":
    generations = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    functions = sys.argv[2].split(",") if len(sys.argv) > 2 else ["exp", "log", "sin", "erf"]
    with tempfile.TemporaryDirectory() as tmp:
        for f in functions:
            check(f, generations, Path(tmp))
