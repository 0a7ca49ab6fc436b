"""The examples in examples/ run (at a small size) and the pass keeps their accuracy."""
import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"fastmath_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, args, tolerance", [
    ("black_scholes", {"n": 4096}, {"max_rel_error": 1e-3}),
    ("softmax", {"rows": 64, "cols": 256}, {"lse_max_rel_error": 1e-6, "softmax_max_rel_error": 1e-5}),
    ("kde", {"n_samples": 1024, "n_queries": 64}, {"max_rel_error": 1e-5}),
])
def test_example_runs_and_keeps_accuracy(name, args, tolerance, capsys):
    result = load(name).main(**args, repeats=1)
    assert capsys.readouterr().out.count("speed-up") == 1
    for key, bound in tolerance.items():
        before, after = result["before"][key], result["after"][key]
        assert 0 <= after < bound, (key, after)
        assert after <= before * 1.5 + 1e-7, (key, before, after)  # the pass is no less accurate than libm here
