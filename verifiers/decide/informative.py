"""Could the check have failed? Two measures of whether evidence says anything.

**Uninformative bounds.** An observable with a known range (a 0-1 error lies in [0, 1]) can
never exceed a bound at or above the top of its range (nor fall below one at or under the
bottom, for a lower bound): such a run agrees with the claim by construction and is no
evidence for it. A statement declares the range in ``Statement.observed_range``;
:class:`Informative` keeps only the runs whose bound is informative (some decided cell
strictly inside the range) and, when none is, turns the verdict into VACUOUS with the
bound's value, never HOLDS. Partly informative runs count only their informative runs.

**Progress of a rate.** A rate statement ``X[t] <= rate(t) X[0] + ...`` says little on runs
where X barely moves (the bound is then nearly X[0], and so is the observable).
:class:`RateProgress` records, per run, how far X fell over the run, X[T] / X[0], and how
far the bound claimed it would, bound(T) / X[0], at the run's last evaluated iteration T,
and reports the medians in the verdict (details and message).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.theorems.statement import Statement, t
from boundcheck.verifiers.decide.conclusion import HOLDS, Conclusion, Evaluation
from boundcheck.verifiers.verdict import Finding

#: runs whose decrease is recorded (the medians are over at most this many runs)
PROGRESS_RUNS = 512


@dataclass
class Informative:
    """Which runs of a statement with a bounded observable carry information."""

    low: float
    high: float
    upper: bool  # the conclusion bounds the observable from above (<=), else from below (>=)
    observable: str
    informative: int = 0
    skipped: int = 0
    skipped_bounds: list[float] = field(default_factory=list)
    _skipped_at_last_setting: int = 0

    @classmethod
    def of(cls, statement: Statement) -> Informative | None:
        """The filter for ``statement``, or None when it declares no range (or is an identity)."""
        declared = getattr(statement, "observed_range", None)
        relation = statement.conclusion
        if declared is None or not isinstance(relation, (sp.Le, sp.Lt, sp.Ge, sp.Gt)):
            return None
        low, high = (float(v) for v in declared)
        return cls(low, high, isinstance(relation, (sp.Le, sp.Lt)), sp.sstr(relation.lhs))

    def admits(self, evaluation: Evaluation) -> bool:
        """True when some decided cell's bound lies strictly inside the observable's range.

        A run with no decided cell is admitted (it can only delay a verdict, never decide
        it for the claim): what is left out is exactly a run that could not have failed."""
        decided = evaluation.status == HOLDS
        # the claimed side: a ``<=`` conclusion's right side is the evaluation's bound; a ``>=`` one is
        # evaluated as rhs <= lhs, so its claimed lower bound is the evaluation's "observed"
        claimed = evaluation.bound if self.upper else evaluation.observed
        bounds = claimed[decided] if decided.any() else claimed
        finite = bounds[np.isfinite(bounds)]
        if decided.any() and finite.size == bounds.size:
            inside = finite < self.high if self.upper else finite > self.low
            if not inside.any():
                self.skipped += 1
                self.skipped_bounds.append(float(finite.min() if self.upper else finite.max()))
                return False
        self.informative += 1
        return True

    def setting_uninformative(self, valid: int) -> bool:
        """True when a setting just finished had runs, all of them left out (``valid`` is its kept count)."""
        skipped_here, self._skipped_at_last_setting = self.skipped - self._skipped_at_last_setting, self.skipped
        return valid == 0 and skipped_here > 0

    @property
    def edge(self) -> float:
        return self.high if self.upper else self.low

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"observable": self.observable, "range": [self.low, self.high],
                               "informative_runs": self.informative, "uninformative_runs": self.skipped}
        if self.skipped_bounds:
            out["uninformative_median_bound"] = float(np.median(self.skipped_bounds))
        return out

    def describe(self) -> str:
        side = ">=" if self.upper else "<="
        median = float(np.median(self.skipped_bounds))
        return (f"uninformative: the bound is {side} {self.edge:g} (the edge of the range [{self.low:g}, "
                f"{self.high:g}] of {self.observable}) on {self.skipped} run(s), median bound {median:.4g}; "
                "such a run cannot fail")

    def apply(self, found: Finding) -> Finding | None:
        """Record the split in ``found``; VACUOUS (returned) when no run was informative."""
        found.details["informative"] = self.summary()
        if self.skipped and not self.informative:
            found.verdict = "VACUOUS"
            found.message = self.describe()
            return found
        return None

    def note(self, found: Finding) -> None:
        """Append to a decided verdict's message how many runs were left out as uninformative."""
        if self.skipped:
            side = ">=" if self.upper else "<="
            found.message = (found.message or "") + (
                f"; {self.skipped} uninformative run(s) left out (bound {side} {self.edge:g}, median "
                f"{np.median(self.skipped_bounds):.4g})")


@dataclass
class RateProgress:
    """Median decrease, actual and claimed, of the observable of a rate statement."""

    name: str
    actual: list[float] = field(default_factory=list)
    claimed: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, statement: Statement) -> RateProgress | None:
        """For ``X[t] <= f(t, X[0], ...)`` (X indexed at t on the left and at 0 on the right), else None."""
        relation = statement.conclusion
        if not isinstance(relation, (sp.Le, sp.Lt)) or not isinstance(relation.lhs, sp.Indexed):
            return None
        lhs = relation.lhs
        if lhs.indices != (t,):
            return None
        if not any(ix.base == lhs.base and ix.indices == (0,) for ix in relation.rhs.atoms(sp.Indexed)):
            return None
        return cls(lhs.base.label.name)

    def add(self, batch: list[dict[str, Any]], results: list[dict[str, Any]], conclusion: Conclusion) -> None:
        for params, obs in zip(batch, results):
            if len(self.actual) >= PROGRESS_RUNS:
                return
            values = np.asarray(obs.get(self.name, ()), dtype=np.float64)
            if values.size < 2 or not values[0] > 0:
                continue
            cell = conclusion.last_bound(params, obs)
            if cell is None:
                continue
            last, bound = cell
            if last < 1 or last >= values.size or not math.isfinite(values[last]):
                continue
            self.actual.append(float(values[last] / values[0]))
            self.claimed.append(float(bound / values[0]))

    def apply(self, found: Finding) -> None:
        if not self.actual:
            return
        actual, claimed = float(np.median(self.actual)), float(np.median(self.claimed))
        found.details["decrease"] = {"observable": self.name, "runs": len(self.actual), "median_actual": actual,
                                    "median_claimed": claimed}
        found.message = (found.message or "") + (f"; median over {len(self.actual)} runs: {self.name}[T]/{self.name}[0] "
                                               f"= {actual:.3g} (the bound claimed {claimed:.3g})")
