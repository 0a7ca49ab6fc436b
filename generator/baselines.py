"""Classical approximations at a given op budget: the baselines evolved programs are compared with.

The paper (AutoNumerics-Zero, arXiv 2312.08472) compares its evolved programs with
classical approximations of the same cost, measured by max relative error over the
interval.  This module builds those baselines for any mpmath target on [lo, hi]:

* ``taylor``            Taylor polynomial about the midpoint;
* ``chebyshev``         polynomial interpolating at Chebyshev points (extra column);
* ``pade``              Padé approximant [m/n] about the midpoint, best split m+n;
* ``minimax_poly``      minimax polynomial for relative error (Remez exchange);
* ``minimax_rational``  minimax rational for relative error (rational Remez), best split.

Every result is a ``Program`` of plain mul/add/sub/div nodes (no fma) with float64
constants, and its error is *measured*: the program is evaluated exactly
(``Program.evaluate_mp``) against the target on 2000 Chebyshev-clustered points plus
the endpoints, so float64 coefficient rounding is included.

Op counting (``Program.cost``: each add/sub/mul/div that depends on the input costs 1):

* Horner polynomial of degree d:             2d   (d mul + d add; degree 0 is free);
* monic Horner of degree d >= 1:             2d-1 (the leading "c*x" is just "x");
* rational [m/n], n >= 1, denominator monic: 2m + (2n-1) + 1 div = 2(m+n);
* optional shift t = x - mid:                +1   (it depends on x).

Each approximation is computed in mpmath (50 digits) as a rational function of the
scaled variable s = (x - mid)/h, and then emitted in two forms: expanded into powers
of x (no shift) and in powers of t = x - mid (one extra op).  The shifted form is
used only when it fits the budget and measures better (it can, because rounding
the expanded-in-x coefficients to float64 may cost accuracy); ``detail`` says which.

A target that vanishes at an endpoint z (e.g. sin on [0, pi/4]) is handled by
approximating f(x)/(x - z) and multiplying by (x - z): +1 op (+1 more if z != 0).

``python -m generator.baselines`` prints the table for 2^x on [0, 1], ops 4..12.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath

from generator.grids import chebyshev_nodes, max_error
from generator.program import Node, Program

DPS = 50                # working precision of every construction
MEASURE_POINTS = 2000   # Chebyshev-clustered points (plus both endpoints) for measurement
SCREEN_POINTS = 200     # cheaper grid to rank candidate splits/forms before measuring
SCAN_POINTS = 400       # grid on which Remez looks for error extrema
REMEZ_TOL = 1e-4        # stop when the equioscillation levels agree to this (relative)
REMEZ_MAX_ITER = 40


@dataclass(frozen=True)
class Baseline:
    method: str
    ops: int
    program: Program
    max_rel_error: float
    detail: str
    budget: int | None = None  # the op budget it was built for (ops <= budget)


@dataclass(frozen=True)
class Rational:
    """P(s)/Q(s) in the scaled variable s = (x - mid)/h, mp coefficients, lowest degree first."""
    p: tuple
    q: tuple
    mid: object
    h: object

    @property
    def m(self) -> int:
        return len(self.p) - 1

    @property
    def n(self) -> int:
        return len(self.q) - 1

    def __call__(self, x):
        s = (mpmath.mpf(x) - self.mid) / self.h
        return _horner(self.p, s) / _horner(self.q, s)


# ---- small helpers -------------------------------------------------------------------

def _horner(coeffs, v):
    acc = mpmath.mpf(0)
    for c in reversed(coeffs):
        acc = acc * v + c
    return acc


def _interval(lo, hi):
    """Midpoint (as a float64, so the shift is exact) and half-width."""
    lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
    mid = mpmath.mpf(float((lo + hi) / 2))
    return lo, hi, mid, (hi - lo) / 2


def _poly_mul(a, b):
    out = [mpmath.mpf(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _compose_linear(coeffs, alpha, beta):
    """Coefficients in y of sum c_k (alpha + beta*y)^k."""
    out, power = [mpmath.mpf(0)] * len(coeffs), [mpmath.mpf(1)]
    for c in coeffs:
        for i, v in enumerate(power):
            out[i] += c * v
        power = _poly_mul(power, [alpha, beta])
    return out


class _Target:
    """The function actually approximated, with its values cached.

    Relative error is only finite near a zero z of the target if the approximation
    vanishes there too, so a zero at an endpoint is factored out: we approximate
    g(x) = f(x) / (x - z) (g(z) = f'(z)) and the program returns (x - z) * approx(x),
    which has the same relative error.  That costs one mul (plus one sub if z != 0).
    """

    def __init__(self, f: Callable, lo, hi):
        self.f, self.cache = f, {}
        self.lo, self.hi, self.mid, self.h = _interval(lo, hi)
        self.zero = next((z for z in (self.lo, self.hi) if mpmath.mpf(f(z)) == 0), None)
        if self.zero is not None and mpmath.mpf(float(self.zero)) != self.zero:
            raise ValueError("the target vanishes at an endpoint that is not a float64")
        self.factor_cost = 0 if self.zero is None else 1 + (self.zero != 0)
        self.g_at_zero = None if self.zero is None else mpmath.diff(f, self.zero)

    def g(self, x):
        """The approximated function (f itself unless a zero is factored out)."""
        x = mpmath.mpf(x)
        if self.zero is None:
            return mpmath.mpf(self.f(x))
        if x == self.zero:
            return self.g_at_zero
        return self.f(x) / (x - self.zero)

    def __call__(self, x):
        key = mpmath.mpf(x)
        if key not in self.cache:
            self.cache[key] = self.g(key)
        return self.cache[key]

    def raw(self, x):
        """f itself (cached): what programs are measured against."""
        key = ("f", mpmath.mpf(x))
        if key not in self.cache:
            self.cache[key] = mpmath.mpf(self.f(key[1]))
        return self.cache[key]

    def grid(self, count: int) -> list:
        key = ("grid", count)
        if key not in self.cache:
            self.cache[key] = chebyshev_nodes(self.lo, self.hi, count)
        return self.cache[key]

    def rel_error(self, approx, x):
        gx = self(x)
        return (approx(x) - gx) / abs(gx)


def _as_target(target, lo, hi) -> _Target:
    return target if isinstance(target, _Target) else _Target(target, lo, hi)


# ---- programs -------------------------------------------------------------------------

def rational_program(r: Rational, shift: bool, zero=None) -> Program:
    """Horner P / monic Horner Q in x (shift=False) or in t = x - mid (shift=True).

    With ``zero`` z, the result is multiplied by (x - z) (see ``_Target``).
    """
    # s = (x - mid)/h: in t = x - mid, s = t/h; in x, s = -mid/h + x/h.
    alpha = mpmath.mpf(0) if shift else -r.mid / r.h
    p = _compose_linear(r.p, alpha, 1 / r.h)
    q = _compose_linear(r.q, alpha, 1 / r.h)
    if r.n >= 1:  # monic denominator saves the leading multiplication
        lead = q[-1]
        p, q = [c / lead for c in p], [c / lead for c in q]
    else:
        p, q = [c / q[0] for c in p], None

    nodes = [Node("input")]

    def push(node):
        nodes.append(node)
        return len(nodes) - 1

    def const(v):
        return push(Node("const", value=float(v)))

    var = push(Node("sub", (0, const(r.mid)))) if shift else 0

    def horner(coeffs, monic):
        if monic:
            acc = var
        else:
            acc = const(coeffs[-1])
            if len(coeffs) == 1:
                return acc
            acc = push(Node("mul", (acc, var)))
        for k in range(len(coeffs) - 2, -1, -1):
            acc = push(Node("add", (acc, const(coeffs[k]))))
            if k:
                acc = push(Node("mul", (acc, var)))
        return acc

    out = horner(p, monic=False)
    if q is not None:
        out = push(Node("div", (out, horner(q, monic=True))))
    if zero is not None:
        factor = 0 if zero == 0 else push(Node("sub", (0, const(zero))))
        push(Node("mul", (factor, out)))
    return Program(tuple(nodes))


def rational_cost(m: int, n: int, shift: bool) -> int:
    """Ops of rational_program: Horner P (2m), monic Horner Q and the div (2n), the shift."""
    return 2 * m + (2 * n if n >= 1 else 0) + (1 if shift and m + n > 0 else 0)


def measure(program: Program, target, lo, hi, points=MEASURE_POINTS) -> float:
    """Max relative error of the program (exact evaluation) on a Chebyshev grid + endpoints."""
    t = _as_target(target, lo, hi)
    with mpmath.workdps(DPS):
        return max_error(program, t.raw, t.grid(points))


def _best_program(method, budget, candidates, target, lo, hi, keep=3):
    """Emit candidates (Rational, detail, estimated error) in every form that fits; return the best.

    The `keep` candidates with the smallest estimated error (the exact, unrounded one) are
    emitted; their programs are ranked on a coarse grid and the winner measured on the full
    grid.  The
    shifted form (one op more) is kept only if it measures at least 1% better than the
    same approximation expanded in x.
    """
    t = _as_target(target, lo, hi)
    forms = []  # (program, detail, index of the candidate, shifted?)
    candidates = sorted(candidates, key=lambda c: c[2])[:keep]
    for i, (r, detail, _) in enumerate(candidates):
        for shift in (False, True):
            if shift and (t.mid == 0 or r.m + r.n == 0):
                continue  # the shift would be x - 0, or unused by a constant
            if rational_cost(r.m, r.n, shift) + t.factor_cost <= budget:
                forms.append((rational_program(r, shift, t.zero),
                              detail + (", shifted x-mid" if shift else ", in x"), i, shift))
    if not forms:
        return None
    if len(forms) > 1:
        forms.sort(key=lambda f: measure(f[0], t, lo, hi, SCREEN_POINTS))
    prog, detail, index, shifted = forms[0]
    error = measure(prog, t, lo, hi)
    unshifted = [f for f in forms if f[2] == index and not f[3]]
    if shifted and unshifted:
        plain_error = measure(unshifted[0][0], t, lo, hi)
        if not error < 0.99 * plain_error:
            prog, detail, error = unshifted[0][0], unshifted[0][1], plain_error
    return Baseline(method, prog.cost(), prog, error, detail, budget)


# ---- classical expansions -------------------------------------------------------------

def _taylor_coeffs(t: _Target, order: int):
    return mpmath.taylor(t.g, t.mid, order)


def taylor(target, lo, hi, ops: int) -> Baseline | None:
    """Taylor polynomial about the midpoint, degree ops // 2."""
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        d = (ops - t.factor_cost) // 2
        if d < 0:
            return None
        r = Rational(tuple(_taylor_coeffs(t, d)), (mpmath.mpf(1),), t.mid, mpmath.mpf(1))
        return _best_program("taylor", ops, [(r, f"degree {d}", 0)], t, lo, hi)


def chebyshev_coeffs(t: _Target, degree: int) -> tuple:
    """Interpolant at the degree+1 Chebyshev nodes (first kind), in s = (x - mid)/h."""
    nodes = [mpmath.cos(mpmath.pi * (k + mpmath.mpf(1) / 2) / (degree + 1)) for k in range(degree + 1)]
    a = mpmath.matrix([[s ** j for j in range(degree + 1)] for s in nodes])
    b = mpmath.matrix([t(t.mid + t.h * s) for s in nodes])
    return tuple(mpmath.lu_solve(a, b))


def chebyshev(target, lo, hi, ops: int) -> Baseline | None:
    """Chebyshev interpolation polynomial, degree ops // 2."""
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        d = (ops - t.factor_cost) // 2
        if d < 0:
            return None
        r = Rational(chebyshev_coeffs(t, d), (mpmath.mpf(1),), t.mid, t.h)
        return _best_program("chebyshev", ops, [(r, f"degree {d}", 0)], t, lo, hi)


def pade_coeffs(target, mid, m: int, n: int):
    """Padé [m/n] of target about mid: (p, q) in t = x - mid, q[0] = 1."""
    with mpmath.workdps(DPS):
        f = target.g if isinstance(target, _Target) else target
        p, q = mpmath.pade(mpmath.taylor(f, mpmath.mpf(mid), m + n), m, n)
        return tuple(p), tuple(q)


def _splits(ops: int):
    """(m, n) with n >= 1 and 2(m+n) <= ops."""
    return [(k - n, n) for k in range(1, ops // 2 + 1) for n in range(1, k + 1)]


def _has_pole(r: Rational, t: _Target) -> bool:
    vals = [_horner(r.q, (x - r.mid) / r.h) for x in t.grid(SCAN_POINTS)]
    return any(v == 0 for v in vals) or min(vals) * max(vals) < 0


def _exact_error(r: Rational, t: _Target, points=64):
    """Max relative error of the unrounded approximation on a small grid (for ranking)."""
    return max(abs(t.rel_error(r, x)) for x in t.grid(points) if t(x) != 0)


def pade(target, lo, hi, ops: int) -> Baseline | None:
    """Best Padé [m/n] (n >= 1) about the midpoint that fits the budget."""
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        taylor_c = _taylor_coeffs(t, max(ops - t.factor_cost, 0) // 2)
        cands = []
        for m, n in _splits(ops - t.factor_cost):
            try:
                p, q = mpmath.pade(taylor_c[: m + n + 1], m, n)
            except ZeroDivisionError:
                continue
            r = Rational(tuple(p), tuple(q), t.mid, mpmath.mpf(1))
            if len(r.q) == n + 1 and r.q[-1] != 0 and not _has_pole(r, t):
                cands.append((r, f"[{m}/{n}]", _exact_error(r, t)))
        return _best_program("pade", ops, cands, t, lo, hi)


# ---- Remez ----------------------------------------------------------------------------

def _extrema(err: Callable, grid: list) -> list:
    """Local extrema of err on grid (endpoints included), refined by golden section."""
    vals = [err(x) for x in grid]
    found = []
    for i, v in enumerate(vals):
        left = vals[i - 1] if i else None
        right = vals[i + 1] if i + 1 < len(vals) else None
        if (left is None or abs(v) >= abs(left)) and (right is None or abs(v) >= abs(right)):
            if left is None or right is None:
                found.append((grid[i], v))
            else:
                found.append(_golden_max(err, grid[i - 1], grid[i + 1]))
    return found


def _golden_max(err, a, b, iters=30):
    g = (mpmath.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = abs(err(c)), abs(err(d))
    for _ in range(iters):
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = abs(err(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = abs(err(d))
    x = (a + b) / 2
    return x, err(x)


def _alternating(extrema: list, count: int) -> list | None:
    """Pick `count` sign-alternating extrema: merge same-sign runs, trim the smaller end."""
    merged = []
    for x, v in extrema:
        if v == 0:
            continue
        if merged and (merged[-1][1] > 0) == (v > 0):
            if abs(v) > abs(merged[-1][1]):
                merged[-1] = (x, v)
        else:
            merged.append((x, v))
    while len(merged) > count:
        if abs(merged[0][1]) < abs(merged[-1][1]):
            merged.pop(0)
        else:
            merged.pop()
    return merged if len(merged) == count else None


def _solve_reference(t: _Target, ref: list, m: int, n: int, e_guess):
    """Rational (or, n = 0, polynomial) with relative error (-1)^i E at the reference points.

    Linearised: p(s_i) - (f_i + (-1)^i E_old |f_i|) (q(s_i) - 1) - f_i - (-1)^i E |f_i| = 0
    with q_0 = 1 is linear in (p, q_1..q_n, E); iterate E_old <- E (exact for n = 0).
    """
    s = [(x - t.mid) / t.h for x in ref]
    f = [t(x) for x in ref]
    e_old = mpmath.mpf(e_guess)
    for _ in range(60):
        rows, rhs = [], []
        for i, (si, fi) in enumerate(zip(s, f)):
            sign = 1 if i % 2 == 0 else -1
            row = [si ** j for j in range(m + 1)]
            row += [-(fi + sign * e_old * abs(fi)) * si ** j for j in range(1, n + 1)]
            row.append(-sign * abs(fi))
            rows.append(row)
            rhs.append(fi)
        try:
            sol = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix(rhs))
        except (ZeroDivisionError, TypeError, ValueError) as exc:  # singular system
            raise ArithmeticError(f"[{m}/{n}]: singular reference system") from exc
        e_new = sol[m + n + 1]
        done = n == 0 or abs(e_new - e_old) <= mpmath.mpf(10) ** (-30) * abs(e_new)
        e_old = e_new
        if done:
            break
    p = tuple(sol[j] for j in range(m + 1))
    q = (mpmath.mpf(1),) + tuple(sol[m + 1 + j] for j in range(n))
    return Rational(p, q, t.mid, t.h), e_old


def remez(target, lo, hi, m: int, n: int = 0):
    """Minimax [m/n] for relative error (n = 0: polynomial).  Returns (Rational, level, ref).

    Starts from the Chebyshev extreme points, solves for equioscillation on the reference,
    exchanges it for the extrema of the error, until the levels agree to REMEZ_TOL.
    Raises ArithmeticError when it fails (pole in the interval, no alternation).
    """
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        count = m + n + 2
        ref = [t.mid - t.h * mpmath.cos(mpmath.pi * k / (count - 1)) for k in range(count)]
        scan = [x for x in t.grid(SCAN_POINTS) if t(x) != 0]
        level = mpmath.mpf(0)
        for _ in range(REMEZ_MAX_ITER):
            r, level = _solve_reference(t, ref, m, n, level)
            if n and _has_pole(r, t):
                raise ArithmeticError(f"[{m}/{n}]: pole in the interval")
            ext = _alternating(_extrema(lambda x: t.rel_error(r, x), scan), count)
            if ext is None:
                raise ArithmeticError(f"[{m}/{n}]: error does not alternate")
            ref = [x for x, _ in ext]
            sizes = [abs(v) for _, v in ext]
            if max(sizes) - min(sizes) <= REMEZ_TOL * max(sizes):
                return r, max(sizes), ref
        raise ArithmeticError(f"[{m}/{n}]: Remez did not converge")


def minimax_poly(target, lo, hi, ops: int) -> Baseline | None:
    """Minimax polynomial (relative error) of degree ops // 2."""
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        d = (ops - t.factor_cost) // 2
        if d < 0:
            return None
        r, _, _ = remez(t, lo, hi, d)
        return _best_program("minimax_poly", ops, [(r, f"degree {d}", 0)], t, lo, hi)


def minimax_rational(target, lo, hi, ops: int) -> Baseline | None:
    """Best minimax rational [m/n] (n >= 1, relative error) that fits the budget."""
    with mpmath.workdps(DPS):
        t = _as_target(target, lo, hi)
        cands = []
        for m, n in _splits(ops - t.factor_cost):
            try:
                r, level, _ = remez(t, lo, hi, m, n)
            except ArithmeticError:
                continue
            cands.append((r, f"[{m}/{n}]", level))
        return _best_program("minimax_rational", ops, cands, t, lo, hi)


METHODS = {"taylor": taylor, "chebyshev": chebyshev, "pade": pade,
           "minimax_poly": minimax_poly, "minimax_rational": minimax_rational}


def all_baselines(target, lo, hi, op_counts, methods=tuple(METHODS)) -> list[Baseline]:
    """Every method at every op count (methods with no program under a budget are skipped)."""
    t = _Target(target, lo, hi)
    out = []
    for ops in op_counts:
        for name in methods:
            b = METHODS[name](t, lo, hi, ops)
            if b is not None:
                out.append(b)
    return out


def format_table(baselines: list[Baseline]) -> str:
    """Budget rows x method columns: measured error (detail; ops actually used)."""
    methods = list(dict.fromkeys(b.method for b in baselines))
    cell = {(b.budget, b.method): f"{b.max_rel_error:.2e} ({b.detail.replace(', in x', '')}; {b.ops})"
            for b in baselines}
    budgets = sorted({b.budget for b in baselines})
    lines = [f"{'ops':>3}  " + "  ".join(f"{m:<26}" for m in methods)]
    for ops in budgets:
        lines.append(f"{ops:>3}  " + "  ".join(f"{cell.get((ops, m), '-'):<26}" for m in methods))
    return "\n".join(lines)


if __name__ == "__main__":  # python -m generator.baselines [op counts...]: the 2^x table
    import sys
    import time

    start = time.time()
    counts = [int(a) for a in sys.argv[1:]] or list(range(4, 13))
    table = all_baselines(lambda x: mpmath.mpf(2) ** x, 0, 1, counts)
    print("2^x on [0, 1], max relative error of the float64-coefficient program (measured)")
    print(format_table(table))
    print(f"({time.time() - start:.1f} s)")
