"""Straight-line programs: the core approximations the search works on.

A program is a DAG in SSA order over one input ``u`` and float constants. Node 0 is
the input; every later node is a constant or an operation on earlier nodes; the
last node is the output. This one form is

* what the search mutates (``ops`` is a plain tuple; ``with_constants`` swaps values),
* serialisable (``to_dict`` / ``from_dict``, JSON-safe: constants as hex floats),
* printable as a formula (``formula``) and as Python source for a kernel (``to_python``),
* evaluable exactly in mpmath (``evaluate_mp``), and in float32/float64 with true
  fma semantics (``generator.evaluation``).
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

# op name -> number of operands; "input" and "const" are leaves.
ARITY = {"input": 0, "const": 0, "neg": 1, "add": 2, "sub": 2, "mul": 2, "div": 2, "fma": 3}
# Cost model of the paper: each arithmetic op that depends on the input costs 1,
# an fma 2; constant-only subgraphs are free (they fold at compile time).
OP_COST = {"input": 0, "const": 0, "neg": 0, "add": 1, "sub": 1, "mul": 1, "div": 1, "fma": 2}
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


# What each op computes, on any numbers (mpmath, numpy scalars or arrays). An fma here is a
# product and a sum: exact in mpmath (at its working precision), rounded twice in numpy;
# the true fused op of the kernels is in generator.evaluation.
APPLY = {
    "neg": lambda a: -a,
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "fma": lambda a, b, c: a * b + c,
}


def _fold(op: str, a: list[float]) -> float:
    """One op on float64 constants, as the compiler would fold it (inf/NaN allowed)."""
    with np.errstate(all="ignore"):
        return float(APPLY[op](*(np.float64(v) for v in a)))


@dataclass(frozen=True)
class Node:
    op: str
    args: tuple[int, ...] = ()
    value: float | None = None  # constants only

    def __post_init__(self):
        if self.op not in ARITY:
            raise ValueError(f"unknown op {self.op!r}")
        if len(self.args) != ARITY[self.op]:
            raise ValueError(f"{self.op} takes {ARITY[self.op]} operands, got {len(self.args)}")
        if (self.op == "const") != (self.value is not None):
            raise ValueError("exactly the const nodes carry a value")


@dataclass(frozen=True)
class Program:
    nodes: tuple[Node, ...]

    def __post_init__(self):
        if not self.nodes or self.nodes[0].op != "input":
            raise ValueError("node 0 must be the input")
        for i, node in enumerate(self.nodes):
            if i and node.op == "input":
                raise ValueError("only node 0 is the input")
            if any(not 0 <= a < i for a in node.args):
                raise ValueError(f"node {i} refers to a later node: not in SSA order")

    # ---- construction -------------------------------------------------------
    @classmethod
    def identity(cls) -> "Program":
        """f(u) = u: where the evolutionary search starts."""
        return cls((Node("input"),))

    @classmethod
    def polynomial(cls, coeffs, form: str = "poly") -> "Program":
        """Horner evaluation with fma of sum(c_i v^i), lowest degree first.

        form "poly": v = u, result p(u).  "even": v = u*u, result p(u^2).
        "odd": v = u*u, result u * p(u^2).
        """
        if form not in ("poly", "even", "odd"):
            raise ValueError(f"unknown polynomial form {form!r}")
        nodes = [Node("input")]

        def push(node):
            nodes.append(node)
            return len(nodes) - 1

        var = 0 if form == "poly" else push(Node("mul", (0, 0)))
        acc = push(Node("const", value=float(coeffs[-1])))
        for c in reversed(coeffs[:-1]):
            acc = push(Node("fma", (acc, var, push(Node("const", value=float(c))))))
        if form == "odd":
            push(Node("mul", (0, acc)))
        return cls(tuple(nodes))

    @classmethod
    def from_graph(cls, nodes, output: int) -> "Program":
        """The program computing node `output` of a node list whose operands all point to
        earlier nodes: only the nodes it needs, in their order, renumbered (node 0, the
        input, is always kept)."""
        need = [False] * len(nodes)
        need[0] = need[output] = True
        for i in range(output, 0, -1):
            if need[i]:
                for a in nodes[i].args:
                    need[a] = True
        index, kept = {}, []
        for i in range(output + 1):
            if need[i]:
                node = nodes[i]
                index[i] = len(kept)
                kept.append(Node(node.op, tuple(index[a] for a in node.args), node.value))
        return cls(tuple(kept))

    def folded(self) -> "Program":
        """Constant-only subgraphs replaced by their float64 value (free in cost, they would
        fold at compile time anyway; folding leaves the search fewer constants to tune)."""
        dep = self.depends_on_input()
        nodes, vals = [], {}
        for i, node in enumerate(self.nodes):
            if node.op == "const":
                vals[i] = node.value
            elif not dep[i]:
                a = [vals[j] for j in node.args]
                vals[i] = _fold(node.op, a)
                node = Node("const", value=vals[i])
            nodes.append(node)
        return Program.from_graph(nodes, len(nodes) - 1)

    def in_form(self, form: str) -> "Program":
        """This program as a core of the given symmetry, in u: "poly" itself, P(u);
        "even" P(u^2); "odd" u * P(u^2) (this program is P, its input v = u^2)."""
        if form == "poly":
            return self
        if form not in ("even", "odd"):
            raise ValueError(f"unknown form {form!r}")
        nodes = [Node("input"), Node("mul", (0, 0))]
        nodes += [Node(n.op, tuple(a + 1 if a else 1 for a in n.args), n.value) for n in self.nodes[1:]]
        out = len(nodes) - 1
        if form == "odd":
            nodes.append(Node("mul", (0, out)))
            out += 1
        return Program.from_graph(nodes, out)

    # ---- inspection ---------------------------------------------------------
    @property
    def output(self) -> int:
        return len(self.nodes) - 1

    def constants(self) -> list[float]:
        return [n.value for n in self.nodes if n.op == "const"]

    def with_constants(self, values) -> "Program":
        values = iter(values)
        return Program(tuple(Node("const", value=float(next(values))) if n.op == "const" else n
                             for n in self.nodes))

    def depends_on_input(self) -> list[bool]:
        dep = []
        for node in self.nodes:
            dep.append(node.op == "input" or any(dep[a] for a in node.args))
        return dep

    def live(self) -> list[bool]:
        """Which nodes the output reaches (dead nodes are neither costed nor emitted)."""
        live = [False] * len(self.nodes)
        live[self.output] = True
        for i in range(self.output, -1, -1):
            if live[i]:
                for a in self.nodes[i].args:
                    live[a] = True
        return live

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node, alive in zip(self.nodes, self.live()):
            if alive and node.op not in ("input", "const"):
                counts[node.op] = counts.get(node.op, 0) + 1
        return counts

    def cost(self) -> int:
        dep, live = self.depends_on_input(), self.live()
        return sum(OP_COST[n.op] for n, d, l in zip(self.nodes, dep, live) if d and l)

    # ---- evaluation ---------------------------------------------------------
    def evaluate_mp(self, u):
        """Exact value (to mpmath's working precision) of the program at u; a division by
        zero gives inf or NaN, as in float arithmetic (u + c / u at u = 0 is inf)."""
        vals = []
        for node in self.nodes:
            a = [vals[i] for i in node.args]
            if node.op == "input":
                v = mpmath.mpf(u)
            elif node.op == "const":
                v = mpmath.mpf(node.value)
            elif node.op == "div" and a[1] == 0:  # as in IEEE arithmetic: c / 0 = +-inf, 0 / 0 = NaN
                v = mpmath.nan if a[0] == 0 or mpmath.isnan(a[0]) else mpmath.inf * mpmath.sign(a[0])
            else:  # an fma is exact here: product and sum, as if rounded once at the end
                v = APPLY[node.op](*a)
            vals.append(v)
        return vals[-1]

    # ---- printing -----------------------------------------------------------
    def formula(self, var: str = "u", names: dict[int, str] | None = None) -> str:
        """The output as one infix expression (shared subterms are repeated); constant node
        i is written as names[i] if given, else by its value."""
        text: list[str] = []
        for i, node in enumerate(self.nodes):
            a = [text[k] for k in node.args]
            if node.op == "input":
                t = var
            elif node.op == "const":
                t = names[i] if names else repr(node.value)
            elif node.op == "neg":
                t = f"(-{a[0]})"
            elif node.op == "fma":
                t = f"fma({a[0]}, {a[1]}, {a[2]})"
            else:
                t = f"({a[0]} {_INFIX[node.op]} {a[1]})"
            text.append(t)
        return text[-1]

    def constant_degrees(self) -> list[int | None] | None:
        """For a polynomial program (no division), the power of u each constant multiplies:
        the lowest degree of d(output)/d(constant), by forward differentiation over
        polynomials in u (None at non-constant nodes). None for other programs."""
        if any(node.op == "div" for node in self.nodes):
            return None
        degrees: list[int | None] = [None] * len(self.nodes)
        for j, target in enumerate(self.nodes):
            if target.op != "const":
                continue
            value, slope = [], []  # per node: polynomial in u and its derivative, {degree: coeff}
            for i, node in enumerate(self.nodes):
                a, da = [value[k] for k in node.args], [slope[k] for k in node.args]
                if node.op == "input":
                    v, d = {1: 1.0}, {}
                elif node.op == "const":
                    v, d = {0: node.value}, ({0: 1.0} if i == j else {})
                elif node.op == "neg":
                    v, d = _poly_scale(a[0], -1.0), _poly_scale(da[0], -1.0)
                elif node.op in ("add", "sub"):
                    sign = 1.0 if node.op == "add" else -1.0
                    v, d = _poly_add(a[0], a[1], sign), _poly_add(da[0], da[1], sign)
                else:  # mul, fma
                    v = _poly_mul(a[0], a[1])
                    d = _poly_add(_poly_mul(da[0], a[1]), _poly_mul(a[0], da[1]))
                    if node.op == "fma":
                        v, d = _poly_add(v, a[2]), _poly_add(d, da[2])
                value.append(v)
                slope.append(d)
            powers = [k for k, c in slope[-1].items() if c != 0.0]
            degrees[j] = min(powers) if powers else None
        return degrees

    def to_python(self, name: str, const_names: dict[int, str] | str, var: str = "u",
                  precision: str = "float64") -> tuple[list[str], list[str]]:
        """(constant definition lines, function source lines) of a scalar kernel function.

        Constant node i becomes a module-level constant named ``const_names[i]`` (a string:
        that prefix and a count in node order), written as
        the exact value the kernel uses: a float64 hex float, or for a float32 core the
        float32 it rounds to (as the evaluators round it), typed ``np.float32`` so Numba
        keeps the arithmetic in float32. The body is one SSA line per live operation.
        """
        if precision not in ("float64", "float32"):
            raise ValueError(f"unknown precision {precision!r}")
        if isinstance(const_names, str):
            indices = [i for i, node in enumerate(self.nodes) if node.op == "const"]
            const_names = {i: f"{const_names}{k}" for k, i in enumerate(indices)}
        live = self.live()
        consts, body, names = [], [], {}
        for i, node in enumerate(self.nodes):
            if not live[i]:
                continue
            if node.op == "input":
                names[i] = var
            elif node.op == "const":
                cname = const_names[i]
                if precision == "float32":
                    value = float(np.float32(node.value))
                    literal = f'np.float32(float.fromhex("{value.hex()}"))'
                else:
                    value = node.value
                    literal = f'float.fromhex("{value.hex()}")'
                consts.append(f"{cname} = {literal}  # {value!r}")
                names[i] = cname
            else:
                a = [names[j] for j in node.args]
                names[i] = f"t{i}"
                if node.op == "neg":
                    expr = f"-{a[0]}"
                elif node.op == "fma":
                    expr = f"fma({a[0]}, {a[1]}, {a[2]})"
                else:
                    expr = f"{a[0]} {_INFIX[node.op]} {a[1]}"
                body.append(f"    {names[i]} = {expr}")
        fn = [f"def {name}({var}):", f'    """{self.formula(var, const_names)}"""']
        fn += body
        fn.append(f"    return {names[self.output]}")
        return consts, fn

    # ---- serialisation ------------------------------------------------------
    def to_dict(self) -> dict:
        return {"nodes": [
            {"op": n.op, **({"args": list(n.args)} if n.args else {}),
             **({"value": n.value.hex()} if n.op == "const" else {})}
            for n in self.nodes]}

    @classmethod
    def from_dict(cls, d: dict) -> "Program":
        return cls(tuple(Node(n["op"], tuple(n.get("args", ())),
                              float.fromhex(n["value"]) if "value" in n else None)
                         for n in d["nodes"]))


# ---- polynomials in u as {degree: coefficient}, for constant_degrees -------------------
def _poly_add(a: dict, b: dict, sign: float = 1.0) -> dict:
    out = dict(a)
    for k, c in b.items():
        out[k] = out.get(k, 0.0) + sign * c
    return out


def _poly_scale(a: dict, s: float) -> dict:
    return {k: s * c for k, c in a.items()}


def _poly_mul(a: dict, b: dict) -> dict:
    out: dict = {}
    for i, x in a.items():
        for j, y in b.items():
            out[i + j] = out.get(i + j, 0.0) + x * y
    return out
