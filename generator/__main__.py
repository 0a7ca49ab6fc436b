"""Command line: python -m generator {kernels,verify} ..."""
from __future__ import annotations

import argparse
import sys

from fastmath.contract import FUNCTIONS


def _functions(text: str) -> tuple[str, ...]:
    names = tuple(t for t in text.split(",") if t)
    unknown = [n for n in names if n not in FUNCTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown function(s) {', '.join(unknown)}; expected {', '.join(FUNCTIONS)}")
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator")
    sub = parser.add_subparsers(dest="command", required=True)
    k = sub.add_parser("kernels", help="make, verify and publish a new kernel version")
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--functions", type=_functions, default=FUNCTIONS,
                   help="make these (default: all); the version carries the others from the current one")
    k.add_argument("--budget-log2", type=float, default=-34.0, help="baseline fits: core error budget, log2")
    k.add_argument("--method", choices=("evolved", "baseline fit"), default="evolved")
    k.add_argument("--generations", type=int, default=None, help="search generations per core")
    k.add_argument("--workers", type=int, default=0, help="search processes (default: one per core)")
    k.add_argument("--scheduler", default=None, help="Dask scheduler address: search on that cluster")
    k.add_argument("--choose", choices=("speed", "model"), default="speed")
    r = sub.add_parser("reals", help="the paper's reals experiment: evolve, compare with classical methods")
    r.add_argument("--target", default="exp2", help="exp2, exp, log1p, sin, erf")
    r.add_argument("--lo", type=float, default=0.0)
    r.add_argument("--hi", type=float, default=1.0)
    r.add_argument("--ops", type=int, default=12, help="op budget (the largest cost evolved)")
    r.add_argument("--min-ops", type=int, default=4)
    r.add_argument("--generations", type=int, default=400)
    r.add_argument("--population", type=int, default=64)
    r.add_argument("--fma", action="store_true", help="allow fma (counts 2 ops)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--workers", type=int, default=0)
    r.add_argument("--scheduler", default=None, help="Dask scheduler address")
    r.add_argument("--out", default="results/reals", help="output directory (resumes a run found there)")
    r.add_argument("--islands", type=int, default=0,
                   help="searches that trade their archive fronts (generator.islands), each of --generations; "
                        "0: one plain search")
    r.add_argument("--migrate-every", type=int, default=10, help="island generations between migrations")
    v = sub.add_parser("verify", help="exhaustively verify the published kernels the runtime uses")
    v.add_argument("--version", default=None, help="a published version (default: the current one)")
    v.add_argument("--functions", type=_functions, default=FUNCTIONS)
    rr = sub.add_parser("rerender", help="render a published version again with the current scaffolds and "
                                         "compare it with the published kernels on all 2^32 inputs, bit for bit")
    rr.add_argument("--version", default=None, help="a published version (default: the current one)")
    rr.add_argument("--functions", type=_functions, default=None, help="default: all of the version's")
    rr.add_argument("--perturb", action="store_true", help="flip one bit of one core constant first")
    args = parser.parse_args(argv)

    if args.command == "kernels":
        from dataclasses import replace

        from .options import KERNEL_SEARCH, KERNEL_SEARCH64, Options
        from .pipeline import VerificationFailed, make_kernels
        search, search64 = KERNEL_SEARCH, KERNEL_SEARCH64
        if args.generations is not None:
            search, search64 = (replace(c, generations=args.generations) for c in (search, search64))
        options = Options(seed=args.seed, functions=args.functions, core_budget_log2=args.budget_log2,
                          method=args.method, search=search, search64=search64, workers=args.workers,
                          scheduler=args.scheduler, choose=args.choose)
        try:
            make_kernels(options)
        except VerificationFailed as exc:
            print(f"NOT PUBLISHED: {exc}. The current version is unchanged.", file=sys.stderr)
            return 1
        return 0
    if args.command == "reals":
        from pathlib import Path

        from .mutation import MutationWeights
        from .reals import run_reals
        from .search import SearchConfig
        ops = ("add", "sub", "mul", "div") + (("fma",) if args.fma else ())
        # Insertions often go on the output and read it twice (so squarings -- argument halving
        # -- are proposed often); forks make shared A + B / A - B pairs, reassociations shared
        # products, continued-fraction steps u -> u + c / u (c = 0 or a small multiple of u^2)
        # and fraction inversions a + b / (w + c) -> a' + B / (w + A / w + C) (near-neutral);
        # every mutant's constants go through Levenberg-Marquardt (a new term's constant and the
        # ones that make room for it must move far together), then CMA-ES does a coarse fit,
        # every mutant gets a few LP polishing steps (a squared program's constants must move
        # far) and the promising ones the rest; LP steps take the derivatives that come through
        # an infinity (c / x at x = 0) as 0.
        config = SearchConfig(population=args.population, generations=args.generations, max_cost=args.ops,
                              validation_points=1024, ops=ops, self_operand=0.5, output_edge=0.5,
                              screen_polish=3, tune_iterations=40, tune_patience=15, polish_limits=True,
                              least_squares=300,
                              mutation_weights=MutationWeights(fork=0.15, reassociate=0.1, continued_fraction=0.1,
                                                               invert_fraction=0.1))
        from .islands import IslandConfig
        islands = IslandConfig(args.islands, args.migrate_every) if args.islands else None
        run_reals(args.target, args.lo, args.hi, args.ops, config, args.seed, Path(args.out), args.min_ops,
                  args.workers, args.scheduler, islands=islands)
        return 0
    if args.command == "rerender":
        from fastmath import _kernels

        from .check_published import rerender
        version = args.version or _kernels.current_version()
        functions = args.functions or tuple(_kernels.manifest(version)["functions"])
        differ = rerender(version, functions, args.perturb)
        return int(any(n for n, _ in differ.values()) != args.perturb)
    from .check_published import verify_published
    return verify_published(args.version, args.functions)


if __name__ == "__main__":
    sys.exit(main())
