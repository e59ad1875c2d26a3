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
    # decided cells only (a cell within its float64 error bound counts for nothing): the search
    # still gets close to these bounds, and never past them
    assert 0.5 < verdict.max_tightness <= 1.0
    assert verdict.details["cells"]["decided"] > 0


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
