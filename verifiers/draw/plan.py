"""What may be drawn: a statement's hypotheses solved into intervals for the model's parameters.

Each hypothesis (and each constraint of the model) is solved for the parameter that
comes last in the model's declaration order among those it names
(:func:`boundcheck.theorems.symbolic.solve_for`): ``eta <= 1/L`` becomes an upper end for eta
once L is drawn. Parameters are then drawn in order, each within its domain and the
bounds solved for it (:mod:`~boundcheck.verifiers.draw.strategy` for Hypothesis, which
shrinks; :mod:`~boundcheck.verifiers.draw.sampler` for seeded Monte Carlo). Hypotheses that are
not linear in any parameter are tested after drawing; hypotheses that name an observable
(``lambda0``) are tested after the run
(:class:`~boundcheck.verifiers.decide.observed.ObservedHypotheses`). A plan that no draw can
meet is VACUOUS, with the smallest demanded value
(:func:`~boundcheck.verifiers.draw.sampler.vacuity`).
"""


from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import sympy as sp

from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.theorems.symbolic import Bound, solve_for
from boundcheck.verifiers.decide.compiled import compile_expression
from boundcheck.verifiers.decide.observed import ObservedHypotheses
from boundcheck.verifiers.models.base import Model


def instance_key(params: dict[str, Any]) -> str:
    """An instance's identity: its parameters as sorted JSON (floats by their shortest repr,
    which round-trips), the same string a replay command prints."""
    return json.dumps(params, sort_keys=True)


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
        observed: list[tuple[str, sp.Basic]] = []
        self.constant_failures: list[str] = []
        relations = [(h.name, statement.substituted(h.relation)) for h in statement.hypotheses]
        relations += list(model.constraints)
        self.relations = relations
        for name, relation in relations:
            self._add(name, relation, order, observed)
        #: the hypotheses on observables, decided after each run
        self.observed = ObservedHypotheses(model, observed)

    def _add(self, name: str, relation: sp.Basic, order: list[str], observed: list) -> None:
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
            observed.append((name, relation))
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

    def admits(self, values: dict[str, Any]) -> bool:
        """Whether ``values`` lies in every parameter's interval given the earlier ones (open
        ends, integer ranges and fixed values respected) and passes the remaining checks: the
        instances a draw of this plan could give."""
        for p in self.model.params:
            try:
                lo, hi, lo_open, hi_open, fixed = self.interval(p.name, values)
                if p.kind in ("int", "seed"):
                    lo, hi = self.integer_range(lo, hi, lo_open, hi_open, p.name)
                    lo_open = hi_open = False
            except Infeasible:
                return False
            value = values[p.name]
            if (fixed is not None and value != fixed) or not lo <= value <= hi or (lo_open and value == lo) \
                    or (hi_open and value == hi):
                return False
        return self.checks_pass(values)

    def checks_pass(self, values: dict[str, Any]) -> bool:
        return all(bool(fn(*[values[a] for a in args])) for _, fn, args in self.checks)

    def integer_range(self, lo, hi, lo_open, hi_open, name) -> tuple[int, int]:
        ilo = math.floor(lo) + 1 if lo_open and float(lo).is_integer() else math.ceil(lo)
        ihi = math.ceil(hi) - 1 if hi_open and float(hi).is_integer() else math.floor(hi)
        if ilo > ihi:
            raise Infeasible(name, lo, hi, [])
        return int(ilo), int(ihi)

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
