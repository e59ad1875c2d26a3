"""A greedy shrinker for a counterexample found outside Hypothesis (the Monte Carlo sweep).

Hypothesis shrinks what its own search finds. A violation drawn by the sweep has no
choice sequence to shrink, so it is shrunk here, the way a reader simplifies an example by
hand: each parameter in turn (in the model's order) is moved to the simplest value its
interval admits, given the others -- an integer to the low end of its range or half its
value, a seed to the first seed, a float to the low end of its interval or to its value
rounded to one, two or three significant digits -- and a move is kept when the instance still
meets the hypotheses and still violates the bound in float64. The candidates for one
parameter are run as one batch; passes repeat while a move is kept. The shrunk instance is
a candidate only: the caller replays it in high precision and reports the original when
the replay does not confirm it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boundcheck.verifiers.decide.conclusion import Conclusion, observables_read
from boundcheck.verifiers.draw.plan import DrawPlan, Infeasible
from boundcheck.verifiers.models.base import Model, Param

#: passes over the parameters at most (an integer halves once a pass)
PASSES = 8


def shrink(model: Model, plan: DrawPlan, conclusion: Conclusion, params: dict[str, Any]) -> dict[str, Any]:
    """The simplest instance reached from ``params`` by single-parameter moves that keep a
    float64 violation inside the hypotheses (``params`` itself when no move does)."""
    current = dict(params)
    read = observables_read(conclusion, plan.observed)
    for _ in range(PASSES):
        moved = False
        for p in model.params:
            trials = [{**current, p.name: value} for value in _simpler(plan, current, p)]
            trials = [trial for trial in trials if plan.admits(trial)]
            if trials and (violating := _violating(model, plan, conclusion, trials, read)):
                current, moved = violating[0], True  # candidates come simplest first
        if not moved:
            break
    return current


def _simpler(plan: DrawPlan, values: dict[str, Any], p: Param) -> list[Any]:
    """Candidate values for ``p``, simplest first, each different from its current value."""
    value = values[p.name]
    try:
        lo, hi, lo_open, hi_open, fixed = plan.interval(p.name, values)
    except Infeasible:
        return []
    if fixed is not None:
        return []
    if p.kind in ("int", "seed"):
        try:
            ilo, _ = plan.integer_range(lo, hi, lo_open, hi_open, p.name)
        except Infeasible:
            return []
        candidates = [ilo] if p.kind == "seed" else [ilo, ilo + (value - ilo) // 2]
    else:
        candidates = [] if lo_open else [float(lo)]
        if math.isfinite(value) and value != 0:
            candidates += [float(f"{value:.{digits}g}") for digits in (1, 2, 3)]
    out: list[Any] = []
    for candidate in candidates:
        if candidate != value and candidate not in out and lo <= candidate <= hi:
            out.append(candidate)
    return out


def _violating(model: Model, plan: DrawPlan, conclusion: Conclusion, trials: list[dict[str, Any]],
               read: frozenset[str]) -> list[dict[str, Any]]:
    """The trials that meet the hypotheses on observables and violate the bound in float64
    (each run computing the observables ``read``)."""
    results = model.run_only(trials, read)
    if plan.observed:
        kept = [(t, o) for t, o in zip(trials, results) if plan.observed.hold(t, o)]
        if not kept:
            return []
        trials, results = [t for t, _ in kept], [o for _, o in kept]
    summary = conclusion.summarize(trials, results)
    return [trials[k] for k in np.flatnonzero(summary.violated)]
