"""Are the reals-mode programs at their minimax? Polish each reported program's constants
further (200 LP steps on the objective's 32,768 points) and re-measure it exactly.

    python benchmarks/reals_polish.py results/reals/evolved.json [more evolved.json ...]
"""
import json
import sys

import numpy as np

from generator.objectives import RealsObjective
from generator.program import Program
from generator.tuning import polish


def main(paths):
    objective = RealsObjective()
    weight = 1 / np.abs(objective.pool_exact)
    largest = 0.0
    for path in paths:
        for ops, entry in json.load(open(path)).items():
            program = Program.from_dict(entry["program"])
            polished, _, steps = polish(program, objective.pool_u, objective.pool_exact, weight,
                                        iterations=200, lp_points=256, tol=1e-10)
            after = objective.exact_error(polished)
            change = (entry["max_rel_error"] - after) / entry["max_rel_error"]
            largest = max(largest, change)
            print(f"{path} {ops:>2} ops: {entry['max_rel_error']:.4g} -> {after:.4g} "
                  f"({100 * change:+.3f}%, {steps} LP steps)")
    print(f"largest improvement: {100 * largest:.3f}%")


if __name__ == "__main__":
    main(sys.argv[1:])
