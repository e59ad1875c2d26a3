"""Sum-of-squares certificates for polynomial proof steps, checked in exact arithmetic.

A ``proof_step`` claims p(x) >= 0 on K = {x : g_i(x) >= 0} (the conclusion ``lhs >= rhs``
gives p = lhs - rhs; each hypothesis ``a >= b`` or ``a <= b`` gives a g_i). A
certificate of degree d is an identity

    p = s_0 + sum_i s_i g_i + sum_{i<j} s_ij g_i g_j,   s = z^T Q z,  Q PSD,

with every term of degree <= d: Putinar's quadratic module extended by the pairwise
products of the constraints (Schmuedgen's preordering truncated at products of two),
which the step-size conditions here need (e.g. eta (lam - 4 n^2 eta) >= 0 is the
product of two hypotheses). The Gram matrices are found by an SDP in cvxpy (Clarabel),
three times: minimising their total trace (low-rank, often the "nice" certificate),
minimising the trace of s_0's alone (mass pushed onto the multipliers) and
maximising their smallest eigenvalue (interior, robust to rounding). Each solution is
rounded to rationals with denominators 10^2, 10^4, 10^6 (the multipliers' matrices
through a rational factor V V^T, hence exactly PSD), s_0's Gram matrix is projected
exactly onto the identity's affine constraints, checked PSD exactly, and the identity
p == s_0 + sum ... is expanded in sympy. Only that exact check makes a certificate:
the solver's tolerance plays no part in it.

Failure at degree d is INCONCLUSIVE. A statement is VIOLATED only by a sampled point of
K (rational, so p is evaluated exactly) where p < 0; points are drawn in the box given
by the statement's ``domain``.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.theorems.statement import Statement, StatementError

SOLVER = "CLARABEL"
DENOMINATORS = (10, 10**2, 10**4, 10**6)
SAMPLES = 2000
#: float64 screening margin of :func:`sample_counterexample` (relative, plus absolute near 0)
SCREEN_MARGIN = 1e-6


@dataclass
class PolynomialStep:
    """p >= 0 on {g_i >= 0}, in variables ``variables``."""

    p: sp.Expr
    constraints: list[tuple[str, sp.Expr]]
    variables: list[sp.Symbol]


@dataclass
class SOSResult:
    verdict: str
    message: str
    degree: int
    multipliers: list[dict[str, Any]] = field(default_factory=list)
    counterexample: dict[str, str] | None = None
    solver: str = SOLVER
    solver_status: str = ""
    tolerances: dict[str, float] = field(default_factory=lambda: {"solver_gap": 1e-8, "solver_feas": 1e-8,
                                                                   "identity": 0.0})
    wall_s: float = 0.0


def _difference(relation: sp.Basic, where: str) -> sp.Expr:
    if isinstance(relation, (sp.Ge, sp.Gt)):
        return sp.expand(relation.lhs - relation.rhs)
    if isinstance(relation, (sp.Le, sp.Lt)):
        return sp.expand(relation.rhs - relation.lhs)
    raise StatementError(f"{where}: {relation} is not an inequality")


def polynomial_step(statement: Statement) -> PolynomialStep:
    """The statement as p >= 0 on {g_i >= 0}; non-polynomial input is an error naming it."""
    p = _difference(statement.substituted(statement.conclusion), statement.id)
    constraints = [(h.name, _difference(statement.substituted(h.relation), f"{statement.id}: {h.name}"))
                   for h in statement.hypotheses]
    variables = sorted(set().union(p.free_symbols, *(g.free_symbols for _, g in constraints)), key=lambda s: s.name)
    for name, expr in [("conclusion", p), *constraints]:
        if not expr.is_polynomial(*variables):
            raise StatementError(f"{statement.id}: {name} is not polynomial: {expr}")
    return PolynomialStep(p, constraints, variables)


def _monomials(variables: list[sp.Symbol], degree: int) -> list[sp.Expr]:
    if degree < 0:
        return []
    out = [sp.Integer(1)]
    for k in range(1, degree + 1):
        out += [sp.Mul(*c) for c in itertools.combinations_with_replacement(variables, k)]
    return out


def _multipliers(step: PolynomialStep, degree: int) -> list[tuple[str, sp.Expr, list[sp.Expr]]]:
    gens = step.variables
    items: list[tuple[str, sp.Expr]] = [("1", sp.Integer(1))] + list(step.constraints)
    items += [(f"{a}*{b}", sp.expand(ga * gb)) for (a, ga), (b, gb) in itertools.combinations(step.constraints, 2)]
    out = []
    for name, g in items:
        deg_g = sp.Poly(g, *gens).total_degree() if g.free_symbols else 0
        basis = _monomials(gens, (degree - deg_g) // 2)
        if basis:
            out.append((name, g, basis))
    return out


def _terms(expr: sp.Expr, gens: list[sp.Symbol]) -> dict[tuple, Fraction]:
    """A polynomial as {exponent tuple: exact coefficient}."""
    if expr == 0:
        return {}
    return {m: Fraction(int(sp.numer(v)), int(sp.denom(v))) for m, v in sp.Poly(expr, *gens).terms()}


def _gram_rows(step: PolynomialStep, mults) -> tuple[dict[tuple, list], dict[tuple, Fraction]]:
    """For each monomial, the (multiplier, a, b, coefficient) entries of sum_j g_j z^T Q_j z that reach it."""
    gens = step.variables
    rows: dict[tuple, list] = {}
    for j, (_, g, basis) in enumerate(mults):
        g_terms = _terms(g, gens)
        exps = [sp.Poly(m, *gens).monoms()[0] for m in basis]
        for a, ea in enumerate(exps):
            for b, eb in enumerate(exps):
                for eg, cg in g_terms.items():
                    monom = tuple(x + y + z for x, y, z in zip(ea, eb, eg))
                    rows.setdefault(monom, []).append((j, a, b, cg))
    return rows, _terms(step.p, gens)


def _solve_gram(step: PolynomialStep, mults, objective: str):
    import cvxpy as cp
    import numpy as np

    grams = [cp.Variable((len(b), len(b)), symmetric=True) for _, _, b in mults]
    tau = cp.Variable()
    rows, target = _gram_rows(step, mults)
    if any(monom not in rows for monom in target):
        return None, "infeasible (a monomial of p is out of reach)"
    constraints = [sum(float(cg) * grams[j][a, b] for j, a, b, cg in entries) == float(target.get(monom, 0))
                   for monom, entries in rows.items()]
    if objective == "interior":
        constraints += [Q - tau * np.eye(Q.shape[0]) >> 0 for Q in grams] + [tau <= 1]
        problem = cp.Problem(cp.Maximize(tau), constraints)
    else:
        constraints += [Q >> 0 for Q in grams]
        weights = grams if objective == "trace" else grams[:1]
        problem = cp.Problem(cp.Minimize(sum(cp.trace(Q) for Q in weights)), constraints)
    try:
        problem.solve(solver=SOLVER)
    except cp.error.SolverError as exc:
        return None, f"solver error: {exc}"
    if problem.status not in ("optimal", "optimal_inaccurate") or any(Q.value is None for Q in grams):
        return None, problem.status
    if objective == "interior" and tau.value < -1e-7:
        return None, f"{problem.status} (smallest eigenvalue {tau.value:.2g} < 0)"
    return [Q.value for Q in grams], problem.status


def _rational(value: float, denominator: int) -> Fraction:
    return Fraction(float(value)).limit_denominator(denominator)


def exactly_psd(M: list[list[Fraction]]) -> bool:
    """Exact PSD test of a rational symmetric matrix (symmetric elimination, zero pivots allowed)."""
    A = [row[:] for row in M]
    n = len(A)
    for k in range(n):
        if A[k][k] < 0:
            return False
        if A[k][k] == 0:
            if any(A[k][j] != 0 for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            factor = A[i][k] / A[k][k]
            for j in range(k + 1, n):
                A[i][j] -= factor * A[k][j]
    return True


def _candidates(mults, grams, rows, target, denominator: int):
    """Exact Gram matrices two ways: every entry rounded; or multipliers rounded and s_0 projected."""
    rounded = [[[_rational(Q[a, b], denominator) for b in range(Q.shape[0])] for a in range(Q.shape[0])]
               for Q in grams]
    for G in rounded:
        for a in range(len(G)):
            for b in range(a):
                G[a][b] = G[b][a]
    yield [[row[:] for row in G] for G in rounded]
    projected = [[row[:] for row in G] for G in rounded]
    Q0 = projected[0]
    for monom, entries in rows.items():
        total = sum((cg * projected[j][a][b] for j, a, b, cg in entries), Fraction(0))
        own = [(a, b) for j, a, b, _ in entries if j == 0]
        residual = target.get(monom, Fraction(0)) - total
        if residual and own:
            for a, b in own:
                Q0[a][b] += residual / len(own)
    yield projected


def _exact(step: PolynomialStep, mults, grams, denominator: int) -> list[dict[str, Any]] | None:
    """Round to rationals, check every Gram matrix PSD exactly and the identity in sympy; None if not."""
    rows, target = _gram_rows(step, mults)
    for exact in _candidates(mults, grams, rows, target, denominator):
        if any(sum((cg * exact[j][a][b] for j, a, b, cg in entries), Fraction(0)) != target.get(monom, 0)
               for monom, entries in rows.items()):
            continue
        if not all(exactly_psd(G) for G in exact):
            continue
        matrices = [sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in row] for row in G]) for G in exact]
        total = sum(g * (sp.Matrix(b).T * G * sp.Matrix(b))[0] for (_, g, b), G in zip(mults, matrices))
        if sp.expand(total - step.p) != 0:  # the certificate: an exact polynomial identity
            continue
        return [{"multiplier": name, "basis": [str(m) for m in b],
                 "gram": [[str(v) for v in G.row(i)] for i in range(G.rows)]}
                for (name, _, b), G in zip(mults, matrices) if any(v != 0 for v in G)]
    return None


def sample_counterexample(step: PolynomialStep, domain: dict[str, tuple[float, float]], samples: int = SAMPLES,
                          seed: int = 0) -> dict[str, str] | None:
    """A rational point of K inside ``domain`` where p < 0 (exact), if one is drawn.

    The points (denominators at most 1000) are screened in float64, all at once, and only
    those that float64 puts within a margin of p < 0 and g >= 0 are decided in exact
    rational arithmetic, in drawing order: a float can only let a candidate through, never
    decide one. (A true counterexample lost to float rounding would leave the step to the
    exact certificate search, which cannot certify a false claim.)"""
    rng = random.Random(seed)
    box = {v: domain.get(v.name, (-10.0, 10.0)) for v in step.variables}
    points = [[Fraction(rng.uniform(*box[v])).limit_denominator(1000) for v in step.variables]
              for _ in range(samples)]
    if not points or not step.variables:
        return None
    columns = np.array(points, dtype=np.float64).T
    with np.errstate(all="ignore"):
        def floats(expr: sp.Expr) -> np.ndarray:
            return np.broadcast_to(np.asarray(sp.lambdify(step.variables, expr, "numpy")(*columns), dtype=float),
                                   (len(points),))
        p_values = floats(step.p)
        candidate = ~(p_values >= SCREEN_MARGIN * (1 + np.abs(p_values)))  # NaN stays a candidate
        for _, g in step.constraints:
            g_values = floats(g)
            candidate &= ~(g_values < -SCREEN_MARGIN * (1 + np.abs(g_values)))
    exact_p = sp.lambdify(step.variables, step.p)
    exact_gs = [sp.lambdify(step.variables, g) for _, g in step.constraints]
    for k in np.flatnonzero(candidate):
        point = [sp.Rational(x.numerator, x.denominator) for x in points[k]]
        if all(g(*point) >= 0 for g in exact_gs) and exact_p(*point) < 0:
            return {v.name: str(x) for v, x in zip(step.variables, point)} | {"p": str(exact_p(*point))}
    return None


def certify_step(statement: Statement, degree: int | None = None, seed: int = 0) -> SOSResult:
    """Search for a counterexample, then for an exact certificate at the statement's degree (and +2)."""
    started = time.perf_counter()
    step = polynomial_step(statement)
    gens = step.variables
    base_degree = degree or statement.quantifier.get("degree") or max(
        [sp.Poly(step.p, *gens).total_degree()] + [2 * sp.Poly(g, *gens).total_degree() for _, g in step.constraints])
    base_degree += base_degree % 2
    found = sample_counterexample(step, statement.domain, seed=seed)
    if found is not None:
        return SOSResult("VIOLATED", "p < 0 at a sampled point of the set: "
                         + ", ".join(f"{k} = {v}" for k, v in found.items()), base_degree,
                         counterexample=found, wall_s=time.perf_counter() - started)
    statuses = []
    for d in (base_degree,):
        mults = _multipliers(step, d)
        for objective in ("trace", "trace_s0", "interior"):
            grams, status = _solve_gram(step, mults, objective)
            statuses.append(f"d={d} {objective}: {status}")
            if grams is None:
                continue
            for denominator in DENOMINATORS:
                certificate = _exact(step, mults, grams, denominator)
                if certificate is not None:
                    return SOSResult("HOLDS", f"exact SOS certificate of degree {d} ({len(certificate)} "
                                     f"multipliers, rationals with denominators <= {denominator}; identity "
                                     "checked in sympy)", d, certificate, solver_status=status,
                                     wall_s=time.perf_counter() - started)
    return SOSResult("INCONCLUSIVE", f"no exact certificate at degree {base_degree} and no "
                     f"counterexample in {SAMPLES} samples ({'; '.join(statuses)})", base_degree,
                     solver_status="; ".join(statuses), wall_s=time.perf_counter() - started)
