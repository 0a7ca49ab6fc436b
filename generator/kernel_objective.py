"""The float32 objective: max ULP of the *whole* kernel with a candidate as one of its cores.

For one core slot of one function's scaffold, a *probe* kernel is rendered: the kernel
exactly as ``generator.emit`` writes it (the same scaffold body, the other cores fixed),
except that the searched core is run by a small scalar interpreter over the candidate's
opcode arrays. So a candidate is measured with the kernel's true semantics (the scaffold's float64 or float32
internal arithmetic, true fma, the scaffold's reduction, reconstruction, selects and
final rounding), against float64 libm, with ``generator.verify.ulp_error``'s rules.

Selection error: max ULP on stratified float32 validation inputs, drawn fresh each
generation (the search adds the worst inputs it has found so far). Constant
tuning: log of the core's own max error (relative or absolute, per the scaffold's
CoreSpec) on its interval, in numpy float64 -- a fast proxy of the kernel's error.
Cost: a throughput model of the compiled core (``OP_LATENCY``), checked against
measured ns/element by ``generator.pipeline``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np

from . import emit
from .evaluation import encode
from .objectives import chebyshev_points, mp_values, tune_loss
from .program import Program
from .scaffolds import is_default, scaffold

ROOT = Path(__file__).resolve().parent.parent
PROBE_DIR = ROOT / ".cache" / "probe"

# Cost model: vector instructions per element, by op (an AVX-512 float64 add, mul or fma
# issues at the same rate; a divide is about 8 times slower in throughput; negation
# folds into the neighbouring fma/sub).
OP_LATENCY = {"input": 0, "const": 0, "neg": 0, "add": 1, "sub": 1, "mul": 1, "fma": 1, "div": 8}


def model_cost(program: Program) -> int:
    dep, live = program.depends_on_input(), program.live()
    return sum(OP_LATENCY[n.op] for n, d, l in zip(program.nodes, dep, live) if d and l)


_INTERPRETER = '''

@kernel
def run_core(codes, args, values, reg, u):
    """The searched core, interpreted: same ops, same order, true fma, in the core's
    precision (that of reg and values)."""
    n = codes.shape[0]
    for i in range(n):
        c = codes[i]
        a, b, d = args[i, 0], args[i, 1], args[i, 2]
        if c == 0:
            reg[i] = u
        elif c == 1:
            reg[i] = values[i]
        elif c == 2:
            reg[i] = -reg[a]
        elif c == 3:
            reg[i] = reg[a] + reg[b]
        elif c == 4:
            reg[i] = reg[a] - reg[b]
        elif c == 5:
            reg[i] = reg[a] * reg[b]
        elif c == 6:
            reg[i] = reg[a] / reg[b]
        else:
            reg[i] = fma(reg[a], reg[b], reg[d])
    return reg[n - 1]


@kernel
def probe_max_ulp(xs, refs, codes, args, values):
    reg = np.empty(codes.shape[0], np.CORE_DTYPE)
    worst, at = -1.0, 0
    for i in range(xs.shape[0]):
        err = ulp_error(FUNCTION_f32(xs[i], codes, args, values, reg), refs[i])
        if err > worst or err != err:
            worst, at = err, i
    return worst, at


@kernel
def references(xs, out):
    for i in range(xs.shape[0]):
        out[i] = REFERENCE(np.float64(xs[i]))
'''


def probe_source(function: str, slot: str, fixed: dict[str, Program], variant: str | None = None) -> str:
    """Kernel source for `function` (scaffold `variant`) whose core `slot` is interpreted
    (see module doc)."""
    chosen = scaffold(function, variant)
    spec = chosen.core(slot)
    programs = {**fixed, slot: Program.identity()}
    provenance = {"version": "probe", "seed": 0, "config_hash": "probe", "generator_commit": "probe",
                  "domain": "probe", "max_ulp_contract": 1.0, "method": f"probe of core {slot}"}
    source = emit.render_kernel(chosen, programs, provenance)
    head, body = source.split("# ---- Kernel", 1)
    body, n = re.subn(rf"\bdef {function}_f32\(x\):", f"def {function}_f32(x, codes, args, values, reg):", body)
    assert n == 1, "scaffold body must define the kernel as f(x)"
    body, n = re.subn(rf"\bcore_{slot}\(", "run_core(codes, args, values, reg, ", body)
    assert n >= 1, f"scaffold body never calls core_{slot}"
    tail = (_INTERPRETER.replace("FUNCTION", function).replace("REFERENCE", f"{function}_f64")
            .replace("CORE_DTYPE", spec.precision))
    imports = f"from fastmath._libm import {function}_f64\nfrom generator.verify import ulp_error\n"
    return head + imports + "# ---- Kernel" + body + tail


def load_probe(source: str):
    """Import a probe source (cached on disk by content hash, so workers share it)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    PROBE_DIR.mkdir(parents=True, exist_ok=True)
    path = PROBE_DIR / f"probe_{digest}.py"
    if not path.exists():
        emit.write_text_atomic(path, source)
    name = f"fastmath_probe_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _finite_bits(rng, n) -> np.ndarray:
    bits = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    return np.where(np.isfinite(x), x, np.float32(1.0))


# Stratified validation inputs: (share, sampler) per function; shares sum to 1.
def _uniform(lo, hi):
    return lambda rng, n: rng.uniform(lo, hi, n).astype(np.float32)


SAMPLERS = {
    "exp": ((0.6, _uniform(-103.97, 88.72)), (0.2, _uniform(-1.0, 1.0)), (0.2, _finite_bits)),
    "log": ((0.4, lambda rng, n: np.abs(_finite_bits(rng, n))), (0.4, _uniform(0.5, 2.0)),
            (0.2, lambda rng, n: np.exp2(rng.uniform(-149, 128, n)).astype(np.float32))),
    "sin": ((0.4, _uniform(-12.6, 12.6)), (0.3, _uniform(-1e4, 1e4)), (0.3, _finite_bits)),
    "erf": ((0.5, _uniform(-4.0, 4.0)), (0.3, _uniform(-1.0, 1.0)), (0.2, _finite_bits)),
}


def draw_inputs(function: str, rng: np.random.Generator, n: int) -> np.ndarray:
    parts = []
    for share, sampler in SAMPLERS[function]:
        parts.append(sampler(rng, int(round(share * n))))
    return np.concatenate(parts)[:n].astype(np.float32)


class KernelObjective:
    """Max ULP of `function`'s kernel with the candidate in core `slot`.

    The scaffold declares each core's symmetry (CoreSpec.form): for an odd core the search
    evolves P with the core u * P(u^2), for an even one P(u^2), so the search starts from
    f(v) = v in v = u^2 (``full`` turns a searched program into the core in u)."""

    def __init__(self, function: str, slot: str, fixed: dict[str, Program], tune_points: int = 512,
                 archive_points: int = 1 << 16, variant: str | None = None):
        self.function, self.slot = function, slot
        self.spec = scaffold(function, variant).core(slot)
        self.dtype = np.dtype(self.spec.precision)
        self.probe = load_probe(probe_source(function, slot, fixed, variant))
        u = chebyshev_points(self.spec.lo, self.spec.hi, tune_points)
        self.tune_u = u[u != 0] if self.spec.form == "odd" else u
        self.tune_exact = mp_values(self.spec.target, self.tune_u)
        relative = self.spec.error == "relative"
        self.tune_weight = 1.0 / np.abs(self.tune_exact) if relative else np.ones_like(self.tune_exact)
        rng = np.random.default_rng(2024)  # part of the objective, not of a run
        self.archive_x = draw_inputs(function, rng, archive_points)
        self.archive_ref = self._references(self.archive_x)

    @classmethod
    def from_params(cls, function, slot, fixed, **kw):
        fixed = {name: Program.from_dict(json.loads(text)) for name, text in fixed}
        return cls(function, slot, fixed, **kw)

    def _references(self, xs):
        out = np.empty(xs.size)
        self.probe.references(xs, out)
        return out

    def full(self, program: Program) -> Program:
        """The core in u of a searched program (see the class doc)."""
        return program.in_form(self.spec.form)

    def cost(self, program: Program) -> int:
        return model_cost(self.full(program))

    def tune_loss(self, program: Program, constants: np.ndarray) -> np.ndarray:
        return tune_loss(self.full(program), constants, self.tune_u, self.tune_exact, self.tune_weight)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return draw_inputs(self.function, rng, n)

    def max_ulp(self, core: Program, xs: np.ndarray, refs: np.ndarray | None = None) -> tuple[float, float]:
        """(max ULP, the input where it occurs) of the whole kernel on xs, with `core` (a
        program in u, as emitted) in the searched slot."""
        refs = self._references(xs) if refs is None else refs
        codes, args, values = encode(core)
        worst, at = self.probe.probe_max_ulp(xs, refs, codes, args, values.astype(self.dtype))
        return (float("inf") if worst != worst else float(worst)), float(xs[at])

    def error(self, program: Program, points: np.ndarray | None = None) -> float:
        """Max ULP of the kernel on the points (the archive set if None). A core so wrong
        that the kernel breaks a special-value rule (infinite error, e.g. -inf for exp) is
        given its own error scaled to float32 ULPs, 2^24 x (core max error), plus one:
        still infeasible, but ranked, so the search has a slope to climb from f(u) = u."""
        if points is None:
            ulp, _ = self.max_ulp(self.full(program), self.archive_x, self.archive_ref)
            return self._ranked(program, ulp)
        return self.error_and_worst(program, points)[0]

    def error_and_worst(self, program: Program, points: np.ndarray) -> tuple[float, float]:
        """(error as in ``error``, the input where the kernel's max ULP occurs)."""
        ulp, at = self.max_ulp(self.full(program), np.asarray(points, np.float32))
        return self._ranked(program, ulp), at

    def _ranked(self, program: Program, ulp: float) -> float:
        if ulp == float("inf"):
            core = float(np.exp(self.tune_loss(program, np.array([program.constants()]))[0]))  # full() inside
            ulp = 1.0 + 2.0**24 * core
        return ulp


def kernel_spec(function: str, slot: str, fixed: dict[str, Program], variant: str | None = None):
    """The ObjectiveSpec of a kernel search (picklable and hashable: programs as JSON text;
    workers rebuild the objective from it). The default variant adds no parameter, so its
    specs (and search seeds, checkpoints) are those of runs made before variants existed."""
    from .search import ObjectiveSpec
    extra = {} if variant is None or is_default(scaffold(function, variant)) else {"variant": variant}
    return ObjectiveSpec.make("kernel", function=function, slot=slot,
                              fixed=tuple((n, json.dumps(p.to_dict())) for n, p in sorted(fixed.items())), **extra)
