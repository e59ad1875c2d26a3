"""How informative a generalization bound is: its value next to the true gap.

A bound ``test <= empirical + complexity`` that holds is not yet useful: most published
bounds hold and exceed the trivial value (1 for a 0-1 or any [0, 1]-valued loss). For
every run of such a statement the checker collects the bound's value, the population
(or held-out) quantity it bounds and that quantity's empirical counterpart, and reports

* ``bound_mean``: the mean value of the right-hand side;
* ``observed_mean``: the mean of the left-hand side (the population loss);
* ``gap_mean``: the mean true gap, observed - empirical;
* ``complexity_mean``: the mean of bound - empirical (what the bound claims the gap is);
* ``ratio``: complexity_mean / gap_mean (how many times the true gap the bound claims);
* ``vacuous``: bound_mean > ``trivial``, and ``vacuous_fraction`` of the runs where it was.

A vacuous bound still HOLDS: it is only uninformative. A model opts in by naming, in its
``empirical`` mapping (declared on :class:`~boundcheck.verifiers.models.base.Model`), the
empirical counterpart of each population observable; the statement's left-hand side must
be one of those observables.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.verifiers.models.base import Model

TRIVIAL = 1.0


class VacuityReport:
    """Accumulates (bound, observed, empirical) over runs; :meth:`summary` is the report."""

    def __init__(self, empirical: str, trivial: float = TRIVIAL):
        self.empirical, self.trivial = empirical, trivial
        self.bounds: list[float] = []
        self.observed: list[float] = []
        self.empiricals: list[float] = []

    def add(self, obs: dict[str, Any], evaluation: Any) -> None:
        if evaluation.bound.size == 0:
            return
        self.bounds.append(float(evaluation.bound[-1]))
        self.observed.append(float(evaluation.observed[-1]))
        self.empiricals.append(float(obs[self.empirical]))

    def summary(self) -> dict[str, Any]:
        if not self.bounds:
            return {}
        b, o, e = (np.asarray(v) for v in (self.bounds, self.observed, self.empiricals))
        gap, complexity = float(np.mean(o - e)), float(np.mean(b - e))
        return {
            "runs": int(b.size), "trivial": self.trivial, "empirical": self.empirical,
            "bound_mean": float(b.mean()), "observed_mean": float(o.mean()), "empirical_mean": float(e.mean()),
            "gap_mean": gap, "complexity_mean": complexity,
            "ratio": complexity / gap if gap > 0 else math.inf,
            "vacuous": bool(b.mean() > self.trivial), "vacuous_fraction": float(np.mean(b > self.trivial)),
        }


def vacuity_report(statement: Any, model: Model) -> VacuityReport | None:
    """A report for ``statement`` if its left-hand side is a population observable of ``model``
    (one its :attr:`~boundcheck.verifiers.models.base.Model.empirical` names)."""
    empirical = model.empirical
    relation = statement.conclusion
    if not empirical or not isinstance(relation, sp.core.relational.Relational):
        return None
    lhs = relation.lhs if isinstance(relation, (sp.Le, sp.Lt)) else relation.rhs
    if isinstance(lhs, sp.Symbol) and lhs.name in empirical:
        return VacuityReport(empirical[lhs.name])
    return None


def vacuity_line(report: dict[str, Any]) -> str:
    """One line for the CLI: the bound against the true gap."""
    if not report:
        return "vacuity: no runs"
    ratio = report["ratio"]
    ratio_text = f"{ratio:.3g}x" if math.isfinite(ratio) else "inf (no positive gap)"
    mark = "VACUOUS (above the trivial value 1; it still holds)" if report["vacuous"] else "non-vacuous"
    return (f"bound {report['bound_mean']:.4g} vs {report['observed_mean']:.4g} observed "
            f"({report['empirical']} {report['empirical_mean']:.4g}); true gap {report['gap_mean']:.4g}, "
            f"claimed gap {report['complexity_mean']:.4g}, ratio {ratio_text}; {mark}, "
            f"{report['vacuous_fraction']:.0%} of runs above 1")
