"""Symbolic work on statements: hypotheses solved for one parameter, and corollaries.

* :func:`solve_for` turns a hypothesis into a bound on one symbol (``eta <= 1/L``,
  ``m >= C n^6 / lambda0^4``) so that instances can be *constructed* to satisfy it.
* :func:`iterations_to_accuracy` solves a rate statement for the number of
  iterations after which its bound is at most ``eps``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from boundcheck.theorems.parse import expansion_terms
from boundcheck.theorems.statement import Statement, StatementError, t

#: the most monomials (estimated by :func:`boundcheck.theorems.parse.expansion_terms`) a
#: hypothesis may expand into for :func:`solve_for` to expand and simplify it; a larger one
#: is tested after drawing (direction ``"check"``), which is always sound
SOLVE_TERMS = 16


@dataclass(frozen=True)
class Bound:
    """``variable (<=|>=|==) expr`` obtained from hypothesis ``name``.

    ``direction`` is ``"upper"``, ``"lower"`` or ``"equal"``; ``"signed"`` when the
    sign of ``coefficient`` decides it (upper where the coefficient is positive, for a
    ``<=`` relation), ``"check"`` when the relation is not linear in ``variable`` and
    can only be tested after drawing.
    """

    name: str
    variable: sp.Symbol
    direction: str
    expr: sp.Expr
    strict: bool = False
    coefficient: sp.Expr = sp.Integer(1)
    relation: sp.Basic | None = None

    def __str__(self) -> str:
        op = {"upper": "<=", "lower": ">=", "equal": "=="}.get(self.direction, "?")
        if self.strict and op != "==":
            op = op[0]
        return f"{self.variable} {op} {sp.sstr(self.expr)}"


def _normalised(relation: sp.Basic) -> tuple[sp.Expr, str, bool]:
    """``relation`` as ``g (<=|==) 0``: returns (g, "le"|"eq", strict)."""
    if isinstance(relation, (sp.Le, sp.Lt)):
        return relation.lhs - relation.rhs, "le", isinstance(relation, sp.Lt)
    if isinstance(relation, (sp.Ge, sp.Gt)):
        return relation.rhs - relation.lhs, "le", isinstance(relation, sp.Gt)
    if isinstance(relation, sp.Eq):
        return relation.lhs - relation.rhs, "eq", False
    raise StatementError(f"cannot use {relation} as a hypothesis: not <=, <, >=, > or ==")


def _rational(expr: sp.Expr) -> sp.Expr:
    """``expr`` over one denominator with common factors cancelled: for the hypotheses of
    every built-in statement the same expressions as :func:`sympy.simplify` gives, in a
    fifth of the time (and without importing sympy.physics, 50 ms of a one-instance run)."""
    return sp.cancel(sp.together(expr))


def solve_for(name: str, relation: sp.Basic, variable: sp.Symbol) -> Bound:
    """The bound ``relation`` puts on ``variable``, when it is linear in it.

    A relation too large to expand and simplify cheaply (more than :data:`SOLVE_TERMS`
    monomials) is not solved: it is tested after drawing."""
    g, kind, strict = _normalised(relation)
    if variable not in g.free_symbols or expansion_terms(g) > SOLVE_TERMS:
        return Bound(name, variable, "check", sp.Integer(0), strict, relation=relation)
    g = sp.expand(g) if g.is_polynomial(variable) else g
    coefficient = _rational(sp.diff(g, variable))
    if variable in coefficient.free_symbols or (coefficient.is_positive is None and coefficient.is_negative is None):
        coefficient = sp.simplify(coefficient)  # what cancelling leaves (sin^2 + cos^2, logs), simplify may settle
    if variable in coefficient.free_symbols or coefficient == 0:
        return Bound(name, variable, "check", sp.Integer(0), strict, relation=relation)
    rest = _rational(g - coefficient * variable)
    value = _rational(-rest / coefficient)
    if kind == "eq":
        return Bound(name, variable, "equal", value, relation=relation)
    if coefficient.is_positive:
        direction = "upper"
    elif coefficient.is_negative:
        direction = "lower"
    else:
        direction = "signed"
    return Bound(name, variable, direction, value, strict, coefficient, relation)


def iterations_to_accuracy(statement: Statement, eps: sp.Expr | float | None = None) -> sp.Expr:
    """Smallest t after which the statement's bound is at most ``eps`` (a corollary).

    The bound side of the conclusion, with its observables at fixed indices treated
    as symbols, is solved for t; e.g. ``gap[t] <= (1 - mu/L)**t gap[0]`` gives
    ``t >= log(eps/gap_0) / log(1 - mu/L)``. Returned as ``ceiling(solution)``.
    """
    eps_symbol = sp.Symbol("epsilon", positive=True)
    eps = eps_symbol if eps is None else sp.sympify(eps)
    conclusion = statement.substituted(statement.conclusion)
    bound = conclusion.rhs if isinstance(conclusion, (sp.Le, sp.Lt)) else conclusion.lhs
    if t not in bound.free_symbols:
        raise StatementError(f"{statement.id}: the bound does not depend on t; no iteration count to solve for")
    frozen = {ix: sp.Symbol(f"{ix.base.label}_{ix.indices[0]}", positive=True)
              for ix in bound.atoms(sp.Indexed) if not ix.free_symbols & {t}}
    tau = sp.Symbol("tau", positive=True)
    equation = sp.Eq(bound.xreplace(frozen).xreplace({t: tau}), eps)
    solutions = [s for s in sp.solve(equation, tau) if not s.is_number or s.is_positive]
    if not solutions:
        raise StatementError(f"{statement.id}: could not solve {equation} for t")
    return sp.ceiling(sp.simplify(solutions[0]))
