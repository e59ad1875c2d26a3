"""A run re-done in high precision: every cell decided at the replay's precision, and the
command that reproduces an instance."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.decide.conclusion import (
    FAILS,
    Conclusion,
    high_precision_status,
    observables_read,
)
from boundcheck.verifiers.draw.plan import DrawPlan, instance_key
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.models.precision import high_precision, precision_reached

REPLAY_DPS = 50

#: seconds one high-precision replay may take; past it the replay decides nothing
#: (``timed_out``): never a confirmation, never an artefact
REPLAY_TIME_LIMIT = 120.0


class _ReplayTimeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (a SIGALRM timer; the replays are pure Python
    and mpmath, so the signal is taken between bytecodes). Outside the main thread (a Dask
    worker thread) or where the platform has no timer, the block runs unlimited."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _ReplayTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def replay_command(statement: Statement, params: dict[str, Any]) -> str:
    return f"boundcheck replay {statement.origin or statement.id} --params '{instance_key(params)}'"


@dataclass
class Replay:
    """A run re-done in high precision: the first iteration where the bound fails, if any,
    and the verdict of every cell at the precision the replay really reached."""

    confirmed: bool
    dps: int
    t: int | None = None
    observed: str = ""
    bound: str = ""
    cells: dict[int, tuple[int, float, float]] = field(default_factory=dict)  # t -> (status, observed, bound)
    #: the instance is outside the hypotheses on observables at the replay precision
    outside: bool = False
    #: the replay did not finish within :data:`REPLAY_TIME_LIMIT`: it decides nothing
    timed_out: bool = False


def replay_high_precision(model: Model, conclusion: Conclusion, params: dict[str, Any], dps: int = REPLAY_DPS,
                          plan: DrawPlan | None = None, time_limit: float | None = None) -> Replay:
    """Run the reference implementation in mpmath at ``dps`` digits and re-evaluate every cell.

    With ``plan``, the hypotheses on observables are decided on the replay first: an instance
    that meets them only in float64 is outside, not a counterexample. Cells are decided at the
    precision the replay reached on the observables the conclusion reads
    (:func:`~boundcheck.verifiers.models.precision.precision_reached`: a value the reference left in float64
    caps it at 15 digits), and nothing below it is confirmed. A replay that runs past
    ``time_limit`` seconds (default :data:`REPLAY_TIME_LIMIT`) returns ``timed_out`` and
    decides nothing.
    """
    try:
        with _time_limit(REPLAY_TIME_LIMIT if time_limit is None else time_limit):
            return _replay(model, conclusion, params, dps, plan)
    except _ReplayTimeout:
        return Replay(False, dps, timed_out=True)


def _replay(model: Model, conclusion: Conclusion, params: dict[str, Any], dps: int, plan: DrawPlan | None) -> Replay:
    import mpmath

    obs = model.reference(params, high_precision(dps, observables_read(conclusion, plan.observed if plan else None)))
    if plan is not None and plan.observed and not plan.observed.hold_high_precision(params, obs, dps):
        return Replay(False, dps, outside=True)
    reached = precision_reached(obs, [n for n in conclusion.reads if n not in model.float64_in_replay], dps, params)
    replay = Replay(False, reached)
    propagated = conclusion.high_precision_error(params, obs, reached)
    for (tk, observed, bound), error in zip(conclusion.evaluate_high_precision(params, obs, dps), propagated):
        status = high_precision_status(observed, bound, reached, error)
        replay.cells[tk] = (status, float(observed), float(bound))
        if status == FAILS and not replay.confirmed:
            replay.confirmed, replay.t = True, tk
            replay.observed, replay.bound = mpmath.nstr(observed, 20), mpmath.nstr(bound, 20)
    return replay
