import mpmath
import numpy as np
import pytest

from generator import baselines as B
from generator.grids import chebyshev_nodes, chebyshev_points, chebyshev_points_mp, max_error
from generator.program import Program


def exp2(x):
    return mpmath.mpf(2) ** x


def _rel_err_extrema(approx, f, lo, hi, points=4001):
    """Local extrema of the relative error on a uniform grid (endpoints included), independently
    of the module's own extremum search."""
    xs = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * k / (points - 1) for k in range(points)]
    e = [(approx(x) - f(x)) / abs(f(x)) for x in xs]
    ext = []
    for i, v in enumerate(e):
        left = abs(e[i - 1]) if i else -1
        right = abs(e[i + 1]) if i + 1 < points else -1
        if abs(v) >= left and abs(v) >= right:
            ext.append(v)
    return ext


def _assert_equioscillates(ext, count, tol=0.03):
    assert len(ext) == count
    assert all((a > 0) != (b > 0) for a, b in zip(ext, ext[1:]))  # alternate in sign
    sizes = [abs(v) for v in ext]
    assert max(sizes) <= (1 + tol) * min(sizes)  # equal levels


@pytest.mark.parametrize("degree", [2, 4])
def test_remez_polynomial_equioscillates(degree):
    with mpmath.workdps(30):
        r, level, _ = B.remez(exp2, 0, 1, degree)
        ext = _rel_err_extrema(r, exp2, 0, 1, 2001)
        _assert_equioscillates(ext, degree + 2)
        assert max(abs(v) for v in ext) == pytest.approx(float(level), rel=1e-3)


def test_remez_rational_equioscillates():
    with mpmath.workdps(30):
        r, level, _ = B.remez(exp2, 0, 1, 2, 2)
        ext = _rel_err_extrema(r, exp2, 0, 1, 2001)
        _assert_equioscillates(ext, 2 + 2 + 2)
        assert max(abs(v) for v in ext) == pytest.approx(float(level), rel=1e-3)


def test_degree_one_minimax_line_for_exp2():
    # p(x) = a + b x, e(x) = p(x)/2^x - 1.  e' = 0 where p(xi) = b/ln2.  Equioscillation
    # e(0) = e(1) = E, e(xi) = -E gives a - 1 = (a + b)/2 - 1, so a = b = 1 + E and
    # xi = 1/ln2 - 1; then (1 + E) c - 1 = -E with c = 2^-xi / ln2, i.e. E = (1 - c)/(1 + c).
    ln2 = mpmath.log(2)
    c = mpmath.mpf(2) ** -(1 / ln2 - 1) / ln2
    e = (1 - c) / (1 + c)  # negative: the line lies below 2^x at the endpoints
    b = B.minimax_poly(exp2, 0, 1, 2)
    assert b.ops == 2 and b.detail.startswith("degree 1")
    assert b.max_rel_error == pytest.approx(float(abs(e)), rel=1e-4)
    assert sorted(b.program.constants()) == pytest.approx([float(1 + e)] * 2, rel=1e-5)


@pytest.mark.parametrize("ops", [4, 6, 8, 10])
def test_minimax_poly_beats_taylor_and_chebyshev(ops):
    t = B._Target(exp2, 0, 1)
    mm, ch, ty = (fn(t, 0, 1, ops) for fn in (B.minimax_poly, B.chebyshev, B.taylor))
    assert mm.detail.split(",")[0] == ch.detail.split(",")[0] == ty.detail.split(",")[0]
    assert mm.max_rel_error < ch.max_rel_error < ty.max_rel_error


@pytest.mark.parametrize("m,n", [(2, 2), (3, 1), (1, 3), (0, 2)])
def test_pade_matches_taylor_to_order_m_plus_n(m, n):
    mid = mpmath.mpf(0.5)
    with mpmath.workdps(50):
        p, q = B.pade_coeffs(exp2, mid, m, n)
        assert len(p) == m + 1 and len(q) == n + 1
        # P(t) - f(mid + t) Q(t) = O(t^(m+n+1))
        resid = mpmath.taylor(lambda t: mpmath.polyval(p[::-1], t) - exp2(mid + t) * mpmath.polyval(q[::-1], t),
                              0, m + n + 1)
        assert all(abs(c) < 1e-35 for c in resid[: m + n + 1])
        assert abs(resid[m + n + 1]) > 1e-12


@pytest.mark.parametrize("ops", [8, 10])
def test_rational_minimax_beats_polynomial_minimax(ops):
    t = B._Target(exp2, 0, 1)
    rat, poly = B.minimax_rational(t, 0, 1, ops), B.minimax_poly(t, 0, 1, ops)
    assert rat.max_rel_error < poly.max_rel_error / 3
    assert B.pade(t, 0, 1, ops).max_rel_error > rat.max_rel_error


@pytest.mark.parametrize("m,n", [(0, 0), (3, 0), (0, 1), (2, 2), (1, 3)])
def test_program_form_and_cost(m, n):
    with mpmath.workdps(50):
        r = B.Rational(tuple(mpmath.mpf(1) / (k + 2) for k in range(m + 1)),
                       (mpmath.mpf(1),) + tuple(mpmath.mpf(1) / (k + 5) for k in range(n)),
                       mpmath.mpf(0.5), mpmath.mpf(0.5))
        for shift in (False, True):
            prog = B.rational_program(r, shift)
            assert prog.cost() == B.rational_cost(m, n, shift) == 2 * m + 2 * n + (shift and m + n > 0)
            assert "fma" not in prog.op_counts()
            for x in (0, 0.3, 1):
                assert float(prog.evaluate_mp(x)) == pytest.approx(float(r(x)), rel=1e-14)


def test_cost_accounting_of_all_baselines():
    budgets = [1, 2, 3, 5]
    got = B.all_baselines(exp2, 0, 1, budgets)
    for b in got:
        assert b.ops == b.program.cost() <= b.budget
        assert set(b.program.op_counts()) <= {"add", "sub", "mul", "div"}
    methods_at = {ops: {b.method for b in got if b.budget == ops} for ops in budgets}
    assert methods_at[1] == {"taylor", "chebyshev", "minimax_poly"}  # degree 0, no rational
    assert methods_at[2] == set(B.METHODS)
    # an odd budget can buy the shift t = x - mid, which is then counted
    shifted = [b for b in got if "shifted" in b.detail]
    assert all(b.ops % 2 == 1 and b.program.nodes[2].op == "sub" for b in shifted)


def test_other_targets():
    # exp on a symmetric interval: the midpoint is 0, so no shift is ever emitted
    t = B._Target(mpmath.exp, -0.35, 0.35)
    mm, rat, ty = (fn(t, -0.35, 0.35, 7) for fn in (B.minimax_poly, B.minimax_rational, B.taylor))
    assert rat.max_rel_error < mm.max_rel_error < ty.max_rel_error < 1e-3
    assert "shifted" not in mm.detail + rat.detail + ty.detail
    # sin on [0, pi/4] vanishes at 0: the zero is factored out, x * g(x), one mul
    lo, hi = 0, mpmath.pi / 4
    s = B._Target(mpmath.sin, lo, hi)
    mm, ty = B.minimax_poly(s, lo, hi, 7), B.taylor(s, lo, hi, 7)
    assert mm.ops == ty.ops == 7 and mm.detail.startswith("degree 3")
    assert mm.max_rel_error < ty.max_rel_error < 1e-3
    assert mm.program.evaluate_mp(0) == 0
    assert mm.program.evaluate_mp(1e-30) / mpmath.sin(mpmath.mpf(1e-30)) == pytest.approx(1, rel=1e-4)


def test_chebyshev_grids_cluster_at_the_ends_and_include_them():
    """The measurement grids (generator.grids): extrema in float64 and in mpmath (the same
    points, the latter not rounded), and roots rounded to float64 with both ends."""
    n = 101
    points = chebyshev_points(0.0, 1.0, n)
    assert points.size == n and points[0] == 0.0 and points[-1] == 1.0 and np.all(np.diff(points) > 0)
    assert points[1] - points[0] < (points[n // 2 + 1] - points[n // 2]) / 50  # clustered at the ends
    with mpmath.workdps(40):
        exact = chebyshev_points_mp(0.0, 1.0, n)
        assert [float(u) for u in exact[::-1]] == pytest.approx(list(points), abs=1e-15)
        assert any(u != mpmath.mpf(float(u)) for u in exact)  # not rounded to float64
    nodes = chebyshev_nodes(0.0, 1.0, 50)
    assert len(nodes) == 52 and nodes[0] == 0 and nodes[-1] == 1 and nodes == sorted(set(nodes))
    assert all(u == mpmath.mpf(float(u)) for u in nodes)  # program inputs: float64 values


def test_max_error_is_relative_or_absolute_and_skips_zeros_of_the_target():
    """u against sin u on [0, 1]: relative error is undefined at u = 0 (skipped), largest
    at 1; absolute error includes 0 (exactly 0 there); baselines.measure is the same."""
    identity = Program.identity()
    with mpmath.workdps(40):
        grid = chebyshev_nodes(0, 1, 64)
        relative = max_error(identity, mpmath.sin, grid)
        absolute = max_error(identity, mpmath.sin, grid, relative=False)
        assert relative == float((1 - mpmath.sin(1)) / mpmath.sin(1))
        assert absolute == float(1 - mpmath.sin(1))
        assert max_error(identity, mpmath.sin, [mpmath.mpf(0)]) == 0.0
    assert B.measure(identity, mpmath.sin, 0, 1, 64) == relative
