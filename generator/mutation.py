"""Mutations of programs: the search's only way to make new structure.

As in AutoNumerics-Zero: insert a vertex on an edge, remove a vertex, rewire an edge;
and here also expand a constant into a (zero) term of another node, change an op,
re-draw or nudge a constant, fork a vertex (a twin with another op on the same
operands, which then feeds another vertex: how A + B and A - B come to be shared), and
reassociate a sum or product (which can find a subexpression already computed: how
(a u) u and (b u) u come to share u u), and take a continued-fraction step u -> u + 0 / u
(which the tuner grows into u + c / u: how u + c1 / u + c2 comes to be a denominator).
Every mutation works on the
node list in SSA order (operands always point to earlier nodes) and ends with
``Program.from_graph``, so its result is always a valid acyclic program with no dead
nodes. All randomness comes from the ``rng`` passed in.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .evaluation import evaluate
from .program import ARITY, Node, Program

BINARY = ("add", "sub", "mul", "div")
# The op a fork gives the twin most often: the one that undoes or mirrors the vertex's own.
DUAL = {"add": "sub", "sub": "add", "mul": "div", "div": "mul"}


@dataclass(frozen=True)
class MutationWeights:
    """The odds of each kind of mutation, relative to their sum (0: never)."""
    insert: float = 0.4
    expand: float = 0.15
    remove: float = 0.15
    rewire: float = 0.1
    change_op: float = 0.1
    constant: float = 0.1
    fork: float = 0.0
    reassociate: float = 0.0
    continued_fraction: float = 0.0  # (later kinds go last: zero weights keep the draws)
    invert_fraction: float = 0.0

    def odds(self) -> np.ndarray:
        """The probability of each of KINDS."""
        weights = np.asarray([getattr(self, kind) for kind in KINDS])
        return weights / weights.sum()


KINDS = tuple(f.name for f in fields(MutationWeights))


@dataclass(frozen=True)
class MutationConfig:
    ops: tuple[str, ...] = ("add", "sub", "mul", "div", "fma")  # ops an insertion may create
    op_weights: tuple[float, ...] | None = None  # their odds (None: uniform)
    weights: MutationWeights = MutationWeights()  # odds of each kind of mutation
    max_cost: int = 16  # children costing more are redrawn
    max_nodes: int = 40
    cost_of: object = None  # program -> cost (default Program.cost)
    self_operand: float = 0.0  # odds that an insertion's other operand is the edge's own value
    output_edge: float | None = None  # odds that an insertion goes on the output (None: as any edge)
    sample: object = None  # input points (1-d float64 array) where a continued-fraction step measures u


def random_constant(rng: np.random.Generator) -> float:
    """A fresh constant: sign and magnitude log-uniform over [1e-3, 10], sometimes a
    small integer or 1/2 (the values simple formulas use)."""
    if rng.random() < 0.3:
        return float(rng.choice([0.5, 1.0, 2.0, -1.0]))
    return float(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-3, 1))


def _op_nodes(nodes) -> list[int]:
    return [i for i, n in enumerate(nodes) if n.op not in ("input", "const")]


def _insert_at(nodes: list[Node], pos: int, new: list[Node]) -> list[Node]:
    """nodes with `new` placed before position pos; later operands renumbered. Operands of
    the new nodes are given in the old numbering (all < pos), or as -k - 1 for the k-th
    new node."""
    shift = len(new)
    fix = lambda a: a if a < pos else a + shift  # noqa: E731
    out = nodes[:pos]
    for node in new:
        out.append(Node(node.op, tuple(pos + (-a - 1) if a < 0 else a for a in node.args), node.value))
    for node in nodes[pos:]:
        out.append(Node(node.op, tuple(fix(a) for a in node.args), node.value))
    return out


def _operand(rng, below: int) -> tuple[list[Node], int]:
    """An operand for a new or rewired vertex at position `below`: the input (often),
    an existing earlier node, or a fresh constant (returned as a node to insert)."""
    r = rng.random()
    if r < 0.4:
        return [], 0
    if r < 0.6 and below > 1:
        return [], int(rng.integers(0, below))
    return [Node("const", value=random_constant(rng))], -1


def insert(nodes, rng, config: MutationConfig):
    """Put a new op vertex on an edge u -> v (or on the output): v now reads op(..u..),
    u in any operand position, the other operands new (input, earlier node or constant).
    Half the time the new constants are *neutral*: chosen so the new vertex computes u
    exactly (u + 0, u * 1, fma(0, w, u), fma(u, 1, 0) ...), so the child starts where its
    parent was and the tuner grows the new term from zero. With odds
    ``config.self_operand`` each other operand is u itself (u * u, u + u, u / u ...): the
    vertex then applies op to one value twice, e.g. squares it."""
    ops = _op_nodes(nodes)
    edges = [(v, s) for v in ops for s in range(len(nodes[v].args))]
    if config.output_edge is None or not edges:
        edges.append((None, 0))
        v, s = edges[int(rng.integers(len(edges)))]
    elif rng.random() < config.output_edge:
        v, s = None, 0
    else:
        v, s = edges[int(rng.integers(len(edges)))]
    pos = len(nodes) if v is None else v
    u = len(nodes) - 1 if v is None else nodes[v].args[s]
    weights = None if config.op_weights is None else np.asarray(config.op_weights) / sum(config.op_weights)
    op = str(rng.choice(config.ops, p=weights))
    slot = int(rng.integers(ARITY[op]))  # where the edge's value goes
    new: list[Node] = []
    args = []
    for k in range(ARITY[op]):
        if k == slot or config.self_operand and rng.random() < config.self_operand:
            args.append(u)
            continue
        extra, a = _operand(rng, pos)
        if extra:
            new += extra
            a = -len(new)
        args.append(a)
    if rng.random() < 0.5:
        new = _neutral(op, slot, args, new)
    new.append(Node(op, tuple(args)))
    nodes = _insert_at(list(nodes), pos, new)
    made = pos + len(new) - 1
    if v is None:
        return nodes, made
    v += len(new)
    vargs = list(nodes[v].args)
    vargs[s] = made
    nodes[v] = Node(nodes[v].op, tuple(vargs))
    return nodes, len(nodes) - 1


# Neutral values of the new constants, by (op, position of the edge): for each other
# operand position, the value making op(...) equal the edge's value (None: any value).
_NEUTRAL = {
    ("add", 0): (None, 0.0), ("add", 1): (0.0, None), ("sub", 0): (None, 0.0),
    ("mul", 0): (None, 1.0), ("mul", 1): (1.0, None), ("div", 0): (None, 1.0),
    ("fma", 0): (None, 1.0, 0.0), ("fma", 1): (1.0, None, 0.0), ("fma", 2): (0.0, None, None),
}


def _neutral(op, slot, args, new):
    """The new constant nodes with neutral values where (op, slot) has them and the
    operand needing one is a new constant; unchanged otherwise."""
    want = _NEUTRAL.get((op, slot))
    if want is None:
        return new
    if op == "fma" and slot == 2 and args[0] >= 0 and args[1] < 0:
        want = (None, 0.0, None)  # fma(w, c, u): zero the constant multiplicand instead
    out = list(new)
    for k, value in enumerate(want):
        if value is not None:
            a = args[k]
            if a >= 0:  # an existing node: no neutral value to set
                if not (op == "fma" and slot == 2):
                    return new
                continue
            out[-a - 1] = Node("const", value=value)
    return out


def expand(nodes, rng, config):
    """A constant c becomes fma(0, w, c) (or 0 * w + c where fma is not among the ops):
    the same value, plus a term in a node w (the input, more often than not, else any node
    computed before c's first reader) that the tuner can grow from zero."""
    consts = [i for i, n in enumerate(nodes) if n.op == "const"]
    if not consts:
        return None
    v = consts[int(rng.integers(len(consts)))]
    pos = next((i for i in range(v + 1, len(nodes)) if v in nodes[i].args), len(nodes))
    w = 0 if rng.random() < 0.6 else int(rng.integers(0, pos))
    if "fma" in config.ops:
        new = [Node("const", value=0.0), Node("fma", (-1, w, v))]
    else:
        new = [Node("const", value=0.0), Node("mul", (-1, w)), Node("add", (-2, v))]
    out = _insert_at(list(nodes), pos, new)
    made = pos + len(new) - 1
    out = out[: made + 1] + [Node(n.op, tuple(made if a == v else a for a in n.args), n.value)
                             for n in out[made + 1:]]
    return out, made if v == len(nodes) - 1 else len(out) - 1


def remove(nodes, rng, config):
    """Drop an op vertex: its readers read one of its operands instead."""
    ops = _op_nodes(nodes)
    if not ops:
        return None
    v = ops[int(rng.integers(len(ops)))]
    keep = nodes[v].args[int(rng.integers(len(nodes[v].args)))]
    out = [Node(n.op, tuple(keep if a == v else a for a in n.args), n.value) for n in nodes]
    return out, keep if v == len(nodes) - 1 else len(nodes) - 1


def rewire(nodes, rng, config):
    """Point one operand of an op vertex at another earlier node (or a fresh constant)."""
    ops = _op_nodes(nodes)
    if not ops:
        return None
    v = ops[int(rng.integers(len(ops)))]
    s = int(rng.integers(len(nodes[v].args)))
    extra, a = _operand(rng, v)
    nodes = list(nodes)
    if extra:
        nodes = _insert_at(nodes, v, extra)
        v, a = v + 1, v
    args = list(nodes[v].args)
    args[s] = a
    nodes[v] = Node(nodes[v].op, tuple(args))
    return nodes, len(nodes) - 1


def change_op(nodes, rng, config):
    """Another binary op on the same operands (or the operands of a sub/div swapped)."""
    ops = [i for i in _op_nodes(nodes) if nodes[i].op in BINARY]
    if not ops:
        return None
    v = ops[int(rng.integers(len(ops)))]
    node = nodes[v]
    choices = [o for o in BINARY if o != node.op and o in config.ops]
    if node.op in ("sub", "div") and rng.random() < 0.3 or not choices:
        new = Node(node.op, node.args[::-1])
    else:
        new = Node(str(rng.choice(choices)), node.args)
    nodes = list(nodes)
    nodes[v] = new
    return nodes, len(nodes) - 1


def constant(nodes, rng, config):
    """Re-draw a constant, or nudge it by a few percent."""
    consts = [i for i, n in enumerate(nodes) if n.op == "const"]
    if not consts:
        return None
    v = consts[int(rng.integers(len(consts)))]
    value = nodes[v].value
    value = random_constant(rng) if rng.random() < 0.5 else value * (1 + 0.05 * rng.standard_normal())
    nodes = list(nodes)
    nodes[v] = Node("const", value=float(value))
    return nodes, len(nodes) - 1


def fork(nodes, rng, config):
    """A binary vertex v = op(a, b) gets a twin v' = op'(a, b) on the same operands (op' is
    most often op's dual: a + b gives a - b, a * b gives a / b), placed right after v;
    v' then replaces one operand (not reading v) of a later vertex, or, as often as any
    such operand, the output becomes op''(output, v'). So one mutation turns N = P + T
    into N / (P - T)."""
    ops = [i for i in _op_nodes(nodes) if nodes[i].op in BINARY and nodes[i].args[0] != nodes[i].args[1]]
    if not ops:  # (the twin of a * a would be a / a = 1 or a - a = 0, or a + a = 2a)
        return None
    v = ops[int(rng.integers(len(ops)))]
    binary = [o for o in BINARY if o in config.ops]
    dual = DUAL[nodes[v].op]
    twin_op = dual if dual in binary and rng.random() < 0.7 else str(rng.choice(binary))
    twin = Node(twin_op, nodes[v].args)
    out = _insert_at(list(nodes), v + 1, [twin])
    t = v + 1
    output = len(nodes) if t < len(nodes) else v  # the parent's output, renumbered
    slots = [(w, s) for w in range(t + 1, len(out)) if out[w].op not in ("input", "const")
             for s in range(len(out[w].args)) if out[w].args[s] != v]  # v's readers keep v
    pick = int(rng.integers(len(slots) + 1))
    if pick == len(slots):  # combine with the output
        out.append(Node(str(rng.choice(binary)), (output, t)))
        return out, len(out) - 1
    w, s = slots[pick]
    args = list(out[w].args)
    args[s] = t
    out[w] = Node(out[w].op, tuple(args))
    return out, output


def reassociate(nodes, rng, config):
    """v = op(x, w) with w = op(y, z), op + or *, becomes op(op(x, y), z) (or with y and z
    swapped): the same value up to rounding, but a new partial result. If that partial
    result is already computed before v, v reads it instead: (a u) u -> (u u) a shares the
    u u of a * (u u) + ..., one op fewer."""
    pairs = [(v, s) for v in _op_nodes(nodes) if nodes[v].op in ("add", "mul")
             for s in range(2) if nodes[nodes[v].args[s]].op == nodes[v].op]
    if not pairs:
        return None
    v, s = pairs[int(rng.integers(len(pairs)))]
    op, x, w = nodes[v].op, nodes[v].args[1 - s], nodes[v].args[s]
    y, z = nodes[w].args if rng.random() < 0.5 else nodes[w].args[::-1]
    same = [i for i in range(v) if nodes[i].op == op and sorted(nodes[i].args) == sorted((x, y))]
    nodes = list(nodes)
    if same:
        nodes[v] = Node(op, (same[0], z))
        return nodes, len(nodes) - 1
    nodes = _insert_at(nodes, v, [Node(op, (x, y))])
    nodes[v + 1] = Node(op, (v, z))
    return nodes, len(nodes) - 1


def continued_fraction(nodes, rng, config):
    """A continued-fraction step: a vertex u (the input or an op vertex) gets a partner
    u' = u + c / u, and u's readers (all of them, or, half the time when there are several,
    one; or the output if u is it) read u' instead. Half the time (always without
    ``config.sample``) c = 0: the child computes its parent's values wherever u != 0 and
    the tuners grow c from zero; else c = eps * median(u^2) over ``config.sample`` (the
    input points), eps log-uniform over [1e-4, 1e-1] with either sign: c / u is then a small
    fraction of u, in the term's own scale. Applied to a denominator twice, c4 / (u + c2)
    becomes c4 / (u' + c1 / u' + c2) with u' = u + c3 / u, the continued fractions of the
    paper's best programs, one mutation (two ops) at a time."""
    candidates = [0] + _op_nodes(nodes)
    u = candidates[int(rng.integers(len(candidates)))]
    output = len(nodes) - 1
    edges = [(v, s) for v in range(u + 1, len(nodes)) for s, a in enumerate(nodes[v].args) if a == u]
    if u == output:
        edges.append((None, 0))
    if not edges:  # (the input of a constant program)
        return None
    if len(edges) > 1 and rng.random() < 0.5:  # one reader only
        edges = [edges[int(rng.integers(len(edges)))]]
    c = 0.0
    if config.sample is not None and rng.random() < 0.5:
        values = evaluate(Program(tuple(nodes[: u + 1])), np.asarray(config.sample, np.float64))  # u's values
        squares = values[np.isfinite(values)] ** 2
        scale = float(np.median(squares)) if squares.size else 0.0
        if np.isfinite(scale) and scale > 0.0:
            c = float(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-4, -1) * scale)
    pos = u + 1
    new = [Node("const", value=c), Node("div", (-1, u)), Node("add", (u, -2))]
    out = _insert_at(list(nodes), pos, new)
    made = pos + len(new) - 1
    for v, s in edges:
        if v is None:
            return out[: made + 1], made
        w = v + len(new)
        args = list(out[w].args)
        args[s] = made
        out[w] = Node(out[w].op, tuple(args))
    return out, len(out) - 1


def invert_fraction(nodes, rng, config):
    """A fraction b / (c + s w) (b, c constants, c != 0, s = +-1, w depending on the input)
    rewritten in 1 / w by the identity b / (c + s w) = b / c - (b s / c^2) / (1 / w + s / c),
    its new constants scaled by a factor L (|L| log-uniform over [1e2, 1e6], either sign) and
    w itself added to the new denominator: b / c - (L b s / c^2) / (L / w + L s / c + w). At
    L = inf that is the parent exactly, at finite L within about w^2 / L of it; the tuners
    then grow the new term. The constant b / c goes into the fraction's reader when that is
    a sum or difference with a constant (else a new add). So a + b / (w + c) becomes
    a' + B / (w + A / w + C): a continued fraction in w and 1 / w, two ops dearer."""
    dep = Program(tuple(nodes)).depends_on_input()
    cands = []
    for v, n in enumerate(nodes):
        if n.op != "div" or nodes[n.args[0]].op != "const" or nodes[n.args[1]].op not in ("add", "sub"):
            continue
        if nodes[n.args[0]].value == 0.0 or not np.isfinite(nodes[n.args[0]].value):
            continue
        d = nodes[n.args[1]]
        a0, a1 = d.args
        if nodes[a1].op == "const" and dep[a0]:
            w, c, sign = a0, nodes[a1].value, 1.0
            if d.op == "sub":
                c = -c  # w - c
        elif nodes[a0].op == "const" and dep[a1]:
            w, c, sign = a1, nodes[a0].value, 1.0 if d.op == "add" else -1.0
        else:
            continue
        if c != 0.0 and np.isfinite(c):
            cands.append((v, w, c, sign))
    if not cands:
        return None
    v, w, c, sign = cands[int(rng.integers(len(cands)))]
    b = nodes[nodes[v].args[0]].value
    scale = float(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(2, 6))
    k = b / c
    new = [Node("const", value=scale), Node("div", (-1, w)), Node("add", (-2, w)),
           Node("const", value=scale * sign / c), Node("add", (-3, -4)),
           Node("const", value=scale * b * sign / (c * c)), Node("div", (-6, -5))]
    out = _insert_at(list(nodes), v, new)
    made = v + len(new) - 1
    old = v + len(new)  # the parent's fraction, renumbered: its readers now read `made`
    readers = [(i, j) for i in range(old + 1, len(out)) for j, a in enumerate(out[i].args) if a == old]
    out = [Node(n.op, tuple(made if a == old else a for a in n.args), n.value) if i > old else n
           for i, n in enumerate(out)]
    was_output = old == len(out) - 1
    if len(readers) == 1 and out[readers[0][0]].op in ("add", "sub"):
        r, j = readers[0]
        other = out[r].args[1 - j]
        if out[other].op == "const" and sum(a == other for n in out for a in n.args) == 1:
            # with f = k - F (F the new fraction): f + a = (a + k) - F, a - f = (a - k) + F,
            # f - a = (k - a) - F
            a = out[other].value
            if out[r].op == "add":
                out[other], out[r] = Node("const", value=a + k), Node("sub", (other, made))
            elif j == 1:
                out[other], out[r] = Node("const", value=a - k), Node("add", (other, made))
            else:
                out[other], out[r] = Node("const", value=k - a), Node("sub", (other, made))
            return out, len(out) - 1
    out = _insert_at(out, made + 1, [Node("const", value=k), Node("sub", (-1, made))])
    sub = made + 2
    out = [Node(n.op, tuple(sub if (a == made and i > sub) else a for a in n.args), n.value)
           for i, n in enumerate(out)]
    return out, sub if was_output else len(out) - 1


MUTATIONS = {"insert": insert, "expand": expand, "remove": remove, "rewire": rewire, "change_op": change_op,
             "constant": constant, "fork": fork, "reassociate": reassociate,
             "continued_fraction": continued_fraction, "invert_fraction": invert_fraction}


def mutate(program: Program, rng: np.random.Generator, config: MutationConfig,
           tries: int = 20) -> tuple[Program, str]:
    """A mutated copy of program and the mutation's name; the program itself (a clone,
    "none") if no try gave a different program within the cost and size limits."""
    cost_of = config.cost_of or Program.cost
    odds = config.weights.odds()
    for _ in range(tries):
        kind = KINDS[int(rng.choice(len(KINDS), p=odds))]
        result = MUTATIONS[kind](list(program.nodes), rng, config)
        if result is None:
            continue
        child = Program.from_graph(*result).folded()
        if child != program and len(child.nodes) <= config.max_nodes and cost_of(child) <= config.max_cost:
            return child, kind
    return program, "none"
