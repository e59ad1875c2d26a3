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
Every number below is in these normalised units (the initial quantity is 1), so no
comparison depends on the scale of the problem.

Decision (scale-free; a solver may delay a verdict, never decide it for the claim).
PEPit reports, after each solve, the primal value p (a Gram matrix attaining it: a
lower estimate of W), the dual value d (the value of the reconstructed proof: an upper
estimate) and the residuals of both: the negative eigenvalues of the Gram and dual
matrices, the largest primal constraint violation, the most negative inequality
multiplier, and the coefficients left over when the proof is reconstructed (a dual
certificate is exact when they vanish). Their sum e, with |d - p|, bounds how far
p and d can be from W: each residual multiplies a Gram entry or function-value
difference of size O(1) under the normalisation init <= 1. Measured on the 59
optimal rows of ``property_tests/test_published_worst_cases.py``: |p - W| and |d - W|
are at most 0.18 e, and W lies in every band; the primal residuals alone are not
enough (p exceeds W by up to 6 times them: they are weighted by the proof's
multipliers), so both ends of the band carry the whole sum. On the quadratic class
PEPit's proof does not reconstruct (residual 5..7 from N = 2, for values near 1):
its rows stay undecided unless far from c. The row's band is
[min(p, d) - e, max(p, d) + e] with e = |d - p| + the residuals, and with the stated
constant c:

- ``violated`` iff the band lies above c, ``holds`` iff it lies below c;
- ``tight`` iff c lies in the band and the band is narrower than TIGHT_MAX = 1e-3 of c:
  the bound is the exact worst case to that resolution, reported as "tight to +-r"
  (DESIGN "Power": a tight claim holds to the checker's resolution; 1e-3 is ten times
  below the 1% target, and a claim off by more than 0.1% at a row is never tight
  there: it is violated or undecided);
- ``undecided`` otherwise, and whenever the status is not ``optimal`` (or
  ``unbounded``: W = inf) or PEPit's report is missing. Such a row is solved again
  (ATTEMPTS) until one decides: Clarabel without static
  regularisation, then also with iterative refinement to 1e-15, then without
  equilibration (measured on the strongly convex class with mu >= L/2, N = 8..10:
  the default stalls at primal residual 7e-8 with ``optimal_inaccurate``, and each
  variant reaches ``optimal`` on a different subset of rows), then SCS at eps 1e-9, a
  second, first-order solver, only when no Clarabel attempt reached ``optimal`` (its
  accuracy, measured 1e-4..1e-2 relative on these rows, cannot narrow an optimal
  interior-point band).

A statement is VIOLATED when a row is violated, INCONCLUSIVE when no row holds and
none is tight, else HOLDS; undecided rows contribute nothing to tightness or slack
and are counted in the message. Clarabel is the first solver because SCS's default
accuracy (1e-4) cannot tell a tight bound from one off by 1e-4. Parameters: L = 1
(the classes are invariant under f -> f / L; a statement written in L is checked at
L = 1), and for eta and mu the points of :func:`parameter_grid`.

A class whose interpolation conditions are only necessary (PEPit's "cheap" PL
constraints) would make W an upper bound only; such classes are not offered.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.theorems.statement import Statement, StatementError, t
from boundcheck.verifiers.models import MODELS, get_model

SOLVER = "CLARABEL"
#: solve attempts in order: (name, cvxpy solver, options); see the module docstring
_REFINE = {"iterative_refinement_reltol": 1e-15, "iterative_refinement_abstol": 1e-15,
           "iterative_refinement_max_iter": 50}
ATTEMPTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("clarabel", "CLARABEL", {}),
    ("clarabel-noreg", "CLARABEL", {"static_regularization_enable": False, "max_iter": 400}),
    ("clarabel-noreg-refined", "CLARABEL", {"static_regularization_enable": False, "max_iter": 400, **_REFINE}),
    ("clarabel-noreg-unscaled", "CLARABEL", {"static_regularization_enable": False, "max_iter": 400,
                                             "equilibrate_enable": False}),
    ("scs", "SCS", {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 20_000}),
)
TIGHT_MAX = 1e-3
N_MAX = 10

#: function class name -> (PEPit class, whether mu enters)
CLASSES: dict[str, tuple[str, bool]] = {
    "smooth": ("SmoothFunction", False),
    "smooth_convex": ("SmoothStronglyConvexFunction", True),
    "smooth_strongly_convex": ("SmoothStronglyConvexFunction", True),
    "smooth_strongly_convex_quadratic": ("SmoothStronglyConvexQuadraticFunction", True),
}
INITIAL_ATOMS = ("R_sq", "f0_gap")
INDEXED_ATOMS = ("gap", "f", "dist_sq", "grad_sq")
MODEL_BOUNDS = {"mu": (0.0, 1.0), "eta": (0.0, 4.0)}  # at L = 1: mu <= L, eta <= 4 / L (model constraints)


class NotApplicable(StatementError):
    """The statement cannot be posed as a performance-estimation problem."""


@dataclass
class Row:
    """One parameter point and N: the last solve attempt, its band and the decision."""

    N: int
    params: dict[str, float]
    worst: float  # PEPit's dual value d (upper estimate of W); inf unbounded, nan failed
    stated: float  # c
    ratio: float  # worst / stated
    status: str  # solver status of the last attempt
    decision: str  # violated | holds | tight | undecided
    band: tuple[float, float]  # W lies in [lo, hi] (normalised units)
    resolution: float  # width of the band relative to |c|
    solver: str  # name of the last attempt
    attempts: list[str]  # "name: status" per attempt
    residuals: dict[str, float]  # PEPit's report of the last attempt
    solve_s: float

    @property
    def violated(self) -> bool:
        return self.decision == "violated"


@dataclass
class Certificate:
    """Everything a worst-case certification found, as stored and printed."""

    statement_id: str
    statement_hash: str
    function_class: str
    verdict: str
    message: str
    solver: str = SOLVER
    tolerances: dict[str, Any] = field(default_factory=lambda: {
        "tight_max": TIGHT_MAX, "band": "[min(p,d) - e, max(p,d) + e], e = sum of PEPit residuals",
        "attempts": [name for name, _, _ in ATTEMPTS]})
    rows: list[Row] = field(default_factory=list)
    witness: dict[str, Any] | None = None
    confirmation: dict[str, Any] | None = None
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for row, original in zip(out["rows"], self.rows):
            row["violated"] = original.violated
            for key in ("worst", "ratio", "resolution"):
                if not math.isfinite(row[key]):
                    row[key] = str(row[key])
            row["band"] = [v if math.isfinite(v) else str(v) for v in row["band"]]
        return out


# ------------------------------------------------------------------ posing


def function_class_of(statement: Statement) -> str:
    """The class a statement is a claim about: its worst_case quantifier's, else its model's."""
    if statement.quantifier.kind == "worst_case":
        name = statement.quantifier.get("function_class")
    elif statement.quantifier.kind == "for_all":
        # a for_all statement over a model that declares a function class is a claim about it
        name = get_model(statement.model).function_class if statement.model in MODELS else None
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


def _build(function_class: str, params: dict[str, float], N: int, evaluate_last: bool = False) -> _Problem:
    """The PEP of N steps; ``evaluate_last`` also queries the oracle at x_N (for a witness).

    Querying x_N adds (g_N, f_N) and their interpolation conditions; the worst case is
    unchanged, since any function of the class through x_0..x_{N-1}, x* gives values at
    x_N that satisfy them (Taylor, Hendrickx & Glineur 2017, Thm. 4).
    """
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
    if evaluate_last:
        func.oracle(x)
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


#: PEPit's report (``PEP.check_feasibility`` at verbose=1; PEPit 0.5 exposes these values only
#: in print): phrase -> residual name. A phrase printed without "up to an error of" means 0.
_REPORT = {
    "The solver found a Gram matrix that is positive semi-definite": "gram_psd",
    "All required PSD matrices are indeed positive semi-definite": "lmi_psd",
    "All the primal scalar constraints are verified": "primal_constraints",
    "The solver found a residual matrix that is positive semi-definite": "dual_psd",
    "All the dual matrices to lmi are positive semi-definite": "lmi_dual_psd",
    "All the dual scalar values associated with inequality constraints are nonnegative": "dual_sign",
    "The worst-case guarantee proof is perfectly reconstituted": "reconstruction",
}
_REQUIRED = ("gram_psd", "dual_psd", "reconstruction", "dual", "primal")
_NUMBER = r"([-+0-9.eEinfa]+)"


def pepit_report(text: str) -> dict[str, float]:
    """Residuals, primal and dual values from PEPit's printed feasibility check ({} if incomplete)."""
    out: dict[str, float] = {}
    for phrase, name in _REPORT.items():
        found = re.search(re.escape(phrase) + r"(?: up to an error of " + _NUMBER + ")?", text)
        if found:
            out[name] = abs(float(found.group(1))) if found.group(1) else 0.0
    final = re.search(r"Final upper bound \(dual\): " + _NUMBER + r" and lower bound \(primal example\): "
                      + _NUMBER, text)
    if final:
        out["dual"], out["primal"] = float(final.group(1)), float(final.group(2))
    return out if all(k in out for k in _REQUIRED) else {}


@dataclass
class Solved:
    """One solve attempt: PEPit's value (the dual d), the solver status and PEPit's report."""

    value: float
    status: str
    solver: str
    residuals: dict[str, float]
    built: _Problem


def solve(function_class: str, posed: _Posed, params: dict[str, float], N: int,
          attempt: tuple[str, str, dict[str, Any]] = ATTEMPTS[0], reduce_dimension: bool = False,
          evaluate_last: bool = False) -> Solved:
    """One attempt at the worst case W of ``posed`` (inf when unbounded, nan when the solver failed)."""
    name, solver, options = attempt
    built = _build(function_class, params, N, evaluate_last)
    built.problem.set_initial_condition(_pep_expr(built, posed.init) <= 1)
    if posed.min_over is not None:
        for j in range(posed.min_over + 1):
            built.problem.set_performance_metric(built.func.gradient(built.points[j]) ** 2)
    else:
        built.problem.set_performance_metric(_pep_expr(built, posed.lhs))
    if reduce_dimension:
        options = {**options, "dimension_reduction_heuristic": "trace"}
    from cvxpy.error import SolverError

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Solution may be inaccurate": the status says it
            value = built.problem.solve(wrapper="cvxpy", solver=solver, verbose=1, **options)
    except (SolverError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return Solved(math.nan, f"solver failed: {exc}", name, {}, built)
    status = str(getattr(getattr(built.problem.wrapper, "prob", None), "status", "unknown"))
    if value is None:
        return Solved(math.inf if status == "unbounded" else math.nan, status, name, {}, built)
    return Solved(float(value), status, name, pepit_report(printed.getvalue()), built)


def decide(solved: Solved, stated: float) -> tuple[str, tuple[float, float], float]:
    """(decision, band, resolution) of one attempt against the stated constant c (module docstring)."""
    if solved.status == "unbounded" and solved.value == math.inf:
        return ("violated" if math.isfinite(stated) else "undecided"), (math.inf, math.inf), math.inf
    r = solved.residuals
    if solved.status != "optimal" or not r or not all(math.isfinite(v) for v in r.values()):
        return "undecided", (-math.inf, math.inf), math.inf
    err = abs(r["dual"] - r["primal"]) + sum(v for k, v in r.items() if k not in ("dual", "primal"))
    lo, hi = min(r["primal"], r["dual"]) - err, max(r["primal"], r["dual"]) + err
    resolution = (hi - lo) / abs(stated) if stated != 0 else math.inf
    if lo > stated:
        return "violated", (lo, hi), resolution
    if hi < stated:
        return "holds", (lo, hi), resolution
    return ("tight" if resolution <= TIGHT_MAX else "undecided"), (lo, hi), resolution


def solve_row(function_class: str, posed: _Posed, params: dict[str, float], N: int) -> Row:
    """Solve; while undecided, solve again with the next attempt of ATTEMPTS.

    The row keeps the first decided attempt, else the one with the narrowest band (the
    most informative undecided one), else the first.
    """
    tic = time.perf_counter()
    tried, results = [], []
    for attempt in ATTEMPTS:
        if attempt[1] == "SCS" and any(x[0].status == "optimal" for x in results):
            break  # an interior-point band too wide to decide: a first-order solver will not narrow it
        solved = solve(function_class, posed, params, N, attempt)
        results.append((solved, *decide(solved, posed.stated)))
        tried.append(f"{solved.solver}: {solved.status[:60]}")
        if results[-1][1] != "undecided":
            break
    solved, decision, band, resolution = min(results, key=lambda x: (x[1] == "undecided", x[3]))
    ratio = solved.value / posed.stated if posed.stated > 0 else math.inf
    return Row(N, dict(params), solved.value, posed.stated, ratio, solved.status, decision, band, resolution,
               solved.solver, tried, solved.residuals, time.perf_counter() - tic)


# ------------------------------------------------------------------ certifying


def certify_worst_case(statement: Statement, n_max: int = N_MAX, confirm: bool = True) -> Certificate:
    """Solve the PEP for N = max(1, t_min) .. n_max at every grid point; decide; build a witness."""
    started = time.perf_counter()
    cls = function_class_of(statement)
    cert = Certificate(statement.id, statement.hash(), cls, "HOLDS", "")
    for params in parameter_grid(statement, cls):
        for N in range(max(1, statement.t_min), n_max + 1):
            cert.rows.append(solve_row(cls, pose(statement, N, params), params, N))
    cert.verdict, cert.message = judge(cert.rows)
    if cert.verdict == "VIOLATED" and confirm:
        from boundcheck.verifiers.certificates.witness import confirm_witness

        first = first_violation(cert.rows)
        cert.witness, cert.confirmation = confirm_witness(statement, cls, first.params, first.N)
        cert.message += "; " + cert.confirmation["message"]
    cert.wall_s = time.perf_counter() - started
    return cert


def first_violation(rows: list[Row]) -> Row:
    return min((r for r in rows if r.violated), key=lambda r: (r.N, -r.ratio))


def judge(rows: list[Row]) -> tuple[str, str]:
    """(verdict, message) from the rows' decisions: any violated row decides; undecided rows count for nothing."""
    by = {d: [r for r in rows if r.decision == d] for d in ("violated", "holds", "tight", "undecided")}
    undecided = ""
    if by["undecided"]:
        u = by["undecided"][0]
        undecided = (f"{len(by['undecided'])} of {len(rows)} rows undecided, not counted (first: N = {u.N}, "
                     f"{_short(u.params)}, {'; '.join(u.attempts)}"
                     + (f", band +-{u.resolution:.2g} of the bound" if math.isfinite(u.resolution) else "") + ")")
    if by["violated"]:
        first = first_violation(rows)
        return "VIOLATED", (f"at N = {first.N}, {_short(first.params)}: worst case >= {first.band[0]:.6g} > stated "
                            f"{first.stated:.6g} (ratio {first.ratio:.4f}, solver {first.solver}: {first.status})")
    if not by["holds"] and not by["tight"]:
        return "INCONCLUSIVE", "undecided: " + (undecided or "no rows")
    parts = []
    if by["holds"]:
        top = max(by["holds"], key=lambda r: r.ratio)
        parts.append(f"worst case < stated bound at {len(by['holds'])} rows (N = {rows[0].N}..{rows[-1].N}); "
                     f"max tightness {top.ratio:.6f} at N = {top.N}, {_short(top.params)}")
    if by["tight"]:
        r = max(x.resolution for x in by["tight"])
        parts.append(f"{len(by['tight'])} rows tight: the bound is the exact worst case to +-{r:.1e}")
    return "HOLDS", "; ".join(parts + ([undecided] if undecided else []))


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
