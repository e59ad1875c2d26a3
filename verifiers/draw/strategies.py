"""Drawing instances that satisfy a statement's hypotheses by construction.

Each hypothesis (and each constraint of the model) is solved for the parameter that
comes last in the model's declaration order among those it names
(:func:`boundcheck.theorems.symbolic.solve_for`): ``eta <= 1/L`` becomes an upper end for eta
once L is drawn. Parameters are then drawn in order, each within its domain and the
bounds solved for it. Hypotheses that are not linear in any parameter are tested
after drawing; hypotheses that name an observable (``lambda0``) are tested after the
run. A plan that no draw can meet is VACUOUS, with the smallest demanded value.

The same plan serves Hypothesis (:meth:`DrawPlan.strategy`, which shrinks) and
seeded Monte Carlo (:meth:`DrawPlan.sample`, for probability statements).

**Hypotheses on observables are decided with their rounding error** (DESIGN.md,
"Soundness"). An observable is computed, not given: ``top_proj_sq`` = (v_1^T r_0)^2 is
1e-31 in float64 where it is 0 in exact arithmetic, and ``top_proj_sq > 0`` must not be
met by that noise. Each such hypothesis is put as a margin ``f`` (``lhs - rhs`` for
``>``/``>=``, ``rhs - lhs`` for ``<``/``<=``) and is met only when ``f`` exceeds its
error bound ``SAFETY * err(f)``, derived per expression (:func:`~boundcheck.verifiers.decide.rounding.forward_error`): every
observable's own error carried through ``f`` to first order (the model's absolute bound
where it states one, :meth:`Model.observable_errors`; else ``observable_rtol`` relative),
plus the rounding of evaluating ``f``. Parameters and integer-valued observables (counts,
flags) are exact. An instance whose hypothesis holds only within that bound is outside
(counted so). :meth:`DrawPlan.post_ok_high_precision` decides the same hypotheses on a
high-precision replay, where a value that the replay left in float64 keeps float64 accuracy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.theorems.symbolic import Bound, solve_for
from boundcheck.verifiers.decide.compiled import compile_expression
from boundcheck.verifiers.decide.rounding import SAFETY, U, forward_error
from boundcheck.verifiers.models.base import Model


@dataclass
class _Solved:
    bound: Bound
    value_fn: Any  # numeric bound from already-drawn values
    coef_fn: Any
    arg_names: list[str]


class Infeasible(Exception):
    """The values drawn so far leave no admissible value for the next parameter."""

    def __init__(self, param: str, lo: float, hi: float, demanded: list[tuple[str, str, float]]):
        super().__init__(f"{param}: [{lo}, {hi}] is empty")
        self.param, self.lo, self.hi, self.demanded = param, lo, hi, demanded


class DrawPlan:
    """How to draw the parameters of ``model`` so that ``statement``'s hypotheses hold."""

    def __init__(self, statement: Statement, model: Model):
        self.statement, self.model = statement, model
        order = model.param_names
        self.domain = {}
        for p in model.params:
            lo, hi = statement.domain.get(p.name, (p.lo, p.hi))
            self.domain[p.name] = (max(lo, p.lo), min(hi, p.hi))
        self.bounds: dict[str, list[_Solved]] = {name: [] for name in order}
        self.checks: list[tuple[str, Any, list[str]]] = []
        self.post: list[tuple[str, sp.Basic]] = []
        self._compiled: dict[sp.Basic, tuple[list[str], Any]] = {}
        self._checks_cache: dict[sp.Basic, _PostCheck] = {}
        self.constant_failures: list[str] = []
        relations = [(h.name, statement.substituted(h.relation)) for h in statement.hypotheses]
        relations += list(model.constraints)
        self.relations = relations
        for name, relation in relations:
            self._add(name, relation, order)

    def _add(self, name: str, relation: sp.Basic, order: list[str]) -> None:
        if relation in (sp.true, True):
            return
        if relation in (sp.false, False):
            self.constant_failures.append(name)
            return
        names = {s.name for s in relation.free_symbols}
        unknown = names - set(order) - {o.name for o in self.model.observables}
        if unknown:
            raise StatementError(
                f"{self.statement.id}: hypothesis {name!r} names {sorted(unknown)[0]!r}, "
                f"which is neither a parameter nor an observable of {self.model.name}"
            )
        if names - set(order):
            self.post.append((name, relation))
            return
        if not names:
            if not bool(relation):
                self.constant_failures.append(name)
            return
        target = max(names, key=order.index)
        symbol = next(s for s in relation.free_symbols if s.name == target)
        bound = solve_for(name, relation, symbol)
        if bound.direction == "check":
            arg_names = sorted(names)
            fn = compile_expression([sp.Symbol(n) for n in arg_names], relation.xreplace(
                {s: sp.Symbol(s.name) for s in relation.free_symbols}), "math")
            self.checks.append((name, fn, arg_names))
            return
        free = sorted({s.name for s in (bound.expr.free_symbols | bound.coefficient.free_symbols)})
        plain = {s: sp.Symbol(s.name) for s in bound.expr.free_symbols | bound.coefficient.free_symbols}
        args = [sp.Symbol(n) for n in free]
        self.bounds[target].append(_Solved(
            bound, compile_expression(args, bound.expr.xreplace(plain), "math"),
            compile_expression(args, bound.coefficient.xreplace(plain), "math"), free))

    # ------------------------------------------------------------ intervals
    def interval(self, name: str, values: dict[str, Any]) -> tuple[float, float, bool, bool, float | None]:
        """(lo, hi, lo_open, hi_open, fixed) for parameter ``name`` given earlier values."""
        lo, hi = self.domain[name]
        lo_open = hi_open = False
        fixed = None
        demanded = []
        for solved in self.bounds[name]:
            args = [values[a] for a in solved.arg_names]
            try:
                value = float(solved.value_fn(*args))
                coefficient = float(solved.coef_fn(*args))
            except (ZeroDivisionError, OverflowError, ValueError):
                raise Infeasible(name, lo, hi, []) from None
            direction = solved.bound.direction
            if direction == "signed":
                direction = "upper" if coefficient > 0 else "lower" if coefficient < 0 else "none"
            if direction == "equal":
                fixed = value
            elif direction == "upper" and (value < hi or (value == hi and solved.bound.strict)):
                hi, hi_open = value, solved.bound.strict
                demanded.append((solved.bound.name, "<=", value))
            elif direction == "lower" and (value > lo or (value == lo and solved.bound.strict)):
                lo, lo_open = value, solved.bound.strict
                demanded.append((solved.bound.name, ">=", value))
        if fixed is not None:
            if not (lo <= fixed <= hi):
                raise Infeasible(name, lo, hi, demanded or [("fixed", "==", fixed)])
            return fixed, fixed, False, False, fixed
        if lo > hi or (lo == hi and (lo_open or hi_open)):
            raise Infeasible(name, lo, hi, demanded)
        return lo, hi, lo_open, hi_open, None

    def replicate(self, params: dict[str, Any], replicas: int) -> list[dict[str, Any]]:
        """``params`` and ``replicas - 1`` copies whose seed parameters are the next seeds in their domain.

        Hypothesis draws one parameter set and the kernel runs many instances of it: the
        draw is paid once, and shrinking ``replicas`` to 1 leaves one instance.
        """
        seeds = [p.name for p in self.model.params if p.kind == "seed"]
        out = [params]
        for j in range(1, replicas):
            copy = dict(params)
            for name in seeds:
                lo, hi = (int(v) for v in self.domain[name])
                copy[name] = lo + (params[name] - lo + j) % (hi - lo + 1)
            out.append(copy)
        return out

    def _checks_pass(self, values: dict[str, Any]) -> bool:
        return all(bool(fn(*[values[a] for a in args])) for _, fn, args in self.checks)

    def _integer_range(self, lo, hi, lo_open, hi_open, name) -> tuple[int, int]:
        ilo = math.floor(lo) + 1 if lo_open and float(lo).is_integer() else math.ceil(lo)
        ihi = math.ceil(hi) - 1 if hi_open and float(hi).is_integer() else math.floor(hi)
        if ilo > ihi:
            raise Infeasible(name, lo, hi, [])
        return int(ilo), int(ihi)

    # ------------------------------------------------------------ drawing
    def strategy(self) -> st.SearchStrategy[dict[str, Any]]:
        """A Hypothesis strategy of admissible parameter dicts (rejects infeasible draws)."""
        plan = self

        @st.composite
        def instances(draw):
            values: dict[str, Any] = {}
            for p in plan.model.params:
                try:
                    lo, hi, lo_open, hi_open, fixed = plan.interval(p.name, values)
                    if p.kind in ("int", "seed"):
                        ilo, ihi = plan._integer_range(lo, hi, lo_open, hi_open, p.name)
                        values[p.name] = draw(st.integers(ilo, ihi))
                    elif fixed is not None:
                        values[p.name] = fixed
                    else:
                        values[p.name] = draw(st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open,
                                                        allow_nan=False, allow_infinity=False))
                except Infeasible:
                    from hypothesis import reject
                    reject()
            if not plan._checks_pass(values):
                from hypothesis import reject
                reject()
            return values

        return instances()

    def _draw_numpy(self, rng: np.random.Generator, fixed: dict[str, Any], lowest: bool) -> dict[str, Any]:
        """Every parameter drawn in order (uniform; log-uniform over wide positive ranges), or
        each at the low end of its admissible interval when ``lowest``; raises Infeasible."""
        values: dict[str, Any] = dict(fixed)
        for p in self.model.params:
            if p.name in values:
                continue
            lo, hi, lo_open, hi_open, fixed_value = self.interval(p.name, values)
            if p.kind in ("int", "seed"):
                ilo, ihi = self._integer_range(lo, hi, lo_open, hi_open, p.name)
                values[p.name] = ilo if lowest else int(rng.integers(ilo, ihi + 1))
            elif fixed_value is not None:
                values[p.name] = fixed_value
            elif lowest and not lo_open:
                values[p.name] = lo
            elif lo > 0 and hi / lo > 100:
                values[p.name] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
            else:
                values[p.name] = float(rng.uniform(lo, hi))
        return values

    def smallest(self) -> dict[str, Any]:
        """Every parameter at the low end of its admissible interval (the cheapest instance
        the hypotheses allow); raises :class:`Infeasible` when there is none."""
        return self._draw_numpy(np.random.default_rng(0), {}, lowest=True)

    def sample(self, rng: np.random.Generator, fixed: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """One admissible draw by seeded Monte Carlo, or None when this draw is infeasible."""
        try:
            values = self._draw_numpy(rng, fixed or {}, lowest=False)
        except Infeasible:
            return None
        return values if self._checks_pass(values) else None

    def vacuity(self, probes: int = 256, seed: int = 0) -> dict[str, Any] | None:
        """None if some draw meets the hypotheses; else what they demand, for a VACUOUS verdict.

        The first probe puts every parameter at the low end of its range (the smallest
        instance); the others are random. For each hypothesis that excluded a probe, the
        least demanding value seen is reported with the instance it was computed at.
        """
        if self.constant_failures:
            return {"reason": f"hypotheses {', '.join(self.constant_failures)} are false for every instance",
                    "demanded": []}
        rng = np.random.default_rng(seed)
        closest: dict[str, float] = {}  # requirement -> the least demanding value seen
        for k in range(probes):
            try:
                values = self._draw_numpy(rng, {}, lowest=k == 0)
            except Infeasible as exc:
                for hyp, op, value in exc.demanded:
                    key = f"{exc.param} {op} {{}} ({hyp})"
                    if key not in closest or (value < closest[key] if op == ">=" else value > closest[key]):
                        closest[key] = value
                if not exc.demanded:
                    closest.setdefault(f"{exc.param}: no admissible value", math.nan)
                continue
            if self._checks_pass(values):
                return None
        demanded = [{"requirement": key.format(f"{value:.3g}"), "value": value} for key, value in closest.items()]
        allowed = ", ".join(f"{name} in [{self.domain[name][0]:g}, {self.domain[name][1]:g}]" for name in
                            sorted({key.split()[0].rstrip(":") for key in closest}) if name in self.domain)
        text = "; ".join(d["requirement"] for d in demanded) or "the hypotheses exclude every probed instance"
        return {"reason": f"no runnable instance meets the hypotheses: {text}"
                          + (f" (the compute budget allows {allowed})" if allowed else ""),
                "demanded": demanded}

    # ------------------------------------------------------------ after the run
    def _post_sides(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> tuple[float, float]:
        """Both sides in float64 (NaN, inf as IEEE gives them), by a function lambdified once
        per hypothesis: substituting into the sympy expression cost 0.35 ms per instance."""
        if relation not in self._compiled:
            symbols = sorted(relation.free_symbols, key=lambda symbol: symbol.name)
            self._compiled[relation] = ([symbol.name for symbol in symbols],
                                        compile_expression(symbols, (relation.lhs, relation.rhs), "numpy"))
        names, sides = self._compiled[relation]
        with np.errstate(all="ignore"):
            lhs, rhs = sides(*(float(obs[n] if n in obs else params[n]) for n in names))
        return float(lhs), float(rhs)

    def _post_check(self, relation: sp.Basic) -> _PostCheck:
        if relation not in self._checks_cache:
            self._checks_cache[relation] = _PostCheck(relation, set(self.model.param_names))
        return self._checks_cache[relation]

    def post_margin(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> tuple[float, float]:
        """(margin, error bound) of one observable hypothesis on a float64 run: it is met
        when margin > error bound (see the module docstring); NaN when undefined."""
        rtol = float(self.model.observable_rtol)
        return self._post_check(relation).float64(params, obs, self.model.observable_errors(params, obs), rtol)

    def _post_holds(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """An observable hypothesis on one run: met beyond its rounding error; a NaN side
        (undefined) does not meet it."""
        margin, error = self.post_margin(relation, params, obs)
        return _met(relation, margin, error)

    def post_ok(self, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """Hypotheses on observables, tested on the run's values, each beyond its error bound."""
        return all(self._post_holds(relation, params, obs) for _, relation in self.post)

    def post_ok_high_precision(self, params: dict[str, Any], obs: dict[str, Any], dps: int) -> bool:
        """The same hypotheses on a high-precision replay's observations (``Model.reference``
        with :func:`boundcheck.verifiers.models.precision.high_precision`). A value the replay computed in
        mpmath is taken to be accurate to half its digits (10**-(dps/2) relative, the
        replay's own confirmation threshold) unless the model states an absolute bound;
        one it left in float64 keeps float64 accuracy. A violation replayed on an instance
        that fails this is no counterexample: the instance is outside the hypotheses."""
        errors = self.model.observable_errors(params, obs)
        rtol = float(self.model.observable_rtol)
        return all(_met(relation, *self._post_check(relation).high_precision(params, obs, errors, dps, rtol))
                   for _, relation in self.post)

    def unmet_on_parameters(self, params: dict[str, Any]) -> list[str]:
        """The hypotheses (and model constraints) on parameters alone that ``params`` fails,
        each with its name (for ``boundcheck replay``, which takes any instance)."""
        names = set(self.model.param_names)
        out = []
        for name, relation in self.relations:
            if relation in (sp.true, True) or name in self.constant_failures:
                continue
            if relation in (sp.false, False) or not {str(x) for x in relation.free_symbols} <= names:
                if relation in (sp.false, False):
                    out.append(f"{name}: false for every instance")
                continue
            value = relation.xreplace({x: sp.Float(params[x.name], 17) if isinstance(params[x.name], float)
                                       else sp.Integer(params[x.name]) for x in relation.free_symbols})
            if value is not sp.true:
                out.append(f"{name}: {sp.sstr(relation)}")
        return out

    def unmet_post(self, params: dict[str, Any], obs: dict[str, Any]) -> list[str]:
        """The observable hypotheses one run fails, each as "name: relation"."""
        return [f"{name}: {sp.sstr(relation)}" for name, relation in self.post
                if not self._post_holds(relation, params, obs)]

    def post_report(self, params: dict[str, Any], obs: dict[str, Any]) -> list[str]:
        """Each unmet observable hypothesis, with both sides evaluated (and the margin's error
        bound when the hypothesis holds only within it)."""
        out = []
        for name, relation in self.post:
            if not self._post_holds(relation, params, obs):
                lhs, rhs = self._post_sides(relation, params, obs)
                margin, error = self.post_margin(relation, params, obs)
                in_float = margin == 0 or margin > 0  # met in float64, not beyond its error bound
                within = (f" (holds only within its rounding error: margin {margin:.3g}, error bound {error:.3g})"
                          if in_float else "")
                out.append(f"{name}: {sp.sstr(relation)} needs {lhs:.4g} vs {rhs:.4g}{within}")
        return out


def _met(relation: sp.Basic, margin: Any, error: Any) -> bool:
    """Met beyond the error bound: ``margin > error``; a non-strict relation on exact values
    (error 0) is met at margin 0 too; an equality only on exact values."""
    try:
        margin, error = float(margin), float(error)
    except (TypeError, ValueError, OverflowError):
        return False
    if math.isnan(margin) or math.isnan(error):
        return False
    if isinstance(relation, sp.Eq):
        return error == 0 and margin == 0
    if margin > error:
        return True
    return error == 0 and margin == 0 and isinstance(relation, (sp.Ge, sp.Le))


class _PostCheck:
    """One observable hypothesis compiled: its margin and the margin's error bound."""

    def __init__(self, relation: sp.Basic, parameters: set[str]):
        if isinstance(relation, (sp.Gt, sp.Ge)):
            margin = relation.lhs - relation.rhs
        elif isinstance(relation, (sp.Lt, sp.Le)):
            margin = relation.rhs - relation.lhs
        elif isinstance(relation, sp.Eq):
            margin = -sp.Abs(relation.lhs - relation.rhs)
        else:
            raise StatementError(f"hypothesis {relation} is not a comparison")
        symbols = sorted(relation.free_symbols, key=lambda symbol: symbol.name)
        self.names = [symbol.name for symbol in symbols]
        # exact: parameters (an instance is its float parameters) and integer-valued observables
        self.inexact = [symbol for symbol in symbols if symbol.name not in parameters and not symbol.is_integer]
        deltas = [sp.Symbol(f"_delta_{symbol.name}", nonnegative=True) for symbol in self.inexact]
        u = sp.Symbol("_u", positive=True)
        found = dict(zip(self.inexact, deltas))
        # both sides' errors, and one rounding of their difference (none when it is 0: the
        # sign of fl(lhs - rhs) is the sign of lhs - rhs, and exact sides compare exactly)
        error = (forward_error(relation.lhs, found, u) + forward_error(relation.rhs, found, u)
                 + u * sp.Abs(relation.lhs - relation.rhs))
        args = symbols + deltas + [u]
        self._float = compile_expression(args, (margin, error), "numpy")
        self._mp = compile_expression(args, (margin, error), "mpmath")
        self.exact_error = error == 0

    def float64(self, params: dict, obs: dict, errors: dict, rtol: float) -> tuple[float, float]:
        values = [float(obs[n] if n in obs else params[n]) for n in self.names]
        deltas = [float(errors[s.name]) if s.name in errors else rtol * abs(float(obs[s.name]))
                  for s in self.inexact]
        with np.errstate(all="ignore"):
            margin, error = self._float(*values, *deltas, U)
        return float(margin), SAFETY * float(error)

    def high_precision(self, params: dict, obs: dict, errors: dict, dps: int, rtol: float) -> tuple[Any, Any]:
        import mpmath

        mpmath.mp.dps = dps
        half = mpmath.mpf(10) ** (-(dps // 2))
        values = [mpmath.mpf(obs[n] if n in obs else params[n]) for n in self.names]
        deltas = []
        for s in self.inexact:
            value = obs[s.name]
            if s.name in errors:
                deltas.append(mpmath.mpf(errors[s.name]))
            elif isinstance(value, mpmath.mpf):
                deltas.append(half * abs(value))
            else:  # left in float64 by the replay: float64 accuracy
                deltas.append(mpmath.mpf(rtol) * abs(mpmath.mpf(float(value))))
        try:
            margin, error = self._mp(*values, *deltas, mpmath.mpf(10) ** (1 - dps))
        except (ZeroDivisionError, ValueError):
            return mpmath.nan, mpmath.nan
        return margin, SAFETY * error
