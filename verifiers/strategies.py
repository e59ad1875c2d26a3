"""Drawing instances that satisfy a statement's hypotheses by construction.

Each hypothesis (and each constraint of the model) is solved for the parameter that
comes last in the model's declaration order among those it names
(:func:`theorems.symbolic.solve_for`): ``eta <= 1/L`` becomes an upper end for eta
once L is drawn. Parameters are then drawn in order, each within its domain and the
bounds solved for it. Hypotheses that are not linear in any parameter are tested
after drawing; hypotheses that name an observable (``lambda0``) are tested after the
run. A plan that no draw can meet is VACUOUS, with the smallest demanded value.

The same plan serves Hypothesis (:meth:`DrawPlan.strategy`, which shrinks) and
seeded Monte Carlo (:meth:`DrawPlan.sample`, for probability statements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorems.statement import Statement, StatementError
from theorems.symbolic import Bound, solve_for
from verifiers.models.base import Model


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
        self.constant_failures: list[str] = []
        relations = [(h.name, statement.substituted(h.relation)) for h in statement.hypotheses]
        relations += list(model.constraints)
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
            fn = sp.lambdify([sp.Symbol(n) for n in arg_names], relation.xreplace(
                {s: sp.Symbol(s.name) for s in relation.free_symbols}), "math")
            self.checks.append((name, fn, arg_names))
            return
        free = sorted({s.name for s in (bound.expr.free_symbols | bound.coefficient.free_symbols)})
        plain = {s: sp.Symbol(s.name) for s in bound.expr.free_symbols | bound.coefficient.free_symbols}
        args = [sp.Symbol(n) for n in free]
        self.bounds[target].append(_Solved(
            bound, sp.lambdify(args, bound.expr.xreplace(plain), "math"),
            sp.lambdify(args, bound.coefficient.xreplace(plain), "math"), free))

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
                                        sp.lambdify(symbols, (relation.lhs, relation.rhs), modules="numpy"))
        names, sides = self._compiled[relation]
        with np.errstate(all="ignore"):
            lhs, rhs = sides(*(float(obs[n] if n in obs else params[n]) for n in names))
        return float(lhs), float(rhs)

    def _post_holds(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """An observable hypothesis on one run; a NaN side (undefined) does not meet it."""
        lhs, rhs = self._post_sides(relation, params, obs)
        if math.isnan(lhs) or math.isnan(rhs):
            return False
        ops = {sp.Le: lhs <= rhs, sp.Lt: lhs < rhs, sp.Ge: lhs >= rhs, sp.Gt: lhs > rhs, sp.Eq: lhs == rhs}
        return ops[type(relation)]

    def post_ok(self, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """Hypotheses on observables, tested on the run's values."""
        return all(self._post_holds(relation, params, obs) for _, relation in self.post)

    def post_report(self, params: dict[str, Any], obs: dict[str, Any]) -> list[str]:
        """Each unmet observable hypothesis, with both sides evaluated."""
        out = []
        for name, relation in self.post:
            if not self._post_holds(relation, params, obs):
                lhs, rhs = self._post_sides(relation, params, obs)
                out.append(f"{name}: {sp.sstr(relation)} needs {lhs:.4g} vs {rhs:.4g}")
        return out


def _value(name: str, params: dict, obs: dict) -> sp.Float:
    value = float(obs[name] if name in obs else params[name])
    return sp.nan if math.isnan(value) else sp.Float(value)
