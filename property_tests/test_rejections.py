"""Runs rejected after the fact by a hypothesis on an observable are reported, with the
hypothesis to blame: a verdict built on 2% of the budget must say so."""

from __future__ import annotations

from boundcheck.verifiers.check import verify
from boundcheck.verifiers.loading import load

CONJECTURE = """
[conjecture]
id = "mine.mostly_rejected"
model = "smooth.pl"
hypotheses = ["eta == 1/L", "mu <= L", "R_sq <= {cap}"]
conclusion = "gap[t] <= (1 - mu/L)**t * gap[0]"
quantifier = "for_all"
"""


def _verify(tmp_path, cap: float):
    path = tmp_path / "conjecture.toml"
    path.write_text(CONJECTURE.format(cap=cap))
    return verify(load(str(path))[0], budget=120)


def test_a_run_mostly_outside_the_hypotheses_names_the_hypothesis_and_the_rate(tmp_path):
    verdict = _verify(tmp_path, 0.05)
    assert verdict.verdict == "HOLDS"
    assert verdict.outside > verdict.instances
    note = verdict.details["rejection"]
    assert "R_sq <= 0.05" in note and "outside the hypotheses on observables" in note
    assert f"{verdict.outside} of {verdict.outside + verdict.instances}" in note


def test_a_run_mostly_inside_carries_no_note(tmp_path):
    verdict = _verify(tmp_path, 1e6)
    assert verdict.verdict == "HOLDS" and verdict.outside == 0
    assert "rejection" not in verdict.details
