"""The statement model: rendering, hashing, drawing instances that meet the hypotheses, vacuity."""

from __future__ import annotations

import pytest
import sympy as sp
from boundcheck.theorems import Constant, Hypothesis, Statement, StatementError, t
from boundcheck.theorems.registry import all_statements
from boundcheck.theorems.symbols import L, eta, gap, mu
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.draw.strategies import DrawPlan
from boundcheck.verifiers.models import get_model


def pl(**overrides) -> Statement:
    fields = dict(id="test.pl", kind="conjecture", model="smooth.pl",
                  hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)),),
                  conclusion=sp.Le(gap[t], (1 - mu * eta) ** t * gap[0]))
    fields.update(overrides)
    return Statement(**fields)


def test_prints_itself():
    statement = all_statements()["classical.pl.linear_rate"]
    text = str(statement)
    assert "classical.pl.linear_rate" in text and "Karimi" in text and "gap[t] <=" in text
    assert r"\forall t \ge 0" in statement.latex() and r"\left(1 - \frac{\mu}{L}\right)^{t}" in statement.latex()


def test_constants_print_their_provenance():
    statement = all_statements()["classical.nonconvex.tight_min_grad"]
    assert "[stated]" in str(statement)
    assumed = Constant(sp.Symbol("C"), 3, "assumed", "a guess")
    assert "ASSUMED" in str(assumed)
    with pytest.raises(StatementError, match="provenance"):
        Constant(sp.Symbol("C"), 3, "folklore")


def test_hash_follows_meaning():
    assert pl().hash() == pl().hash()
    assert pl().hash() != pl(conclusion=sp.Le(gap[t], (1 - mu * eta / 2) ** t * gap[0])).hash()
    assert pl().hash() != pl(hypotheses=(Hypothesis("step", sp.Le(eta, 2 / L)),)).hash()


def test_malformed_statements_are_refused():
    with pytest.raises(StatementError, match="kind"):
        pl(kind="lemma")
    with pytest.raises(StatementError, match="not a relation"):
        pl(conclusion=gap[t])
    with pytest.raises(StatementError, match="equality"):
        pl(conclusion=sp.Eq(gap[t], 0))


def test_draws_meet_hypotheses_by_construction():
    import numpy as np

    statement = pl(hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)), Hypothesis("big_step", sp.Ge(eta, 0.5 / L))))
    plan = DrawPlan(statement, get_model("smooth.pl"))
    rng = np.random.default_rng(0)
    draws = [plan.sample(rng) for _ in range(200)]
    assert all(d is not None and 0.5 / d["L"] <= d["eta"] <= 1 / d["L"] and d["mu"] <= d["L"] for d in draws)


def test_contradictory_hypotheses_are_vacuous_not_a_health_check():
    statement = pl(hypotheses=(Hypothesis("small", sp.Le(eta, 1 / L)), Hypothesis("large", sp.Ge(eta, 2.2 / L))))
    verdict = verify(statement, budget=20)
    assert verdict.verdict == "VACUOUS" and verdict.exit_code == 3
    assert "eta" in verdict.message


def test_vacuous_reports_the_demanded_size():
    d = sp.Symbol("d", integer=True, positive=True)
    steps = sp.Symbol("steps", integer=True, positive=True)
    # solved for steps (declared after d): steps >= 120 d exceeds the 100 steps allowed for every d
    statement = pl(id="test.huge", hypotheses=(Hypothesis("long_run", sp.Ge(steps, 120 * d)),))
    verdict = verify(statement, budget=20)
    assert verdict.verdict == "VACUOUS"
    demanded = verdict.details["demanded"][0]
    assert demanded["value"] == pytest.approx(120.0)  # at the smallest d = 1
    assert "steps >= 120 (long_run)" in verdict.message and "steps in [1, 100]" in verdict.message
