"""The one options object of a generator run: everything that decides its output."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from fastmath.contract import FUNCTIONS

from .search import SearchConfig

# What `make kernels` runs: about 2-3 minutes of search per core on this machine's 2 cores.
# In the float32 cost model an fma costs what an add does, so insertions favour it.
KERNEL_SEARCH = SearchConfig(population=32, generations=250, max_cost=14, validation_points=2048,
                             op_weights=(1, 1, 1, 1, 3), tune_iterations=40, tune_patience=15)


@dataclass(frozen=True)
class Options:
    seed: int = 0
    functions: tuple[str, ...] = FUNCTIONS
    method: str = "evolved"  # how cores are made: "evolved" (the search) or "baseline fit"
    core_budget_log2: float = -34.0  # error budget of the baseline fits (relative, or absolute), as log2
    budget_retries: int = 3  # on a failed exhaustive check: baseline fits tighten 4x, evolved cores
    #                          move one step up their Pareto front
    search: SearchConfig = KERNEL_SEARCH
    feasible_ulp: float = 0.9  # max ULP on the archive inputs for a Pareto member to be a candidate
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
        return d

    def config_hash(self) -> str:
        """sha256 (first 12 hex digits) of what decides the kernels: everything but the seed,
        the timing settings and where the work runs."""
        d = self.to_dict()
        for key in ("seed", "bench_n", "bench_repeats", "verify_block", "workers", "scheduler"):
            d.pop(key)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]
