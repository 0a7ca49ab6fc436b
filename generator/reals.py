"""Reals mode: the paper's first experiment, 2^x on [0, 1] (or any target and interval).

``python -m generator reals --target exp2 --lo 0 --hi 1 --ops 12`` evolves programs from
f(x) = x with error = max relative error (float64 evaluation against mpmath values) and
cost = the paper's op count (+ - * / depending on x: 1 each; an fma, if allowed: 2), then
compares the Pareto front with classical approximations of every op count
(``generator.baselines``: Taylor, Chebyshev, Padé, minimax polynomial, minimax
rational). Every error in the table is measured the same way: the float64-constant
program evaluated exactly in mpmath on 2000 Chebyshev-clustered points.

Output (in --out): table.md and table.csv (ops -> max relative error per method), plot.png,
evolved.json (the evolved programs), search.json (the checkpoint: a re-run resumes).
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from . import baselines
from .islands import IslandConfig, merged, run_islands
from .objective import ObjectiveSpec, build_objective
from .objectives import TARGETS
from .search import SearchConfig, default_executor, progress_line, run_search

# Reported for every run with islands (one island included): when an archive member of at
# most 10 ops first got within these errors (float64 evaluation on the objective's pool).
MILESTONES = ((10, 1e-13), (10, 1e-14))

CLASSICAL = ("taylor", "chebyshev", "pade", "minimax_poly", "minimax_rational")


def evolved_by_ops(state, objective, op_counts) -> dict[int, tuple[float, object]]:
    """For each op budget, the archive member of lowest error costing at most that, with
    its error re-measured exactly (mpmath)."""
    front = state.archive.front()
    exact = {}
    out = {}
    for ops in op_counts:
        within = [m for m in front if m.cost <= ops]
        if not within:
            continue
        best = min(within, key=lambda m: m.error)
        if best.cost not in exact:
            exact[best.cost] = (objective.exact_error(best.program), best.program)
        out[ops] = exact[best.cost]
    return out


def table_rows(op_counts, classical: list, evolved: dict) -> list[dict]:
    rows = []
    for ops in op_counts:
        row = {"ops": ops}
        for b in classical:
            if b.budget == ops:
                row[b.method] = b.max_rel_error
        if ops in evolved:
            row["evolved"] = evolved[ops][0]
        best = min((row[m] for m in CLASSICAL if m in row), default=math.nan)
        row["best_classical"] = best
        row["evolved_gain"] = best / row["evolved"] if row.get("evolved") else math.nan
        rows.append(row)
    return rows


def write_outputs(out: Path, rows: list[dict], evolved: dict, title: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    columns = ["ops", *CLASSICAL, "evolved", "best_classical", "evolved_gain"]
    with open(out / "table.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in columns})
    fmt = lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3g}"  # noqa: E731
    lines = [f"# {title}", "", "Max relative error (exact evaluation of float64-constant programs).", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(row.get(c)) if c != "ops" else str(row["ops"]) for c in columns) + " |"
              for row in rows]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    (out / "evolved.json").write_text(json.dumps(
        {str(ops): {"max_rel_error": e, "cost": p.cost(), "formula": p.formula("x"), "program": p.to_dict()}
         for ops, (e, p) in evolved.items()}, indent=2) + "\n")
    plot(out / "plot.png", rows, title)


def plot(path: Path, rows: list[dict], title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method in (*CLASSICAL, "evolved"):
        pts = [(r["ops"], r[method]) for r in rows if method in r and r[method] > 0]
        if pts:
            ax.plot(*zip(*pts), marker="o" if method == "evolved" else ".", lw=2.5 if method == "evolved" else 1,
                    label=method.replace("_", " "))
    ax.set_yscale("log")
    ax.set_xlabel("ops (+ - * / depending on x)")
    ax.set_ylabel("max relative error")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def run_reals(target: str, lo: float, hi: float, max_ops: int, config: SearchConfig, seed: int, out: Path,
              min_ops: int = 4, workers: int = 0, scheduler: str | None = None, log=print,
              islands: IslandConfig | None = None) -> list[dict]:
    """Evolve (one search, or `islands`), compare with the classical methods at every op
    count, write the table, plot and programs to `out`; the table's rows."""
    spec = ObjectiveSpec.make("reals", target=target, lo=lo, hi=hi)
    objective = build_objective(spec)
    out.mkdir(parents=True, exist_ok=True)
    executor = default_executor(workers or None, scheduler)
    try:
        if islands is None:
            state = run_search(spec, config, seed, executor, out / "search.json",
                               progress=lambda s, c: s.generation % 10 == 0 and progress_line(target)(s, c))
        else:
            states, reached = run_islands(
                spec, config, seed, islands, executor, out / "islands.json", milestones_at=MILESTONES, log=log,
                progress=lambda i, s, c: s.generation % 10 == 0 and progress_line(f"{target} island {i}")(s, c))
            state = merged(states)
            (out / "milestones.json").write_text(json.dumps(
                {"islands": islands.to_dict(), "generations_per_island": config.generations,
                 "population": config.population, "reached": [m.to_dict() for m in reached]}, indent=2) + "\n")
            for m in reached:
                log(f"milestone: <= {m.ops} ops within {m.error:g} after {m.births:,} children, "
                    f"{m.evaluations:,} evaluations, {m.seconds:.0f} s of search")
    finally:
        if executor is not None:
            executor.shutdown()
    log(f"search: {state.generation} generations, {state.births} births, {state.evaluations:,} evaluations, "
        f"{state.evaluations / max(state.seconds, 1e-9):,.0f} evaluations/s")
    op_counts = list(range(min_ops, max_ops + 1))
    evolved = evolved_by_ops(state, objective, op_counts)
    classical = baselines.all_baselines(TARGETS[target][0], lo, hi, op_counts, methods=CLASSICAL)
    rows = table_rows(op_counts, classical, evolved)
    title = f"{target} on [{lo:g}, {hi:g}]: seed {seed}, {state.generation} generations of {config.population}"
    write_outputs(out, rows, evolved, title)
    log((out / "table.md").read_text())
    return rows
