"""The pytest plugin: check statements from a user's tests, or collect conjecture files as tests.

::

    def test_my_conjecture(boundcheck):
        boundcheck.check("my_conjecture.toml")    # id, file (relative to this test file) or Statement

``check`` asserts what the statement's kind expects (a theorem HOLDS or is VACUOUS, a
mutant is VIOLATED, a conjecture HOLDS); on failure the message carries the shrunk
counterexample and its replay command. A relative file path resolves against the folder
of the test file that calls it (then against the current folder).

``pytest conjectures/`` collects every conjecture file there as test items, one per
statement: a ``.toml`` file holding a ``[conjecture]`` (or ``[statement]``) table, and a
``.py`` file marked with a line ``# boundcheck: collect`` among its first ten. An item
passes when the verdict is what the statement's kind expects (so a mutant item passes when
the checker catches it) and fails with the counterexample otherwise.

Options: ``--boundcheck-budget N`` sets the budget of every check and collected item,
``--boundcheck-store PATH`` records their evidence. The plugin registers no Hypothesis
profile and changes no Hypothesis setting of the projects it is installed in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from boundcheck.verifiers.commands.collection import holds_statements


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("boundcheck")
    group.addoption("--boundcheck-budget", type=int, default=None,
                    help="budget (Hypothesis examples / Monte Carlo runs) of every boundcheck check")
    group.addoption("--boundcheck-store", default=None, help="record the evidence of checks in this store")


class Checker:
    """What the ``boundcheck`` fixture gives a test; ``base``: the folder relative paths resolve against."""

    def __init__(self, budget: int | None = None, store: str | None = None, base: Path | None = None):
        self.budget, self.store, self.base = budget, store, base

    def resolve(self, target: str) -> str:
        """A relative file path against ``base`` when the file is there; ids and other paths unchanged."""
        path = Path(target)
        if self.base is not None and path.suffix in (".toml", ".py") and not path.is_absolute():
            beside = self.base / path
            if beside.is_file():
                return str(beside)
        return target

    def _statement(self, target: Any):
        from boundcheck.theorems.statement import Statement
        from boundcheck.verifiers.loading import load, validate

        if isinstance(target, Statement):
            return validate(target)
        statements = load(self.resolve(str(target)))
        if len(statements) != 1:
            raise ValueError(f"{target} holds {len(statements)} statements; check them one by one")
        return statements[0]

    def verify(self, target: Any, budget: int | None = None, seed: int = 0):
        """The verdict on ``target`` (a statement id, a .toml/.py file or a Statement)."""
        from boundcheck.verifiers.check import verify
        from boundcheck.verifiers.hypothesis_home import while_checking

        statement = self._statement(target)
        with while_checking():
            verdict = verify(statement, budget=budget or self.budget, seed=seed)
        self.record(verdict)
        return verdict

    def record(self, verdict) -> None:
        if self.store:
            from boundcheck.verifiers.evidence.store import Store

            with Store(self.store) as store:
                store.record(verdict)

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
    return Checker(request.config.getoption("--boundcheck-budget"), request.config.getoption("--boundcheck-store"),
                   Path(request.path).parent)


# ------------------------------------------------------------------ collecting conjecture files


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".toml", ".py") and holds_statements(file_path):
        return ConjectureFile.from_parent(parent, path=file_path)
    return None


class ConjectureFile(pytest.File):
    """A conjecture file: one item per statement it holds."""

    def collect(self):
        from boundcheck.verifiers.loading import load

        for statement in load(str(self.path)):
            yield StatementItem.from_parent(self, name=statement.id, statement=statement)


class StatementFailure(Exception):
    """A verdict that is not what the statement's kind expects."""


class StatementItem(pytest.Item):
    """One statement, checked at ``--boundcheck-budget`` (or its own budget)."""

    def __init__(self, *, statement, **kwargs: Any):
        super().__init__(**kwargs)
        self.statement = statement

    def runtest(self) -> None:
        from boundcheck.verifiers.check import verify
        from boundcheck.verifiers.hypothesis_home import while_checking

        checker = Checker(self.config.getoption("--boundcheck-budget"), self.config.getoption("--boundcheck-store"))
        with while_checking():
            verdict = verify(self.statement, budget=checker.budget)
        checker.record(verdict)
        expected = verdict.expected or ("HOLDS",)
        self.user_properties.append(("verdict", verdict.verdict))
        if verdict.verdict not in expected:
            raise StatementFailure(failure_message(verdict, expected))

    def repr_failure(self, excinfo, style=None) -> str:
        if isinstance(excinfo.value, StatementFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.statement.kind} {self.statement.id}"
