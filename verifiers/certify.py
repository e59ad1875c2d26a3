"""Exact worst cases by performance estimation (PEP): a stated rate settled by an SDP.

For gradient descent x_{k+1} = x_k - eta grad f(x_k) on a function class with exact
interpolation conditions (L-smooth; L-smooth convex; L-smooth mu-strongly convex;
quadratics), the worst case of a performance measure after N steps, given an initial
quantity, is the value of a small semidefinite program (Drori & Teboulle, Math.
Program. 2014; Taylor, Hendrickx & Glineur, Math. Program. 2017). PEPit builds that
SDP (we do not rewrite it); this module translates a statement's conclusion into one.

Translation. The conclusion ``lhs <= rhs`` is read at t = N with numeric L, mu, eta.
Observables map to PEP expressions: ``gap[k]`` f(x_k) - f*, ``f[k]`` f(x_k),
``dist_sq[k]`` ||x_k - x*||^2, ``grad_sq[k]`` ||g_k||^2, ``min_grad_sq[k]``
min_{j<=k} ||g_j||^2 (PEPit's minimum of several metrics), ``R_sq`` ||x_0 - x*||^2,
``f0_gap`` f(x_0) - f*. ``rhs`` must be linear in these, ``rhs = c * init`` with the
first atom of ``init`` of coefficient 1; the SDP maximises ``lhs`` subject to
``init <= 1``. By homogeneity (scaling x by s scales every atom by s^2) the claim holds
on the whole class iff the worst case W satisfies W <= c; W / c is the tightness.

Decision. VIOLATED iff W > c (1 + RTOL) + ATOL, with RTOL = 1e-5, ATOL = 1e-5 (in
units of the normalised initial quantity), on a row the solver reports ``optimal``:
Clarabel (an interior-point solver, pip-installable, run at its default tolerances
1e-8 on the duality gap and feasibility) returns the PEP value to about 1e-8
relative on most of these problems (measured: Drori-Teboulle ratios 1 +- 4e-8 for
N <= 10), but on the quadratic class at N >= 6 its answers drift by up to ~1e-5
absolute (measured: N = 8, mu = 0.5, h = 1 gives 2.25e-5 where the exact worst case,
a quadratic with eigenvalues {mu, L}, is 1.53e-5) and it reports ``optimal_inaccurate``
or fails on some. A violation seen only on such rows, or a failed solve, makes the
verdict INCONCLUSIVE, never VIOLATED.
Clarabel rather than SCS because SCS is a first-order method whose default accuracy
(1e-4) cannot tell a tight bound (ratio 1.000) from one off by 1e-4. Parameters:
L = 1 (the classes are invariant under f -> f / L; a statement written in L is
checked at L = 1), and for eta and mu the points of :func:`parameter_grid`.

A class whose interpolation conditions are only necessary (PEPit's "cheap" PL
constraints) would make W an upper bound only; such classes are not offered.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import sympy as sp

from theorems.statement import Statement, StatementError, t
from verifiers.verdict import Verdict

SOLVER = "CLARABEL"
RTOL, ATOL = 1e-5, 1e-5
N_MAX = 10
#: solver statuses a verdict may rest on ("unbounded": the worst case is infinite)
DECISIVE = ("optimal", "unbounded")

#: function class name -> (PEPit class, whether mu enters)
CLASSES: dict[str, tuple[str, bool]] = {
    "smooth": ("SmoothFunction", False),
    "smooth_convex": ("SmoothStronglyConvexFunction", True),
    "smooth_strongly_convex": ("SmoothStronglyConvexFunction", True),
    "smooth_strongly_convex_quadratic": ("SmoothStronglyConvexQuadraticFunction", True),
}
#: a for_all statement over one of these models is a claim about the whole class
MODEL_CLASSES = {
    "smooth.convex": "smooth_strongly_convex",
    "smooth.nonconvex": "smooth",
    "smooth.quadratic": "smooth_strongly_convex_quadratic",
}
INITIAL_ATOMS = ("R_sq", "f0_gap")
INDEXED_ATOMS = ("gap", "f", "dist_sq", "grad_sq")
MODEL_BOUNDS = {"mu": (0.0, 1.0), "eta": (0.0, 4.0)}  # at L = 1: mu <= L, eta <= 4 / L (model constraints)


class NotApplicable(StatementError):
    """The statement cannot be posed as a performance-estimation problem."""


@dataclass
class Row:
    """One solved SDP: N steps at one parameter point."""

    N: int
    params: dict[str, float]
    worst: float
    stated: float
    ratio: float
    status: str
    violated: bool
    solve_s: float


@dataclass
class Certificate:
    """Everything a worst-case certification found, as stored and printed."""

    statement_id: str
    statement_hash: str
    function_class: str
    verdict: str
    message: str
    solver: str = SOLVER
    tolerances: dict[str, float] = field(default_factory=lambda: {"rtol": RTOL, "atol": ATOL,
                                                                   "solver_gap": 1e-8, "solver_feas": 1e-8})
    rows: list[Row] = field(default_factory=list)
    witness: dict[str, Any] | None = None
    confirmation: dict[str, Any] | None = None
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for row in out["rows"]:
            for key in ("worst", "ratio"):
                if not math.isfinite(row[key]):
                    row[key] = str(row[key])
        return out


# ------------------------------------------------------------------ posing


def function_class_of(statement: Statement) -> str:
    """The class a statement is a claim about: its worst_case quantifier's, else its model's."""
    if statement.quantifier.kind == "worst_case":
        name = statement.quantifier.get("function_class")
    elif statement.quantifier.kind == "for_all":
        name = MODEL_CLASSES.get(statement.model)
    else:
        name = None
    if name is None:
        raise NotApplicable(f"{statement.id}: no function class (quantifier {statement.quantifier.kind}, "
                            f"model {statement.model})")
    if name not in CLASSES:
        raise NotApplicable(f"{statement.id}: unknown function class {name!r} (known: {', '.join(CLASSES)})")
    if any(h.relation.atoms(sp.Indexed) for h in statement.hypotheses):
        raise NotApplicable(f"{statement.id}: a hypothesis names an observable; not a PEP")
    return name


def _interval(statement: Statement, name: str, fixed: dict[str, float]) -> sp.Set:
    symbol = sp.Symbol(name, real=True)
    lo, hi = MODEL_BOUNDS[name]
    region: sp.Set = sp.Interval(lo, hi)
    for h in statement.hypotheses:
        relation = statement.substituted(h.relation)
        relation = relation.xreplace({s: sp.Float(fixed[s.name]) if s.name in fixed else sp.Symbol(s.name, real=True)
                                      for s in relation.free_symbols})
        if relation.free_symbols == {symbol}:
            region = region.intersect(sp.solveset(relation, symbol, sp.S.Reals))
        elif not relation.free_symbols and relation == sp.false:
            return sp.S.EmptySet
    return region


def _points(region: sp.Set) -> list[float]:
    if isinstance(region, sp.FiniteSet):
        return sorted(float(v) for v in region)
    if region.is_empty or not isinstance(region, sp.Interval):
        raise NotApplicable(f"hypotheses give the parameter range {region}, not an interval")
    a, b = float(region.inf), float(region.sup)
    upper = b if not region.right_open else a + 0.95 * (b - a)
    return [upper, (a + b) / 2]


def parameter_grid(statement: Statement, function_class: str) -> list[dict[str, float]]:
    """Points (L = 1, mu, eta) at which the statement is posed.

    mu: the class's smallest (0, the largest class) when the statement does not name
    it, else 10% and 50% of its range under the hypotheses; eta: the top of its range
    (95% of the way when the range is open there) and the midpoint.
    """
    names = statement.symbol_names
    fixed: dict[str, float] = {"L": 1.0}
    mus = [0.0]
    if CLASSES[function_class][1] and "mu" in names:
        region = _interval(statement, "mu", fixed)
        if region.is_empty or not isinstance(region, sp.Interval):
            raise NotApplicable(f"{statement.id}: hypotheses give mu the range {region}")
        a, b = float(region.inf), float(region.sup)
        mus = [a + 0.1 * (b - a), a + 0.5 * (b - a)]
    grid = []
    for mu in mus:
        for eta in _points(_interval(statement, "eta", {**fixed, "mu": mu})):
            grid.append({"L": 1.0, "mu": mu, "eta": eta})
    return grid


@dataclass
class _Posed:
    lhs: sp.Expr
    min_over: int | None  # min_grad_sq[k]: k, the metric is min_{j<=k} ||g_j||^2
    init: sp.Expr
    stated: float


def pose(statement: Statement, N: int, params: dict[str, float]) -> _Posed:
    """The conclusion at t = N with numeric parameters, split into lhs, c and init."""
    relation = statement.substituted(statement.conclusion)
    if isinstance(relation, (sp.Ge, sp.Gt)):
        lhs, rhs = relation.rhs, relation.lhs
    elif isinstance(relation, (sp.Le, sp.Lt)):
        lhs, rhs = relation.lhs, relation.rhs
    else:
        raise NotApplicable(f"{statement.id}: conclusion is not an inequality")
    values = {s: sp.Float(params[s.name]) for s in relation.free_symbols if s.name in ("L", "mu", "eta")}
    values[t] = sp.Integer(N)
    lhs, rhs = sp.expand(lhs.xreplace(values)), sp.expand(rhs.xreplace(values))
    min_over = None
    mins = [ix for ix in lhs.atoms(sp.Indexed) if ix.base.label.name == "min_grad_sq"]
    if mins:
        if lhs != mins[0]:
            raise NotApplicable(f"{statement.id}: min_grad_sq must stand alone on the left")
        min_over = int(mins[0].indices[0])
    atoms = _atoms(statement, rhs)
    if not atoms:
        raise NotApplicable(f"{statement.id}: the bound names no initial quantity")
    poly = sp.Poly(rhs, *atoms)
    if poly.total_degree() > 1 or float(poly.coeff_monomial(1)) != 0.0:
        raise NotApplicable(f"{statement.id}: the bound is not linear and homogeneous in the observables")
    c = float(poly.coeff_monomial(atoms[0]))
    if c == 0:
        raise NotApplicable(f"{statement.id}: the bound's leading coefficient is 0")
    return _Posed(lhs, min_over, sp.expand(rhs / c), c)


def _atoms(statement: Statement, expr: sp.Expr) -> list[sp.Basic]:
    found = []
    for a in expr.free_symbols | expr.atoms(sp.Indexed):
        if isinstance(a, sp.Indexed):
            if a.base.label.name not in INDEXED_ATOMS:
                raise NotApplicable(f"{statement.id}: {a.base.label.name} is not a PEP quantity")
            found.append(a)
        elif isinstance(a, sp.Symbol) and not any(a in ix.free_symbols for ix in expr.atoms(sp.Indexed)):
            if a.name not in INITIAL_ATOMS:
                raise NotApplicable(f"{statement.id}: {a.name} is not a PEP quantity")
            found.append(a)
    return sorted(found, key=sp.default_sort_key)


# ------------------------------------------------------------------ solving


@dataclass
class _Problem:
    problem: Any
    func: Any
    xs: Any
    fs: Any
    points: list[Any]


def _build(function_class: str, params: dict[str, float], N: int) -> _Problem:
    import PEPit.functions as functions
    from PEPit import PEP

    class_name, uses_mu = CLASSES[function_class]
    problem = PEP()
    kwargs = {"L": params["L"], "mu": params["mu"]} if uses_mu else {"L": params["L"]}
    func = problem.declare_function(getattr(functions, class_name), **kwargs)
    xs = func.stationary_point()
    fs = func(xs)
    x = problem.set_initial_point()
    points = [x]
    for _ in range(N):
        x = x - params["eta"] * func.gradient(x)
        points.append(x)
    return _Problem(problem, func, xs, fs, points)


def _pep_expr(built: _Problem, expr: sp.Expr) -> Any:
    """A linear sympy expression in PEP atoms as a PEPit expression."""
    total = None
    for atom, coef in sp.Poly(expr, *_all_atoms(expr)).terms():
        index = [i for i, power in enumerate(atom) if power == 1]
        term = float(coef) * _pep_atom(built, _all_atoms(expr)[index[0]])
        total = term if total is None else total + term
    return total


def _all_atoms(expr: sp.Expr) -> list[sp.Basic]:
    indexed = sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)
    symbols = sorted((s for s in expr.free_symbols if s.name in INITIAL_ATOMS), key=sp.default_sort_key)
    return indexed + symbols


def _pep_atom(built: _Problem, atom: sp.Basic) -> Any:
    if isinstance(atom, sp.Symbol):
        x0 = built.points[0]
        return (x0 - built.xs) ** 2 if atom.name == "R_sq" else built.func(x0) - built.fs
    k = int(atom.indices[0])
    if not 0 <= k < len(built.points):
        raise NotApplicable(f"index {k} outside 0..{len(built.points) - 1}")
    x = built.points[k]
    name = atom.base.label.name
    if name == "gap":
        return built.func(x) - built.fs
    if name == "f":
        return built.func(x)
    if name == "dist_sq":
        return (x - built.xs) ** 2
    return built.func.gradient(x) ** 2


def solve(function_class: str, posed: _Posed, params: dict[str, float], N: int,
          reduce_dimension: bool = False) -> tuple[float, str, _Problem]:
    """The worst case W of ``posed`` (inf when unbounded) and the solver status."""
    built = _build(function_class, params, N)
    built.problem.set_initial_condition(_pep_expr(built, posed.init) <= 1)
    if posed.min_over is not None:
        for j in range(posed.min_over + 1):
            built.problem.set_performance_metric(built.func.gradient(built.points[j]) ** 2)
    else:
        built.problem.set_performance_metric(_pep_expr(built, posed.lhs))
    options = {"dimension_reduction_heuristic": "trace"} if reduce_dimension else {}
    from cvxpy.error import SolverError

    try:
        value = built.problem.solve(wrapper="cvxpy", solver=SOLVER, verbose=0, **options)
    except SolverError as exc:
        return math.nan, f"solver failed: {exc}", built
    status = str(getattr(getattr(built.problem.wrapper, "prob", None), "status", "unknown"))
    if value is None:
        return (math.inf if "unbounded" in status else math.nan), status, built
    return float(value), status, built


def _violated(worst: float, stated: float) -> bool:
    return worst > stated * (1 + RTOL) + ATOL if stated >= 0 else worst > stated + ATOL


# ------------------------------------------------------------------ certifying


def certify_worst_case(statement: Statement, n_max: int = N_MAX, confirm: bool = True) -> Certificate:
    """Solve the PEP for N = max(1, t_min) .. n_max at every grid point; decide; build a witness."""
    started = time.perf_counter()
    cls = function_class_of(statement)
    cert = Certificate(statement.id, statement.hash(), cls, "HOLDS", "")
    for params in parameter_grid(statement, cls):
        for N in range(max(1, statement.t_min), n_max + 1):
            posed = pose(statement, N, params)
            tic = time.perf_counter()
            worst, status, _ = solve(cls, posed, params, N)
            ratio = worst / posed.stated if posed.stated > 0 else math.inf
            cert.rows.append(Row(N, dict(params), worst, posed.stated, ratio, status,
                                 bool(_violated(worst, posed.stated)), time.perf_counter() - tic))
    failed = [r for r in cert.rows if math.isnan(r.worst) or (r.violated and r.status not in DECISIVE)]
    bad = [r for r in cert.rows if r.violated and r.status in DECISIVE]
    if bad:
        first = min(bad, key=lambda r: (r.N, -r.ratio))
        cert.verdict = "VIOLATED"
        cert.message = (f"at N = {first.N}, {_short(first.params)}: worst case {first.worst:.6g} > stated "
                        f"{first.stated:.6g} (ratio {first.ratio:.4f})")
        if confirm:
            from verifiers.witness import confirm_witness
            cert.witness, cert.confirmation = confirm_witness(statement, cls, first.params, first.N)
            cert.message += "; " + cert.confirmation["message"]
    elif failed:
        cert.verdict = "INCONCLUSIVE"
        cert.message = (f"undecided: the solver failed or was inaccurate at N = {failed[0].N}, "
                        f"{_short(failed[0].params)} ({failed[0].status[:80]})")
    else:
        top = max(cert.rows, key=lambda r: r.ratio)
        cert.message = (f"worst case <= stated bound for N = {cert.rows[0].N}..{n_max} at {len(cert.rows)} "
                        f"points; max tightness {top.ratio:.6f} at N = {top.N}, {_short(top.params)}")
    cert.wall_s = time.perf_counter() - started
    return cert


def _short(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in params.items())


def applicable(statement: Statement) -> bool:
    """Whether the statement can be posed as a PEP (a function class, a linear homogeneous bound)."""
    try:
        cls = function_class_of(statement)
        grid = parameter_grid(statement, cls)
        pose(statement, max(1, statement.t_min), grid[0])
    except StatementError:
        return False
    return True


def run_worst_case(statement: Statement, budget: int, seed: int, progress, base: Verdict) -> Verdict:
    """The ``worst_case`` runner of :func:`verifiers.check.verify`: N up to min(budget, 10)."""
    cert = certify_worst_case(statement, n_max=max(1, min(budget, N_MAX)))
    base.verdict, base.message = cert.verdict, cert.message
    base.instances = len(cert.rows)
    finite = [r for r in cert.rows if math.isfinite(r.ratio)]
    base.max_tightness = max((r.ratio for r in finite), default=math.inf)
    base.min_slack = min((r.stated - r.worst for r in cert.rows if math.isfinite(r.worst)), default=-math.inf)
    base.details["certificate"] = cert.to_dict()
    if cert.verdict == "VIOLATED":
        row = min((r for r in cert.rows if r.violated and r.status in DECISIVE), key=lambda r: (r.N, -r.ratio))
        confirmation = cert.confirmation or {}
        instance = (cert.witness or {}).get("instance")
        base.counterexample = {
            "params": instance or {**row.params, "N": row.N}, "t": row.N, "observed": row.worst,
            "bound": row.stated, "slack": row.stated - row.worst, "replay_dps": confirmation.get("replay_dps"),
            "replay_observed": confirmation.get("replay_observed"), "replay_bound": confirmation.get("replay_bound"),
            "confirmation": confirmation.get("message", ""), "replay": f"boundcheck certify {statement.id}",
        }
    return base
