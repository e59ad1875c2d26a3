"""Time limits end a run as INCONCLUSIVE, never as HOLDS, and never hide a violation.

A search cut short at ``time_limit`` says how far it got; a high-precision replay that runs
past :data:`~boundcheck.verifiers.decide.replay.REPLAY_TIME_LIMIT` decides nothing, so a
float64 violation it was confirming is neither a counterexample nor an artefact. The limits
here are far below any run's duration (the first progress step, the first bytecodes of a
replay), so nothing depends on the machine's speed.
"""

from __future__ import annotations

import pytest

from boundcheck.verifiers.check import verify
from boundcheck.verifiers.decide import replay as replay_module
from boundcheck.verifiers.decide.conclusion import Conclusion
from boundcheck.verifiers.loading import load
from boundcheck.verifiers.models import get_model


@pytest.mark.parametrize("statement_id", ["classical.pl.linear_rate", "generalization.pac_bayes.mcallester"])
def test_a_run_past_its_time_limit_is_inconclusive_with_what_it_checked(statement_id):
    statement = load(statement_id)[0]
    verdict = verify(statement, budget=200, time_limit=1e-9)
    assert verdict.verdict == "INCONCLUSIVE"
    assert "time limit" in verdict.message


def test_without_a_time_limit_the_same_run_holds():
    verdict = verify(load("classical.pl.linear_rate")[0], budget=50)
    assert verdict.verdict == "HOLDS"


def test_a_replay_past_its_time_limit_decides_nothing():
    statement = load("classical.pl.linear_rate_tightened")[0]
    model = get_model(statement.model)
    params = model.validate({"d": 2, "L": 4.0, "mu": 1.0, "eta": 0.25, "steps": 3, "seed": 0})  # its shrunk counterexample
    conclusion = Conclusion(statement, model)
    finished = replay_module.replay_high_precision(model, conclusion, params)
    assert finished.confirmed and not finished.timed_out
    cut = replay_module.replay_high_precision(model, conclusion, params, time_limit=1e-6)
    assert cut.timed_out and not cut.confirmed and not cut.outside


def test_a_violation_whose_replay_times_out_is_inconclusive_not_holds(monkeypatch):
    """The mutant is VIOLATED when its replays finish; when none can, it must not be
    cleared as an artefact (that would end in HOLDS)."""
    statement = load("classical.pl.linear_rate_tightened")[0]
    assert verify(statement, budget=100).verdict == "VIOLATED"
    monkeypatch.setattr(replay_module, "REPLAY_TIME_LIMIT", 1e-6)
    verdict = verify(statement, budget=100)
    assert verdict.verdict == "INCONCLUSIVE", verdict.message
    assert "replay time limit" in verdict.message


def test_verify_timeout_on_the_command_line(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "boundcheck", "verify", "classical.pl.linear_rate", "--timeout", "0.001",
                          "--store", str(tmp_path / "e.sqlite")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stdout + run.stderr  # INCONCLUSIVE
    assert "INCONCLUSIVE" in run.stdout and "time limit" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "boundcheck", "verify", "classical.pl.linear_rate", "--timeout", "-1"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--timeout" in bad.stderr
