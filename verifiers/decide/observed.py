"""Hypotheses on observables, decided on a run's values with their rounding error.

A hypothesis that names an observable (``lambda0 > 0``, ``top_proj_sq > 0``) is known only
after the run, and an observable is computed, not given: ``top_proj_sq`` = (v_1^T r_0)^2 is
1e-31 in float64 where it is 0 in exact arithmetic, and ``top_proj_sq > 0`` must not be met
by that noise (soundness: floating point may delay a verdict, never decide it for the
claim). Each such hypothesis is put as a margin ``f`` (``lhs - rhs`` for ``>``/``>=``,
``rhs - lhs`` for ``<``/``<=``) and is met only when ``f`` exceeds its error bound
``SAFETY * err(f)``, derived per expression by running error analysis
(:func:`~boundcheck.verifiers.decide.rounding.forward_error`; Higham, *Accuracy and Stability
of Numerical Algorithms*, 2nd ed., §3.1): every observable's own error carried through ``f``
to first order (the model's absolute bound where it states one,
:meth:`Model.observable_errors`; else ``Model.observable_rtol`` relative), plus the rounding
of evaluating ``f``. Parameters and integer-valued observables (counts, flags) are exact.
A run whose hypothesis holds only within that bound is outside (counted so).
:meth:`ObservedHypotheses.hold_high_precision` decides the same hypotheses on a
high-precision replay, where a value that the replay left in float64 keeps float64 accuracy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.theorems.statement import StatementError
from boundcheck.verifiers.decide.compiled import compile_expression
from boundcheck.verifiers.decide.rounding import SAFETY, U, forward_error
from boundcheck.verifiers.models.base import Model


class ObservedHypotheses:
    """A statement's hypotheses on observables (``(name, relation)`` pairs), for ``model``'s runs.

    False (empty) when the statement has none: every run is then inside."""

    def __init__(self, model: Model, relations: list[tuple[str, sp.Basic]]):
        self.model = model
        self.relations = list(relations)
        self._compiled: dict[sp.Basic, tuple[list[str], Any]] = {}
        self._checks: dict[sp.Basic, _Margin] = {}
        #: each hypothesis as "name: relation", printed once (sympy's printer takes milliseconds,
        #: and a rejected run is reported with its unmet hypotheses)
        self._texts = {name: f"{name}: {sp.sstr(relation)}" for name, relation in self.relations}

    def __bool__(self) -> bool:
        return bool(self.relations)

    @property
    def names(self) -> set[str]:
        """Every name the hypotheses read (observables and parameters alike)."""
        return {symbol.name for _, relation in self.relations for symbol in relation.free_symbols
                if isinstance(symbol, sp.Symbol)} | {str(indexed.base.label) for _, relation in self.relations
                                                      for indexed in relation.atoms(sp.Indexed)}

    def __iter__(self):
        return iter(self.relations)

    def sides(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> tuple[float, float]:
        """Both sides in float64 (NaN, inf as IEEE gives them), by a function lambdified once
        per hypothesis: substituting into the sympy expression cost 0.35 ms per instance."""
        if relation not in self._compiled:
            symbols = sorted(relation.free_symbols, key=lambda symbol: symbol.name)
            self._compiled[relation] = ([symbol.name for symbol in symbols],
                                        compile_expression(symbols, (relation.lhs, relation.rhs), "numpy"))
        names, sides = self._compiled[relation]
        with np.errstate(all="ignore"):
            lhs, rhs = sides(*(np.float64(obs[n] if n in obs else params[n]) for n in names))
        return float(lhs), float(rhs)

    def _margin_of(self, relation: sp.Basic) -> _Margin:
        if relation not in self._checks:
            self._checks[relation] = _Margin(relation, set(self.model.param_names))
        return self._checks[relation]

    def margin(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> tuple[float, float]:
        """(margin, error bound) of one observable hypothesis on a float64 run: it is met
        when margin > error bound (see the module docstring); NaN when undefined."""
        rtol = float(self.model.observable_rtol)
        return self._margin_of(relation).float64(params, obs, self.model.observable_errors(params, obs), rtol)

    def _holds(self, relation: sp.Basic, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """An observable hypothesis on one run: met beyond its rounding error; a NaN side
        (undefined) does not meet it."""
        margin, error = self.margin(relation, params, obs)
        return met(relation, margin, error)

    def hold(self, params: dict[str, Any], obs: dict[str, Any]) -> bool:
        """Hypotheses on observables, tested on the run's values, each beyond its error bound."""
        return all(self._holds(relation, params, obs) for _, relation in self.relations)

    def hold_each(self, batch: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[bool]:
        """:meth:`hold` of every run of a batch (:meth:`unmet_each`)."""
        return [not unmet for unmet in self.unmet_each(batch, results)]

    def unmet_each(self, batch: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[list[str]]:
        """:meth:`unmet` of every run of a batch, each hypothesis evaluated once on the batch's
        stacked values (its compiled margin is elementwise: each run's margin is the one
        :meth:`unmet` finds for it alone, bit for bit). Run by run, the
        hypotheses took 67 us a run on ``linear.xu2023.gd_rate_derived``, 37-45 us this way (75 and
        47 us on ``linear.min2021.gd_small_step_rate``, a quarter of whose runs are outside)."""
        if not batch:
            return []
        rtol = float(self.model.observable_rtol)
        errors = [self.model.observable_errors(p, o) for p, o in zip(batch, results)]
        met = [(self._texts[name], met_each(relation, *self._margin_of(relation).float64_each(batch, results, errors, rtol)))
               for name, relation in self.relations]
        return [[text for text, ok in met if not ok[k]] for k in range(len(batch))]

    def hold_high_precision(self, params: dict[str, Any], obs: dict[str, Any], dps: int) -> bool:
        """The same hypotheses on a high-precision replay's observations (``Model.reference``
        with :func:`boundcheck.verifiers.models.precision.high_precision`). A value the replay computed in
        mpmath is taken to be accurate to half its digits (10**-(dps/2) relative, the
        replay's own confirmation threshold) unless the model states an absolute bound;
        one it left in float64 keeps float64 accuracy. A violation replayed on an instance
        that fails this is no counterexample: the instance is outside the hypotheses."""
        errors = self.model.observable_errors(params, obs)
        rtol = float(self.model.observable_rtol)
        return all(met(relation, *self._margin_of(relation).high_precision(params, obs, errors, dps, rtol))
                   for _, relation in self.relations)

    def unmet(self, params: dict[str, Any], obs: dict[str, Any]) -> list[str]:
        """The observable hypotheses one run fails, each as "name: relation"."""
        return [self._texts[name] for name, relation in self.relations if not self._holds(relation, params, obs)]

    def report(self, params: dict[str, Any], obs: dict[str, Any]) -> list[str]:
        """Each unmet observable hypothesis, with both sides evaluated (and the margin's error
        bound when the hypothesis holds only within it)."""
        out = []
        for name, relation in self.relations:
            if not self._holds(relation, params, obs):
                lhs, rhs = self.sides(relation, params, obs)
                margin, error = self.margin(relation, params, obs)
                in_float = margin == 0 or margin > 0  # met in float64, not beyond its error bound
                within = (f" (holds only within its rounding error: margin {margin:.3g}, error bound {error:.3g})"
                          if in_float else "")
                out.append(f"{self._texts[name]} needs {lhs:.4g} vs {rhs:.4g}{within}")
        return out


def met(relation: sp.Basic, margin: Any, error: Any) -> bool:
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


def met_each(relation: sp.Basic, margin: np.ndarray, error: np.ndarray) -> np.ndarray:
    """:func:`met` elementwise on float64 arrays."""
    with np.errstate(invalid="ignore"):
        exact_tie = (error == 0) & (margin == 0)
        if isinstance(relation, sp.Eq):
            return exact_tie
        beyond = margin > error  # False where either is NaN
        return beyond | (exact_tie & isinstance(relation, (sp.Ge, sp.Le)))


class _Margin:
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

    def float64(self, params: dict, obs: dict, errors: dict, rtol: float) -> tuple[float, float]:
        """(margin, SAFETY times its error bound) of one run: :meth:`float64_each` of a batch of
        one (NumPy's array functions, the ones the batch is decided by)."""
        margin, error = self.float64_each([params], [obs], [errors], rtol)
        return float(margin[0]), float(error[0])

    def float64_each(self, batch: list[dict], results: list[dict], errors: list[dict],
                     rtol: float) -> tuple[np.ndarray, np.ndarray]:
        """(margin, SAFETY times its error bound) of every run, as arrays, by one evaluation of the
        compiled margin on the stacked values (float64: a division by an observable that is 0
        gives inf or NaN, undecided, not ZeroDivisionError)."""
        values = [np.array([np.float64(o[n] if n in o else p[n]) for p, o in zip(batch, results)])
                  for n in self.names]
        deltas = [np.array([np.float64(e[s.name]) if s.name in e else rtol * abs(np.float64(o[s.name]))
                            for o, e in zip(results, errors)]) for s in self.inexact]
        with np.errstate(all="ignore"):
            margin, error = self._float(*values, *deltas, U)
        shape = (len(batch),)
        return (np.broadcast_to(np.asarray(margin, dtype=np.float64), shape),
                SAFETY * np.broadcast_to(np.asarray(error, dtype=np.float64), shape))

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
