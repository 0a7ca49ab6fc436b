"""The kernel objective: max ULP of the *whole* kernel with a candidate as one of its cores.

For one core slot of one function's scaffold, a probe (``generator.probe``) compiles the
kernel as ``generator.emit`` writes it, the other cores fixed, with the searched core run
by an interpreter. So a candidate is measured with the kernel's true semantics: a float32
kernel against float64 libm with ``generator.verify.ulp_error``'s rules, a float64 kernel
against the long double function with ``generator.verify64.ulp_error64``'s.

Selection error: max ULP on stratified float32 validation inputs (the function home's
``search_inputs``), drawn fresh each generation (the search adds the worst inputs it has
found so far). Constant tuning: log of the core's own max error (relative or absolute,
per the scaffold's CoreSpec) on its interval, in numpy float64 -- a fast proxy of the
kernel's error. Cost: a throughput model of the compiled core (``generator.cost``).
"""
from __future__ import annotations

import json

import numpy as np

from .cost import model_cost
from .functions import home
from .grids import chebyshev_points
from .objective import ObjectiveSpec
from .objectives import mp_values, tune_loss
from .probe import Probe
from .program import Program


class KernelObjective:
    """Max ULP of `function`'s kernel (scaffold `variant`) with the candidate in core `slot`.

    The scaffold declares each core's symmetry (CoreSpec.form): for an odd core the search
    evolves P with the core u * P(u^2), for an even one P(u^2), so the search starts from
    f(v) = v in v = u^2 (``full`` turns a searched program into the core in u)."""

    def __init__(self, function: str, slot: str, fixed: dict[str, Program], tune_points: int = 512,
                 archive_points: int = 1 << 16, variant: str | None = None):
        self.home = home(function)
        scaffold = self.home.variant(variant)
        self.function, self.slot, self.dtype = function, slot, scaffold.dtype
        self.spec = scaffold.core(slot)
        self.probe = Probe(scaffold, slot, fixed)
        u = chebyshev_points(self.spec.lo, self.spec.hi, tune_points)
        self.tune_u = u[u != 0] if self.spec.form == "odd" else u
        self.tune_exact = mp_values(self.spec.target, self.tune_u)
        relative = self.spec.error == "relative"
        self.tune_weight = 1.0 / np.abs(self.tune_exact) if relative else np.ones_like(self.tune_exact)
        rng = np.random.default_rng(2024)  # part of the objective, not of a run
        self.archive_x = self.draw(rng, archive_points)
        self.archive_ref = self.probe.references(self.archive_x)

    @classmethod
    def from_params(cls, function, slot, fixed, **kw):
        fixed = {name: Program.from_dict(json.loads(text)) for name, text in fixed}
        return cls(function, slot, fixed, **kw)

    def full(self, program: Program) -> Program:
        """The core in u of a searched program (see the class doc)."""
        return program.in_form(self.spec.form)

    def cost(self, program: Program) -> int:
        return model_cost(self.full(program))

    def tune_loss(self, program: Program, constants: np.ndarray) -> np.ndarray:
        return tune_loss(self.full(program), constants, self.tune_u, self.tune_exact, self.tune_weight)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.home.draw_search_inputs(rng, n, self.dtype)

    def max_ulp(self, core: Program, xs: np.ndarray, refs: np.ndarray | None = None) -> tuple[float, float]:
        """(max ULP, the input where it occurs) of the whole kernel on xs, with `core` (a
        program in u, as emitted) in the searched slot."""
        refs = self.probe.references(xs) if refs is None else refs
        worst, at = self.probe.max_ulp(core, xs, refs)
        return (float("inf") if worst != worst else worst), float(xs[at])

    def error(self, program: Program, points: np.ndarray | None = None) -> float:
        """Max ULP of the kernel on the points (the archive set if None). A core so wrong
        that the kernel breaks a special-value rule (infinite error, e.g. -inf for exp) is
        given its own error scaled to ULPs of its dtype, 2^24 (float32) or 2^53 (float64) x (core
        max error), plus one:
        still infeasible, but ranked, so the search has a slope to climb from f(u) = u."""
        if points is None:
            ulp, _ = self.max_ulp(self.full(program), self.archive_x, self.archive_ref)
            return self._ranked(program, ulp)
        return self.error_and_worst(program, points)[0]

    def error_and_worst(self, program: Program, points: np.ndarray) -> tuple[float, float]:
        """(error as in ``error``, the input where the kernel's max ULP occurs)."""
        ulp, at = self.max_ulp(self.full(program), np.asarray(points, self.dtype))
        return self._ranked(program, ulp), at

    def _ranked(self, program: Program, ulp: float) -> float:
        if ulp == float("inf"):
            core = float(np.exp(self.tune_loss(program, np.array([program.constants()]))[0]))  # full() inside
            ulp = 1.0 + 2.0 ** np.finfo(self.dtype).nmant * 2 * core
        return ulp


def kernel_spec(function: str, slot: str, fixed: dict[str, Program], variant: str):
    """The ObjectiveSpec of a kernel search (picklable and hashable: programs as JSON text;
    workers rebuild the objective from it)."""
    return ObjectiveSpec.make("kernel", function=function, slot=slot, variant=variant,
                              fixed=tuple((n, json.dumps(p.to_dict())) for n, p in sorted(fixed.items())))
