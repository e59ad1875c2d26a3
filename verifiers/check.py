"""The dispatcher: one statement in, one :class:`Verdict` out.

``verify`` hands a statement to the runner of its quantifier (one module per quantifier
in :mod:`boundcheck.verifiers.quantifiers`: draw instances, run them, decide) and turns a
malformed statement or an internal failure into an ERROR verdict, so that one statement
never ends ``verify --all``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

from boundcheck.theorems.quantifiers import QUANTIFIERS, Quantifier
from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.verifiers.verdict import Finding, Verdict

#: ``progress(done, total)``, called as a runner advances
Progress = Callable[[int, int], None]

DEFAULT_BUDGET = 100


class TimeLimitReached(Exception):
    """Raised through a runner's progress callback once the run is past its time limit."""

    def __init__(self, limit: float, done: int, total: int):
        super().__init__(f"stopped at the time limit of {limit:g} s after {done} of {total} steps")
        self.limit, self.done, self.total = limit, done, total


def effective_budget(statement: Statement, budget: int | None = None) -> int:
    """The budget a run uses: the one asked for, else the statement's, else the default."""
    return budget or statement.budget or DEFAULT_BUDGET
def verify(statement: Statement, budget: int | None = None, seed: int = 0,
           progress: Progress | None = None, time_limit: float | None = None) -> Verdict:
    """Check ``statement``; returns its :class:`Verdict` (ERROR for a malformed one).

    With ``time_limit`` (seconds), a run still going at the limit stops at its next step and
    is INCONCLUSIVE, saying how far it got: a search cut short is no evidence that the claim
    holds, and no violation was confirmed before the stop.
    """
    started = time.perf_counter()
    budget = effective_budget(statement, budget)
    if time_limit is not None:
        progress = _limited(progress, time_limit, started)
    try:
        finding = runner_for(statement.quantifier)(statement, budget, seed, progress)
    except TimeLimitReached as exc:
        finding = Finding(verdict="INCONCLUSIVE", message=f"{exc}; no violation confirmed before the stop")
    except (StatementError, KeyError, ValueError) as exc:
        finding = Finding(verdict="ERROR", message=str(exc).strip("'\""))
    except (ArithmeticError, TypeError, IndexError, RuntimeError) as exc:
        # a bug in a model or a runner: one statement's ERROR, not the end of `verify --all`
        finding = Finding(verdict="ERROR", message=f"internal error while checking: {type(exc).__name__}: {exc}")
    return Verdict.assemble(statement, finding, budget, seed, time.perf_counter() - started)


def _limited(progress: Progress | None, limit: float, started: float) -> Progress:
    """``progress`` that raises :class:`TimeLimitReached` once ``limit`` seconds have passed."""

    def report(done: int, total: int) -> None:
        if time.perf_counter() - started > limit:
            raise TimeLimitReached(limit, done, total)
        if progress is not None:
            progress(done, total)

    return report


Runner = Callable[[Statement, int, int, "Progress | None"], Finding]
#: runners resolved so far, by "module:function" (each quantifier class names its own runner, in
#: :mod:`boundcheck.verifiers.quantifiers`; imported when first needed, so that e.g. cvxpy loads
#: only for worst cases). An entry keyed by a quantifier kind overrides that quantifier's runner.
RUNNERS: dict[str, Runner] = {}
def runner_for(quantifier: Quantifier | str) -> Runner:
    """The runner of ``quantifier`` (a quantifier, or the kind of one)."""
    kind = quantifier if isinstance(quantifier, str) else quantifier.kind
    if kind in RUNNERS:
        return RUNNERS[kind]
    cls = QUANTIFIERS.get(kind)
    entry = quantifier.runner if isinstance(quantifier, Quantifier) else cls.runner if cls else ""
    if ":" not in entry:
        raise StatementError(f"no checker for quantifier {kind!r}")
    if entry not in RUNNERS:
        module, function = entry.split(":")
        RUNNERS[entry] = getattr(importlib.import_module(module), function)
    return RUNNERS[entry]
