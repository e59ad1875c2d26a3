"""The pytest plugin: check statements from a user's tests.

::

    def test_my_conjecture(boundcheck):
        boundcheck.check("examples/my_conjecture.toml")    # id, file or Statement

``check`` asserts what the statement's kind expects (a theorem HOLDS or is VACUOUS, a
mutant is VIOLATED, a conjecture HOLDS); on failure the message carries the shrunk
counterexample and its replay command. ``pytest --boundcheck-budget N`` sets the
budget of every check, ``--boundcheck-store PATH`` records the evidence.

Hypothesis profiles for the machinery tests: ``ci`` (small), ``dev`` (default),
``thorough`` (large); choose with ``--hypothesis-profile``. Every profile turns the
per-example deadline off (JIT compilation makes first examples slow).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("boundcheck")
    group.addoption("--boundcheck-budget", type=int, default=None,
                    help="budget (Hypothesis examples / Monte Carlo runs) of every boundcheck check")
    group.addoption("--boundcheck-store", default=None, help="record the evidence of checks in this store")


class Checker:
    """What the ``boundcheck`` fixture gives a test."""

    def __init__(self, budget: int | None = None, store: str | None = None):
        self.budget, self.store = budget, store

    def _statement(self, target: Any):
        from boundcheck.theorems.statement import Statement
        from boundcheck.verifiers.loading import load, validate

        if isinstance(target, Statement):
            return validate(target)
        statements = load(str(target))
        if len(statements) != 1:
            raise ValueError(f"{target} holds {len(statements)} statements; check them one by one")
        return statements[0]

    def verify(self, target: Any, budget: int | None = None, seed: int = 0):
        """The verdict on ``target`` (a statement id, a .toml/.py file or a Statement)."""
        from boundcheck.verifiers.check import verify

        verdict = verify(self._statement(target), budget=budget or self.budget, seed=seed)
        if self.store:
            from boundcheck.verifiers.evidence.store import Store

            with Store(self.store) as store:
                store.record(verdict)
        return verdict

    def check(self, target: Any, budget: int | None = None, seed: int = 0):
        """Assert that the verdict is what the statement's kind expects (HOLDS for a conjecture)."""
        verdict = self.verify(target, budget, seed)
        expected = verdict.expected or ("HOLDS",)
        if verdict.verdict not in expected:
            raise AssertionError(failure_message(verdict, expected))
        return verdict


def failure_message(verdict, expected) -> str:
    lines = [f"{verdict.statement_id} [{verdict.kind}] is {verdict.verdict}, expected {' or '.join(expected)}: "
             f"{verdict.message}"]
    cx = verdict.counterexample
    if cx:
        lines.append(f"counterexample: {json.dumps(cx['params'], sort_keys=True)} "
                     f"(t = {cx['t']}, observed {cx['observed']:.6g}, bound {cx['bound']:.6g})")
        lines.append(f"replay: {cx['replay']}")
    return "\n".join(lines)


@pytest.fixture
def boundcheck(request: pytest.FixtureRequest) -> Checker:
    """Check boundcheck statements from a test; see :class:`Checker`."""
    return Checker(request.config.getoption("--boundcheck-budget"), request.config.getoption("--boundcheck-store"))
