"""Forward error bounds of a sympy expression evaluated in float64, derived per expression.

For an expression ``E`` evaluated node by node in binary64, :func:`forward_error` returns
a sympy expression ``err(E) >= |fl(E) - E|`` to first order in the unit roundoff
``u = 2**-53``, by the standard running error analysis (Higham, *Accuracy and Stability
of Numerical Algorithms*, 2nd ed., SIAM 2002, §2.2 and §3.1; Wilkinson 1963):

* a sum of n terms:        ``sum err(a_i) + (n - 1) u sum |a_i|``             (Higham (3.5))
* a product of n factors:  ``sum_i err(a_i) prod_{j != i} |a_j| + (n - 1) u |prod a_j|``
* ``b**k``, k a number:    ``|k| |b|**(k - 1) err(b) + 2 u |b**k|``
* ``b**e``, e an expression (evaluated by ``pow``, i.e. through ``exp(e log b)``):
  ``|b**e| (|e| err(b) / |b| + |log |b|| err(e) + 2 u)`` — the relative error of a power
  grows like ``e`` times the base's, *not* like ``(1 + |b|)**e``;
* ``Piecewise``: the largest branch error (conditions on recorded values are read as
  recorded);
* ``exp``, ``log``, ``sqrt``, ``Abs``, ``Max``, ``Min``, trigonometric functions: their
  condition numbers times the argument's error, plus one rounding (libm is faithful to
  within one ulp for these in glibc; two ulps are charged for ``pow``);
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

import sympy as sp

U = 2.0**-53

_ONE_ROUNDING = (sp.sin, sp.cos, sp.tanh, sp.atan)


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


def forward_error(expr: sp.Expr, inexact: frozenset[sp.Symbol] = frozenset(), u: float = U,
                  rel: float = 0.0) -> sp.Expr:
    """First-order bound on ``|fl(expr) - expr|`` (see the module docstring)."""
    u_, rel_ = sp.Float(u), sp.Float(rel)

    def err(e: sp.Expr) -> sp.Expr:
        if e.is_Symbol:
            return rel_ * sp.Abs(e) if e in inexact else sp.S.Zero
        if e.is_Number:
            return sp.S.Zero if _representable(e) else u_ * abs(e)
        if e.is_NumberSymbol:
            return u_ * abs(e)
        if e.is_Add:
            terms = e.args
            return sp.Add(*(err(a) for a in terms)) + (len(terms) - 1) * u_ * sp.Add(*(sp.Abs(a) for a in terms))
        if e.is_Mul:
            factors = e.args
            propagated = []
            for i, a in enumerate(factors):
                ea = err(a)
                if ea != 0:
                    propagated.append(ea * sp.Mul(*(sp.Abs(b) for j, b in enumerate(factors) if j != i)))
            return sp.Add(*propagated) + (len(factors) - 1) * u_ * sp.Abs(e)
        if e.is_Pow:
            base, exponent = e.args
            eb, ee = err(base), err(exponent)
            if exponent.is_Number:
                own = (u_ if exponent in (2, -1) else 2 * u_) * sp.Abs(e)
                return (abs(exponent) * sp.Abs(base) ** (exponent - 1) * eb if eb != 0 else 0) + own
            relative = 2 * u_
            if eb != 0:
                relative += sp.Abs(exponent) * eb / sp.Abs(base)
            if ee != 0:
                relative += sp.Abs(sp.log(sp.Abs(base))) * ee
            return sp.Abs(e) * relative
        if isinstance(e, (sp.Max, sp.Min)):
            return sp.Max(*(err(a) for a in e.args))
        if isinstance(e, sp.Piecewise):
            # the branch taken is the one float64 selects from the recorded values; its error is
            # at most the largest branch's (the conditions are read, not computed)
            return sp.Max(*(err(branch) for branch, _ in e.args))
        if isinstance(e, sp.Abs):
            return err(e.args[0])
        if isinstance(e, sp.exp):
            return sp.Abs(e) * (err(e.args[0]) + u_)
        if isinstance(e, sp.log):
            (a,) = e.args
            return err(a) / sp.Abs(a) + u_ * sp.Abs(e)
        if isinstance(e, _ONE_ROUNDING):
            return err(e.args[0]) + u_ * sp.Abs(e)
        if e.is_Function and type(e).__name__ in FUNCTION_ERRORS:
            return FUNCTION_ERRORS[type(e).__name__](e, [err(a) for a in e.args], u_)
        return sp.oo

    return err(sp.sympify(expr))
