"""Checking one statement: draw instances, run them, evaluate, decide.

``for_all`` statements are searched by Hypothesis: each example is a batch of
instances run by one kernel call, ``target()`` pushes toward tightness, and a
violation is shrunk (to one instance, with the smallest parameters) and then replayed
in high precision before it is reported. ``with_probability`` statements are
decided by seeded Monte Carlo and an exact binomial test (see
:mod:`verifiers.statistics`), never by ``@given``: Hypothesis skews its draws on
purpose, which is right for counterexamples and wrong for frequencies.

Other quantifiers register a runner in :data:`RUNNERS`.
"""

from __future__ import annotations

import importlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from theorems.statement import Statement, StatementError
from verifiers.conclusion import FAILS, HOLDS, UNDECIDED, BatchSummary, Conclusion, Evaluation, high_precision_status
from verifiers.models import get_model
from verifiers.models.base import Model
from verifiers.precision import high_precision, precision_reached
from verifiers.statistics import RateDecision, decide_rate
from verifiers.strategies import DrawPlan
from verifiers.vacuity import vacuity_report
from verifiers.verdict import Verdict

DEFAULT_BUDGET = 100
REPLAY_DPS = 50
#: float64 violations replayed in high precision before a statement is cleared of them
MAX_CONFIRMATIONS = 8
#: runs whose undecided cells are re-run in high precision after the search
UNDECIDED_REPLAYS = 4
#: searches started afresh after float64 violations that were all artefacts
SEARCH_ROUNDS = 3
Progress = Callable[[int, int], None]


def replay_command(statement: Statement, params: dict[str, Any]) -> str:
    return f"boundcheck replay {statement.origin or statement.id} --params '{json.dumps(params, sort_keys=True)}'"


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


def replay_high_precision(model: Model, conclusion: Conclusion, params: dict[str, Any], dps: int = REPLAY_DPS,
                          plan: DrawPlan | None = None) -> Replay:
    """Run the reference implementation in mpmath at ``dps`` digits and re-evaluate every cell.

    With ``plan``, the hypotheses on observables are decided on the replay first: an instance
    that meets them only in float64 is outside, not a counterexample. Cells are decided at the
    precision the replay reached on the observables the conclusion reads
    (:func:`~verifiers.precision.precision_reached`: a value the reference left in float64
    caps it at 15 digits), and nothing below it is confirmed.
    """
    import mpmath

    obs = model.reference(params, high_precision(dps))
    if plan is not None and plan.post and not plan.post_ok_high_precision(params, obs, dps):
        return Replay(False, dps, outside=True)
    read = [name for _, name, _ in conclusion.index_args] + conclusion.scalar_names
    reached = precision_reached(obs, [n for n in read if n not in model.float64_in_replay], dps, params)
    replay = Replay(False, reached)
    scale = conclusion.trajectory_scale(obs)
    for tk, observed, bound in conclusion.evaluate_high_precision(params, obs, dps):
        status = high_precision_status(observed, bound, reached, scale)
        replay.cells[tk] = (status, float(observed), float(bound))
        if status == FAILS and not replay.confirmed:
            replay.confirmed, replay.t = True, tk
            replay.observed, replay.bound = mpmath.nstr(observed, 20), mpmath.nstr(bound, 20)
    return replay


@dataclass
class _Tally:
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

    def queue_artefact(self, params: dict[str, Any]) -> None:
        """A float64 violation the replay did not confirm: its cells are not evidence either way."""
        self.undecided_runs.insert(0, (math.inf, dict(params)))
        del self.undecided_runs[UNDECIDED_REPLAYS:]

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


class _Violation(Exception):
    pass


def effective_budget(statement: Statement, budget: int | None = None) -> int:
    """The budget a run uses: the one asked for, else the statement's, else the default."""
    return budget or statement.budget or DEFAULT_BUDGET


def verify(statement: Statement, budget: int | None = None, seed: int = 0,
           progress: Progress | None = None) -> Verdict:
    """Check ``statement``; returns its :class:`Verdict` (ERROR for a malformed one)."""
    started = time.perf_counter()
    budget = effective_budget(statement, budget)
    base = Verdict(statement.id, statement.hash(), statement.kind, "ERROR", budget=budget, seed=seed,
                   expected=statement.expected)
    try:
        verdict = runner_for(statement.quantifier.kind)(statement, budget, seed, progress, base)
    except (StatementError, KeyError, ValueError) as exc:
        base.message = str(exc).strip("'\"")
        verdict = base
    except (ArithmeticError, TypeError, IndexError, RuntimeError) as exc:
        # a bug in a model or a runner: one statement's ERROR, not the end of `verify --all`
        base.message = f"internal error while checking: {type(exc).__name__}: {exc}"
        verdict = base
    verdict.wall_s = time.perf_counter() - started
    return verdict


def _prepare(statement: Statement) -> tuple[Model, DrawPlan, Conclusion]:
    model = get_model(statement.model)
    return model, DrawPlan(statement, model), Conclusion(statement, model)


def _vacuous(base: Verdict, plan: DrawPlan, seed: int) -> Verdict | None:
    report = plan.vacuity(seed=seed)
    if report is None:
        return None
    base.verdict, base.message = "VACUOUS", report["reason"]
    base.details["demanded"] = report["demanded"]
    return base


def run_for_all(statement: Statement, budget: int, seed: int, progress: Progress | None, base: Verdict) -> Verdict:
    """Search with Hypothesis; confirm float64 violations in high precision before any verdict.

    A search ends at its first float64 violation and shrinks it. The shrunk case is
    replayed at :data:`REPLAY_DPS` digits, then (if it does not reproduce) the raw
    violating instances. When none is confirmed they are artefacts: the search starts
    again with a new seed, passing over them, up to :data:`SEARCH_ROUNDS` times.
    """
    model, plan, conclusion = _prepare(statement)
    if (vacuous := _vacuous(base, plan, seed)) is not None:
        return vacuous
    tally = _Tally()
    worst: dict[str, Any] = {}
    artefacts: set[str] = set()
    for round_ in range(SEARCH_ROUNDS):
        failing: list[tuple[dict[str, Any], Evaluation]] = []
        search = _search(model, plan, conclusion, budget, seed + round_, progress, tally, failing, worst, artefacts)
        try:
            search()
        except _Violation:
            pass
        except Unsatisfiable:
            base.verdict = "VACUOUS"
            base.message = "no instance drawn within the budget met the hypotheses"
            return base
        if not failing:
            break
        confirmed = _confirm(model, plan, conclusion, failing, base, artefacts, tally)
        if confirmed is not None:
            base.instances, base.outside = tally.instances, tally.outside
            return _violated(base, statement, *confirmed, worst)
        for params, _ in failing:
            tally.queue_artefact(params)
    base.instances, base.outside = tally.instances, tally.outside
    if tally.instances == 0 and tally.outside:
        base.verdict = "VACUOUS"
        base.message = "no run met the hypotheses on observables: " + "; ".join(tally.outside_report)
        return base
    for _, params in tally.undecided_runs:
        replay = replay_high_precision(model, conclusion, params, plan=plan)
        evaluation = conclusion.evaluate(params, model.run([params])[0])
        if replay.confirmed:
            return _violated(base, statement, params, evaluation, replay, worst)
        tally.resolve(evaluation, replay)
    base.min_slack, base.max_tightness, base.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    base.details["cells"] = {"evaluated": tally.cells, "decided": tally.decided, "undecided": tally.undecided,
                             "resolved_high_precision": tally.resolved, "trivial_t": sorted(conclusion.trivial_t)}
    if tally.cells == 0:
        base.verdict = "VACUOUS"
        base.message = _nothing_evaluated(statement, model, conclusion)
        return base
    if tally.decided == 0:
        base.verdict = "INCONCLUSIVE"
        base.message = (f"all {tally.cells} cells lie within their floating-point error bound and "
                        f"{len(tally.undecided_runs)} high-precision replays did not decide them")
        return base
    base.verdict = "HOLDS"
    base.message = f"no violation in {tally.instances} instances"
    if tally.undecided:
        base.message += f" ({tally.undecided} of {tally.cells} cells undecided in float64, not counted)"
    if base.artefacts:
        base.message += (f"; {base.artefacts} float64 violation(s) disappeared on replay at {REPLAY_DPS} digits "
                         "(floating-point artefacts, not counterexamples)")
    return base


def _search(model: Model, plan: DrawPlan, conclusion: Conclusion, budget: int, seed: int,
            progress: Progress | None, tally: _Tally, failing: list, worst: dict[str, Any], artefacts: set[str]):
    """One Hypothesis search: batches drawn, run, summarized; raises at a float64 violation
    that is not a known artefact, after recording it in ``failing``."""
    examples = [0]

    @settings(max_examples=budget, deadline=None, database=None, derandomize=False, report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.target, Phase.shrink],
              print_blob=False)
    @hypothesis_seed(seed)
    @given(st.lists(st.tuples(plan.strategy(), st.integers(1, model.replicas)), min_size=1, max_size=model.batch_size))
    def search(draws: list[tuple[dict[str, Any], int]]) -> None:
        examples[0] += 1
        if progress:
            progress(min(examples[0], budget), budget)
        batch = [instance for params, replicas in draws for instance in plan.replicate(params, replicas)]
        results = model.run(batch)
        if plan.post:
            inside = [plan.post_ok(p, o) for p, o in zip(batch, results)]
            for p, o, ok in zip(batch, results, inside):
                if not ok and len(tally.outside_report) < 3:
                    tally.outside_report += plan.post_report(p, o)
            tally.outside += inside.count(False)
            batch = [p for p, ok in zip(batch, inside) if ok]
            results = [o for o, ok in zip(results, inside) if ok]
            if not batch:
                return
        summary = conclusion.summarize(batch, results)
        tally.add_summary(batch, results, summary, conclusion)
        violated = summary.violated & np.array([_key(p) not in artefacts for p in batch], dtype=bool)
        if violated.any():
            found = [(dict(batch[k]), conclusion.evaluate(batch[k], results[k])) for k in np.flatnonzero(violated)]
            params, evaluation = min(found, key=lambda pe: pe[1].min_slack)
            if evaluation.min_slack < worst.get("slack", math.inf):
                worst.update(slack=evaluation.min_slack, params=params,
                             **{k: v for k, v in evaluation.at(evaluation.first_violation).items() if k != "slack"})
            failing.extend(found)
            raise _Violation
        batch_tightness = float(summary.max_tightness.max())
        target(min(batch_tightness, 1e6) if math.isfinite(batch_tightness) else 1e6, label="tightness")

    return search


def _key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def _confirm(model: Model, plan: DrawPlan, conclusion: Conclusion, failing: list[tuple[dict[str, Any], Evaluation]],
             base: Verdict, artefacts: set[str], tally: _Tally) -> tuple[dict[str, Any], Evaluation, Replay] | None:
    """The first float64 violation that survives a high-precision replay: the shrunk case
    (Hypothesis runs it last) first, then the raw violating instances, newest first, at
    most :data:`MAX_CONFIRMATIONS` replays; those not confirmed join ``artefacts``."""
    base.violations += len(failing)
    replays = 0
    for params, evaluation in reversed(failing):
        key = _key(params)
        if key in artefacts:
            continue
        if replays == MAX_CONFIRMATIONS:
            artefacts.add(key)  # not replayed: passed over, its cells never counted as evidence
            continue
        replays += 1
        replay = replay_high_precision(model, conclusion, params, plan=plan)
        artefacts.add(key)
        if replay.confirmed:
            return params, evaluation, replay
        if replay.outside:
            tally.outside += 1  # met the hypotheses on observables in float64 only
        else:
            base.artefacts += 1
    return None


def _violated(base: Verdict, statement: Statement, params: dict[str, Any], evaluation: Evaluation, replay: Replay,
              worst: dict[str, Any]) -> Verdict:
    base.worst = worst or None
    base.violations = max(base.violations, 1)
    first = evaluation.first_violation
    at = evaluation.at(first if first is not None else replay.t)
    base.verdict = "VIOLATED"
    base.counterexample = {
        "params": params, "t": at["t"], "observed": at["observed"], "bound": at["bound"], "slack": at["slack"],
        "replay_dps": replay.dps, "replay_t": replay.t, "replay_observed": replay.observed,
        "replay_bound": replay.bound, "replay": replay_command(statement, params),
    }
    base.message = (f"at t = {replay.t}: observed {replay.observed} > bound {replay.bound} with "
                    f"{_short(params)}; confirmed at {replay.dps} digits")
    return base


def _nothing_evaluated(statement: Statement, model: Model, conclusion: Conclusion) -> str:
    """Why no cell was evaluated: the iterations demanded against those the runs had."""
    demanded = ", ".join(sorted({sp.sstr(ix) for ix in statement.conclusion.atoms(sp.Indexed)})) or "t"
    steps = model.param("steps") if "steps" in model.param_names else None
    have = f"; runs of {model.name} have steps <= {int(steps.hi)}" if steps else ""
    trivial = (f" (t = {', '.join(map(str, sorted(conclusion.trivial_t)))} hold by construction and carry no evidence)"
               if conclusion.trivial_t else "")
    return f"nothing evaluated: the conclusion demands {demanded} at t >= {statement.t_min}{have}{trivial}"


def _short(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())


def run_with_probability(statement: Statement, budget: int, seed: int, progress: Progress | None,
                         base: Verdict) -> Verdict:
    """Monte Carlo over the seed named by ``over``, per drawn setting; Clopper–Pearson decides.

    ``budget`` is the total number of runs; they are split into ``settings`` settings of
    the other parameters (quantifier parameter, default 4) with ``budget // settings``
    draws of the ``over`` seed each.
    """
    model, plan, conclusion = _prepare(statement)
    q = statement.quantifier
    over, probability = q.get("over"), q.get("probability")
    if over not in model.param_names:
        raise StatementError(f"{statement.id}: with_probability over {over!r}, which is not a parameter of {model.name}")
    delta = 1.0 - probability
    if (vacuous := _vacuous(base, plan, seed)) is not None:
        return vacuous
    rng = np.random.default_rng(seed)
    n_settings = int(q.get("settings", 4) or 4)
    draws = max(1, budget // n_settings)
    tally = _Tally()
    report = vacuity_report(statement, model)  # None unless the model names the empirical counterpart
    decisions, total_failures, done = [], 0, 0
    smallest_outside: tuple | None = None
    for _ in range(n_settings):
        setting = None
        for _attempt in range(100):
            setting = plan.sample(rng)
            if setting is not None:
                break
        if setting is None:
            base.verdict, base.message = "VACUOUS", "no drawn setting met the hypotheses"
            return base
        failures, undecided, valid = 0, 0, 0
        seeds = rng.integers(0, 2**32 - 1, size=draws)
        for start in range(0, draws, model.batch_size):
            batch = [{**setting, over: int(s)} for s in seeds[start:start + model.batch_size]]
            for params, obs in zip(batch, model.run(batch)):
                if not plan.post_ok(params, obs):
                    tally.outside += 1
                    smallest_outside = _smaller_outside(model, plan, smallest_outside, params, obs)
                    continue
                evaluation = conclusion.evaluate(params, obs)
                tally.add(params, evaluation)
                if report is not None:
                    report.add(obs, evaluation)
                valid += 1
                if evaluation.violated:
                    failures += 1
                    if base.counterexample is None:
                        at = evaluation.at(evaluation.first_violation)
                        base.counterexample = {"params": params, **at, "replay": replay_command(statement, params)}
                elif evaluation.decided == 0 or evaluation.undecided.any():
                    undecided += 1
            done += len(batch)
            if progress:
                progress(done, draws * n_settings)
        decisions.append((setting, _decide_with_undecided(failures, undecided, valid, delta,
                                                          q.get("confidence", 0.95), n_settings)))
        total_failures += failures
    base.instances, base.outside, base.violations = tally.instances, tally.outside, total_failures
    base.min_slack, base.max_tightness, base.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    base.details["settings"] = [{"setting": s, "decision": str(d), "verdict": d.verdict} for s, d in decisions]
    if report is not None:
        base.details["vacuity"] = report.summary()
    verdicts = {d.verdict for _, d in decisions}
    if tally.instances == 0:
        base.verdict, base.message = "VACUOUS", "no run met the hypotheses on observables"
        if smallest_outside is not None:
            _, params, unmet = smallest_outside
            sizes = ", ".join(f"{p.name}={params[p.name]}" for p in model.params if p.kind == "int")
            base.message += f"; at the smallest instance run ({sizes}): " + "; ".join(unmet)
            base.details["demanded"] = [{"requirement": u, "at": params} for u in unmet]
    elif "VIOLATED" in verdicts:
        base.verdict = "VIOLATED"
        base.message = next(str(d) for _, d in decisions if d.verdict == "VIOLATED")
    elif verdicts == {"HOLDS"}:
        base.verdict = "HOLDS"
        base.message = f"every setting: {decisions[0][1]}"
    else:
        base.verdict = "INCONCLUSIVE"
        base.message = next(str(d) for _, d in decisions if d.verdict == "INCONCLUSIVE")
    return base


def _decide_with_undecided(failures: int, undecided: int, valid: int, delta: float, confidence: float, tests: int):
    """A rate decision in which a run that float64 could not decide counts against the claim
    for HOLDS (as a failure) and for it for VIOLATED (as a success): it can delay, never decide."""
    pessimistic = decide_rate(failures + undecided, valid, delta, confidence, tests)
    if pessimistic.verdict == "HOLDS":
        return pessimistic
    optimistic = decide_rate(failures, valid, delta, confidence, tests)
    if optimistic.verdict == "VIOLATED":
        return optimistic
    return RateDecision("INCONCLUSIVE", failures, valid, optimistic.lower, pessimistic.upper, delta,
                        pessimistic.confidence)


def _smaller_outside(model: Model, plan: DrawPlan, kept: tuple | None, params: dict[str, Any],
                     obs: dict[str, Any]) -> tuple:
    """The run outside the observable hypotheses with the smallest sizes (int parameters in
    declaration order), with what it failed to meet, for a VACUOUS message with numbers."""
    key = tuple(params[p.name] for p in model.params if p.kind == "int")
    if kept is not None and kept[0] <= key:
        return kept
    return key, dict(params), plan.post_report(params, obs)


Runner = Callable[[Statement, int, int, "Progress | None", Verdict], Verdict]

#: quantifier kind -> runner, or "module:function" for runners that live in their own
#: module (imported when first needed, so that e.g. cvxpy loads only for worst cases)
RUNNERS: dict[str, Runner | str] = {
    "for_all": run_for_all,
    "with_probability": run_with_probability,
    "worst_case": "verifiers.certify:run_worst_case",
    "sum_of_squares": "verifiers.sos:run_sum_of_squares",
    "in_expectation": "verifiers.expectation:run_in_expectation",
    "asymptotically": "verifiers.asymptotic:run_asymptotically",
}


def runner_for(kind: str) -> Runner:
    entry = RUNNERS.get(kind)
    if entry is None:
        raise StatementError(f"no checker for quantifier {kind!r}")
    if isinstance(entry, str):
        module, function = entry.split(":")
        entry = RUNNERS[kind] = getattr(importlib.import_module(module), function)
    return entry
