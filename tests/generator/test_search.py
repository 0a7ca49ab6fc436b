"""The search loop: it learns, it is deterministic, it resumes, it runs anywhere."""
import json
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from generator.cost import model_cost
from generator.kernel_objective import KernelObjective
from generator.objective import ObjectiveSpec, build_objective
from generator.search import CONFIG_SCHEMA, SearchConfig, run_search

EXP01 = ObjectiveSpec.make("reals", target="exp", lo=0.0, hi=1.0, pool_points=1 << 13)
TINY = SearchConfig(population=16, generations=6, max_cost=8, validation_points=256)


def _result(state):
    members = [(m.cost, m.error, m.program) for m in state.archive.front()]
    return members, [(i.program, i.error) for i in state.population]


def test_a_tiny_search_evolves_exp_from_nothing_in_seconds():
    """From f(u) = u to 1e-4 max relative error for e^u on [0, 1] (a cubic's minimax is
    5e-4 there: the search must find a better shape than the cheapest polynomial)."""
    config = SearchConfig(population=24, generations=40, max_cost=10, validation_points=512)
    t0 = time.perf_counter()
    state = run_search(EXP01, config, seed=1)
    seconds = time.perf_counter() - t0
    best = min(state.archive.front(), key=lambda m: m.error).program
    exact = build_objective(EXP01).exact_error(best)
    assert exact < 1e-4, f"reached only {exact:.3g}: {best.formula()}"
    assert seconds < 120
    assert state.evaluations / state.seconds > 1000


def test_same_seed_same_search_and_other_seed_differs():
    a = run_search(EXP01, TINY, seed=7)
    b = run_search(EXP01, TINY, seed=7)
    c = run_search(EXP01, TINY, seed=8)
    assert _result(a) == _result(b)
    assert _result(a) != _result(c)


def test_resume_after_interruption_gives_the_same_result(tmp_path):
    straight = run_search(EXP01, TINY, seed=3)
    checkpoint = tmp_path / "search.json"
    first = run_search(EXP01, TINY, seed=3, checkpoint=checkpoint, stop_after=2)
    assert first.generation == 2 and checkpoint.exists()
    resumed = run_search(EXP01, TINY, seed=3, checkpoint=checkpoint)
    assert resumed.generation == TINY.generations
    assert _result(resumed) == _result(straight)
    assert resumed.births == straight.births
    # the worst validation points of archive entrants are kept (and checkpointed) for reuse
    assert straight.hard and resumed.hard == straight.hard


def test_a_process_pool_gives_the_same_result():
    inline = run_search(EXP01, TINY, seed=5)
    with ProcessPoolExecutor(2) as pool:
        pooled = run_search(EXP01, TINY, seed=5, executor=pool)
    assert _result(pooled) == _result(inline)


def test_a_dask_cluster_gives_the_same_result():
    distributed = pytest.importorskip("distributed")
    inline = run_search(EXP01, TINY, seed=6)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = run_search(EXP01, TINY, seed=6, executor=client.get_executor())
    assert _result(on_dask) == _result(inline)


def test_kernel_probe_measures_exactly_what_the_emitted_kernel_computes(tmp_path):
    """The probe (searched core interpreted inside the real scaffold) and the rendered
    kernel give the same max ULP at the same input, for every core of every function."""
    from generator import pipeline
    from generator.functions import home
    from fastmath.contract import FUNCTIONS
    from generator.verify import ulp_error
    import numba
    from fastmath import _libm

    @numba.njit
    def max_ulp(kernel, reference, xs):
        worst, at = -1.0, 0
        for i in range(xs.size):
            e = ulp_error(kernel(xs[i]), reference(np.float64(xs[i])))
            if e > worst:
                worst, at = e, i
        return worst, at

    rng = np.random.default_rng(0)
    scaffolds = [s for f in FUNCTIONS for s in home(f).variants]
    assert any(s.internal_precision == "float32" for s in scaffolds)
    for scaffold in scaffolds:
        function = scaffold.function
        fits = {n: f.program for n, f in pipeline.baseline_fits(scaffold, -24).items()}
        directory = tmp_path / f"{function}-{scaffold.variant}"
        directory.mkdir()
        _, kernel = pipeline.render(scaffold, fits, {"version": "t", "seed": 0, "config_hash": "t",
                                                     "generator_commit": "t", "domain": "t", "max_ulp_contract": 1.0,
                                                     "method": "test"}, directory)
        for slot in fits:
            objective = KernelObjective(function, slot, {n: p for n, p in fits.items() if n != slot},
                                        archive_points=16, variant=scaffold.variant)
            xs = objective.draw(rng, 4096)
            worst, where = objective.max_ulp(fits[slot], xs)
            expect, at = max_ulp(kernel, _libm.float64_kernel(function), xs)
            assert (worst, where) == (expect, float(xs[at])), (function, scaffold.variant, slot)
            assert worst > 0.5  # a 2^-24 (or the scaffold's own budget) core shows: not vacuous
        assert model_cost(fits[slot]) > 0


def test_insertion_and_polishing_options_are_deterministic_resumable_and_recorded(tmp_path):
    """The reals options (insertions on the output reading it twice, LP steps for every
    mutant) keep a run a function of its seed and resumable; they are recorded in the
    checkpoint's config, as every field is, with the config's schema."""
    from dataclasses import replace
    config = replace(TINY, self_operand=0.5, output_edge=0.5, screen_polish=3)
    straight = run_search(EXP01, config, seed=4)
    checkpoint = tmp_path / "search.json"
    run_search(EXP01, config, seed=4, checkpoint=checkpoint, stop_after=2)
    resumed = run_search(EXP01, config, seed=4, checkpoint=checkpoint)
    assert _result(resumed) == _result(straight)
    assert _result(straight) != _result(run_search(EXP01, TINY, seed=4))
    assert {"self_operand", "output_edge", "screen_polish"} <= set(config.to_dict()) == set(TINY.to_dict())
    assert config.to_dict() != TINY.to_dict() and config.to_dict()["schema"] == CONFIG_SCHEMA
    assert json.loads(checkpoint.read_text())["config"] == config.to_dict()
