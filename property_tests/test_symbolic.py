"""boundcheck.theorems.symbolic: hypotheses solved for the parameter they bound; iteration counts as corollaries."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from boundcheck.theorems.registry import all_statements
from boundcheck.theorems.symbolic import iterations_to_accuracy, solve_for
from boundcheck.theorems.symbols import L, eta, mu

m = sp.Symbol("m", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
lam = sp.Symbol("lambda0", positive=True)


@pytest.mark.parametrize("relation, variable, direction, value", [
    (sp.Le(eta, 1 / L), eta, "upper", 1 / L),
    (sp.Le(L * eta, 1), eta, "upper", 1 / L),
    (sp.Ge(eta, sp.Rational(11, 5) / L), eta, "lower", sp.Rational(11, 5) / L),
    (sp.Ge(m, 7 * n**6 / lam**4), m, "lower", 7 * n**6 / lam**4),
    (sp.Eq(eta, 1 / L), eta, "equal", 1 / L),
    (sp.Le(eta**2, 1), eta, "check", 0),
])
def test_solve_for(relation, variable, direction, value):
    bound = solve_for("h", relation, variable)
    assert bound.direction == direction
    if direction != "check":
        assert sp.simplify(bound.expr - value) == 0


positive_rationals = st.fractions(min_value=Fraction(1, 1000), max_value=1000).map(sp.Rational)


@given(coefficient=positive_rationals, offset=positive_rationals, negate=st.booleans(), flip=st.booleans())
def test_solve_for_inverts_any_linear_relation(coefficient, offset, negate, flip):
    """c eta + k <= L (or its mirror image) bounds eta by (L - k)/c, above or below by the sign of c."""
    c = -coefficient if negate else coefficient
    relation = sp.Le(c * eta + offset, L) if not flip else sp.Ge(L, c * eta + offset)
    bound = solve_for("step", relation, eta)
    assert bound.direction == ("lower" if negate else "upper")
    assert sp.simplify(bound.expr - (L - offset) / c) == 0
    # the bound is tight: at eta = bound the relation holds with equality
    assert sp.simplify((c * bound.expr + offset) - L) == 0


def test_iterations_to_accuracy():
    statement = all_statements()["classical.pl.linear_rate"]
    eps = sp.Symbol("epsilon", positive=True)
    k = iterations_to_accuracy(statement)
    # (1 - mu/L)^k gap_0 <= eps  <=>  k >= log(eps/gap_0) / log(1 - mu/L)
    value = k.subs({eps: 1e-6, sp.Symbol("gap_0", positive=True): 1.0, mu: 1.0, L: 10.0})
    assert int(value) == 132
    convex = iterations_to_accuracy(all_statements()["classical.convex.drori_teboulle"], sp.Rational(1, 100))
    assert int(convex.subs({L: 1, eta: 1, sp.Symbol("R_sq", nonnegative=True): 1})) == 25
