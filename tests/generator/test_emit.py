import ast
from dataclasses import replace
import json

import numpy as np
import pytest

import fastmath
from fastmath import _kernels
from fastmath.contract import CONTRACTS, FUNCTIONS
from generator import emit, pipeline
from generator.evaluation import evaluate
from generator.fit import fit_core
from generator.options import Options
from generator.functions import scaffold as get_scaffold
from generator.verify import N_INPUTS, Verification

PROVENANCE = {"version": "v99", "seed": 7, "config_hash": "abc", "generator_commit": "deadbeef",
              "method": "baseline fit", "domain": "test", "max_ulp_contract": 1.0}


def render(function, budget=2.0**-30):
    scaffold = get_scaffold(function)
    fits = {s.name: fit_core(s, budget) for s in scaffold.cores}
    return emit.render_kernel(scaffold, {n: f.program for n, f in fits.items()}, PROVENANCE), fits


@pytest.mark.parametrize("function", FUNCTIONS)
def test_rendered_kernel_announces_itself_and_parses(function):
    source, _ = render(function)
    assert source.startswith(emit.HEADER)
    assert "DO NOT EDIT" in source and "seed 7" in source and "config abc" in source
    tree = ast.parse(source)
    assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert ast.literal_eval(assigned["PROVENANCE"]) == PROVENANCE
    assert f"def {function}_f32(x):" in source and "Method:" in source
    common = get_scaffold(function).common
    assert (f"def {function}_f32_common(x):" in source) == (common is not None)
    if common is not None:  # after the kernel, with its range, its helpers and its Method lines
        assert source.index("# ---- Common path") > source.index(f"def {function}_f32(x):")
        assert f"def {function}_f32_is_common(x):" in source and common.method[0] in source
        assert all(f"def {h.__name__}(" in source for h in common.helpers)


def test_emitted_core_is_bit_identical_to_program_evaluation(tmp_path):
    source, fits = render("exp")
    path = emit.write_kernel(tmp_path, "exp", source)
    module_kernel = pipeline.load_kernel(path, "exp")
    import sys
    module = sys.modules[module_kernel.py_func.__module__]
    u = np.linspace(-0.35, 0.35, 1001)
    emitted = np.array([module.core_exp(v) for v in u])
    np.testing.assert_array_equal(emitted, evaluate(fits["exp"].program, u))


def _fake_staging(generated, functions=("exp",)):
    staging = emit.staging_dir(generated, "cfg", 0)
    for f in functions:
        emit.write_kernel(staging, f, f"# {f}\n")
    return staging


def test_publish_is_complete_and_immutable(tmp_path):
    staging = _fake_staging(tmp_path)
    target = emit.publish(tmp_path, staging, "v1", {"version": "v1"}, ("exp",))
    assert (target / "exp.py").exists() and (target / "__init__.py").exists()
    assert json.loads((target / "manifest.json").read_text()) == {"version": "v1"}
    assert (tmp_path / "CURRENT").read_text() == "v1\n"
    assert emit.next_version(tmp_path) == "v2"
    with pytest.raises(FileExistsError):
        emit.publish(tmp_path, _fake_staging(tmp_path), "v1", {}, ("exp",))


def test_publish_refuses_an_incomplete_version(tmp_path):
    staging = _fake_staging(tmp_path, ("exp",))
    with pytest.raises(RuntimeError, match="no kernel for log"):
        emit.publish(tmp_path, staging, "v1", {}, ("exp", "log"))
    assert emit.published_versions(tmp_path) == [] and not (tmp_path / "CURRENT").exists()


def _failing_check(function, *args, **kwargs):
    return Verification(function, N_INPUTS, 1.7, "0x3f800001", "0x1p+0", "0x1p+0", "0x1p+0", 5, 3, 0.0, "fake")


def test_generator_refuses_to_publish_an_unverified_kernel(tmp_path, monkeypatch):
    (tmp_path / "CURRENT").write_text("v1\n")
    monkeypatch.setattr(pipeline, "verify_function", _failing_check)
    options = Options(functions=("exp",), budget_retries=1, core_budget_log2=-20, method="baseline fit")
    with pytest.raises(pipeline.VerificationFailed, match="1.7000 ULP"):
        pipeline.make_kernels(options, generated=tmp_path, log=lambda *a: None)
    assert emit.published_versions(tmp_path) == []
    assert (tmp_path / "CURRENT").read_text() == "v1\n"


def test_interrupted_run_resumes_from_checkpoints(tmp_path, monkeypatch):
    options = Options(functions=("exp", "log"), core_budget_log2=-20, method="baseline fit")
    staging = pipeline.staging_for(options, tmp_path)
    (staging / "run.json").write_text(json.dumps({"version": "v5", "seed": 0, "config_hash": options.config_hash(),
                                                  "generator_commit": "c0ffee"}))
    for f in options.functions:
        (staging / f"{f}.py").write_text("# done\n")
        (staging / f"{f}.json").write_text(json.dumps({"checkpointed": f}))

    def no_verify(*a, **k):
        raise AssertionError("a checkpointed function must not be verified again")

    monkeypatch.setattr(pipeline, "verify_function", no_verify)
    target = pipeline.make_kernels(options, generated=tmp_path, log=lambda *a: None)
    assert target.name == "v5"
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["functions"] == {"exp": {"checkpointed": "exp"}, "log": {"checkpointed": "log"}}
    assert manifest["generator_commit"] == "c0ffee"


def test_a_run_over_some_functions_carries_the_others_forward(tmp_path, monkeypatch):
    """--functions sin,cos publishes a complete version: the other functions' kernels, float64
    sources and Pareto fronts come from the current version unchanged, marked with the
    version that made them (kept when carried again); the current version is untouched."""
    v1 = tmp_path / "v1"
    v1.mkdir()
    (tmp_path / "CURRENT").write_text("v1\n")
    made_by = {"version": "v1", "seed": 3, "config_hash": "abc", "generator_commit": "c0ffee"}
    exp_entry = {"verification": {"max_ulp": 0.9}, "float64": {"source": "exp_f64.py"}}
    (v1 / "manifest.json").write_text(json.dumps({**made_by, "functions": {"exp": exp_entry, "log": {"x": 1}}}))
    for name in ("exp.py", "exp_f64.py", "log.py", "pareto_exp-f32_exp.csv"):
        (v1 / name).write_text(f"# {name}\n")
    options = Options(functions=("log",), core_budget_log2=-20, method="baseline fit")
    staging = pipeline.staging_for(options, tmp_path)
    (staging / "run.json").write_text(json.dumps({"version": "v2", "seed": 0, "config_hash": options.config_hash(),
                                                  "generator_commit": "beef"}))
    (staging / "log.py").write_text("# made\n")
    (staging / "log.json").write_text(json.dumps({"made": True}))
    monkeypatch.setattr(pipeline, "plot_fronts", lambda *a: (a[0] / "pareto.png").write_text(""))
    target = pipeline.make_kernels(options, generated=tmp_path, log=lambda *a: None)
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["functions"]["log"] == {"made": True}
    assert manifest["functions"]["exp"] == {**exp_entry, "carried_from": made_by}
    for name in ("exp.py", "exp_f64.py", "pareto_exp-f32_exp.csv"):
        assert (target / name).read_text() == (v1 / name).read_text()
    assert (target / "log.py").read_text() == "# made\n"
    assert (tmp_path / "CURRENT").read_text() == "v2\n" and (v1 / "log.py").read_text() == "# log.py\n"
    # Carried again, exp keeps the version that made it.
    (tmp_path / "staging-again").mkdir()
    again = pipeline.carry_forward(tmp_path / "staging-again", tmp_path, ["exp"], log=lambda *a: None)
    assert again["exp"]["carried_from"] == made_by


def test_config_hash_ignores_seed_and_timing_only():
    assert Options(seed=1).config_hash() == Options(seed=2, bench_repeats=5).config_hash()
    assert Options().config_hash() != Options(core_budget_log2=-30).config_hash()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_published_manifest_schema(function):
    m = _kernels.manifest()
    assert m["version"] == _kernels.current_version()
    for key in ("created", "generator_commit", "seed", "config", "config_hash"):
        assert key in m
    entry = m["functions"][function]
    check = entry["verification"]
    assert check["inputs_checked"] == N_INPUTS
    assert check["max_ulp"] < CONTRACTS[function].max_ulp
    assert check["worst_input"].startswith("0x") and check["count_over_half_ulp"] >= 0
    assert entry["method"] in ("baseline fit", "evolved")
    assert entry["internal_precision"] in ("float32", "float64")
    assert entry["speed"]["ns_per_element"] > 0
    for core in entry["cores"].values():
        assert core["formula"] and core["ops"] and core["program"]["nodes"][0]["op"] == "input"
    info = fastmath.info(function)
    assert info["verification"] == check and info["version"] == m["version"]


def _passing_check(function, *args, **kwargs):
    return Verification(function, N_INPUTS, 0.6, "0x3f800001", "0x1p+0", "0x1p+0", "0x1p+0", 5, 0, 0.0, "fake")


_TIMINGS = ("created", "speed", "vs_baseline_fit", "search_seconds", "ns_per_element", "seconds")


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in _TIMINGS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def test_same_seed_and_config_give_the_same_version(tmp_path, monkeypatch):
    """Two evolved runs with one seed and config publish byte-identical kernels and Pareto
    fronts, and manifests equal but for timings. (The exhaustive check is replaced by a
    fake here: what is tested is that the search and emission are deterministic.)"""
    monkeypatch.setattr(pipeline, "verify_function", _passing_check)
    options = _small_evolved(functions=("log",))  # (log has a float64 variant too, since v20)
    a = pipeline.make_kernels(options, generated=tmp_path / "a", log=lambda *x: None)
    b = pipeline.make_kernels(options, generated=tmp_path / "b", log=lambda *x: None)
    files = sorted(p.name for p in a.iterdir() if p.is_file())
    assert files == sorted(p.name for p in b.iterdir() if p.is_file())
    assert {"log.py", "manifest.json", "pareto_log-f64_log.csv", "pareto.png"} <= set(files)
    for name in ("log.py", "pareto_log-f64_log.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    assert _without_timings(ma) == _without_timings(mb)
    assert ma["functions"]["log"]["method"] == "evolved"
    core = ma["functions"]["log"]["cores"]["log"]
    assert core["generations"] == 3 and core["search_seed"] and isinstance(core["lineage"], list)
    other = pipeline.make_kernels(replace(options, seed=1), generated=tmp_path / "c", log=lambda *x: None)
    assert (other / "pareto_log-f64_log.csv").read_bytes() != (a / "pareto_log-f64_log.csv").read_bytes()


def _small_evolved(**kw) -> Options:
    from generator.search import SearchConfig
    small = SearchConfig(population=8, generations=3, max_cost=6, validation_points=256)
    return Options(search=small, search64=small, verify64_inputs=1 << 14,  # (exp has a float64 variant too)
                   feasible_ulp=float("inf"), choose="model", bench_n=1 << 10, bench_repeats=5, workers=1, **kw)


def _variant_of(kernel) -> str:
    return kernel.py_func.__globals__["PROVENANCE"]["variant"]


def test_the_fastest_verified_scaffold_variant_ships(tmp_path, monkeypatch):
    """exp has a float64- and a float32-internal scaffold: both are evolved and verified,
    timed in one process, and the faster ships; the manifest records both."""
    monkeypatch.setattr(pipeline, "verify_function", _passing_check)
    target = pipeline.make_kernels(_small_evolved(functions=("exp",)), generated=tmp_path, log=lambda *x: None)
    entry = json.loads((target / "manifest.json").read_text())["functions"]["exp"]
    variants = {v["variant"]: v for v in entry["variants"]}
    assert set(variants) == {"f64", "f32"}
    assert {v["internal_precision"] for v in variants.values()} == {"float64", "float32"}
    fastest = min(variants.values(), key=lambda v: v["ns_per_element"])
    assert entry["variant"] == fastest["variant"]
    assert entry["internal_precision"] == fastest["internal_precision"]
    module = pipeline.load_kernel(target / "exp.py", "exp")
    assert _variant_of(module) == entry["variant"]
    assert {"pareto_exp-f64_exp.csv", "pareto_exp-f32_exp.csv"} <= {p.name for p in target.iterdir()}


def test_a_variant_that_fails_verification_is_not_shipped(tmp_path, monkeypatch):
    def f32_fails(function, kernel, *args, **kwargs):
        return (_failing_check if _variant_of(kernel) == "f32" else _passing_check)(function)

    monkeypatch.setattr(pipeline, "verify_function", f32_fails)
    options = replace(_small_evolved(functions=("exp",)), budget_retries=0)
    target = pipeline.make_kernels(options, generated=tmp_path, log=lambda *x: None)
    entry = json.loads((target / "manifest.json").read_text())["functions"]["exp"]
    assert entry["variant"] == "f64" and entry["internal_precision"] == "float64"
    failed = [v for v in entry["variants"] if v["variant"] == "f32"]
    assert len(failed) == 1 and "1.7000 ULP" in failed[0]["failed"]


def test_a_run_resumes_only_with_the_same_generator_code(tmp_path, monkeypatch):
    options = Options(functions=("exp",))
    here = pipeline.staging_for(options, tmp_path)
    assert pipeline.staging_for(options, tmp_path) == here
    monkeypatch.setattr(pipeline, "source_hash", lambda: "0123456789ab")
    assert pipeline.staging_for(options, tmp_path) != here


def test_a_core_s_own_generations_scale_with_the_run():
    """CoreSpec.generations is what `make kernels` (250 generations a core) gives that core; a
    shorter run (the tests') scales it, and a core without its own takes the run's."""
    from generator.functions.exp.dd import core_exp64_tail
    from generator.options import KERNEL_SEARCH
    assert core_exp64_tail.generations == 500
    assert pipeline.core_generations(core_exp64_tail, KERNEL_SEARCH) == 500
    assert pipeline.core_generations(core_exp64_tail, replace(KERNEL_SEARCH, generations=5)) == 10
    plain = replace(core_exp64_tail, generations=None)
    assert pipeline.core_generations(plain, replace(KERNEL_SEARCH, generations=5)) == 5
