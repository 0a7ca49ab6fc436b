"""sin and cos: both float32 scaffold variants (f64: reduction mod pi/2 and two cores;
halfturn: mod pi and one core) meet the contract with baseline fits on the reduction's hard
cases, and each variant's common path gives its kernel's bits. `make kernels` ships the
faster variant and `make verify` checks it on every float32 input; this keeps the other
one honest."""
import numpy as np
import pytest

from generator import pipeline
from generator.functions import home

from ..accuracy.regressions import REGRESSIONS
from ..conftest import assert_contract, from_bits, to_bits

PROVENANCE = {"version": "t", "seed": 0, "config_hash": "t", "generator_commit": "t", "domain": "t",
              "max_ulp_contract": 1.0, "method": "test"}


def hard_inputs(function: str) -> list[np.float32]:
    """The regressions (closest to multiples of pi/2, pi/4 ... FLT_MAX, subnormals) either
    sign, ±0, and a spread of ordinary and huge arguments."""
    rng = np.random.default_rng(7)
    xs = [from_bits(b) for b in REGRESSIONS[function]]
    xs += [-x for x in xs] + [np.float32(0.0), np.float32(-0.0)]
    xs += list(rng.uniform(-100.0, 100.0, 200).astype(np.float32))
    xs += list((rng.uniform(1.0, 2.0, 200) * 2.0 ** rng.integers(-30, 127, 200)).astype(np.float32))
    return xs


@pytest.mark.parametrize("function", ["sin", "cos"])
@pytest.mark.parametrize("variant", ["f64", "halfturn"])
def test_both_trig_variants_meet_the_contract_and_their_common_paths_agree(function, variant, tmp_path):
    scaffold = home(function).variant(variant)
    programs = {n: f.program for n, f in pipeline.baseline_fits(scaffold, -34.0).items()}
    _, kernel = pipeline.render(scaffold, programs, PROVENANCE, tmp_path)
    namespace = kernel.py_func.__globals__
    common, is_common = namespace[f"{function}_f32_common"], namespace[f"{function}_f32_is_common"]
    shared = 0
    for x in hard_inputs(function):
        y = np.float32(kernel(x))  # (Numba returns a Python float)
        assert_contract(function, x, y)
        if is_common(x):
            assert to_bits(np.float32(common(x))) == to_bits(y), (function, variant, x)
            shared += 1
    assert shared > 200  # the ordinary arguments, and the small regressions
    with np.errstate(invalid="ignore"):
        assert np.isnan(kernel(np.float32(np.inf))) and np.isnan(common(np.float32(-np.inf)))
