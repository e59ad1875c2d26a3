"""The ``in_expectation`` quantifier: an identity or a bound on an expectation, by seeded Monte Carlo.

The conclusion ``lhs REL rhs`` (REL one of ==, <=, <, >=, >) is over scalar observables
and parameters. ``settings`` (quantifier parameter, default 4) settings of the parameters
are drawn to satisfy the hypotheses; on each, D = lhs - rhs is computed over independent
seeds (the seed named by ``over``). With m runs, mean D-bar and standard error s / sqrt(m),
a Student-t interval decides.

**Sequential sampling.** The budget is the first look (``budget // settings`` runs per
setting, at least 16); runs are then doubled (fresh seeds) up to ``max_runs`` per setting
(default 32,768) -- a schedule fixed in advance (:func:`boundcheck.verifiers.decide.statistics.look_schedule`).
Every look's interval has level 1 - alpha / (settings * K), alpha = 1 - confidence, K the
number of planned looks: Bonferroni over settings and over looks, which makes the
intervals *repeated confidence intervals* (Jennison & Turnbull 1989; see
:func:`boundcheck.verifiers.decide.statistics.look_alpha`): all of them cover simultaneously with
probability >= 1 - alpha, so stopping when the data look decided is allowed. Settings
are advanced in rounds (look k of every open setting, then look k + 1), and the first
VIOLATED setting ends the sampling.

* identity E[lhs] = E[rhs]: sampling on a setting stops when the two-sided interval
  excludes 0 or its half-width is at most ``resolution`` (default 1%) of the scale
  |E[rhs]| (|E[lhs]| where E[rhs] = 0). VIOLATED when the interval excludes 0; HOLDS when
  it contains 0 and its half-width is at most ``rel_width`` (default 5%, the widest
  resolution at which an identity may be called HOLDS) of the scale; INCONCLUSIVE
  otherwise. The verdict states the resolution reached ("HOLDS to +-0.97%"): the claim is
  consistent with the runs to that relative deviation, and nothing finer.
* bound E[lhs] <= E[rhs] (and >=, by sign): one-sided, and decided only by the interval:
  HOLDS when its upper end is <= 0, VIOLATED when its lower end is > 0 (each one-sided
  at alpha / (settings * K), so that a claim and its negation cannot both HOLD except
  with probability <= alpha); otherwise INCONCLUSIVE, however narrow the interval --
  a difference smaller than the noise is not evidence for either side. Sampling stops
  when the sign is resolved or at the cap.

A statement is thus falsely called VIOLATED (or a false bound HOLDS) with probability at
most 1 - confidence, given the t-interval's coverage; the CLT needs the observable to
have a finite variance, which a statement must ensure by its hypotheses. A run whose D is
not finite is an observation: E[D] is not the finite value claimed, and the statement is
VIOLATED.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.verifiers.decide.compiled import compile_expression
from boundcheck.verifiers.decide.statistics import look_schedule
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import sample, vacuity
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.verdict import Finding

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
        self._lhs = compile_expression(args, relation.lhs.xreplace(plain), "numpy")
        self._rhs = compile_expression(args, relation.rhs.xreplace(plain), "numpy")
        self.relation = relation

    def sides(self, batch: list[dict[str, Any]], observations: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """(lhs, rhs) on every run, as float arrays (non-finite where undefined)."""
        columns = [np.array([float(o[n]) if n in o else float(p[n]) for p, o in zip(batch, observations)])
                   for n in self.names]
        with np.errstate(all="ignore"):
            lhs = np.broadcast_to(np.asarray(self._lhs(*columns), dtype=np.float64), (len(batch),))
            rhs = np.broadcast_to(np.asarray(self._rhs(*columns), dtype=np.float64), (len(batch),))
        return lhs, rhs


#: runs per setting in the first look, at least (a t-interval on fewer is mostly noise)
MIN_FIRST_RUNS = 16
#: default cap on the runs of one setting: 2^15; at a relative standard deviation of 0.75
#: (the least-squares risk at small p) it resolves about +-1.4% at the default level
DEFAULT_MAX_RUNS = 32768
#: default sampling target: stop an identity once it is resolved to +-1% (the resolution a tight claim
#: should reach at the default budget)
DEFAULT_RESOLUTION = 0.01


@dataclass
class MeanDecision:
    """The decision on one setting at one look."""

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
    looks: int = 1

    @property
    def resolution(self) -> float:
        """The half-width of the interval relative to the scale (inf when undefined)."""
        return self.half_width / self.scale if self.scale > 0 and self.half_width == self.half_width else math.inf

    def __str__(self) -> str:
        if self.nonfinite:
            return f"{self.nonfinite} of {self.runs} runs gave a non-finite value; the expectation is not finite"
        side = "two-sided" if self.kind == "identity" else "one-sided"
        text = (f"E[lhs] = {self.lhs_mean:.6g} vs E[rhs] = {self.rhs_mean:.6g} over {self.runs} runs; "
                f"E[lhs - rhs] in [{self.low:.4g}, {self.high:.4g}] ({side}, level {self.level:.5g}"
                f"{f', {self.looks} planned looks' if self.looks > 1 else ''}); resolution +-{self.resolution:.2%}")
        if self.kind == "identity":
            text += f" (HOLDS allowed up to +-{self.rel_width:.0%})"
        return text


def decide_mean(diff: np.ndarray, lhs: np.ndarray, rhs: np.ndarray, kind: str, confidence: float, rel_width: float,
                tests: int = 1, looks: int = 1) -> MeanDecision:
    """Decide E[D] == 0 (``identity``) or E[D] <= 0 (``bound``) from samples of D (see the module doc).

    The level of the interval is 1 - (1 - confidence) / (tests * looks): Bonferroni over
    ``tests`` settings and over the ``looks`` planned looks of a sequential test. A bound
    HOLDS only when the upper end of its one-sided interval is <= 0: ``rel_width`` plays
    no part in it."""
    m = diff.size
    finite = np.isfinite(diff)
    alpha = (1.0 - confidence) / (tests * max(1, looks))
    level = 1.0 - alpha
    lhs_mean, rhs_mean = float(np.mean(lhs[finite])) if finite.any() else math.nan, \
        float(np.mean(rhs[finite])) if finite.any() else math.nan
    scale = abs(rhs_mean) if rhs_mean != 0 else abs(lhs_mean)
    if not finite.all() or m < 2:
        verdict = "VIOLATED" if not finite.all() else "INCONCLUSIVE"
        return MeanDecision(verdict, kind, m, lhs_mean, rhs_mean, math.nan, math.nan, math.nan, math.nan, level,
                            math.inf, scale, rel_width, int((~finite).sum()), looks)
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
        verdict = "VIOLATED" if low > 0 else "HOLDS" if high <= 0 else "INCONCLUSIVE"
    return MeanDecision(verdict, kind, m, lhs_mean, rhs_mean, mean, se, low, high, level, q * se, scale, rel_width,
                        0, looks)


def settled(decision: MeanDecision, resolution: float) -> bool:
    """Whether sampling on a setting may stop: a VIOLATED decision; a bound whose sign is
    resolved; an identity resolved to ``resolution`` of its scale."""
    if decision.verdict == "VIOLATED":
        return True
    if decision.kind == "identity":
        return decision.half_width <= resolution * decision.scale
    return decision.verdict == "HOLDS"


def draw_setting(plan: DrawPlan, rng: np.random.Generator, fixed: dict[str, Any] | None = None) -> dict[str, Any] | None:
    for _ in range(200):
        setting = sample(plan, rng, fixed)
        if setting is not None:
            return setting
    return None


def sample_runs(model: Model, plan: DrawPlan, difference: Difference, setting: dict[str, Any], over: str,
                seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """lhs and rhs on the runs of ``setting`` with each seed (runs outside the observable
    hypotheses are dropped and counted)."""
    lhs_all, rhs_all, outside = [], [], 0
    names = frozenset(difference.names)
    if plan.observed:
        names |= {name for relation in plan.observed.relations for name in map(str, relation[1].free_symbols)}
    for start in range(0, seeds.size, CHUNK):
        batch = [{**setting, over: int(s)} for s in seeds[start:start + CHUNK]]
        results = model.run_only(batch, names)
        if plan.observed:
            kept = [(p, o) for p, o in zip(batch, results) if plan.observed.hold(p, o)]
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


def run_in_expectation(statement: Statement, budget: int, seed: int, progress) -> Finding:
    """The ``in_expectation`` runner (see the module docstring)."""
    found = Finding()
    model = get_model(statement.model)
    plan = DrawPlan(statement, model)
    q = statement.quantifier
    over = q.get("over")
    if over not in model.param_names or model.param(over).kind != "seed":
        raise StatementError(f"{statement.id}: in_expectation over {over!r}, which is not a seed of {model.name}")
    difference = Difference(statement, model)
    report = vacuity(plan, seed=seed)
    if report is not None:
        found.verdict, found.message = "VACUOUS", report["reason"]
        found.details["demanded"] = report["demanded"]
        return found
    confidence, rel_width = float(q.get("confidence", 0.95)), float(q.get("rel_width", 0.05))
    resolution = float(q.get("resolution", DEFAULT_RESOLUTION))
    n_settings = int(q.get("settings", 4) or 4)
    first = max(MIN_FIRST_RUNS, budget // n_settings)
    schedule = look_schedule(first, int(q.get("max_runs", max(DEFAULT_MAX_RUNS, first))))
    rng = np.random.default_rng(seed)
    settings: list[dict[str, Any]] = []
    for _ in range(n_settings):
        setting = draw_setting(plan, rng)
        if setting is None:
            found.verdict, found.message = "VACUOUS", "no drawn setting met the hypotheses"
            return found
        settings.append(setting)
    streams = [np.random.default_rng([seed, k, 1]) for k in range(n_settings)]
    sides: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in settings]
    drawn = [0] * n_settings
    current: list[MeanDecision | None] = [None] * n_settings
    looked = 0
    for look, target in enumerate(schedule):
        open_ = [k for k in range(n_settings) if current[k] is None or not settled(current[k], resolution)]
        if not open_ or any(d is not None and d.verdict == "VIOLATED" for d in current):
            break
        looked = look + 1
        for k in open_:
            lhs, rhs, outside = sample_runs(model, plan, difference, settings[k], over,
                                            seeds_for(plan, over, streams[k], target - drawn[k]))
            drawn[k] = target
            found.outside += outside
            found.instances += lhs.size
            sides[k][0].append(lhs)
            sides[k][1].append(rhs)
            lhs_all, rhs_all = np.concatenate(sides[k][0]), np.concatenate(sides[k][1])
            current[k] = decide_mean(difference.sign * (lhs_all - rhs_all), lhs_all, rhs_all, difference.kind,
                                     confidence, rel_width, n_settings, len(schedule))
            if progress:
                progress(look * n_settings + k + 1, len(schedule) * n_settings)
            if current[k].verdict == "VIOLATED":
                break
    decisions = [({key: v for key, v in s.items() if key != over}, d) for s, d in zip(settings, current)
                 if d is not None]
    found.details["sequential"] = {"looks_planned": schedule, "looks_taken": looked, "resolution_target": resolution,
                                  "max_runs": schedule[-1]}
    return _conclude(statement, found, decisions, difference.kind, seed)


def _conclude(statement: Statement, found: Finding, decisions: list[tuple[dict[str, Any], MeanDecision]],
              kind: str, seed: int) -> Finding:
    found.details["settings"] = [{"setting": s, "verdict": d.verdict, "decision": str(d), "lhs_mean": d.lhs_mean,
                                 "rhs_mean": d.rhs_mean, "ci": [d.low, d.high], "level": d.level}
                                for s, d in decisions]
    found.details["claim"] = kind
    slacks = [-abs(d.diff_mean) if kind == "identity" else -d.diff_mean for _, d in decisions]
    found.min_slack = min((s for s in slacks if s == s), default=-math.inf)
    ratios = [d.lhs_mean / d.rhs_mean for _, d in decisions if d.rhs_mean not in (0.0,) and d.rhs_mean == d.rhs_mean]
    found.max_tightness = max(ratios, default=0.0)
    verdicts = [d.verdict for _, d in decisions]
    if found.instances == 0:
        found.verdict, found.message = "VACUOUS", "no run met the hypotheses on observables"
    elif "VIOLATED" in verdicts:
        setting, d = next((s, d) for s, d in decisions if d.verdict == "VIOLATED")
        found.verdict = "VIOLATED"
        found.violations = verdicts.count("VIOLATED")
        found.message = f"at {short_params(setting)}: {d}"
        found.counterexample = {"params": setting, "observed": d.lhs_mean, "bound": d.rhs_mean,
                               "slack": -d.diff_mean if d.diff_mean == d.diff_mean else -math.inf,
                               "ci": [d.low, d.high], "level": d.level, "runs": d.runs,
                               "replay": f"boundcheck verify {statement.origin or statement.id} --seed {seed}"}
    elif all(v == "HOLDS" for v in verdicts):
        found.verdict = "HOLDS"
        if kind == "identity":
            setting, d = max(decisions, key=lambda sd: sd[1].resolution)
            found.message = (f"HOLDS to +-{d.resolution:.2%} (the widest of {len(decisions)} settings' resolutions), "
                            f"{found.instances} runs; at {short_params(setting)}: {d}")
        else:
            setting, d = max(decisions, key=lambda sd: sd[1].high)
            found.message = (f"the one-sided interval's upper end is <= 0 on all {len(decisions)} settings, "
                            f"{found.instances} runs; closest at {short_params(setting)}: {d}")
    else:
        setting, d = next((s, d) for s, d in decisions if d.verdict == "INCONCLUSIVE")
        found.verdict = "INCONCLUSIVE"
        what = ("interval too wide" if kind == "identity" else
                "the interval contains 0 (the sign of E[lhs - rhs] is not resolved)")
        found.message = f"{what} after {d.runs} runs (cap {found.details.get('sequential', {}).get('max_runs', '?')}) " \
                       f"at {short_params(setting)}: {d}"
    resolutions = [d.resolution for _, d in decisions]
    found.details["resolution"] = max(resolutions, default=math.inf)
    return found


def short_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
