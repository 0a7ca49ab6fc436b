"""Mutation, Pareto machinery, constant tuning and the search's records: the parts of the search."""
import json
import math
import pickle
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from generator.evaluation import evaluate, evaluate_batch, evaluate_jacobian
from generator.mutation import KINDS, MUTATIONS, MutationConfig, MutationWeights, mutate
from generator.objective import Objective, ObjectiveSpec, build_objective
from generator.pareto import (Archive, ArchiveMember, Origin, crowding_distance, dominates, nondominated_sort,
                              nsga2_select)
from generator.program import Node, Program
from generator.search import (CONFIG_SCHEMA, ChildResult, ChildTask, Individual, SearchConfig, SearchState,
                              make_child)
from generator.tuning import least_squares_fit, minimize, polish


def _random_programs(rng, n):
    """Programs grown by mutation from f(u) = u (so every shape the search can reach)."""
    config = MutationConfig(max_cost=30, max_nodes=60, weights=MutationWeights(fork=0.15, reassociate=0.1))
    out, p = [], Program.identity()
    for _ in range(n):
        p, _ = mutate(p, rng, config)
        out.append(p)
    return out


def _apply(kind, parent, rng, config):
    """One mutation of `kind` applied to parent, checked: a valid SSA program (operands
    point to earlier nodes) with no dead nodes."""
    child = Program.from_graph(*MUTATIONS[kind](list(parent.nodes), rng, config))
    Program(child.nodes)
    assert all(child.live()[1:]), child.formula()
    return child


def test_mutations_always_give_valid_acyclic_programs_without_dead_nodes():
    rng = np.random.default_rng(0)
    config = MutationConfig(max_cost=12, weights=MutationWeights(fork=0.15, reassociate=0.3, continued_fraction=0.1))
    seen_kinds = set()
    for parent in _random_programs(rng, 300):
        child, kind = mutate(parent, rng, config)
        seen_kinds.add(kind)
        # Program() re-checks SSA order: every operand refers to an earlier node (acyclic)
        Program(child.nodes)
        assert all(child.live()[1:]), "mutation left dead nodes"  # node 0, the input, always stays
        assert child.nodes[0].op == "input"
        assert child.cost() <= config.max_cost or (kind == "none" and child == parent)
    assert seen_kinds >= set(KINDS) - {"invert_fraction"}  # (tested on the programs it applies to below)


@pytest.mark.parametrize("kind", KINDS)
def test_each_mutation_kind_changes_the_program_and_stays_valid(kind):
    rng = np.random.default_rng(1)
    changed = 0
    for parent in _random_programs(rng, 200):
        result = MUTATIONS[kind](list(parent.nodes), rng, MutationConfig())
        if result is None:
            continue
        child = Program.from_graph(*result)
        changed += child != parent
    # (invert_fraction needs a fraction constant / (w +- constant): 13 of these 200 programs)
    assert changed > (10 if kind == "invert_fraction" else 50)


def test_neutral_insertions_start_where_the_parent_was():
    """Half the insertions get neutral constants (u + 0, u * 1, fma(0, w, u) ...): such a
    child computes exactly its parent's values; the others do not."""
    rng = np.random.default_rng(2)
    parent = Program.polynomial([1.0, 1.0, 0.5, 1 / 6])
    u = np.linspace(-0.3, 0.3, 101)
    same = differ = 0
    for _ in range(300):
        nodes, out = MUTATIONS["insert"](list(parent.nodes), rng, MutationConfig())
        child = Program.from_graph(nodes, out)
        if np.array_equal(evaluate(child, u), evaluate(parent, u)):
            same += 1
        else:
            differ += 1
    assert same > 30 and differ > 60


def test_from_graph_and_folding():
    nodes = [Node("input"), Node("const", value=2.0), Node("const", value=3.0), Node("mul", (1, 2)),
             Node("mul", (0, 0)), Node("add", (0, 3))]
    p = Program.from_graph(nodes, 5)  # node 4 is dead
    assert len(p.nodes) == 5 and p.cost() == 1
    folded = p.folded()
    assert folded.constants() == [6.0] and folded.formula() == "(u + 6.0)"


def _brute_force_fronts(points):
    left, fronts = set(range(len(points))), []
    while left:
        front = sorted(i for i in left if not any(dominates(points[j], points[i]) for j in left))
        fronts.append(front)
        left -= set(front)
    return fronts


def test_nondominated_sort_agrees_with_brute_force():
    rng = np.random.default_rng(3)
    for trial in range(30):
        n = int(rng.integers(1, 60))
        # integer costs and few error levels: plenty of ties and duplicates
        points = [(float(rng.integers(0, 6)), int(rng.integers(0, 8))) for _ in range(n)]
        assert nondominated_sort(points) == _brute_force_fronts(points)


def test_crowding_and_nsga2_selection():
    points = [(0.0, 5), (1.0, 4), (2.0, 3), (3.0, 2), (4.0, 1), (5.0, 5)]
    dist = crowding_distance(points, [0, 1, 2, 3, 4])
    assert dist[0] == dist[4] == float("inf") and all(np.isfinite(dist[i]) for i in (1, 2, 3))
    chosen = nsga2_select(points, 3)
    assert len(set(chosen)) == 3 and {0, 4} <= set(chosen) and 5 not in chosen
    assert sorted(nsga2_select(points, 6)) == list(range(6))


def test_archive_is_the_pareto_front_of_everything_offered():
    rng = np.random.default_rng(4)
    archive, offered = Archive(), []
    for _ in range(300):
        cost, err = int(rng.integers(0, 12)), float(10 ** rng.uniform(-8, 0))
        offered.append((cost, err))
        archive.offer(cost, err, program=None)
    front = archive.front()
    brute = {p for p in offered if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in offered)}
    assert {(m.cost, m.error) for m in front} == brute
    assert [m.cost for m in front] == sorted(m.cost for m in front)  # cheapest first
    assert all(isinstance(m, ArchiveMember) and m.origin == Origin() for m in front)


def test_cma_es_recovers_known_constants():
    """fma(u, a, b) fitted to 3u + 0.5 from a poor start: the max error goes to ~0."""
    program = Program((Node("input"), Node("const", value=1.0), Node("const", value=1.0), Node("fma", (0, 1, 2))))
    u = np.linspace(-1, 1, 64)
    exact = 3 * u + 0.5

    def loss(cs):
        return np.log(np.abs(evaluate_batch(program, cs, u) - exact).max(axis=1) + 1e-300)

    result = minimize(loss, program.constants(), np.random.default_rng(5), max_iterations=400, patience=400)
    np.testing.assert_allclose(result.x, [3.0, 0.5], rtol=1e-9)


def test_polish_reaches_the_minimax_polynomial():
    """LP polishing of a cubic for e^u on [0, 1], from Taylor coefficients, reaches the
    equioscillating minimax error (Remez's, from generator.baselines) within 1%."""
    from generator import baselines
    import mpmath
    u = np.cos(np.pi * np.arange(400) / 399)[::-1] / 2 + 0.5
    exact = np.exp(u)
    start = Program.polynomial([1.0, 1.0, 0.5, 1 / 6])
    polished, err, steps = polish(start, u, exact, 1 / exact, iterations=30)
    remez = baselines.minimax_poly(mpmath.exp, 0.0, 1.0, 6)
    assert steps > 0 and err == pytest.approx(remez.max_rel_error, rel=0.01)


def test_forward_mode_derivatives_match_finite_differences():
    rng = np.random.default_rng(6)
    u = np.linspace(0.1, 0.9, 17)
    for p in _random_programs(rng, 40)[10:]:
        c = np.array(p.constants())
        if not c.size:
            continue
        values, jac = evaluate_jacobian(p, c, u)
        np.testing.assert_allclose(values, evaluate_batch(p, c[None, :], u)[0], rtol=1e-12, atol=1e-300)
        h = 1e-6 * np.maximum(np.abs(c), 1e-3)
        for j in range(c.size):
            up, dn = c.copy(), c.copy()
            up[j] += h[j]
            dn[j] -= h[j]
            fd = (evaluate_batch(p, up[None, :], u)[0] - evaluate_batch(p, dn[None, :], u)[0]) / (2 * h[j])
            ok = np.isfinite(fd) & np.isfinite(jac[:, j]) & (np.abs(values) < 1e6)
            np.testing.assert_allclose(jac[ok, j], fd[ok], rtol=1e-4, atol=1e-6 * (1 + np.abs(fd[ok]).max(initial=0)))




def test_mutations_create_only_the_allowed_ops():
    """Reals mode without fma: no mutation may bring one in (expand writes 0 * w + c)."""
    rng = np.random.default_rng(7)
    config = MutationConfig(ops=("add", "sub", "mul", "div"), max_cost=12)
    p = Program.identity()
    for _ in range(500):
        p, _ = mutate(p, rng, config)
        assert "fma" not in p.op_counts()


def test_self_operand_insertions_apply_an_op_to_one_value_twice():
    """With self_operand, insertions often read the edge's value in every operand (u * u
    squares it); the child stays a valid program without dead nodes; at 0 (the default)
    no insertion reads the edge's value twice unless drawn as an ordinary operand."""
    parent = Program.polynomial([1.0, 1.0, 0.5])  # fma(fma(0.5, u, 1), u, 1)
    u = np.linspace(0.1, 0.9, 9)
    counts = {}
    for odds in (0.0, 1.0):
        rng = np.random.default_rng(8)
        config = MutationConfig(ops=("add", "sub", "mul", "div"), self_operand=odds)
        twice = 0
        for _ in range(200):
            child = _apply("insert", parent, rng, config)
            new = child.nodes[-1] if child.output == len(child.nodes) - 1 else None
            if new is not None and new.op == "mul" and new.args[0] == new.args[1]:
                # a squaring on the output edge: the child is the parent squared
                np.testing.assert_allclose(evaluate(child, u), evaluate(parent, u) ** 2, rtol=1e-15)
            twice += any(len(n.args) == 2 and n.args[0] == n.args[1] for n in child.nodes)
        counts[odds] = twice
    assert counts[1.0] == 200 and counts[0.0] < 50, counts


def test_fork_shares_a_vertex_operands_with_a_twin():
    """fork: v = op(a, b) gets a twin op'(a, b), most often op's dual, which feeds a later
    vertex or is combined with the output. On N = P + T that is how (P + T) / (P - T), the
    shape of the best exp2 approximations, is one mutation away."""
    u = np.linspace(0.1, 0.9, 9)
    s, p0, p1 = Node("mul", (0, 0)), Node("const", value=3.0), Node("const", value=0.25)
    parent = Program((Node("input"), s, p0, Node("mul", (1, 2)), p1, Node("add", (3, 4)),  # P = 3 u^2 + 0.25
                      Node("mul", (0, 0)), Node("add", (5, 6))))  # N = P + u^2 (T = u * u)
    P, T = 3 * u * u + 0.25, u * u
    rng = np.random.default_rng(10)
    config = MutationConfig(ops=("add", "sub", "mul", "div"))
    shared = dual = ratio = 0
    for _ in range(300):
        child = _apply("fork", parent, rng, config)
        twins = [(a, b) for i, a in enumerate(child.nodes) for b in child.nodes[i + 1:]
                 if a.args and a.args == b.args and a.op != b.op]
        shared += bool(twins)  # (v may die if its readers did: then the twin replaced it)
        dual += any({a.op, b.op} in ({"add", "sub"}, {"mul", "div"}) for a, b in twins)
        if child.nodes[-1] == Node("div", (child.output - 2, child.output - 1)) and child.nodes[-2].op == "sub":
            np.testing.assert_allclose(evaluate(child, u), (P + T) / (P - T), rtol=1e-15)
            ratio += 1
    assert shared > 250 and dual > 150 and ratio > 5, (shared, dual, ratio)


def test_reassociation_keeps_the_value_and_finds_shared_subexpressions():
    """(a u) u + b) u) u + c: reassociating gives the same values (to rounding) and, once
    one u u exists, the other product reads it: the same polynomial one op cheaper."""
    a, b, c = Node("const", value=0.3), Node("const", value=-0.7), Node("const", value=2.0)
    parent = Program((Node("input"), a, Node("mul", (1, 0)), Node("mul", (2, 0)), b, Node("add", (3, 4)),
                      Node("mul", (5, 0)), Node("mul", (6, 0)), c, Node("add", (7, 8))))
    u = np.linspace(-0.9, 0.9, 19)
    rng = np.random.default_rng(12)
    config = MutationConfig(ops=("add", "sub", "mul", "div"))
    cheaper = 0
    for _ in range(100):
        child = _apply("reassociate", parent, rng, config)
        np.testing.assert_allclose(evaluate(child, u), evaluate(parent, u), rtol=1e-14)
        assert child.cost() == parent.cost()
        grandchild = _apply("reassociate", child, rng, config)
        np.testing.assert_allclose(evaluate(grandchild, u), evaluate(parent, u), rtol=1e-14)
        assert grandchild.cost() <= parent.cost()
        if grandchild.cost() < parent.cost():
            cheaper += 1
            assert grandchild.op_counts() == {"mul": 3, "add": 2}, grandchild.formula()  # u u once
    assert cheaper > 5, cheaper


def test_later_kinds_at_weight_zero_never_occur_and_keep_the_draws():
    """The kernel search runs with fork = reassociate = 0: its mutations must be drawn
    exactly as before those kinds existed, so its published results stand. mutate draws
    the kind from the odds of all KINDS (the later two last, at zero); numpy gives the
    same draw as from the first six kinds' weights alone."""
    odds = MutationWeights().odds()
    later = ("fork", "reassociate", "continued_fraction", "invert_fraction")
    assert KINDS[-4:] == later and list(odds[-4:]) == [0.0] * 4
    first = np.asarray([0.4, 0.15, 0.15, 0.1, 0.1, 0.1])
    for seed in range(2000):
        old, new = np.random.default_rng(seed), np.random.default_rng(seed)
        assert old.choice(len(first), p=first / sum(first)) == new.choice(len(KINDS), p=odds)
    rng = np.random.default_rng(11)
    p = Program.identity()
    for _ in range(500):
        p, kind = mutate(p, rng, MutationConfig(max_cost=12))
        assert kind not in later


def test_continued_fraction_steps_are_neutral_and_valid():
    """continued_fraction: u becomes u + 0 / u for all of u's readers, one of them, or the
    output: a valid program computing its parent's values (away from u = 0), two ops
    dearer; with c grown it is u + c / u. Twice on a denominator: the paper's shape
    c4 / (u + c1 / u + c2) - c5 with u = x + c3 / x."""
    rng = np.random.default_rng(13)
    u = np.linspace(0.1, 0.9, 9)
    config = MutationConfig(ops=("add", "sub", "mul", "div"))
    where = {"input": 0, "op": 0, "output": 0}
    moved = same = total = 0
    for parent in _random_programs(rng, 200):
        if parent.cost() == 0:
            continue
        child = _apply("continued_fraction", parent, rng, config)
        assert child.cost() == parent.cost() + 2
        assert child.op_counts().get("div", 0) == parent.op_counts().get("div", 0) + 1
        with np.errstate(all="ignore"):
            a, b = evaluate(child, u), evaluate(parent, u)
        both = np.isfinite(a) & np.isfinite(b)  # (0 / u is NaN where u = 0: x - x, say)
        np.testing.assert_array_equal(a[both], b[both])
        same += np.array_equal(both, np.isfinite(b))
        step = next(i for i, n in enumerate(child.nodes) if n.op == "div" and child.nodes[n.args[0]].op == "const"
                    and child.nodes[n.args[0]].value == 0.0 and child.nodes[i + 1] == Node("add", (n.args[1], i)))
        base = child.nodes[step].args[1]
        where["input" if base == 0 else "output" if step + 1 == child.output else "op"] += 1
        grown = child.with_constants([1.5 if n.value == 0.0 and i == child.nodes[step].args[0] else n.value
                                      for i, n in enumerate(child.nodes) if n.op == "const"])
        with np.errstate(all="ignore"):
            moved += not np.array_equal(evaluate(grown, u), b)
        total += 1
    assert min(where.values()) > 5 and moved > 0.9 * total and same > 0.9 * total, (where, moved, same, total)

    c = lambda v: Node("const", value=v)  # noqa: E731
    # c4 / (x + c3 / x + c2) - c5: one step on u = x + c3 / x gives the paper's continued fraction
    parent = Program((Node("input"), c(3.0), Node("div", (1, 0)), Node("add", (0, 2)), c(-2.0), Node("add", (3, 4)),
                      c(5.0), Node("div", (6, 5)), c(1.0), Node("sub", (7, 8))))
    seen = 0
    for _ in range(100):
        child = _apply("continued_fraction", parent, rng, config)
        if "(0.0 / (u + (3.0 / u)))" in child.formula():
            seen += 1
            assert child.formula() == "((5.0 / (((u + (3.0 / u)) + (0.0 / (u + (3.0 / u)))) + -2.0)) - 1.0)"
            c1 = child.with_constants([7.0 if v == 0.0 else v for v in child.constants()])
            v = u + 3 / u
            np.testing.assert_allclose(evaluate(c1, u), 5 / (v + 7 / v - 2) - 1, rtol=1e-15)
    assert seen > 5, seen


def test_output_edge_odds_put_insertions_on_the_output():
    """output_edge=1: every insertion makes a new output reading the old one (the program
    is composed with a new op); None (the default) picks the output edge as any other."""
    parent = Program.polynomial([1.0, 1.0, 0.5, 1 / 6])
    for odds, low, high in ((1.0, 200, 200), (None, 10, 80)):
        rng = np.random.default_rng(9)
        config = MutationConfig(ops=("add", "sub", "mul", "div"), output_edge=odds)
        on_output = 0
        for _ in range(200):
            child = _apply("insert", parent, rng, config)
            # the parent's output node survives as an operand of the child's output
            on_output += parent.output in child.nodes[-1].args and child.nodes[:len(parent.nodes)] == parent.nodes
        assert low <= on_output <= high, (odds, on_output)


def test_polish_keeps_going_when_the_residuals_are_far_below_the_lp_tolerances():
    """(1 + u / ((e u + f) u + g))^16 for 2^u on [0, 1], from the [2/2] Padé constants of
    2^(u/16) (3.4e-9): the LP steps work in rescaled units, so they still find descent
    directions at residuals of 1e-10 (unscaled, the LP solver's ~1e-7 tolerances call a
    zero step optimal and polishing stalls at 1.6e-10)."""
    import math
    from generator.objectives import RealsObjective
    objective = RealsObjective("exp2", 0.0, 1.0)
    ln2, s = math.log(2), 16
    nodes = [Node("input"), Node("const", value=ln2 / (12 * s)), Node("mul", (0, 1)), Node("const", value=-0.5),
             Node("add", (2, 3)), Node("mul", (4, 0)), Node("const", value=s / ln2), Node("add", (5, 6)),
             Node("div", (0, 7)), Node("const", value=1.0), Node("add", (9, 8))]
    for _ in range(4):
        nodes.append(Node("mul", (len(nodes) - 1, len(nodes) - 1)))
    start = Program(tuple(nodes))
    assert start.cost() == 10 and 3e-9 < objective.error(start) < 4e-9
    polished, err, steps = polish(start, objective.tune_u, objective.tune_exact, objective.tune_weight, 20)
    assert steps > 0 and objective.error(polished) < 8e-11


EXP01 = ObjectiveSpec.make("reals", target="exp", lo=0.0, hi=1.0, pool_points=1 << 13)


def test_search_config_records_every_field_with_its_schema():
    """to_dict (what checkpoints and config hashes record) has every field, the mutation
    weights by kind, and the schema of its layout; it is JSON as it stands."""
    config = SearchConfig(op_weights=(1, 1, 1, 1, 3), mutation_weights=MutationWeights(fork=0.15))
    for c in (SearchConfig(), config):
        d = c.to_dict()
        assert set(d) == {f.name for f in fields(SearchConfig)} | {"schema"} and d["schema"] == CONFIG_SCHEMA == 2
        assert json.loads(json.dumps(d)) == d
        assert list(d["mutation_weights"]) == list(KINDS)
    assert config.to_dict()["mutation_weights"]["fork"] == 0.15 and config.to_dict()["op_weights"] == [1, 1, 1, 1, 3]


def test_archive_members_and_their_origins_round_trip_through_a_checkpoint():
    population = [Individual(Program.identity(), 0.5, 0, 7, ((7, "insert"),))]
    state = SearchState(generation=3, births=40, population=population)
    state.archive.offer(0, 0.5, Program.identity())
    state.archive.offer(4, 1e-3, Program.polynomial([1.0, 0.7, 0.24]), Origin(12, 2, ((5, "insert"), (12, "fork"))))
    state.archive.offer(6, 2e-5, Program.polynomial([1.0, 1.0, 0.5, 0.17]), Origin(31, 3, ((5, "insert"),)))
    restored = SearchState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.archive.front() == state.archive.front() and len(restored.archive) == 3
    assert restored.archive.front()[1].origin.lineage == ((5, "insert"), (12, "fork"))
    assert restored.population == state.population


def test_child_tasks_and_results_are_picklable_and_a_child_is_a_function_of_its_task():
    """What goes to a worker (a process pool's or a Dask cluster's) and back: a child task
    pickles, and makes the same child after the round trip."""
    objective = build_objective(EXP01)
    points = objective.draw(np.random.default_rng(0), 256)
    parent = Program.polynomial([1.0, 1.0, 0.5])
    config = SearchConfig(max_cost=8, validation_points=256, mutation_weights=MutationWeights(fork=0.15))
    for clone in (True, False):
        task = ChildTask(EXP01, config, 3, 17, parent, clone, points, ((0, 0.7), (6, 1e-3)))
        result = make_child(task)
        again = make_child(pickle.loads(pickle.dumps(task)))
        assert isinstance(result, ChildResult) and pickle.loads(pickle.dumps(result)) == result == again
        assert (result.mutation == "clone") == clone and (result.archive_error is None) == clone
        assert result.error == objective.error(result.program, points) and result.cost == result.program.cost()


def test_objectives_are_built_by_name_without_an_import_cycle():
    """generator.objective names the objective modules without importing them, so they can
    import it; every kind builds an objective with the Objective interface."""
    code = "import sys, generator.objective; print(*sys.modules)"
    root = Path(__file__).resolve().parents[2]
    loaded = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "generator.objective" in loaded.split()
    assert {"generator.objectives", "generator.kernel_objective", "generator.search"}.isdisjoint(loaded.split())
    objective = build_objective(EXP01)
    assert isinstance(objective, Objective) and build_objective(EXP01) is objective
    with pytest.raises(ValueError):
        build_objective(ObjectiveSpec.make("unknown"))


def test_polish_with_limits_moves_constants_read_through_c_over_x_at_x_0():
    """c4 / (x + c3 / x + c2) at x = 0 is 0 for every c3 but its derivatives are NaN (through
    an infinity): plain LP steps stop there; with limits they count as 0 and the polish
    moves (the [2/2] Padé start of (c4 / (x + c3 / x + c2) + 1)^8 ~ 2^x: 5.4e-8 -> ~1.1e-9)."""
    objective = build_objective(ObjectiveSpec.make("reals", target="exp2", lo=0.0, hi=1.0))
    k = 8 / np.log(2)
    n = Node
    p = Program((n("input"), n("const", value=12 * k * k), n("div", (1, 0)), n("add", (0, 2)), n("const", value=-6 * k),
                 n("add", (3, 4)), n("const", value=12 * k), n("div", (6, 5)), n("const", value=-1.0), n("sub", (7, 8)),
                 n("mul", (9, 9)), n("mul", (10, 10)), n("mul", (11, 11))))
    start = objective.error(p)
    args = (objective.tune_u, objective.tune_exact, objective.tune_weight, 100)
    assert polish(p, *args)[2] == 0
    polished, best, steps = polish(p, *args, limits=True)
    assert steps > 0 and objective.error(polished) < 2e-9 < start / 10, (start, best)


def _paper_shape(c3, c2, c4, c5):
    """(c4 / (x + c3 / x + c2) - c5)^8: a program through an infinity at x = 0."""
    c = lambda v: Node("const", value=v)  # noqa: E731
    t = (Node("input"), c(c3), Node("div", (1, 0)), Node("add", (0, 2)), c(c2), Node("add", (3, 4)),
         c(c4), Node("div", (6, 5)), c(c5), Node("sub", (7, 8)))
    return Program(t + (Node("mul", (9, 9)), Node("mul", (10, 10)), Node("mul", (11, 11))))


def test_exact_evaluation_divides_by_zero_as_floats_do():
    """evaluate_mp: c / 0 is +-inf and 0 / 0 NaN, as in float64 (they raised before); a
    NaN counts as an infinite error. So c4 / (x + c3 / x + c2) - c5 is -c5 at x = 0."""
    import mpmath
    from generator.grids import max_error
    p = _paper_shape(1600.0, -69.0, 138.0, -1.0)
    assert p.evaluate_mp(0) == 1 and float(p.evaluate_mp(0.5)) == pytest.approx(evaluate(p, np.array([0.5]))[0])
    c = lambda v: Node("const", value=v)  # noqa: E731
    neg = Program((Node("input"), c(-2.0), Node("div", (1, 0))))
    zero = Program((Node("input"), c(0.0), Node("div", (1, 0))))
    assert neg.evaluate_mp(0) == -mpmath.inf and mpmath.isnan(zero.evaluate_mp(0))
    assert max_error(zero, mpmath.exp, [mpmath.mpf(0), mpmath.mpf(1)]) == math.inf


def test_polish_with_limits_tunes_programs_through_an_infinity():
    """At x = 0 the derivatives of (c4 / (c3 / x + c2) - c5)^8 in c3 are inf * 0 = NaN, so
    plain polishing stops at once; with `limits` they count as their limit, 0, and the
    Pade start is polished to the minimax (30x better)."""
    objective = build_objective(ObjectiveSpec.make("reals", target="exp2", lo=0.0, hi=1.0))
    k = math.log(2) / 8
    c = lambda v: Node("const", value=v)  # noqa: E731
    pade = Program((Node("input"), c(2 / k), Node("div", (1, 0)), c(-1.0), Node("add", (2, 3)), c(2.0),
                    Node("div", (5, 4)), c(-1.0), Node("sub", (6, 7)), Node("mul", (8, 8)), Node("mul", (9, 9)),
                    Node("mul", (10, 10))))
    args = objective.full(pade), objective.tune_u, objective.tune_exact, objective.tune_weight, 20
    start = objective.error(pade)
    assert polish(*args)[2] == 0
    polished, err, steps = polish(*args, limits=True)
    assert steps > 0 and objective.error(polished) < start / 30


def _level2(c3, c1, c2, c4, c5):
    """(c4 / (u + c1 / u + c2) - c5)^8 with u = x + c3 / x: the paper's 10-op shape."""
    c = lambda v: Node("const", value=v)  # noqa: E731
    t = (Node("input"), c(c3), Node("div", (1, 0)), Node("add", (0, 2)), c(c1), Node("div", (4, 3)),
         Node("add", (3, 5)), c(c2), Node("add", (6, 7)), c(c4), Node("div", (9, 8)), c(c5), Node("sub", (10, 11)))
    return Program(t + (Node("mul", (12, 12)), Node("mul", (13, 13)), Node("mul", (14, 14))))


def test_least_squares_grows_a_new_continued_fraction_term():
    """From the polished level-1 program (c4 / (x + c3 / x + c2) + 1)^8 (1.07e-9), the step
    u -> u + c1 / u on u = x + c3 / x: LP steps cannot move it (c1 must grow while c2, c3, c4
    rescale together; the linearised minimax gains nothing), Levenberg-Marquardt can: from
    c1 = 0 to the local minimum at 1.05e-13, from c1 = 1e3 (1e-4 median(u^2)) to the
    paper's 3.7e-15. The fit never returns worse constants than it was given."""
    objective = build_objective(ObjectiveSpec.make("reals", target="exp2", lo=0.0, hi=1.0))
    args = (objective.tune_u, objective.tune_exact, objective.tune_weight)
    level1 = _paper_shape(1599.067171022275, -69.27400356705253, 138.54861875328868, -0.99999999986563)
    assert 1.0e-9 < objective.error(level1) < 1.1e-9
    c3, c2, c4, c5 = level1.constants()
    neutral = _level2(c3, 0.0, c2, c4, c5)
    assert objective.error(neutral) == objective.error(level1)
    assert objective.error(polish(neutral, *args, 20, limits=True)[0]) > 1e-9
    fitted, best, spent = least_squares_fit(neutral, *args, 3000)
    assert objective.error(fitted) < 1.2e-13 and 0 < spent <= 2 * 3000 + 10
    fitted, best, _ = least_squares_fit(_level2(c3, 1e3, c2, c4, c5), *args, 300)
    assert objective.error(fitted) < 5e-15 and objective.exact_error(fitted) < 5e-15
    rng = np.random.default_rng(0)
    for _ in range(5):  # never worse than the start (the start itself if the fit does not help)
        start = neutral.with_constants(np.asarray(neutral.constants()) * (1 + 0.3 * rng.standard_normal(5)))
        assert objective.error(least_squares_fit(start, *args, 20)[0]) <= objective.error(start)


def test_continued_fraction_step_scales_its_constant_to_u_when_given_points():
    """With ``sample`` (the objective's tuning points) half the steps start c at
    eps * median(u^2), |eps| in [1e-4, 1e-1]; the others (and all without points) at 0."""
    rng = np.random.default_rng(5)
    sample = np.linspace(0.0, 1.0, 65)
    parent = _paper_shape(1600.0, -69.0, 138.0, -1.0)
    config = MutationConfig(ops=("add", "sub", "mul", "div"), sample=sample)
    zero = scaled = 0
    for _ in range(200):
        nodes, out = MUTATIONS["continued_fraction"](list(parent.nodes), rng, config)
        child = Program.from_graph(nodes, out)
        new = [v for v in child.constants() if v not in parent.constants()]
        assert len(new) == 1
        if new[0] == 0.0:
            zero += 1
            continue
        step = next(i for i, n in enumerate(child.nodes) if n.op == "div" and child.nodes[n.args[0]].op == "const"
                    and child.nodes[n.args[0]].value == new[0])
        u = child.nodes[step].args[1]
        with np.errstate(all="ignore"):
            values = evaluate(Program.from_graph(list(child.nodes[: u + 1]), u), sample)
        scale = np.median(values[np.isfinite(values)] ** 2)
        assert 1e-4 * (1 - 1e-9) <= abs(new[0]) / scale <= 1e-1 * (1 + 1e-9)
        scaled += 1
    assert 60 < zero < 140 and scaled > 60, (zero, scaled)


def test_invert_fraction_turns_a_fraction_into_a_continued_fraction_in_w_and_1_over_w():
    """a + b / (x + c) becomes a' + B / (x + A / x + C), two ops dearer and within about
    x^2 / |L| of the parent (|L| >= 1e2); the constant b / c goes into the reader's. On the
    tuned (b / (x + c) - a)^8 ~ 2^x (1.36e-5, 6 ops), Levenberg-Marquardt then finds the
    level-1 continued fraction (1.07e-9, 8 ops); once more on that, the paper's 10-op shape."""
    objective = build_objective(ObjectiveSpec.make("reals", target="exp2", lo=0.0, hi=1.0))
    args = (objective.tune_u, objective.tune_exact, objective.tune_weight)
    c = lambda v: Node("const", value=v)  # noqa: E731
    level0 = Program((Node("input"), c(-23.585828323913766), Node("add", (0, 1)), c(48.21585052801118),
                      Node("div", (3, 2)), c(-1.0442737824153352), Node("sub", (4, 5)), Node("mul", (6, 6)),
                      Node("mul", (7, 7)), Node("mul", (8, 8))))
    assert 1.3e-5 < objective.error(level0) < 1.4e-5
    u = np.linspace(0.01, 1.0, 100)
    rng = np.random.default_rng(2)
    best = math.inf
    for _ in range(8):
        nodes, out = MUTATIONS["invert_fraction"](list(level0.nodes), rng, MutationConfig())
        child = Program.from_graph(nodes, out).folded()
        assert child.cost() == level0.cost() + 2 and child.op_counts()["div"] == 2
        A, C = child.constants()[0], child.constants()[1]
        assert 1e2 <= abs(A) <= 1e6
        near = np.abs(evaluate(child, u) / evaluate(level0, u) - 1)
        assert np.all(near < 40 * u**2 / abs(A)), np.max(near * abs(A) / u**2)
        fitted, _, _ = least_squares_fit(child, *args, 3000)
        fitted = polish(fitted, *args, 20, limits=True)[0]  # (as the search does next)
        best = min(best, objective.error(fitted))
        if objective.error(fitted) < 1.1e-9:
            level1 = fitted
    assert best < 1.1e-9
    best = math.inf
    for _ in range(12):
        nodes, out = MUTATIONS["invert_fraction"](list(level1.nodes), rng, MutationConfig())
        child = Program.from_graph(nodes, out).folded()
        if child.cost() != 10:
            continue
        fitted = polish(least_squares_fit(child, *args, 3000)[0], *args, 20, limits=True)[0]
        best = min(best, objective.error(fitted))
    assert best < 1.1e-13, best
    for parent in _random_programs(rng, 300):  # valid wherever it applies
        result = MUTATIONS["invert_fraction"](list(parent.nodes), rng, MutationConfig())
        if result is not None:
            child = Program.from_graph(*result)
            assert all(child.live()[1:]) and child.nodes[0].op == "input"
    # no fraction of that form, or a zero numerator: no mutation
    assert MUTATIONS["invert_fraction"]([Node("input"), c(2.0), Node("mul", (0, 1))], rng, MutationConfig()) is None
    zero = [Node("input"), c(1.0), Node("add", (0, 1)), c(0.0), Node("div", (3, 2))]
    assert MUTATIONS["invert_fraction"](zero, rng, MutationConfig()) is None

