import math

import numpy as np
import pytest

from generator.evaluation import evaluate
from generator.program import Node, Program


def test_identity_is_where_search_starts():
    p = Program.identity()
    assert p.formula() == "u" and p.cost() == 0
    np.testing.assert_array_equal(evaluate(p, np.array([1.5, -2.0])), [1.5, -2.0])


def test_polynomial_forms_and_cost():
    c = [1.0, 1.0, 0.5, 1 / 6]
    p = Program.polynomial(c)
    assert p.op_counts() == {"fma": 3} and p.cost() == 6  # fma counts 2 (the paper's rule)
    odd = Program.polynomial([1.0, -1 / 6], "odd")
    assert odd.op_counts() == {"mul": 2, "fma": 1} and odd.cost() == 4
    for u in (0.1, -0.3):
        assert float(p.evaluate_mp(u)) == pytest.approx(sum(ci * u**i for i, ci in enumerate(c)), rel=1e-15)
        assert float(odd.evaluate_mp(u)) == pytest.approx(u - u**3 / 6, rel=1e-15)


def test_constant_only_subgraphs_are_free():
    nodes = (Node("input"), Node("const", value=2.0), Node("const", value=3.0),
             Node("mul", (1, 2)), Node("add", (0, 3)))
    assert Program(nodes).cost() == 1


def test_dead_nodes_are_not_costed_or_emitted():
    nodes = (Node("input"), Node("mul", (0, 0)), Node("add", (0, 0)))
    p = Program(nodes)
    assert p.cost() == 1 and p.op_counts() == {"add": 1}
    _, fn = p.to_python("core", "C")
    assert not any("*" in line for line in fn[2:])


def test_invalid_programs_are_rejected():
    with pytest.raises(ValueError):
        Program((Node("input"), Node("add", (0, 2)), Node("const", value=1.0)))  # forward reference
    with pytest.raises(ValueError):
        Program((Node("const", value=1.0),))
    with pytest.raises(ValueError):
        Node("fma", (0, 1))
    with pytest.raises(ValueError):
        Node("pow", (0, 1))


def test_serialisation_round_trip_is_exact():
    p = Program.polynomial([math.pi, -1 / 3, 2.0**-60], "odd")
    q = Program.from_dict(p.to_dict())
    assert q == p and q.constants() == p.constants()


def test_float64_evaluation_matches_mpmath_within_rounding():
    p = Program.polynomial([1.0, 1.0, 0.5, 1 / 6, 1 / 24])
    u = np.linspace(-0.35, 0.35, 101)
    got = evaluate(p, u)
    exact = np.array([float(p.evaluate_mp(x)) for x in u])
    assert np.max(np.abs(got - exact) / np.abs(exact)) < 4 * 2.0**-53


def test_float32_evaluation_uses_true_fma():
    # fma(a, b, c) with a*b not representable: a true fma rounds once, a*b+c twice.
    a = np.float32(1 + 2.0**-12)
    c = -np.float32(1 + 2.0**-11)
    nodes = (Node("input"), Node("const", value=float(a)), Node("const", value=float(c)), Node("fma", (0, 1, 2)))
    p = Program(nodes)
    got = evaluate(p, np.array([a], np.float32))[0]
    assert got == np.float32(2.0**-24)  # exact a*a + c = 2^-24
    assert np.float32(a * a) + c == 0  # the unfused float32 result differs
    # and the mpmath value agrees
    assert float(p.evaluate_mp(float(a))) == 2.0**-24


def test_evaluate_rejects_other_dtypes():
    with pytest.raises(TypeError):
        evaluate(Program.identity(), np.arange(3))


def test_float32_core_source_computes_in_float32_as_the_interpreter_does():
    """A float32 core's constants are emitted as np.float32 (rounded to nearest), so the
    compiled core stays in float32 and agrees bit for bit with the float32 interpreter."""
    import numba

    from fastmath._ops import fma
    p = Program.polynomial([1.0, 1 / 3, 0.1, math.pi / 100], "odd")
    consts, fn = p.to_python("core", "C", precision="float32")
    assert all("np.float32(" in line for line in consts)
    scope = {"np": np, "fma": fma}
    exec("\n".join(consts + fn), scope)
    core = numba.njit(scope["core"])
    u = np.linspace(-0.5, 0.5, 257, dtype=np.float32)
    got = np.array([core(v) for v in u])
    assert core.nopython_signatures[0].return_type == numba.types.float32
    np.testing.assert_array_equal(got, evaluate(p, u))
    assert not np.array_equal(got, evaluate(p, u.astype(np.float64)).astype(np.float32))
    with pytest.raises(ValueError):
        p.to_python("core", "C", precision="float16")
