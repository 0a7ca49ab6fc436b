"""The objective interface: what the search asks of an objective, and how one is named.

An objective (``Objective``) measures a searched program: its selection error on
validation points, its cost, and the loss its constants are tuned on. The search and
its workers never ship one: tasks carry an ``ObjectiveSpec`` (a kind and parameters)
and ``build_objective`` makes (and caches) the objective from it. Kinds are mapped to
their factories by name (``FACTORIES``), so this module imports no objective module
and the objective modules can import it.
"""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from .program import Program

# kind -> "module:factory" (relative to this package); the factory takes the spec's params
FACTORIES = {"reals": ".objectives:RealsObjective", "kernel": ".kernel_objective:KernelObjective.from_params"}


@runtime_checkable
class Objective(Protocol):
    """What the search minimises for a program: ``RealsObjective`` (max relative error;
    cost: the paper's op count), ``KernelObjective`` (max ULP of a whole float32 kernel;
    cost: a throughput model).

    Constants are tuned on the error of the core alone, |full(program) - tune_exact| x
    tune_weight at the fixed points tune_u (float64): CMA-ES minimises its log
    (``tune_loss``), LP steps polish its max (``generator.tuning.polish``)."""
    tune_u: np.ndarray  # tuning points, in the core's input u
    tune_exact: np.ndarray  # the core's target at them
    tune_weight: np.ndarray  # 1 / |tune_exact| for a relative error, 1 for an absolute one

    def full(self, program: Program) -> Program:
        """The core in u that a searched program stands for (what tune_u is in)."""

    def cost(self, program: Program) -> int:
        """The cost model's cost of the program."""

    def tune_loss(self, program: Program, constants: np.ndarray) -> np.ndarray:
        """log of the max tuning error for each row of constants (P x k, in the order of
        ``Program.constants``); non-finite where the program breaks down."""

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n fresh validation points (what ``error`` and ``error_and_worst`` take)."""

    def error(self, program: Program, points: np.ndarray | None = None) -> float:
        """The selection error on the points; on the objective's fixed archive set if None."""

    def error_and_worst(self, program: Program, points: np.ndarray) -> tuple[float, int | float]:
        """(the error as in ``error``, the element of points where it occurs)."""


@dataclass(frozen=True)
class ObjectiveSpec:
    """A small, picklable description of an objective; workers build (and cache) the
    objective itself from it, so tasks never ship arrays."""
    kind: str  # a key of FACTORIES
    params: tuple = ()  # sorted (name, value) pairs

    @classmethod
    def make(cls, kind: str, **params) -> "ObjectiveSpec":
        return cls(kind, tuple(sorted(params.items())))


@functools.lru_cache(maxsize=8)
def build_objective(spec: ObjectiveSpec) -> Objective:
    """The objective a spec describes (one per spec and process)."""
    if spec.kind not in FACTORIES:
        raise ValueError(f"unknown objective kind {spec.kind!r}")
    module, name = FACTORIES[spec.kind].split(":")
    factory = importlib.import_module(module, __package__)
    for attr in name.split("."):
        factory = getattr(factory, attr)
    return factory(**dict(spec.params))
