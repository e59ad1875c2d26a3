"""``with_probability``: seeded Monte Carlo over the seed named by ``over``, per drawn setting,
decided by Clopper-Pearson (:mod:`boundcheck.verifiers.decide.statistics`), never by ``@given``:
Hypothesis skews its draws on purpose, which is right for counterexamples and wrong for
frequencies."""

from __future__ import annotations

from typing import Any

import numpy as np

from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.verifiers.check import Progress
from boundcheck.verifiers.decide.conclusion import observables_read
from boundcheck.verifiers.decide.informative import Informative
from boundcheck.verifiers.decide.replay import replay_command
from boundcheck.verifiers.decide.statistics import RateDecision, decide_rate
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import sample
from boundcheck.verifiers.draw.vacuity import vacuity_report
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.quantifiers.prepare import prepare, vacuous_verdict
from boundcheck.verifiers.quantifiers.tally import Tally
from boundcheck.verifiers.verdict import Finding


def run_with_probability(statement: Statement, budget: int, seed: int, progress: Progress | None) -> Finding:
    """Monte Carlo over the seed named by ``over``, per drawn setting; Clopper–Pearson decides.

    ``budget`` is the total number of runs; they are split into ``settings`` settings of
    the other parameters (quantifier parameter, default 4) with ``budget // settings``
    draws of the ``over`` seed each.
    """
    found = Finding()
    model, plan, conclusion = prepare(statement)
    q = statement.quantifier
    over, probability = q.get("over"), q.get("probability")
    if over not in model.param_names:
        raise StatementError(f"{statement.id}: with_probability over {over!r}, which is not a parameter of {model.name}")
    delta = 1.0 - probability
    if (vacuous := vacuous_verdict(found, plan, seed)) is not None:
        return vacuous
    rng = np.random.default_rng(seed)
    n_settings = int(q.get("settings", 4) or 4)
    draws = max(1, budget // n_settings)
    tally = Tally()
    report = vacuity_report(statement, model)  # None unless the model names the empirical counterpart
    informative = Informative.of(statement)  # None unless the statement declares its observable's range
    read = observables_read(conclusion, plan.observed) | ({report.empirical} if report is not None else set())
    decisions, total_failures, done = [], 0, 0
    smallest_outside: tuple | None = None
    for _ in range(n_settings):
        setting = None
        for _attempt in range(100):
            setting = sample(plan, rng)
            if setting is not None:
                break
        if setting is None:
            found.verdict, found.message = "VACUOUS", "no drawn setting met the hypotheses"
            return found
        failures, undecided, valid = 0, 0, 0
        seeds = rng.integers(0, 2**32 - 1, size=draws)
        for start in range(0, draws, model.batch_size):
            batch = [{**setting, over: int(s)} for s in seeds[start:start + model.batch_size]]
            for params, obs in zip(batch, model.run_only(batch, read)):
                if not plan.observed.hold(params, obs):
                    tally.outside += 1
                    smallest_outside = _smaller_outside(model, plan, smallest_outside, params, obs)
                    continue
                evaluation = conclusion.evaluate(params, obs)
                if report is not None:
                    report.add(obs, evaluation)
                if informative is not None and not informative.admits(evaluation):
                    continue  # its bound is outside the observable's range: it could not have failed
                tally.add(params, evaluation)
                valid += 1
                if evaluation.violated:
                    failures += 1
                    if found.counterexample is None:
                        at = evaluation.at(evaluation.first_violation)
                        found.counterexample = {"params": params, **at, "replay": replay_command(statement, params)}
                elif evaluation.decided == 0 or evaluation.undecided.any():
                    undecided += 1
            done += len(batch)
            if progress:
                progress(done, draws * n_settings)
        if informative is not None and informative.setting_uninformative(valid):
            continue  # every run of this setting was left out as uninformative: it says nothing either way
        decisions.append((setting, _decide_with_undecided(failures, undecided, valid, delta,
                                                          q.get("confidence", 0.95), n_settings)))
        total_failures += failures
    found.instances, found.outside, found.violations = tally.instances, tally.outside, total_failures
    found.min_slack, found.max_tightness, found.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    found.details["settings"] = [{"setting": s, "decision": str(d), "verdict": d.verdict} for s, d in decisions]
    if report is not None:
        found.details["vacuity"] = report.summary()
    verdicts = {d.verdict for _, d in decisions}
    if informative is not None and informative.apply(found) is not None:
        return found  # VACUOUS: no run was informative
    if tally.instances == 0:
        found.verdict, found.message = "VACUOUS", "no run met the hypotheses on observables"
        if smallest_outside is not None:
            _, params, unmet = smallest_outside
            sizes = ", ".join(f"{p.name}={params[p.name]}" for p in model.params if p.kind == "int")
            found.message += f"; at the smallest instance run ({sizes}): " + "; ".join(unmet)
            found.details["demanded"] = [{"requirement": u, "at": params} for u in unmet]
    elif "VIOLATED" in verdicts:
        found.verdict = "VIOLATED"
        found.message = next(str(d) for _, d in decisions if d.verdict == "VIOLATED")
    elif verdicts == {"HOLDS"}:
        found.verdict = "HOLDS"
        found.message = f"every setting: {decisions[0][1]}"
    else:
        found.verdict = "INCONCLUSIVE"
        found.message = next(str(d) for _, d in decisions if d.verdict == "INCONCLUSIVE")
    if informative is not None:
        informative.note(found)
    return found


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
    return key, dict(params), plan.observed.report(params, obs)
