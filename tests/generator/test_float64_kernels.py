"""float64 kernels in the generator: the Payne-Hanek table and reduction are exact where the
Method says, the sampled check catches what it must, and the pipeline ships a float64
kernel only when that check passes."""
import json
import math
from dataclasses import replace
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from generator import emit, pipeline
from generator.fit import fit_core
from generator.functions import home
from generator.functions.sin import reduction64
from generator.options import Options
from generator.probe import _PROVENANCE
from generator.search import SearchConfig
from generator.verify64 import hard_cases, reference64, ulp_error64, verify_kernel64

from .test_emit import _passing_check


def test_payne_hanek_rows_are_two_over_pi_scaled_mod_4():
    """Row j: 2^e 2/pi mod 4 for e = j - 24, to 2^-200 relative (four float64 parts), from the
    1280 hex bits of 2/pi, which agree with mpmath."""
    table = reduction64.PAYNE_HANEK
    assert table.shape == (2046 - 1051 + 1, 4)
    with mpmath.workdps(500):
        assert int(reduction64.TWO_OVER_PI_HEX, 16) == int(mpmath.floor(2 / mpmath.pi * mpmath.mpf(2) ** 1280))
        for row in (0, 1, 24, 25, 300, 995):
            e = row - 24
            exact = mpmath.fmod(mpmath.ldexp(2 / mpmath.pi, e), 4)
            total = sum(Fraction(v) for v in table[row])
            assert abs(mpmath.mpf(total.numerator) / total.denominator - exact) <= exact * mpmath.mpf(2) ** -200


def test_payne_hanek_reduction_is_accurate_on_the_hardest_float64(tmp_path):
    """reduce_large (as emitted) against mpmath: r to 2^-80 relative and the right quadrant,
    on random large x and 6381956970095103 2^797, whose distance to a multiple of pi/2 is ~2^-61."""
    kernel = _fitted_kernel("sin", tmp_path)
    reduce_large = kernel.py_func.__globals__["reduce_large"]
    rng = np.random.default_rng(5)
    xs = [math.ldexp(6381956970095103, 797), -math.ldexp(6381956970095103, 797), 2.0**28, 1e300, -3.5e10]
    xs += list(rng.uniform(2**28, 2**40, 20)) + list(np.exp(rng.uniform(20, 700, 20)))
    for x in xs:
        rh, rl, q = reduce_large(x, reduction64.SHIFT)
        with mpmath.workdps(800):
            t = mpmath.mpf(x) / (mpmath.pi / 2)
            n = mpmath.nint(t)
            r = (t - n) * mpmath.pi / 2
            assert (int(q) - int(n)) % 4 == 0, x
            assert abs(mpmath.mpf(rh) + mpmath.mpf(rl) - r) <= abs(r) * mpmath.mpf(2) ** -80, x


def test_ulp_error64_applies_the_rules_and_can_fail():
    assert ulp_error64(1.0, 1.0, 0.0) == 0.0
    assert ulp_error64(np.nextafter(1.0, 2.0), 1.0, 0.0) == 1.0
    assert ulp_error64(1.0, 1.0, 2.0**-53) == 0.5
    assert ulp_error64(-0.0, 0.0, 0.0) == math.inf  # signed zeros
    assert ulp_error64(math.nan, 1.0, 0.0) == math.inf and ulp_error64(math.nan, math.nan, 0.0) == 0.0
    assert ulp_error64(math.inf, 1e308, 0.0) == math.inf


def test_hard_cases_include_the_closest_float64_to_multiples_of_pi_over_2():
    x = hard_cases("sin", np.random.default_rng(0), 1000)
    assert math.ldexp(6381956970095103, 797) in x and -math.ldexp(6381956970095103, 797) in x
    near = x[: (1 << 16) - 1]  # the float64 nearest k pi/2, k < 2^16: sin or cos of it is below 2^-35
    smallest = np.minimum(np.abs(reference64("sin", near)[0]), np.abs(reference64("cos", near)[0]))
    assert np.all(smallest < 2.0**-35)


def _fitted_kernel(function: str, tmp_path, budget_log2: float | None = None):
    """The float64 kernel with baseline fits: the scaffold's and its cores' own budgets (None),
    or every core to 2^budget_log2."""
    scaffold = home(function).variant(dtype="float64")
    if budget_log2 is None:
        programs = {n: f.program for n, f in pipeline.baseline_fits(scaffold, -50.0).items()}
    else:
        programs = {s.name: fit_core(s, 2.0 ** budget_log2).program for s in scaffold.cores}
    source = emit.render_kernel(scaffold, programs, _PROVENANCE)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = emit.write_kernel(tmp_path, scaffold.kernel_name, source)
    return pipeline.load_kernel(path, function, "float64")


@pytest.mark.parametrize("function, level", [("sin", 0.52), ("cos", 0.52), ("erf", 0.76), ("exp", 0.64), ("log", 0.58)])
def test_sampled_check_passes_a_good_kernel_and_fails_a_poor_one(function, level, tmp_path):
    """With the baseline fits the kernel is under the bound (and its method's level) and no
    worse than the peer on 2^18 sampled inputs plus the hard cases, in every compilation;
    with cores of 2^-30 it is not."""
    good = _fitted_kernel(function, tmp_path / "good")
    check = verify_kernel64(function, good, pipeline.ufunc_of(function, good, "float64"), inputs=1 << 18)
    assert check.proves(1.0), check.problems(1.0)
    assert check.max_ulp < level and check.inputs_checked > (1 << 18)
    assert all(c["differ"] == 0 and c["compared"] > 0 for c in check.compilations.values())
    assert ("wide_path" in check.compilations) == (home(function).variant(dtype="float64").wide is not None)
    poor = _fitted_kernel(function, tmp_path / "poor", -30)
    check = verify_kernel64(function, poor, pipeline.ufunc_of(function, poor, "float64"), inputs=1 << 16)
    assert not check.proves(1.0) and check.max_ulp > 0.52
    assert ("less accurate than numpy" if check.peer_max_ulp < 1 else "breaks the bound") in " ".join(check.problems(1.0))


def _float64_options(**kw) -> Options:
    small = SearchConfig(population=8, generations=3, max_cost=6, validation_points=256)
    return Options(functions=("cos",), search=small, search64=small, feasible_ulp=float("inf"),
                   feasible_ulp64=float("inf"), choose="model", bench_n=1 << 10, bench_repeats=3, workers=1,
                   verify64_inputs=1 << 12, **kw)


def test_a_float64_kernel_ships_when_its_sampled_check_passes(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "verify_function", _passing_check)
    monkeypatch.setattr(pipeline, "verify_kernel64", _passing_check64)
    target = pipeline.make_kernels(_float64_options(), generated=tmp_path, log=lambda *x: None)
    entry = json.loads((target / "manifest.json").read_text())["functions"]["cos"]["float64"]
    assert entry["source"] == "cos_f64.py" and entry["variant"] == "dd" and (target / "cos_f64.py").exists()
    assert entry["speed"]["dtype"] == "float64" and set(entry["cores"]) == {"sin_tail", "cos_tail"}
    assert "sampled" in entry["verification"]["method"]


def test_a_float64_kernel_that_fails_its_check_is_not_shipped(tmp_path, monkeypatch):
    """3 generations cannot reach float64 accuracy: the real sampled check fails, the
    float32 kernel ships, the float64 one does not (the ufunc keeps numpy's float64 loop)."""
    monkeypatch.setattr(pipeline, "verify_function", _passing_check)
    target = pipeline.make_kernels(replace(_float64_options(), budget_retries=0), generated=tmp_path,
                                   log=lambda *x: None)
    entry = json.loads((target / "manifest.json").read_text())["functions"]["cos"]
    assert "failed" in entry["float64"] and "source" not in entry["float64"]
    assert (target / "cos.py").exists() and not (target / "cos_f64.py").exists()


def _passing_check64(function, kernel, ufunc, inputs, seed=0, **kw):
    from generator.verify64 import SampledVerification
    return SampledVerification(function=function, method="sampled: fake", reference="fake", inputs_checked=inputs,
                               hard_cases=0, max_ulp=0.5, worst_input="0x1p+0", worst_output="0x1p+0",
                               count_over_half_ulp=0, count_at_least_one_ulp=0, peer="numpy.cos", peer_max_ulp=0.5,
                               peer_worst_input="0x1p+0", seconds=0.0)


def test_float64_scaffolds_divide_by_fdiv():
    """A float64 kernel is inlined into its callers by Numba, where ``/`` takes the caller's
    error model ("python" in plain @njit code: ZeroDivisionError at log(0), and a divisor check
    that keeps loops scalar); every division in a float64 scaffold is ``fdiv``."""
    import ast
    import inspect
    import textwrap
    from fastmath.contract import FUNCTIONS
    for function in FUNCTIONS:
        for scaffold in home(function).float64_variants:
            paths = [p for p in (scaffold.common, scaffold.wide) if p is not None]
            code = [scaffold.kernel, *scaffold.helpers] + [f for p in paths for f in (p.kernel, p.is_common)]
            for fn in code:
                tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
                divisions = [n for n in ast.walk(tree) if isinstance(n, (ast.BinOp, ast.AugAssign))
                             and isinstance(n.op, ast.Div)]
                assert not divisions, f"{scaffold.label}: {fn.__name__} divides with /"
