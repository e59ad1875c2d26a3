"""Seeded Monte Carlo draws of the instances a :class:`~boundcheck.verifiers.draw.plan.DrawPlan`
admits (for probability and expectation statements, where Hypothesis's skewed draws would
bias frequencies, and for the uniform sweep that follows a ``for_all`` search), the
smallest admissible instance, and the VACUOUS report of a plan no draw can meet.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boundcheck.verifiers.draw.plan import DrawPlan, Infeasible


def draw(plan: DrawPlan, rng: np.random.Generator, fixed: dict[str, Any], lowest: bool) -> dict[str, Any]:
    """Every parameter drawn in order (uniform; log-uniform over wide positive ranges), or
    each at the low end of its admissible interval when ``lowest``; raises Infeasible."""
    values: dict[str, Any] = dict(fixed)
    for p in plan.model.params:
        if p.name in values:
            continue
        lo, hi, lo_open, hi_open, fixed_value = plan.interval(p.name, values)
        if p.kind in ("int", "seed"):
            ilo, ihi = plan.integer_range(lo, hi, lo_open, hi_open, p.name)
            values[p.name] = ilo if lowest else int(rng.integers(ilo, ihi + 1))
        elif fixed_value is not None:
            values[p.name] = fixed_value
        elif lowest and not lo_open:
            values[p.name] = lo
        elif lo > 0 and hi / lo > 100:
            values[p.name] = _inside(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), p.name, lo, hi, lo_open,
                                     hi_open)
        else:
            values[p.name] = _inside(float(rng.uniform(lo, hi)), p.name, lo, hi, lo_open, hi_open)
    return values


def _inside(value: float, name: str, lo: float, hi: float, lo_open: bool, hi_open: bool) -> float:
    """``value`` moved into the interval: exp(log(hi)) rounds above hi for 40% of floats, and
    a uniform draw may return lo itself; an open end is excluded by the next float inward.
    Raises :class:`Infeasible` when no float lies inside."""
    value = min(max(value, lo), hi)
    if lo_open and value <= lo:
        value = float(np.nextafter(lo, np.inf))
    if hi_open and value >= hi:
        value = float(np.nextafter(hi, -np.inf))
    if value < lo or value > hi or (lo_open and value <= lo) or (hi_open and value >= hi):
        raise Infeasible(name, lo, hi, [])
    return value


def smallest(plan: DrawPlan) -> dict[str, Any]:
    """Every parameter at the low end of its admissible interval (the cheapest instance
    the hypotheses allow); raises :class:`Infeasible` when there is none."""
    return draw(plan, np.random.default_rng(0), {}, lowest=True)

def sample(plan: DrawPlan, rng: np.random.Generator, fixed: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """One admissible draw by seeded Monte Carlo, or None when this draw is infeasible."""
    try:
        values = draw(plan, rng, fixed or {}, lowest=False)
    except Infeasible:
        return None
    return values if plan.checks_pass(values) else None


def sweep_draws(plan: DrawPlan, rng: np.random.Generator, sets: int, replicas: int) -> list[dict[str, Any]]:
    """``sets`` admissible parameter sets by seeded Monte Carlo (:func:`sample`), each with
    ``replicas`` instances whose seed parameters are drawn afresh, uniformly over their domain
    (a seed a hypothesis names keeps its drawn value). Fewer sets when draws keep failing:
    at most ``16 * sets`` attempts."""
    named = {a for _, _, args in plan.checks for a in args}
    seeds = [(p.name, int(plan.domain[p.name][0]), int(plan.domain[p.name][1])) for p in plan.model.params
             if p.kind == "seed" and not plan.bounds[p.name] and p.name not in named]
    out: list[dict[str, Any]] = []
    for _ in range(16 * sets):
        if len(out) >= sets * replicas:
            break
        params = sample(plan, rng)
        if params is None:
            continue
        out.append(params)
        for _ in range(replicas - 1):
            copy = dict(params)
            for name, lo, hi in seeds:
                copy[name] = int(rng.integers(lo, hi + 1))
            out.append(copy)
    return out


def vacuity(plan: DrawPlan, probes: int = 256, seed: int = 0) -> dict[str, Any] | None:
    """None if some draw meets the hypotheses; else what they demand, for a VACUOUS verdict.

    The first probe puts every parameter at the low end of its range (the smallest
    instance); the others are random. For each hypothesis that excluded a probe, the
    least demanding value seen is reported with the instance it was computed at.
    """
    if plan.constant_failures:
        return {"reason": f"hypotheses {', '.join(plan.constant_failures)} are false for every instance",
                "demanded": []}
    rng = np.random.default_rng(seed)
    closest: dict[str, float] = {}  # requirement -> the least demanding value seen
    for k in range(probes):
        try:
            values = draw(plan, rng, {}, lowest=k == 0)
        except Infeasible as exc:
            for hyp, op, value in exc.demanded:
                key = f"{exc.param} {op} {{}} ({hyp})"
                if key not in closest or (value < closest[key] if op == ">=" else value > closest[key]):
                    closest[key] = value
            if not exc.demanded:
                closest.setdefault(f"{exc.param}: no admissible value", math.nan)
            continue
        if plan.checks_pass(values):
            return None
    demanded = [{"requirement": key.format(f"{value:.3g}"), "value": value} for key, value in closest.items()]
    allowed = ", ".join(f"{name} in [{plan.domain[name][0]:g}, {plan.domain[name][1]:g}]" for name in
                        sorted({key.split()[0].rstrip(":") for key in closest}) if name in plan.domain)
    text = "; ".join(d["requirement"] for d in demanded) or "the hypotheses exclude every probed instance"
    return {"reason": f"no runnable instance meets the hypotheses: {text}"
                      + (f" (the compute budget allows {allowed})" if allowed else ""),
            "demanded": demanded}
