"""Reals mode: the table of evolved vs classical approximations, and its outputs."""
import csv
import math

from generator.reals import CLASSICAL, run_reals
from generator.search import SearchConfig


def test_reals_mode_writes_the_comparison_table_and_plot(tmp_path):
    config = SearchConfig(population=12, generations=4, max_cost=6, validation_points=256,
                          ops=("add", "sub", "mul", "div"))
    rows = run_reals("exp2", 0.0, 1.0, 6, config, seed=0, out=tmp_path, min_ops=2, workers=1, log=lambda *a: None)
    assert [r["ops"] for r in rows] == [2, 3, 4, 5, 6]
    for name in ("table.md", "table.csv", "plot.png", "evolved.json", "search.json"):
        assert (tmp_path / name).stat().st_size > 0
    with open(tmp_path / "table.csv") as f:
        table = list(csv.DictReader(f))
    at4 = next(r for r in table if r["ops"] == "4")
    # the classical columns are the baselines' measured errors (degree-2 minimax: 1.7e-3)
    assert 1.5e-3 < float(at4["minimax_poly"]) < 1.9e-3
    assert all(at4[m] for m in CLASSICAL)
    for r in rows:  # evolved errors are exact re-measurements, no larger at a bigger budget
        assert r["evolved"] > 0 and math.isfinite(r["evolved"])
    assert all(a["evolved"] >= b["evolved"] for a, b in zip(rows, rows[1:]))
