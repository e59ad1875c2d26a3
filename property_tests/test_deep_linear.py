"""Deep linear networks (theorems/deep_linear.py) through the real checker: the balanced
initialisation, the O(eta^2) balancedness drift, and the family's mutants caught at their
default budget (Arora, Cohen, Golowich, Hu, ICLR 2019, arXiv 1810.02281)."""

from __future__ import annotations

import pytest

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.models import get_model

FAMILY = [i for i in all_statements() if i.startswith("deep_linear.")]
MUTANTS = ["deep_linear.gd.balancedness_drift_5pc", "deep_linear.gd.balancedness_conserved",
           "deep_linear.arora2019.rate_past_attained", "deep_linear.xu2023.adaptive_step_rate_tripled"]


def test_balanced_deep_initialisation_and_drift_order():
    """init 0 is exactly balanced (imbalance 0) with the prescribed margin; the drift per step is O(eta^2)."""
    model = get_model("linear.deep")
    base = dict(N=3, d=3, k=2, init=0, margin_frac=0.5, delta_dir=0, imbalance=0.0, init_scale=1.0, step_unit=0,
                eta=0.02, steps=1, seed=4)
    obs = model.run([model.validate(base)])[0]
    assert obs["delta0"] <= 1e-13
    assert abs(obs["margin"] - 0.5 * obs["phi_sigma_min"]) <= 1e-12
    halved = model.run([model.validate(dict(base, eta=0.01))])[0]
    ratio = obs["balancedness_drift"][1] / halved["balancedness_drift"][1]
    assert 3.5 < ratio < 4.5  # eta^2: halving the step quarters the one-step drift


@pytest.mark.parametrize("statement_id", MUTANTS)
def test_mutants_caught_at_default_budget(statement_id):
    verdict = verify(all_statements()[statement_id])
    assert verdict.verdict == "VIOLATED", verdict.message


def test_drift_identity_holds_through_the_checker():
    """Tight: the exact GD drift identity, while its 5% mutant above is VIOLATED."""
    verdict = verify(all_statements()["deep_linear.gd.balancedness_drift"], budget=4)
    assert verdict.verdict == "HOLDS", verdict.message


def test_every_statement_has_a_source_and_the_family_a_mutant():
    members = [all_statements()[i] for i in FAMILY]
    assert any(s.kind == "mutant" for s in members) and all(s.source for s in members)


@pytest.mark.slow
@pytest.mark.parametrize("statement_id", [i for i in FAMILY if all_statements()[i].expected])
def test_every_statement_meets_its_expectation(statement_id):
    """Theorems and mutants (a conjecture states no expectation: its verdict is reported)."""
    statement = all_statements()[statement_id]
    verdict = verify(statement)
    assert verdict.verdict in statement.expected, (verdict.verdict, verdict.message)
