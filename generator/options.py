"""The one options object of a generator run: everything that decides its output."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from fastmath.contract import FUNCTIONS


@dataclass(frozen=True)
class Options:
    seed: int = 0
    functions: tuple[str, ...] = FUNCTIONS
    method: str = "baseline fit"  # how cores are made: "baseline fit" (issue 2); "evolved" later
    core_budget_log2: float = -34.0  # error budget of each core (relative, or absolute), as log2
    budget_retries: int = 3  # on a failed exhaustive check, tighten the budget 4x and refit
    verify_block: int = 1 << 24  # inputs per compiled verification call (progress granularity)
    bench_n: int = 1 << 16  # elements per timing of the published kernels
    bench_repeats: int = 101  # timings per kernel; the median is recorded
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["functions"] = list(self.functions)
        return d

    def config_hash(self) -> str:
        """sha256 (first 12 hex digits) of what decides the kernels: everything but the seed
        and the timing settings."""
        d = self.to_dict()
        for key in ("seed", "bench_n", "bench_repeats", "verify_block"):
            d.pop(key)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]
