"""Forward error bounds of a sympy expression evaluated in float64, derived per expression.

For an expression ``E`` evaluated node by node in binary64, :func:`forward_error` returns
a sympy expression ``err(E) >= |fl(E) - E|`` to first order in the unit roundoff
``u = 2**-53``, by the standard running error analysis (Higham, *Accuracy and Stability
of Numerical Algorithms*, 2nd ed., SIAM 2002, §2.2 and §3.1; Wilkinson 1963):

* a sum of n terms:        ``sum err(a_i) + (n - 1) u sum |a_i|``             (Higham (3.5))
* a product of n factors:  ``sum_i err(a_i) prod_{j != i} |a_j| + (n - 1) u |prod a_j|``
* ``b**k``, k a number:    ``|k| |b|**(k - 1) err(b) + c u |b**k|``, c the rounding of the
  power's evaluation (below);
* ``b**e``, e an expression (evaluated by ``pow``, i.e. through ``exp(e log b)``):
  ``|b**e| (|e| err(b) / |b| + |log |b|| err(e) + c u)`` — the relative error of a power
  grows like ``e`` times the base's, *not* like ``(1 + |b|)**e``;
* ``Piecewise``: the largest branch error, plus, where a condition compares inexact
  values that lie within their errors of each other (``|lhs - rhs| <= err(lhs) + err(rhs)``:
  the exact values may take the other branch), the largest difference between branches;
* ``exp``, ``log``, ``sin``, ``cos``, ``tanh``, ``atan`` and ``pow``: their condition numbers
  times the argument's error, plus the function's own error, charged at
  :data:`FUNCTION_ROUNDINGS` u relative: the checker evaluates them on NumPy arrays, which on
  AVX-512 machines NumPy computes by Intel's SVML, documented to within 4 ulp (numpy pull
  request 19478), not glibc's faithful (1 ulp) libm: measured on this project's machine,
  ``exp`` 1.12 u, ``tanh`` 1.57 u, ``pow`` 1.11 u (more than the one rounding charged
  before); ``Abs``, ``Max``, ``Min`` are exact, squares and reciprocals one IEEE rounding,
  ``sqrt`` (correctly rounded by IEEE) is charged two;
* a number not exactly representable: ``u |c|``; a parameter: exact (an instance *is*
  its float parameters); ``t``: exact.

Observables are inputs computed by a run, not exact numbers: the caller names them in
``inexact`` with a relative accuracy ``rel`` each. With ``u = 0, rel = 1`` the same
recursion gives the first-order sensitivity of ``E`` to relative perturbations of its
observables, which is how an observable's own error is carried to the slack.

A node the rules do not cover gets an infinite bound: every cell is then undecided in
float64 and is decided in high precision instead. Second-order terms are covered by the
caller's safety factor (2 is ample while ``n u << 1``).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

#: unit roundoff of binary64
U = 2.0**-53
#: the factor on a first-order error bound that covers its second-order terms and libm's
#: last ulp (ample while n u << 1 for the n roundings of an expression)
SAFETY = 2.0

#: a function evaluation's own error, in units of u relative: 4 ulp (SVML's documented
#: maximum; one ulp is at most 2 u relative)
FUNCTION_ROUNDINGS = 8

_LIBM_FUNCTIONS = (sp.sin, sp.cos, sp.tanh, sp.atan)


def _representable(number: sp.Number) -> bool:
    """True when ``number`` is a binary64 number (an integer below 2**53, or a dyadic rational)."""
    if number.is_Integer:
        return abs(int(number)) <= 2**53
    if number.is_Rational:
        q = int(number.q)
        return q & (q - 1) == 0 and abs(int(number.p)) <= 2**53
    return number.is_Float and float(number) == number


def _kl_inverse_error(e: sp.Expr, errors: list[sp.Expr], u: sp.Float) -> sp.Expr:
    """kl^{-1}(q, c) by bisection (boundcheck.theorems' ``kl_inverse``): the bracket's width
    1e-15, plus the error of c and of each kl evaluation (about 16 u (c + 2): four x ln y
    terms of size at most c + 2 on the bracket) divided by d kl / dp = (p - q) / (p (1 - p));
    q's error is charged at the same sensitivity, which assumes |d kl / dq| =
    |ln(q (1 - p) / (p (1 - q)))| <= 1 (true while p / q stays below e; a first-order
    model, not a proof, for empirical errors near 0)."""
    q, c = e.args
    err_q, err_c = errors
    sensitivity = e * (1 - e) / sp.Max(e - q, sp.Float(1e-300))
    return sp.Float(2e-15) + (err_c + err_q + 16 * u * (sp.Abs(c) + 2)) * sensitivity


#: error rules of implemented functions, by name (a function without one is never decided in float64)
FUNCTION_ERRORS = {"kl_inv": _kl_inverse_error}


def _abs(e: sp.Expr) -> sp.Expr:
    return abs(e) if e.is_Number else sp.Abs(e, evaluate=False)


def _sum(terms) -> sp.Expr:
    """A sum left unevaluated: sympy's canonicalisation of these error expressions (Abs,
    Max, factor_terms) cost seconds per statement and changes nothing they evaluate to."""
    terms = [term for term in terms if not (term.is_Number and term == 0)]
    return sp.S.Zero if not terms else terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def _product(factors) -> sp.Expr:
    factors = list(factors)
    if any(f.is_Number and f == 0 for f in factors):
        return sp.S.Zero
    factors = [f for f in factors if not (f.is_Number and f == 1)]
    return sp.S.One if not factors else factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _largest(values) -> sp.Expr:
    values = list(values)
    if any(v is sp.oo for v in values):
        return sp.oo
    nonzero = [v for v in values if not (v.is_Number and v == 0)]
    return sp.S.Zero if not nonzero else nonzero[0] if len(nonzero) == 1 else sp.Max(*nonzero, evaluate=False)


def _doubts(condition, err) -> list:
    """The relations under which ``condition``, evaluated on inexact values, may differ from
    its exact value: ``|lhs - rhs| <= err(lhs) + err(rhs)`` for each comparison whose sides
    carry an error (``sp.true`` where an error is unbounded); none for exact comparisons."""
    if condition in (sp.true, sp.false):
        return []
    if isinstance(condition, (sp.And, sp.Or, sp.Not)):
        return [doubt for part in condition.args for doubt in _doubts(part, err)]
    if isinstance(condition, sp.core.relational.Relational):
        sides = [err(side) for side in condition.args]
        if sp.oo in sides:
            return [sp.true]
        margin = _sum(sides)
        if margin.is_Number and margin == 0:
            return []
        lhs, rhs = condition.args
        return [sp.Le(_abs(lhs - rhs), margin)]
    return [sp.true]  # a condition the rules do not read: any branch


def _spread(branches) -> sp.Expr:
    """The largest difference between two branches of a Piecewise (by how much the value may
    move where the branch is in doubt)."""
    pairs = [_abs(a - b) for i, a in enumerate(branches) for b in branches[i + 1:]]
    return _largest(pairs)


def forward_error(expr: sp.Expr, errors: Mapping[sp.Symbol, sp.Expr] | None = None, u: sp.Expr | float = U) -> sp.Expr:
    """First-order bound on ``|fl(expr~) - expr|`` (see the module docstring), where each
    symbol in ``errors`` is an input known only to within the given absolute error (an
    expression, e.g. ``rel * Abs(x)`` or a symbol the caller binds at evaluation), every
    other symbol is exact, and ``u`` is the unit roundoff (0 for pure error propagation)."""
    errors = dict(errors or {})
    u_ = sp.sympify(u)
    if u_.is_Number:
        u_ = sp.Float(u_)

    def rounding(e: sp.Expr, times: int = 1) -> sp.Expr:
        return _product([sp.Integer(times), u_, _abs(e)]) if times else sp.S.Zero

    def err(e: sp.Expr) -> sp.Expr:
        if e.is_Symbol:
            return errors.get(e, sp.S.Zero)
        if e.is_Number:
            return sp.S.Zero if _representable(e) else _product([u_, abs(e)])
        if e.is_NumberSymbol:
            return _product([u_, abs(e)])
        if e.is_Add:
            terms = e.args
            propagated = [err(a) for a in terms]
            if any(p is sp.oo for p in propagated):
                return sp.oo
            return _sum(propagated + [_product([sp.Integer(len(terms) - 1), u_, _sum(_abs(a) for a in terms)])])
        if e.is_Mul:
            factors = e.args
            propagated = []
            for i, a in enumerate(factors):
                ea = err(a)
                if ea is sp.oo:
                    return sp.oo
                if not (ea.is_Number and ea == 0):
                    propagated.append(_product([ea] + [_abs(b) for j, b in enumerate(factors) if j != i]))
            return _sum(propagated + [rounding(e, len(factors) - 1)])
        if e.is_Pow:
            base, exponent = e.args
            eb, ee = err(base), err(exponent)
            if sp.oo in (eb, ee):
                return sp.oo
            if exponent.is_Number:  # squares and reciprocals: one IEEE rounding; square roots two; else pow
                own = rounding(e, 1 if exponent in (2, -1) else 2 if exponent == sp.S.Half else FUNCTION_ROUNDINGS)
                if eb.is_Number and eb == 0:
                    return own
                return _sum([_product([abs(exponent), _abs(base) ** (exponent - 1), eb]), own])
            relative = [FUNCTION_ROUNDINGS * u_ if u_ != 0 else sp.S.Zero]
            if not (eb.is_Number and eb == 0):
                relative.append(_product([_abs(exponent), eb, _abs(base) ** -1]))
            if not (ee.is_Number and ee == 0):
                relative.append(_product([_abs(sp.log(_abs(base))), ee]))
            return _product([_abs(e), _sum(relative)])
        if isinstance(e, (sp.Max, sp.Min)):
            return _largest(err(a) for a in e.args)
        if isinstance(e, sp.Piecewise):
            # float64 takes the branch its recorded values select; where a condition cannot tell
            # the exact values apart, the exact expression may be any branch
            branches = [branch for branch, _ in e.args]
            own = _largest(err(branch) for branch in branches)
            doubts = [doubt for _, condition in e.args for doubt in _doubts(condition, err)]
            if own is sp.oo or any(doubt is sp.true for doubt in doubts):
                return sp.oo if own is sp.oo else _sum([own, _spread(branches)])
            if not doubts:
                return own
            return _sum([own, sp.Piecewise((_spread(branches), sp.Or(*doubts)), (0, True))])
        if isinstance(e, (sp.Abs, sp.re)):  # re(x) = x for the real values a run records (sympy
            return err(e.args[0])            # writes Abs(x**a) as re(x**a) where x's sign is unknown)
        if isinstance(e, sp.exp):
            inner = err(e.args[0])
            return sp.oo if inner is sp.oo else _product([_abs(e), _sum([inner, FUNCTION_ROUNDINGS * u_])])
        if isinstance(e, sp.log):
            (a,) = e.args
            inner = err(a)
            return sp.oo if inner is sp.oo else _sum([_product([inner, _abs(a) ** -1]), rounding(e, FUNCTION_ROUNDINGS)])
        if isinstance(e, _LIBM_FUNCTIONS):
            inner = err(e.args[0])
            return sp.oo if inner is sp.oo else _sum([inner, rounding(e, FUNCTION_ROUNDINGS)])
        if e.is_Function and type(e).__name__ in FUNCTION_ERRORS:
            inner = [err(a) for a in e.args]
            return sp.oo if sp.oo in inner else FUNCTION_ERRORS[type(e).__name__](e, inner, u_)
        return sp.oo

    return err(sp.sympify(expr))
