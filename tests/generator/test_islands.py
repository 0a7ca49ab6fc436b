"""Islands (generator.islands): one island is its seed's plain search, run in stretches;
several trade their archive fronts, deterministically, and resume from their checkpoint."""
import json

from generator.islands import IslandConfig, island_seed, merged, migrate, run_islands
from generator.objective import ObjectiveSpec
from generator.search import SearchConfig, SearchState, run_search

SPEC = ObjectiveSpec.make("reals", target="exp2", lo=0.0, hi=1.0)
CONFIG = SearchConfig(population=8, generations=6, max_cost=6, validation_points=128, ops=("add", "sub", "mul", "div"),
                      tune_iterations=10, polish_iterations=2)


def fronts(state: SearchState) -> list:
    return [(m.cost, m.error, m.program.to_dict()) for m in state.archive.front()]


def test_one_island_is_the_plain_search_run_in_stretches():
    plain = run_search(SPEC, CONFIG, seed=3)
    (island,), _ = run_islands(SPEC, CONFIG, 3, IslandConfig(islands=1, migrate_every=2), log=lambda *a: None)
    assert fronts(island) == fronts(plain)
    assert (island.births, island.evaluations) == (plain.births, plain.evaluations)


def test_migration_offers_each_front_to_the_next_island():
    a, b = run_search(SPEC, CONFIG, seed=1), run_search(SPEC, CONFIG, seed=2)
    population, sent = len(b.population), fronts(a)
    migrate([a, b])
    assert len(b.population) == population + len(sent)
    for cost, error, _ in sent:  # b's archive now holds a's front or something at least as good
        assert any(m.cost <= cost and m.error <= error for m in b.archive.front())


def test_islands_are_deterministic_resume_and_report_milestones(tmp_path):
    islands = IslandConfig(islands=2, migrate_every=3)
    first, reached = run_islands(SPEC, CONFIG, 5, islands, checkpoint=tmp_path / "islands.json",
                                 milestones_at=((6, 1.0), (6, 1e-30)), log=lambda *a: None)
    again, _ = run_islands(SPEC, CONFIG, 5, islands, log=lambda *a: None)
    assert [fronts(s) for s in first] == [fronts(s) for s in again]
    assert [s.generation for s in first] == [6, 6] and island_seed(5, 0) == 5 != island_seed(5, 1)
    # the error 1.0 is reached at the first stretch's end; 1e-30 never
    assert [(m.ops, m.error) for m in reached] == [(6, 1.0)]
    # at the end of 3 generations of 2 islands: N mutants and up to N clones a generation
    assert 2 * 3 * CONFIG.population < reached[0].births <= 2 * 3 * 2 * CONFIG.population
    # a finished run found in the checkpoint is not run again
    saved = json.loads((tmp_path / "islands.json").read_text())
    resumed, _ = run_islands(SPEC, CONFIG, 5, islands, checkpoint=tmp_path / "islands.json", log=lambda *a: None)
    assert [s.evaluations for s in resumed] == [s["evaluations"] for s in saved["states"]]
    both = merged(first)
    assert both.births == sum(s.births for s in first)
    for s in first:
        for cost, error, _ in fronts(s):
            assert any(m.cost <= cost and m.error <= error for m in both.archive.front())
