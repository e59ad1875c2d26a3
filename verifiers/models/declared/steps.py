"""Step-size rules of generated models: constant, a schedule eta_t, or an adaptive rule.

A rule is text, parsed by the whitelist parser :func:`boundcheck.theorems.parse.parse_expression`
(never ``eval``), over these names:

* ``t``, the iteration (0, 1, ...);
* the model's parameters (``eta``, ``steps``, ... and its own) and its declared scalar
  observables (e.g. a derived cap ``eta_cap``);
* the observables of the current iterate w_t: ``loss``, ``grad_sq``, ``dist``,
  ``weight_norm_sq``, and ``loss0`` = loss(w_0).

``"eta"`` is the constant step; ``"eta / sqrt(t + 1)"`` a schedule; ``"eta * (1 + loss0 / (loss0 + loss))"``
an adaptive rule (a step that grows as the loss falls). The parsed expression is printed to
code by sympy's printers: ``math`` functions for the numba kernel and the float64 reference,
``mpmath`` ones for the high-precision replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.printing.pycode import MpmathPrinter, PythonCodePrinter

from boundcheck.theorems.parse import ParseError, parse_expression
from boundcheck.theorems.statement import t as t_symbol

#: observables of the current iterate a rule may read
STATE_NAMES = ("loss", "grad_sq", "dist", "weight_norm_sq", "loss0")


class StepRuleError(ValueError):
    """A step rule that does not parse or names something the model does not have."""


@dataclass(frozen=True)
class StepRule:
    """A parsed step rule: the expression and the names it reads, in a fixed order."""

    text: str
    expr: sp.Expr
    names: tuple[str, ...]  # every free symbol except t, sorted

    @property
    def kind(self) -> str:
        free = {s.name for s in self.expr.free_symbols}
        if free & set(STATE_NAMES):
            return "adaptive"
        return "schedule" if "t" in free else "constant"

    def code(self, printer: str, variables: dict[str, str]) -> str:
        """The rule as a Python expression, each name replaced by ``variables[name]``."""
        mapping = {sp.Symbol(n, real=True): sp.Symbol(variables[n]) for n in self.names}
        mapping[t_symbol] = sp.Symbol(variables["t"])
        expr = self.expr.xreplace(mapping)
        if printer == "mpmath":
            return MpmathPrinter({"fully_qualified_modules": True}).doprint(expr)
        return PythonCodePrinter({"fully_qualified_modules": True}).doprint(expr)


def parse_step_rule(text: str, params: Sequence[str], scalars: Sequence[str]) -> StepRule:
    """``text`` parsed against the names a rule may read (see the module docstring)."""
    allowed = list(params) + list(scalars) + list(STATE_NAMES)
    symbols = {name: sp.Symbol(name, real=True) for name in allowed}
    try:
        expr = parse_expression(text, symbols, {}, relation=False)
    except ParseError as exc:
        raise StepRuleError(f"step rule: {exc}") from None
    expr = expr.xreplace({s: t_symbol for s in expr.free_symbols if s.name == "t" and s != t_symbol})
    names = tuple(sorted(s.name for s in expr.free_symbols if s != t_symbol))
    return StepRule(text, sp.sympify(expr), names)
