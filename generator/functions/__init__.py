"""One home per function: ``generator/functions/<name>/``.

A home holds everything the generator knows about one function: its scaffold variants
(real code, one module each, default first), the inputs its search validates on and the
inputs its speed is measured on. What the runtime needs (the accuracy contract, the
float64 reference, the names the Numba pass rewrites, the benchmark peer) is the
function's entry in ``fastmath.contract``, the one registry line. Adding a function is
that entry plus a folder here; nothing else in the code names functions.
"""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from fastmath.contract import CONTRACTS, FUNCTIONS

from ..scaffold import Scaffold

Sampler = Callable[[np.random.Generator, int], np.ndarray]  # (rng, n) -> float32 inputs


@dataclass(frozen=True)
class FunctionHome:
    name: str
    variants: tuple[Scaffold, ...]  # the default first
    search_inputs: tuple[tuple[float, Sampler], ...]  # (share, sampler): the search's validation mix
    bench_inputs: Sampler  # inputs typical of the function's use: what speed is measured on
    # float64 kernels (none: the ufunc's float64 loop is the contract's ``float64`` peer or libm)
    float64_variants: tuple[Scaffold, ...] = ()  # the default first
    search_inputs64: tuple[tuple[float, Sampler], ...] = ()  # as search_inputs, float64

    def variant(self, name: str | None = None, dtype: str = "float32") -> Scaffold:
        """The scaffold variant called `name` (None: the default) of the kernels for dtype."""
        variants = self.variants_of(dtype)
        if not variants:
            raise KeyError(f"{self.name} has no {dtype} kernel scaffold")
        if name is None:
            return variants[0]
        for scaffold in (*self.variants, *self.float64_variants):
            if scaffold.variant == name:
                return scaffold
        raise KeyError(f"{self.name} has no scaffold variant {name!r}; "
                       f"it has {', '.join(s.variant for s in (*self.variants, *self.float64_variants))}")

    def variants_of(self, dtype: str) -> tuple[Scaffold, ...]:
        return self.variants if dtype == "float32" else self.float64_variants

    def draw_search_inputs(self, rng: np.random.Generator, n: int, dtype: str = "float32") -> np.ndarray:
        mix = self.search_inputs if dtype == "float32" else self.search_inputs64
        parts = [sampler(rng, int(round(share * n))) for share, sampler in mix]
        return np.concatenate(parts)[:n].astype(dtype)


@functools.cache
def home(name: str) -> FunctionHome:
    """The home of a function of ``fastmath.contract`` (its module's ``HOME``)."""
    if name not in CONTRACTS:
        raise KeyError(f"unknown function {name!r}; expected one of {', '.join(FUNCTIONS)}")
    return importlib.import_module(f"{__name__}.{name}").HOME


def scaffold(function: str, variant: str | None = None) -> Scaffold:
    return home(function).variant(variant)


# ---- Samplers the homes share ---------------------------------------------------------------
def uniform(lo: float, hi: float) -> Sampler:
    return lambda rng, n: rng.uniform(lo, hi, n).astype(np.float32)


def uniform64(lo: float, hi: float) -> Sampler:
    return lambda rng, n: rng.uniform(lo, hi, n)


def log_uniform64(lo: float, hi: float) -> Sampler:
    """float64 magnitudes spread evenly over the binades of [lo, hi], either sign."""
    return lambda rng, n: np.exp(rng.uniform(np.log(lo), np.log(hi), n)) * rng.choice([-1.0, 1.0], n)


def finite_bits(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random float32 bit patterns, the non-finite ones replaced by 1."""
    bits = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    return np.where(np.isfinite(x), x, np.float32(1.0))
