"""The evidence a sampling runner gathers: only cells decided in float64 or in high precision
count towards slack and tightness."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from boundcheck.verifiers.decide.conclusion import (
    HOLDS,
    UNDECIDED,
    BatchSummary,
    Conclusion,
    Evaluation,
)
from boundcheck.verifiers.decide.replay import Replay

#: runs whose undecided cells are re-run in high precision after the search
UNDECIDED_REPLAYS = 4


@dataclass
class Tally:
    """Evidence gathered so far: only decided cells count towards slack and tightness."""

    instances: int = 0
    outside: int = 0
    cells: int = 0
    decided: int = 0
    undecided: int = 0
    resolved: int = 0
    min_slack: float = math.inf
    max_tightness: float = 0.0
    tightest: dict[str, Any] | None = None
    outside_report: list[str] = field(default_factory=list)
    #: instances with undecided cells, most undecided first (re-run in high precision after the search)
    undecided_runs: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    #: runs outside the hypotheses on observables, by the hypothesis they failed
    outside_by: Counter = field(default_factory=Counter)
    #: float64 violations whose high-precision replay ran out of time (neither confirmed nor cleared)
    unreplayed: list[dict[str, Any]] = field(default_factory=list)
    #: float64 violations never replayed: the statement's replays were all spent on artefacts
    passed_over: list[dict[str, Any]] = field(default_factory=list)
    #: float64 violations whose replay decided a violating cell neither way (within its precision)
    unresolved: list[dict[str, Any]] = field(default_factory=list)

    def add_summary(self, batch: list[dict[str, Any]], results: list[dict[str, Any]], summary: BatchSummary,
                    conclusion: Conclusion) -> None:
        """Count a batch; keep the full trajectory of a new tightest instance only."""
        self.instances += len(batch)
        self.cells += int(summary.cells.sum())
        self.decided += int(summary.decided.sum())
        self.undecided += int(summary.undecided.sum())
        self.min_slack = min(self.min_slack, float(summary.min_slack.min()))
        for k in np.flatnonzero(summary.undecided):
            self._queue_undecided(int(summary.undecided[k]), batch[k])
        k = int(np.argmax(np.where(np.isnan(summary.max_tightness), np.inf, summary.max_tightness)))
        if summary.decided[k] and (summary.max_tightness[k] > self.max_tightness or self.tightest is None):
            self._keep_tightest(batch[k], conclusion.evaluate(batch[k], results[k]))

    def add(self, params: dict[str, Any], evaluation: Evaluation) -> None:
        self.instances += 1
        self.cells += evaluation.t.size
        self.decided += evaluation.decided
        undecided = int(evaluation.undecided.sum())
        self.undecided += undecided
        if undecided:
            self._queue_undecided(undecided, params)
        self.min_slack = min(self.min_slack, evaluation.min_slack)  # failures included: they are evidence here
        if evaluation.decided:
            self._keep_tightest(params, evaluation)

    def keep_inside(self, observed: Any, batch: list[dict[str, Any]], results: list[dict[str, Any]],
                    record: bool = True) -> list[bool]:
        """Which runs meet the hypotheses on observables (``observed``, an
        :class:`~boundcheck.verifiers.decide.observed.ObservedHypotheses`); with ``record``,
        each run that does not is counted outside, the first three reported."""
        unmet = observed.unmet_each(batch, results)
        if record:
            for p, o, failed in zip(batch, results, unmet):
                if failed:
                    self.reject(failed)
                    if len(self.outside_report) < 3:
                        self.outside_report += observed.report(p, o)
        return [not failed for failed in unmet]

    def reject(self, unmet: list[str]) -> None:
        """One run outside the hypotheses on observables, failing the hypotheses named."""
        self.outside += 1
        self.outside_by.update(unmet)

    def rejection_note(self, threshold: float = 0.5) -> str:
        """When more than ``threshold`` of the runs fell outside the hypotheses on observables
        (drawn, run, then rejected: the budget is spent on them), which hypothesis to blame."""
        runs = self.instances + self.outside
        if not runs or self.outside <= threshold * runs:
            return ""
        blamed = ", ".join(f"{name} ({count})" for name, count in self.outside_by.most_common(3))
        return (f"{self.outside / runs:.0%} of the runs ({self.outside} of {runs}) were outside the hypotheses on "
                f"observables and checked nothing; failed most: {blamed}")

    def _queue_undecided(self, count: int, params: dict[str, Any]) -> None:
        self.undecided_runs.append((count, dict(params)))
        self.undecided_runs.sort(key=lambda run: -run[0])
        del self.undecided_runs[UNDECIDED_REPLAYS:]

    def _keep_tightest(self, params: dict[str, Any], evaluation: Evaluation) -> None:
        tightness = evaluation.max_tightness
        if tightness > self.max_tightness or self.tightest is None:
            self.max_tightness = max(self.max_tightness, tightness)
            scores = np.where((evaluation.status == HOLDS) & ~np.isnan(evaluation.tightness), evaluation.tightness,
                              -np.inf)
            k = int(np.argmax(np.where(np.isposinf(scores), np.inf, scores))) if evaluation.t.size else 0
            self.tightest = {"params": dict(params), "t": int(evaluation.t[k]) if evaluation.t.size else 0,
                             "trajectory": {"t": evaluation.t.tolist(), "observed": evaluation.observed.tolist(),
                                            "bound": evaluation.bound.tolist()}}

    def resolve(self, evaluation: Evaluation, replay: Replay) -> None:
        """Cells of one run that float64 left undecided, decided by its high-precision replay."""
        for k in np.flatnonzero(evaluation.undecided):
            status, observed, bound = replay.cells.get(int(evaluation.t[k]), (UNDECIDED, math.nan, math.nan))
            if status == HOLDS:
                self.resolved += 1
                self.decided += 1
                self.undecided -= 1
                self.min_slack = min(self.min_slack, bound - observed)
                if bound > 0:
                    self.max_tightness = max(self.max_tightness, observed / bound)
