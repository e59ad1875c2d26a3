"""Every classical statement through the real checker: theorems HOLD, mutants are caught.

A caught mutant's counterexample must replay: the float64 kernel breaks the bound at the
reported iteration, and the mpmath reference at 50 digits confirms it.
"""

from __future__ import annotations

import json

import pytest

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.decide.conclusion import Conclusion
from boundcheck.verifiers.decide.replay import replay_high_precision
from boundcheck.verifiers.models import get_model

# trajectory statements; the worst_case ones are certified by PEP SDPs (test_certify.py)
CLASSICAL = [
    s for s in all_statements().values()
    if s.family.startswith("classical") and s.quantifier.kind == "for_all"
]
THEOREMS = [s for s in CLASSICAL if s.kind == "theorem"]
MUTANTS = [s for s in CLASSICAL if s.kind == "mutant"]


def test_every_classical_theorem_has_a_mutant():
    targets = {s.mutant_of for s in MUTANTS}
    assert {s.id for s in THEOREMS} <= targets


@pytest.mark.parametrize("statement", THEOREMS, ids=lambda s: s.id)
def test_theorem_holds(statement):
    verdict = verify(statement)
    assert verdict.verdict == "HOLDS", verdict.message
    assert verdict.instances > 50
    assert verdict.details["cells"]["decided"] > 0
    # per claim, on decided cells only (a cell within its float64 error bound counts for nothing)
    if statement.claim == "tight":
        # attained on the model: the search reaches it (PEPit's assertAlmostEqual for a tight claim)
        assert verdict.max_tightness == pytest.approx(1.0, abs=0.01)
    else:
        # an upper bound: never passed, and not vacuous on what was drawn (assertLessEqual)
        assert 0.0 < verdict.max_tightness <= 1.0


@pytest.mark.parametrize("statement", MUTANTS, ids=lambda s: s.id)
def test_mutant_is_caught_and_replays(statement):
    verdict = verify(statement)
    assert verdict.verdict == "VIOLATED", verdict.message
    cx = verdict.counterexample
    assert cx["replay_t"] is not None and cx["replay_dps"] == 50
    model = get_model(statement.model)
    params = json.loads(json.dumps(cx["params"]))  # what a user pastes back in
    conclusion = Conclusion(statement, model)
    again = conclusion.evaluate(params, model.run([params])[0])
    assert again.first_violation == cx["t"]
    assert again.at(cx["t"])["observed"] == cx["observed"]  # bit for bit
    assert replay_high_precision(model, conclusion, params).confirmed
    # caught where the claim says something: the claimed bound is positive at the counterexample
    assert cx["bound"] > 0


def test_near_boundary_mutant_within_one_percent():
    """The strongly convex contraction claimed 1% faster is caught: the counterexample's bound is within
    0.99^t of the true contraction's (what the theorem states at the same point)."""
    statement = all_statements()["classical.strongly_convex.distance_rate_one_percent_fast"]
    verdict = verify(statement)
    assert verdict.verdict == "VIOLATED", verdict.message
    cx = verdict.counterexample
    truth = all_statements()["classical.strongly_convex.distance"]
    model = get_model(truth.model)
    at = Conclusion(truth, model).evaluate(cx["params"], model.run([cx["params"]])[0]).at(cx["t"])
    assert at["slack"] >= 0  # the theorem holds there
    assert cx["bound"] / at["bound"] == pytest.approx(0.99 ** cx["t"], rel=1e-9)  # 1% per step from the truth
    assert cx["bound"] > 0


def test_counterexample_is_shrunk():
    """Shrinking leaves one instance with the fewest steps that still break the claim."""
    statement = all_statements()["classical.convex.drori_teboulle_step_past_limit"]
    verdict = verify(statement, seed=3)
    params = verdict.counterexample["params"]
    assert params["steps"] == 1 and params["d"] == 1


def test_seed_makes_runs_reproducible():
    statement = all_statements()["classical.strongly_convex.distance"]
    a, b = verify(statement, budget=30, seed=7), verify(statement, budget=30, seed=7)
    assert (a.instances, a.min_slack, a.max_tightness) == (b.instances, b.min_slack, b.max_tightness)
