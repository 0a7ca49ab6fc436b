"""Islands: several searches of one objective, each with its own seed, run in stretches of
``migrate_every`` generations; after each stretch every island's archive front joins the
next island's (a ring) as migrants: offered to its archive (whose members are parents of
half the mutants) and added to its population, which NSGA-II then cuts back to size.

k islands of g generations make as many children (and about as many evaluations) as one
search of k g generations. One island is one search, run in stretches: the same children and
archive as the uninterrupted search of its seed (which is how it is compared). The islands of a stretch run one after the other, each
generation's children on the executor, so the islands change what is searched, not how
many cores are used. A run is a function of (objective, config, seed, islands), as a
search is; the whole state is checkpointed after every stretch, and an interrupted run
resumes from there.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .objective import ObjectiveSpec
from .search import (Individual, SearchConfig, SearchState, checkpoint_header, read_checkpoint, run_search,
                     write_checkpoint)


@dataclass(frozen=True)
class IslandConfig:
    islands: int = 4
    migrate_every: int = 10  # generations of each island between migrations

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Milestone:
    """When a run first had an archive member of at most `ops` within `error`: in total
    children made (births), evaluations and seconds of search, summed over the islands."""
    ops: int
    error: float
    births: int
    evaluations: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def island_seed(seed: int, island: int) -> int:
    """Island 0 is the search of `seed` itself; the others get seeds of their own."""
    return seed if island == 0 else seed * 1000 + island


def best_within(state: SearchState, ops: int) -> float:
    """The archive's least error at a cost of at most `ops` (inf if none)."""
    return min((m.error for m in state.archive.front() if m.cost <= ops), default=float("inf"))


def migrate(states: list[SearchState]) -> int:
    """Each island's archive front to the next island (ring): offered to its archive and
    added to its population. How many were new to an archive."""
    fronts = [list(s.archive.front()) for s in states]
    taken = 0
    for i, state in enumerate(states):
        for m in fronts[i - 1]:
            if state.archive.offer(m.cost, m.error, m.program, m.origin):
                taken += 1
            state.population.append(Individual(m.program, m.error, m.cost, m.origin.birth, m.origin.lineage))
    return taken


def run_islands(spec: ObjectiveSpec, config: SearchConfig, seed: int, islands: IslandConfig, executor=None,
                checkpoint: Path | None = None, progress=None, milestones_at: tuple = (),
                log=print) -> tuple[list[SearchState], list[Milestone]]:
    """Each island's final state, and the milestones reached: for each (ops, error) in
    `milestones_at`, the first stretch's end at which some island's archive had it
    (measured after each stretch, before migration)."""
    header = {**checkpoint_header(spec, config, seed), "islands": islands.to_dict()}
    states = [SearchState() for _ in range(islands.islands)]
    reached: list[Milestone] = []
    saved = read_checkpoint(checkpoint, header)
    if saved is not None:
        states = [SearchState.from_dict(d) for d in saved["states"]]
        reached = [Milestone(**d) for d in saved["milestones"]]
    seeds = [island_seed(seed, i) for i in range(islands.islands)]
    while states[0].generation < config.generations:
        end = min(states[0].generation + islands.migrate_every, config.generations)
        for i, state in enumerate(states):
            fresh = state.generation == 0
            states[i] = run_search(spec, replace(config, generations=end), seeds[i], executor,
                                   state=None if fresh else state,
                                   progress=(lambda s, c, i=i: progress(i, s, c)) if progress else None)
        for ops, error in milestones_at:
            if not any(m.ops == ops and m.error == error for m in reached) and \
                    min(best_within(s, ops) for s in states) <= error:
                reached.append(Milestone(ops, error, sum(s.births for s in states),
                                         sum(s.evaluations for s in states), sum(s.seconds for s in states)))
        if end < config.generations and len(states) > 1:
            taken = migrate(states)
            log(f"  islands: generation {end} of {config.generations}, {taken} migrants taken")
        if checkpoint is not None:
            write_checkpoint(checkpoint, header, {"states": [s.to_dict() for s in states],
                                                  "milestones": [m.to_dict() for m in reached]})
    return states, reached


def merged(states: list[SearchState]) -> SearchState:
    """One state holding every island's archive front (the best member at each cost over
    all islands), with the islands' counts summed (generation: each island's)."""
    out = SearchState(generation=states[0].generation, births=sum(s.births for s in states),
                      evaluations=sum(s.evaluations for s in states), seconds=sum(s.seconds for s in states))
    for state in states:
        for m in state.archive.front():
            out.archive.offer(m.cost, m.error, m.program, m.origin)
    return out
