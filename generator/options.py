"""The one options object of a generator run: everything that decides its output."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from fastmath.contract import FUNCTIONS

from .search import SearchConfig

# What `make kernels` runs: about 2-3 minutes of search per core on this machine's 2 cores.
# In the float32 cost model an fma costs what an add does, so insertions favour it.
KERNEL_SEARCH = SearchConfig(population=32, generations=250, max_cost=14, validation_points=2048,
                             op_weights=(1, 1, 1, 1, 3), tune_iterations=40, tune_patience=15)
# float64 cores need constants to ~2^-45 spread over 14 orders of magnitude, which CMA-ES steps
# of 10% of each constant do not reach (sin's tail stayed at 27.5 ULP for 150 generations):
# every mutant also gets two LP polishing steps (minimax, exact for a polynomial's constants),
# and the search reaches 0.506 ULP in 30 generations.
KERNEL_SEARCH64 = replace(KERNEL_SEARCH, screen_polish=2)


@dataclass(frozen=True)
class Options:
    seed: int = 0
    functions: tuple[str, ...] = FUNCTIONS
    method: str = "evolved"  # how cores are made: "evolved" (the search) or "baseline fit"
    core_budget_log2: float = -34.0  # error budget of the baseline fits (relative, or absolute), as log2
    budget_retries: int = 3  # on a failed exhaustive check: baseline fits tighten 4x, evolved cores
    #                          move one step up their Pareto front
    search: SearchConfig = KERNEL_SEARCH
    search64: SearchConfig = KERNEL_SEARCH64  # float64 kernels' cores
    feasible_ulp: float = 0.9  # max ULP on the archive inputs for a Pareto member to be a candidate
    feasible_ulp64: float = 0.51  # the same for float64 kernels, which must also be no worse than the peer
    verify64_inputs: int = 100_000_000  # sampled inputs per float64 kernel (plus the hard cases)
    candidates: int = 3  # cheapest feasible members per core timed for the final choice
    choose: str = "speed"  # final choice among candidates: "speed" (measured) or "model" (cost model)
    verify_block: int = 1 << 24  # inputs per compiled verification call (progress granularity)
    bench_n: int = 1 << 16  # elements per timing of the published kernels
    bench_repeats: int = 101  # timings per kernel; the median is recorded
    workers: int = 0  # search processes (0: one per core); does not change the result
    scheduler: str | None = None  # a Dask scheduler address: run the search there instead
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["functions"] = list(self.functions)
        d["search"] = self.search.to_dict()
        d["search64"] = self.search64.to_dict()
        return d

    def config_hash(self) -> str:
        """sha256 (first 12 hex digits) of what decides the kernels: everything but the seed,
        the timing settings and where the work runs."""
        d = self.to_dict()
        for key in ("seed", "bench_n", "bench_repeats", "verify_block", "workers", "scheduler"):
            d.pop(key)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]
