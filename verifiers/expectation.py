"""The ``in_expectation`` quantifier: an identity or a bound on an expectation, by seeded Monte Carlo.

The conclusion ``lhs REL rhs`` (REL one of ==, <=, <, >=, >) is over scalar observables
and parameters. For each of ``settings`` (quantifier parameter, default 4) settings of
the parameters, drawn to satisfy the hypotheses, the seed named by ``over`` is drawn
``budget // settings`` times and D = lhs - rhs is computed on every run. With m runs,
mean D-bar and standard error s / sqrt(m), a Student-t interval at level
1 - alpha / settings (Bonferroni over the settings, alpha = 1 - confidence) decides:

* identity E[lhs] = E[rhs]: VIOLATED when the two-sided interval for E[D] excludes 0;
  HOLDS when it contains 0 and its half-width is at most ``rel_width`` times |E[rhs]|
  (|E[lhs]| where E[rhs] = 0); INCONCLUSIVE otherwise (too few runs to say);
* bound E[lhs] <= E[rhs]: one-sided; VIOLATED when the lower end of the interval for
  E[D] is above 0; HOLDS when its upper end is at most 0 (clearly met) or its half-width
  is at most ``rel_width`` times the scale; INCONCLUSIVE otherwise.

A statement with S settings is thus falsely called VIOLATED with probability at most
1 - confidence (given the t-interval's coverage; the CLT needs the observable to have a
finite variance, which a statement must ensure by its hypotheses). A run whose D is not
finite is an observation: E[D] is not the finite value claimed, and the statement is VIOLATED.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from theorems.statement import Statement, StatementError
from verifiers.models import get_model
from verifiers.models.base import Model
from verifiers.strategies import DrawPlan
from verifiers.verdict import Verdict

CHUNK = 512  # runs per model.run call


@dataclass
class Difference:
    """lhs - rhs of a relation over scalar observables and parameters, compiled for a model.

    ``sign`` is +1 for == , <= and <, -1 for >= and > (so that the claim is E[D] (<=|==) 0)."""

    statement: Statement
    model: Model

    def __post_init__(self) -> None:
        relation = self.statement.substituted(self.statement.conclusion)
        if relation.atoms(sp.Indexed):
            raise StatementError(f"{self.statement.id}: an expectation conclusion takes scalar observables only")
        if isinstance(relation, sp.Eq):
            self.kind, self.sign = "identity", 1.0
        elif isinstance(relation, (sp.Le, sp.Lt)):
            self.kind, self.sign = "bound", 1.0
        elif isinstance(relation, (sp.Ge, sp.Gt)):
            self.kind, self.sign = "bound", -1.0
        else:
            raise StatementError(f"{self.statement.id}: conclusion {relation} is neither an identity nor a bound")
        self.names = sorted({s.name for s in relation.free_symbols})
        for name in self.names:
            if not self.model.knows(name):
                raise StatementError(f"{self.statement.id}: {name!r} is not a parameter or observable of "
                                     f"{self.model.name}")
        plain = {s: sp.Symbol(s.name) for s in relation.free_symbols}
        args = [sp.Symbol(n) for n in self.names]
        self._lhs = sp.lambdify(args, relation.lhs.xreplace(plain), "numpy")
        self._rhs = sp.lambdify(args, relation.rhs.xreplace(plain), "numpy")
        self.relation = relation

    def sides(self, batch: list[dict[str, Any]], observations: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """(lhs, rhs) on every run, as float arrays (non-finite where undefined)."""
        columns = [np.array([float(o[n]) if n in o else float(p[n]) for p, o in zip(batch, observations)])
                   for n in self.names]
        with np.errstate(all="ignore"):
            lhs = np.broadcast_to(np.asarray(self._lhs(*columns), dtype=np.float64), (len(batch),))
            rhs = np.broadcast_to(np.asarray(self._rhs(*columns), dtype=np.float64), (len(batch),))
        return lhs, rhs


@dataclass
class MeanDecision:
    """The decision on one setting."""

    verdict: str
    kind: str
    runs: int
    lhs_mean: float
    rhs_mean: float
    diff_mean: float
    diff_se: float
    low: float
    high: float
    level: float
    half_width: float
    scale: float
    rel_width: float
    nonfinite: int = 0

    def __str__(self) -> str:
        if self.nonfinite:
            return f"{self.nonfinite} of {self.runs} runs gave a non-finite value; the expectation is not finite"
        rel = self.half_width / self.scale if self.scale > 0 else math.inf
        return (f"E[lhs] = {self.lhs_mean:.6g} vs E[rhs] = {self.rhs_mean:.6g} over {self.runs} runs; "
                f"E[lhs - rhs] in [{self.low:.4g}, {self.high:.4g}] at level {self.level:.4g} "
                f"(half-width {rel:.2%} of the scale, allowed {self.rel_width:.0%})")


def decide_mean(diff: np.ndarray, lhs: np.ndarray, rhs: np.ndarray, kind: str, confidence: float, rel_width: float,
                tests: int = 1) -> MeanDecision:
    """Decide E[D] == 0 (``identity``) or E[D] <= 0 (``bound``) from samples of D (see the module doc)."""
    m = diff.size
    finite = np.isfinite(diff)
    alpha = (1.0 - confidence) / tests
    level = 1.0 - alpha
    lhs_mean, rhs_mean = float(np.mean(lhs[finite])) if finite.any() else math.nan, \
        float(np.mean(rhs[finite])) if finite.any() else math.nan
    scale = abs(rhs_mean) if rhs_mean != 0 else abs(lhs_mean)
    if not finite.all() or m < 2:
        verdict = "VIOLATED" if not finite.all() else "INCONCLUSIVE"
        return MeanDecision(verdict, kind, m, lhs_mean, rhs_mean, math.nan, math.nan, math.nan, math.nan, level,
                            math.inf, scale, rel_width, int((~finite).sum()))
    mean = float(diff.mean())
    se = float(diff.std(ddof=1) / math.sqrt(m))
    if kind == "identity":
        q = float(stats.t.ppf(1.0 - alpha / 2.0, m - 1))
        low, high = mean - q * se, mean + q * se
        if low > 0 or high < 0:
            verdict = "VIOLATED"
        elif q * se <= rel_width * scale:
            verdict = "HOLDS"
        else:
            verdict = "INCONCLUSIVE"
    else:
        q = float(stats.t.ppf(1.0 - alpha, m - 1))
        low, high = mean - q * se, mean + q * se
        if low > 0:
            verdict = "VIOLATED"
        elif high <= 0 or q * se <= rel_width * scale:
            verdict = "HOLDS"
        else:
            verdict = "INCONCLUSIVE"
    return MeanDecision(verdict, kind, m, lhs_mean, rhs_mean, mean, se, low, high, level, q * se, scale, rel_width)


def draw_setting(plan: DrawPlan, rng: np.random.Generator, fixed: dict[str, Any] | None = None) -> dict[str, Any] | None:
    for _ in range(200):
        setting = plan.sample(rng, fixed)
        if setting is not None:
            return setting
    return None


def sample_runs(model: Model, plan: DrawPlan, difference: Difference, setting: dict[str, Any], over: str,
                seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """lhs and rhs on the runs of ``setting`` with each seed (runs outside the observable
    hypotheses are dropped and counted)."""
    lhs_all, rhs_all, outside = [], [], 0
    for start in range(0, seeds.size, CHUNK):
        batch = [{**setting, over: int(s)} for s in seeds[start:start + CHUNK]]
        results = model.run(batch)
        if plan.post:
            kept = [(p, o) for p, o in zip(batch, results) if plan.post_ok(p, o)]
            outside += len(batch) - len(kept)
            batch, results = [p for p, _ in kept], [o for _, o in kept]
            if not batch:
                continue
        lhs, rhs = difference.sides(batch, results)
        lhs_all.append(lhs)
        rhs_all.append(rhs)
    if not lhs_all:
        return np.zeros(0), np.zeros(0), outside
    return np.concatenate(lhs_all), np.concatenate(rhs_all), outside


def seeds_for(plan: DrawPlan, over: str, rng: np.random.Generator, count: int) -> np.ndarray:
    lo, hi = (int(v) for v in plan.domain[over])
    return rng.integers(lo, hi, size=count, endpoint=True)


def run_in_expectation(statement: Statement, budget: int, seed: int, progress, base: Verdict) -> Verdict:
    """The ``in_expectation`` runner (see the module docstring)."""
    model = get_model(statement.model)
    plan = DrawPlan(statement, model)
    q = statement.quantifier
    over = q.get("over")
    if over not in model.param_names or model.param(over).kind != "seed":
        raise StatementError(f"{statement.id}: in_expectation over {over!r}, which is not a seed of {model.name}")
    difference = Difference(statement, model)
    report = plan.vacuity(seed=seed)
    if report is not None:
        base.verdict, base.message = "VACUOUS", report["reason"]
        base.details["demanded"] = report["demanded"]
        return base
    confidence, rel_width = float(q.get("confidence", 0.95)), float(q.get("rel_width", 0.05))
    n_settings = int(q.get("settings", 4) or 4)
    runs = max(2, budget // n_settings)
    rng = np.random.default_rng(seed)
    decisions: list[tuple[dict[str, Any], MeanDecision]] = []
    for k in range(n_settings):
        setting = draw_setting(plan, rng)
        if setting is None:
            base.verdict, base.message = "VACUOUS", "no drawn setting met the hypotheses"
            return base
        lhs, rhs, outside = sample_runs(model, plan, difference, setting, over, seeds_for(plan, over, rng, runs))
        base.outside += outside
        base.instances += lhs.size
        decision = decide_mean(difference.sign * (lhs - rhs), lhs, rhs, difference.kind, confidence, rel_width,
                               n_settings)
        decisions.append(({key: v for key, v in setting.items() if key != over}, decision))
        if progress:
            progress(k + 1, n_settings)
    return _conclude(statement, base, decisions, difference.kind)


def _conclude(statement: Statement, base: Verdict, decisions: list[tuple[dict[str, Any], MeanDecision]],
              kind: str) -> Verdict:
    base.details["settings"] = [{"setting": s, "verdict": d.verdict, "decision": str(d), "lhs_mean": d.lhs_mean,
                                 "rhs_mean": d.rhs_mean, "ci": [d.low, d.high], "level": d.level}
                                for s, d in decisions]
    base.details["claim"] = kind
    slacks = [-abs(d.diff_mean) if kind == "identity" else -d.diff_mean for _, d in decisions]
    base.min_slack = min((s for s in slacks if s == s), default=-math.inf)
    ratios = [d.lhs_mean / d.rhs_mean for _, d in decisions if d.rhs_mean not in (0.0,) and d.rhs_mean == d.rhs_mean]
    base.max_tightness = max(ratios, default=0.0)
    verdicts = [d.verdict for _, d in decisions]
    if base.instances == 0:
        base.verdict, base.message = "VACUOUS", "no run met the hypotheses on observables"
    elif "VIOLATED" in verdicts:
        setting, d = next((s, d) for s, d in decisions if d.verdict == "VIOLATED")
        base.verdict = "VIOLATED"
        base.violations = verdicts.count("VIOLATED")
        base.message = f"at {_short(setting)}: {d}"
        base.counterexample = {"params": setting, "observed": d.lhs_mean, "bound": d.rhs_mean,
                               "slack": -d.diff_mean if d.diff_mean == d.diff_mean else -math.inf,
                               "ci": [d.low, d.high], "level": d.level, "runs": d.runs,
                               "replay": f"boundcheck verify {statement.origin or statement.id} --seed {base.seed}"}
    elif all(v == "HOLDS" for v in verdicts):
        base.verdict = "HOLDS"
        base.message = f"{len(decisions)} settings, {base.instances} runs; e.g. {decisions[0][1]}"
    else:
        setting, d = next((s, d) for s, d in decisions if d.verdict == "INCONCLUSIVE")
        base.verdict = "INCONCLUSIVE"
        base.message = f"interval too wide at {_short(setting)}: {d}"
    return base


def _short(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
