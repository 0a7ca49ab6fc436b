"""The vocabulary of a scaffold: the hand-written part of a kernel, as real Python code.

A scaffold module (``generator/functions/<name>/<variant>.py``) holds

* its constants, made by a ``ConstantTable`` (``K.f64(value, origin)`` and friends): the
  exact value the kernel uses, with where it came from;
* its core slots: ``core_exp = CoreSpec(...)``, what each core must approximate, on which
  interval, in which form and precision; the kernel calls ``core_exp(r)``;
* its kernel, ``def exp_f32(x): ...``, plain Python written in ``fastmath._ops``' intrinsics
  (and any helper functions it calls, listed in ``helpers``);
* optionally a common path (``CommonPath``): the kernel for a range of common inputs with
  what they never need left out, giving the kernel's bits there;
* ``SCAFFOLD = Scaffold(...)``: the numbered Method, and the error budget (why the core
  error asked for is enough).

``generator.emit`` writes a self-contained kernel file from it (the functions' own
source, the constants as hex, the cores from programs), and ``generator.kernel_objective``
compiles the same kernel function with a core slot bound to an interpreter. A scaffold
module is never run as a kernel itself: calling a core slot outside those raises.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np

from fastmath._kernels import kernel_name


@dataclass(frozen=True)
class CoreSpec:
    """A core slot: what one core approximation must compute (the scaffold's contract with it)."""
    name: str
    target: Callable  # mpmath function of the core input u
    lo: float
    hi: float
    form: str = "poly"  # "poly", "even" or "odd" (see Program.polynomial)
    error: str = "relative"  # how the budget is measured: "relative" or "absolute"
    note: str = ""
    precision: str = "float64"  # the core's arithmetic and constants: "float64" or "float32"
    fit_budget_log2: float | None = None  # its baseline fit's error budget (None: the scaffold's)
    max_cost: int | None = None  # the search's cost cap for it (None: the run's search config)
    generations: int | None = None  # the search's generations for it in `make kernels` (None: the run's;
    #                                  a shorter run scales it: pipeline.core_generations)

    @property
    def slot(self) -> str:
        """The name the kernel calls the core by."""
        return f"core_{self.name}"

    def __call__(self, u):
        raise RuntimeError(f"{self.slot} is a core slot: generator.emit or the probe binds it to a program")

    def reduced_target(self, v):
        """The function the polynomial in v fits (v = u, or v = u^2 for even/odd forms)."""
        if self.form == "poly":
            return self.target(v)
        u = mpmath.sqrt(v)
        return self.target(u) / u if self.form == "odd" else self.target(u)

    def fit_interval(self):
        if self.form == "poly":
            return self.lo, self.hi
        m = max(abs(self.lo), abs(self.hi))
        return 0.0, m * m


@dataclass(frozen=True)
class Constant:
    name: str
    value: object  # what the kernel uses: float (float64), np.float32, np.int32, int (int64), str, np.ndarray
    origin: str  # where it came from
    as_hex: bool = False  # integers: written in hex (bit patterns)
    expression: str = ""  # tables: the call of a builder (Scaffold.builders) that makes the value

    @property
    def source(self) -> str:
        """The Python expression the emitted kernel defines it by: the exact value used."""
        v = self.value
        if isinstance(v, np.ndarray):
            return self.expression
        if isinstance(v, str):
            pieces = [v[i:i + 72] for i in range(0, len(v), 72)]
            return "(\n    " + "\n    ".join(repr(p) for p in pieces) + "\n)" if len(pieces) > 1 else repr(v)
        if isinstance(v, np.float32):
            return f'np.float32(float.fromhex("{float(v).hex()}"))'
        if isinstance(v, float):
            return f'float.fromhex("{v.hex()}")'
        if isinstance(v, np.int32):
            return f"np.int32({int(v)})"
        if isinstance(v, int):
            return (f"-0x{-v:08X}" if v < 0 else f"0x{v:08X}") if self.as_hex else str(v)
        raise TypeError(f"constant of unsupported type {type(v).__name__}")


class ConstantTable:
    """Collects a scaffold module's constants in the order they are made; ``named`` pairs
    them with the module-level names they were bound to."""

    def __init__(self):
        self._made: list[tuple[object, str, bool]] = []

    def _add(self, value, origin: str, as_hex: bool = False, expression: str = ""):
        self._made.append((value, origin, as_hex, expression))
        return value

    def text(self, value: str, origin: str) -> str:
        """A string constant (e.g. the hex digits of 2/pi a table is built from)."""
        return self._add(_Str(value), origin)

    def table(self, builder, argument_name: str, argument, origin: str) -> np.ndarray:
        """A float64 array made by ``builder(argument)`` (a plain function of the scaffold's
        ``builders``); the emitted kernel makes it the same way, from the constant
        ``argument_name``."""
        return self._add(np.asarray(builder(argument), np.float64), origin,
                         expression=f"{builder.__name__}({argument_name})")

    def f64(self, value, origin: str) -> float:
        """A float64 constant: value rounded to nearest float64."""
        return self._add(_Float(value), origin)

    def f32(self, value, origin: str) -> np.float32:
        """A float32 constant: value rounded to nearest float32."""
        return self._add(np.float32(float(value)), origin)

    def i32(self, value: int, origin: str) -> np.int32:
        return self._add(np.int32(value), origin)

    def bits(self, value: int, origin: str) -> int:
        """An integer (int64 in the kernel) written in hex: a bit pattern."""
        return self._add(_Int(value), origin, as_hex=True)

    def int(self, value: int, origin: str) -> int:
        return self._add(_Int(value), origin)

    def named(self, namespace: dict) -> tuple[Constant, ...]:
        """The constants, named by the namespace's (a module's globals()) bindings."""
        found = []
        for value, origin, as_hex, expression in self._made:
            names = [n for n, v in namespace.items() if v is value]
            if len(names) != 1:
                raise ValueError(f"constant ({origin}) is bound to {names or 'no name'}: "
                                 "bind each constant to exactly one module-level name")
            found.append(Constant(names[0], _plain(value), origin, as_hex, expression))
        return tuple(found)


class _Int(int):
    """An int with its own identity (small ints are shared objects), so ``named`` finds it."""


class _Float(float):
    """A float with its own identity (float(x) of a float is x itself)."""


class _Str(str):
    """A str with its own identity."""


def _plain(value):
    """The plain Python value of a table entry (np scalars are already distinct objects)."""
    if isinstance(value, _Int):
        return int(value)
    if isinstance(value, _Float):
        return float(value)
    if isinstance(value, _Str):
        return str(value)
    return value


@dataclass(frozen=True)
class CommonPath:
    """A faster kernel for a range of common inputs, with the kernel's own bits there: what
    the kernel never needs for them (a special-value select, a per-input reduction
    constant) left out. The ufunc's float32 loop runs it on blocks whose inputs are all
    common (``fastmath._loops``); ``make verify`` checks it against the kernel on every
    float32 input in the range."""
    kernel: Callable  # def <function>_f32_common(x)
    is_common: Callable  # def <function>_f32_is_common(x) -> bool: the range
    method: tuple[str, ...]  # why it gives the kernel's bits there (appended to the Method)
    helpers: tuple[Callable, ...] = ()  # functions only it calls (emitted before it)


@dataclass(frozen=True)
class Scaffold:
    function: str
    variant: str  # its name among the function's variants ("f64", "f32")
    method: tuple[str, ...]  # the numbered "Method" comment
    cores: tuple[CoreSpec, ...]
    constants: tuple[Constant, ...]
    kernel: Callable  # def <function>_f32(x): the kernel, calling core_<name>(u)
    helpers: tuple[Callable, ...] = ()  # functions the kernel calls (emitted before the cores)
    internal_precision: str = "float64"
    budget: str = ""  # why the cores' error is enough (the error budget)
    fit_budget_log2: float | None = None  # baseline fits' core error budget (None: the run's option)
    common: CommonPath | None = None  # a faster kernel for common inputs, emitted after the kernel
    # The wide path (``<function>_<dtype>_wide``/``_is_wide``, a CommonPath too): the kernel's
    # bits on a wider range than the common path's (NaN, ±inf), at a cost between the common
    # path's and the kernel's; the loop runs it on chunks the common path cannot take.
    wide: CommonPath | None = None
    dtype: str = "float32"  # the kernel's argument and result type: "float32" or "float64"
    builders: tuple[Callable, ...] = ()  # plain functions that make table constants (emitted before them)
    feasible_ulp: float | None = None  # max ULP on the search's inputs for a core to be a candidate
    #                                    (None: the run's option; set where the method's roundings exceed it)

    @property
    def label(self) -> str:
        """How files, seeds and logs name it: function-variant."""
        return f"{self.function}-{self.variant}"

    @property
    def kernel_name(self) -> str:
        """What the kernel is called, and its module: <function>_f32 or <function>_f64."""
        return kernel_name(self.function, self.dtype)

    def core(self, name: str) -> CoreSpec:
        return next(spec for spec in self.cores if spec.name == name)


# ---- Constants from mpmath ---------------------------------------------------------------
def exact(expr) -> mpmath.mpf:
    """expr() evaluated at 60 digits (mpmath's default of 15 would spoil low parts)."""
    with mpmath.workdps(60):
        return +expr()


def split(expr) -> tuple[float, float]:
    """expr() as hi + lo: hi = RN(value), lo = RN(value - hi), from 60 digits."""
    with mpmath.workdps(60):
        value = exact(expr)
        hi = float(value)
        return hi, float(value - mpmath.mpf(hi))


def f32(x) -> float:
    """x rounded to nearest float32 (as a Python float)."""
    return float(np.float32(x))


def bits32(x: float) -> int:
    """The float32 bit pattern of x (rounded to float32) as a signed int32."""
    return struct.unpack("<i", struct.pack("<f", x))[0]


def bits64(x: float) -> int:
    """The float64 bit pattern of x as a signed int64."""
    return struct.unpack("<q", struct.pack("<d", x))[0]


def int64(bits: int) -> int:
    """A 64-bit pattern as the signed int64 Numba types it as."""
    return (bits + 2**63) % 2**64 - 2**63


LN2 = float(exact(lambda: mpmath.log(2)))
PI = float(exact(lambda: mpmath.pi))
