"""The evolutionary search loop (AutoNumerics-Zero, arXiv 2312.08472, made small).

Start: a population of copies of the empty program f(u) = u. Each generation:

1. draw fresh validation points (the rng of (seed, generation)), plus the worst points of
   the last ``hard_points`` programs that entered the archive;
2. make 2N children: a clone of every member, which must re-earn its place on the new
   points, and N mutants of parents picked from the archive (a share ``archive_parents``,
   uniformly: the best program at each cost so far) or else by binary tournament on
   (front, crowding),
   mutated (``generator.mutation``), their constants tuned by CMA-ES and, if promising,
   polished to the minimax by LP steps (``generator.tuning``) -- each child's
   randomness comes from (seed, birth);
3. evaluate every child's error on the validation points and its cost;
4. keep N by NSGA-II (``generator.pareto.nsga2_select``) on (log10 error, cost);
5. offer mutated children to the archive (best error per cost, on the objective's fixed
   large point set) and checkpoint the whole state.

Nothing depends on the clock or on the executor: children are made by pure tasks
(``ChildTask`` -> ``ChildResult``) whose results are gathered in order, so a run is a
function of (objective, config, seed), and a resumed run continues exactly as an
uninterrupted one would. Tasks go to any ``concurrent.futures`` executor: a process
pool over the local cores, or a Dask cluster's (``Client(address).get_executor()``).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .mutation import MutationConfig, MutationWeights, mutate
from .objective import ObjectiveSpec, build_objective
from .objectives import log_error
from .pareto import Archive, Origin, nsga2_select, ranks_and_crowding
from .program import Program
from .tuning import least_squares_fit, minimize, polish

# The layout of SearchConfig.to_dict, recorded in it (so in config hashes and checkpoints):
# 1 (unmarked) left out the fields added later when at their defaults and had only fork
# and reassociate weights; 2 has every field and every mutation kind's weight.
CONFIG_SCHEMA = 2


@dataclass(frozen=True)
class SearchConfig:
    population: int = 32  # N; 2N children per generation: N clones, N mutants
    generations: int = 60
    archive_parents: float = 0.5  # share of mutants whose parent is an archive member (elitism)
    validation_points: int = 4096
    max_cost: int = 16  # in the objective's cost model
    ops: tuple[str, ...] = ("add", "sub", "mul", "div", "fma")
    op_weights: tuple[float, ...] | None = None  # odds of each op in an insertion (None: uniform)
    tune_sigma: float = 0.1  # the paper's CMA-ES step size (relative to each constant)
    tune_popsize: int | None = 16  # None: 4 + 3 ln(k)
    tune_iterations: int = 100
    tune_patience: int = 30
    # Every mutant is tuned by CMA-ES; those then within `promising` times the archive's
    # error at their cost are polished to their minimax constants by LP steps.
    polish_iterations: int = 20
    promising: float = 100.0
    hard_points: int = 64  # validation also uses the worst points of the last archive entrants
    self_operand: float = 0.0  # odds that an insertion's other operand is the edge's own value (u * u)
    output_edge: float | None = None  # odds that an insertion goes on the output (None: as any edge)
    screen_polish: int = 0  # LP steps every mutant gets before the `promising` test
    polish_limits: bool = False  # LP steps take a non-finite derivative (c / x at x = 0) as 0
    # Levenberg-Marquardt evaluations for each mutant's constants before CMA-ES (10x more for
    # those then within `promising`^2 of the archive, before the promising test); 0: off
    least_squares: int = 0
    mutation_weights: MutationWeights = MutationWeights()  # odds of each kind of mutation

    def to_dict(self) -> dict:
        """Every field, JSON-ready, and the schema of this layout."""
        d = asdict(self)
        d["ops"] = list(self.ops)
        d["op_weights"] = None if self.op_weights is None else list(self.op_weights)
        d["schema"] = CONFIG_SCHEMA
        return d


@dataclass
class Individual:
    program: Program
    error: float  # on the validation points of the generation it was evaluated in
    cost: int
    birth: int
    lineage: tuple = ()  # ((birth, mutation), ...) from the first program on

    def to_dict(self) -> dict:
        return {"program": self.program.to_dict(), "error": self.error, "cost": self.cost,
                "birth": self.birth, "lineage": [list(x) for x in self.lineage]}

    @classmethod
    def from_dict(cls, d: dict) -> "Individual":
        return cls(Program.from_dict(d["program"]), d["error"], d["cost"], d["birth"],
                   tuple(tuple(x) for x in d["lineage"]))


def tune_constants(objective, program: Program, rng, config: SearchConfig) -> tuple[Program, int]:
    """program with its constants tuned by CMA-ES on the objective's tuning loss."""
    x0 = program.constants()
    if not x0:
        return program, 0
    result = minimize(lambda xs: objective.tune_loss(program, xs), x0, rng, sigma=config.tune_sigma,
                      popsize=config.tune_popsize, max_iterations=config.tune_iterations,
                      patience=config.tune_patience)
    return program.with_constants(result.x), result.evaluations


def polish_constants(objective, program: Program, config: SearchConfig,
                     iterations: int | None = None) -> tuple[Program, int]:
    """program with its constants moved to the minimax of the objective's tuning error
    (at most `iterations` LP steps, default config.polish_iterations)."""
    iterations = config.polish_iterations if iterations is None else iterations
    if not program.constants() or not iterations:
        return program, 0
    polished, _, steps = polish(objective.full(program), objective.tune_u, objective.tune_exact,
                                objective.tune_weight, iterations, limits=config.polish_limits)
    return program.with_constants(polished.constants()), steps


def fit_constants(objective, program: Program, config: SearchConfig,
                  evaluations: int | None = None) -> tuple[Program, int]:
    """program with its constants at a local least-squares minimum of the objective's
    tuning error (Levenberg-Marquardt, at most `evaluations`, default config.least_squares;
    unchanged if that does not lower the max tuning error)."""
    evaluations = config.least_squares if evaluations is None else evaluations
    if not program.constants() or not evaluations:
        return program, 0
    fitted, _, spent = least_squares_fit(objective.full(program), objective.tune_u, objective.tune_exact,
                                         objective.tune_weight, evaluations)
    return program.with_constants(fitted.constants()), spent


def _bar(front, cost: int) -> float:
    """The archive's best error at this cost or below (inf if none)."""
    return min((e for c, e in front if c <= cost), default=float("inf"))


@dataclass(frozen=True)
class ChildTask:
    """All that makes one child (picklable: it goes to any worker)."""
    spec: ObjectiveSpec
    config: SearchConfig
    seed: int
    birth: int  # the child's number in the run: its randomness is (seed, birth)
    parent: Program
    clone: bool  # the parent itself, re-measured, or a mutant
    points: np.ndarray  # the generation's validation points
    front: tuple  # the archive's (cost, error) pairs


@dataclass(frozen=True)
class ChildResult:
    """A made child and its measurements (picklable: it comes back from any worker)."""
    program: Program
    mutation: str  # the mutation's kind, "clone", or "none" (no mutant within the limits)
    error: float  # on the task's points
    worst_point: int | float  # the point where that error occurs
    archive_error: float | None  # on the objective's archive set (None for clones)
    cost: int
    evaluations: int  # objective evaluations spent


def make_child(task: ChildTask) -> ChildResult:
    """Make and evaluate one child: a pure function of its task (run in any worker)."""
    config, points = task.config, task.points
    objective = build_objective(task.spec)
    program, kind, tune_evals = task.parent, "clone", 0
    if not task.clone:
        rng = np.random.default_rng([task.seed, task.birth])
        mcfg = MutationConfig(ops=config.ops, op_weights=config.op_weights, weights=config.mutation_weights,
                              max_cost=config.max_cost, cost_of=objective.cost, self_operand=config.self_operand,
                              output_edge=config.output_edge,
                              sample=getattr(objective, "tune_u", None) if config.mutation_weights.continued_fraction
                              else None)
        program, kind = mutate(task.parent, rng, mcfg)
        program, fit_evals = fit_constants(objective, program, config)
        program, tune_evals = tune_constants(objective, program, rng, config)
        tune_evals += fit_evals
        bar = config.promising * _bar(task.front, objective.cost(program))
        tuned_error = objective.error(program, points)
        if config.screen_polish and tuned_error > bar:
            # a few LP steps for every mutant: a new shape whose constants must move far
            # (a squaring, a new pole) is often out of CMA-ES's reach but not of polishing's
            program, steps = polish_constants(objective, program, config, config.screen_polish)
            tune_evals += steps
            tuned_error = objective.error(program, points)
        if config.least_squares and tuned_error <= config.promising * bar:
            # a mutant near the promising ones: a 10x longer fit (a curved valley is slow; a new
            # squaring's constants move by factors 2-4 together), then the promising test again
            program, spent = fit_constants(objective, program, config, 10 * config.least_squares)
            tune_evals += spent
            tuned_error = objective.error(program, points)
        if tuned_error <= bar:
            program, steps = polish_constants(objective, program, config)
            tune_evals += steps
    error, worst = objective.error_and_worst(program, points)
    archive_error = None if task.clone else objective.error(program)
    return ChildResult(program, kind, error, worst, archive_error, objective.cost(program),
                       tune_evals + 1 + (not task.clone))


def _distinct(children: list) -> list:
    """Children with the same (error, cost) as an earlier child dropped: NSGA-II would
    otherwise fill the population with copies (or near-copies) of a few programs."""
    seen, out = set(), []
    for c in children:
        key = (c.error, c.cost)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _tournament(rng, rank, crowd) -> int:
    i, j = rng.integers(len(rank), size=2)
    if (rank[i], -crowd[i]) <= (rank[j], -crowd[j]):
        return int(i)
    return int(j)


@dataclass
class SearchState:
    generation: int = 0
    births: int = 0
    population: list = field(default_factory=list)
    archive: Archive = field(default_factory=Archive)
    evaluations: int = 0
    seconds: float = 0.0
    hard: list = field(default_factory=list)  # worst validation points found so far

    def to_dict(self) -> dict:
        return {"generation": self.generation, "births": self.births, "evaluations": self.evaluations,
                "seconds": self.seconds, "hard": self.hard, "population": [p.to_dict() for p in self.population],
                "archive": [{"cost": m.cost, "error": m.error, "program": m.program.to_dict(),
                             "origin": m.origin.to_dict()} for m in self.archive.front()]}

    @classmethod
    def from_dict(cls, d: dict) -> "SearchState":
        state = cls(d["generation"], d["births"], [Individual.from_dict(p) for p in d["population"]],
                    Archive(), d["evaluations"], d["seconds"], d["hard"])
        for m in d["archive"]:
            program, origin = Program.from_dict(m["program"]), Origin.from_dict(m["origin"])
            state.archive.offer(m["cost"], m["error"], program, origin)
        return state


def checkpoint_header(spec: ObjectiveSpec, config: SearchConfig, seed: int) -> dict:
    """What a checkpoint must match to be resumed: the objective, the config and the seed."""
    return {"spec": [spec.kind, [list(p) for p in spec.params]], "config": config.to_dict(), "seed": seed}


def read_checkpoint(path: Path | None, header: dict) -> dict | None:
    """The checkpoint saved at `path` if there is one with this header, else None."""
    if path is None or not path.exists():
        return None
    saved = json.loads(path.read_text())
    return saved if {k: saved[k] for k in header} == json.loads(json.dumps(header)) else None


def write_checkpoint(path: Path, header: dict, payload: dict) -> None:
    """The header and payload as JSON at `path`, replaced atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({**header, **payload}))
    os.replace(tmp, path)


def _save(path: Path, state: SearchState, header: dict) -> None:
    write_checkpoint(path, header, {"state": state.to_dict()})


def _map(executor, fn, tasks):
    if executor is None:
        return [fn(t) for t in tasks]
    return list(executor.map(fn, tasks))


def run_search(spec: ObjectiveSpec, config: SearchConfig, seed: int, executor=None,
               checkpoint: Path | None = None, progress=None, stop_after: int | None = None,
               state: SearchState | None = None) -> SearchState:
    """Evolve for config.generations; the final state (population, archive, counts).

    With `checkpoint`, the state is saved after every generation and a run finding a
    checkpoint of the same (spec, config, seed) resumes from it. `stop_after` stops
    after that many generations in this call (to test interruption). `state` continues a
    search from a state of the same (spec, seed) (``generator.islands``: a search run in
    stretches, with migrants added in between); it is updated in place.
    """
    objective = build_objective(spec)
    header = checkpoint_header(spec, config, seed)
    saved = read_checkpoint(checkpoint, header) if state is None else None
    if saved is not None:
        state = SearchState.from_dict(saved["state"])
    if state is None:
        state = SearchState()
        rng = np.random.default_rng([seed, 0, 0])
        points = objective.draw(rng, config.validation_points)
        start = Program.identity()
        err = objective.error(start, points)
        state.population = [Individual(start, err, objective.cost(start), 0) for _ in range(config.population)]
        state.archive.offer(objective.cost(start), objective.error(start), start)
    done_here = 0
    while state.generation < config.generations:
        if stop_after is not None and done_here >= stop_after:
            break
        t0 = time.perf_counter()
        gen = state.generation + 1
        rng = np.random.default_rng([seed, gen, 0])
        points = objective.draw(rng, config.validation_points)
        if state.hard:
            points = np.concatenate([points, np.asarray(state.hard, points.dtype)])
        pop = state.population
        rank, crowd = ranks_and_crowding([(log_error(p.error), p.cost) for p in pop])
        tasks, parents = [], []
        front = tuple((m.cost, m.error) for m in state.archive.front())
        for j, member in enumerate(pop):  # every member's clone, re-measured on the new points
            state.births += 1
            tasks.append(ChildTask(spec, config, seed, state.births, member.program, True, points, front))
            parents.append(member)
        elite = [Individual(m.program, m.error, m.cost, m.origin.birth, m.origin.lineage)
                 for m in state.archive.front()]
        for j in range(config.population):  # and as many mutants: of archive members or tournament winners
            if rng.random() < config.archive_parents:
                parent = elite[int(rng.integers(len(elite)))]
            else:
                parent = pop[_tournament(rng, rank, crowd)]
            state.births += 1
            tasks.append(ChildTask(spec, config, seed, state.births, parent.program, False, points, front))
            parents.append(parent)
        results = _map(executor, make_child, tasks)
        children = []
        for task, parent, res in zip(tasks, parents, results):
            lineage = parent.lineage if res.mutation == "clone" else parent.lineage + ((task.birth, res.mutation),)
            children.append(Individual(res.program, res.error, res.cost, task.birth, lineage))
            state.evaluations += res.evaluations
            if res.archive_error is not None and state.archive.offer(
                    res.cost, res.archive_error, res.program, Origin(task.birth, gen, lineage)):
                worst = res.worst_point
                if worst not in state.hard:
                    state.hard = (state.hard + [worst])[-config.hard_points:]
        children = _distinct(children)
        keep = nsga2_select([(log_error(c.error), c.cost) for c in children], config.population)
        state.population = [children[i] for i in sorted(keep)]
        state.generation = gen
        state.seconds += time.perf_counter() - t0
        done_here += 1
        if checkpoint is not None:
            _save(checkpoint, state, header)
        if progress is not None:
            progress(state, config)
    return state


def progress_line(label: str):
    """A progress printer: generation, best error, Pareto size, rate, time left."""
    def show(state: SearchState, config: SearchConfig):
        front = state.archive.front()
        best = min(m.error for m in front)
        rate = state.evaluations / state.seconds if state.seconds else 0.0
        left = state.seconds / state.generation * (config.generations - state.generation)
        print(f"  {label}: gen {state.generation}/{config.generations}  best {best:.3g}  "
              f"front {len(front)}  {rate:,.0f} evals/s  ~{left:.0f} s left", flush=True)
    return show


def default_executor(workers: int | None = None, scheduler: str | None = None):
    """A Dask cluster's executor when given a scheduler address, else a process pool over
    the local cores (None -- run in this process -- for one worker)."""
    if scheduler:
        from distributed import Client
        return Client(scheduler).get_executor()
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        return None
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(workers)

