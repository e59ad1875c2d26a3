"""``for_all``: a Hypothesis search for a counterexample, confirmed in high precision.

Each example is a batch of instances run by one kernel call, ``target()`` pushes toward
tightness, and a violation is shrunk (to one instance, with the smallest parameters) and
replayed at :data:`~boundcheck.verifiers.decide.replay.REPLAY_DPS` digits before it is reported.
A search that ends without a violation is followed by a seeded Monte Carlo sweep
(:mod:`~boundcheck.verifiers.quantifiers.sweep`), decided and replayed by the same rules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.check import Progress, TimeLimitReached
from boundcheck.verifiers.decide.conclusion import (
    HOLDS,
    UNDECIDED,
    Conclusion,
    Evaluation,
    observables_read,
)
from boundcheck.verifiers.decide.informative import RateProgress
from boundcheck.verifiers.decide.replay import (
    REPLAY_DPS,
    Replay,
    replay_command,
    replay_high_precision,
)
from boundcheck.verifiers.draw.plan import DrawPlan, instance_key
from boundcheck.verifiers.draw.strategy import instances, process_independent_draws
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.quantifiers.prepare import prepare, short_params, vacuous_verdict
from boundcheck.verifiers.quantifiers.sweep import Swept, sweep
from boundcheck.verifiers.quantifiers.tally import Tally
from boundcheck.verifiers.verdict import Finding

#: searches started afresh after a violation whose replays did not finish
SEARCH_ROUNDS = 3
#: float64 violations replayed for one statement. Past it the search stops, and every float64
#: violation not replayed is *passed over*: neither confirmed nor cleared, it leaves the
#: statement INCONCLUSIVE, never HOLDS (every float violation found is replayed before a HOLDS).
ARTEFACT_REPLAYS = 24

#: runs with undecided cells replayed in high precision: one per this many instances checked
#: (search and sweep), at least one, at most :data:`~boundcheck.verifiers.quantifiers.tally.UNDECIDED_REPLAYS`.
#: A 50-digit replay costs hundreds to thousands of batched float64 runs (up to 2 s on a linear
#: network, which checks some 500 instances at its budget; 0.1 s on a classical model, some
#: 12,000), so the replays stay a fraction of the run on every model. Leaving a cell undecided
#: is sound (it is not counted); the count depends on the seed only, never on the clock.
INSTANCES_PER_REPLAY = 1000


class _Violation(Exception):
    pass


class _TooManyArtefacts(Exception):
    """:data:`ARTEFACT_REPLAYS` float64 violations replayed, none reproduced (artefacts, or
    outside the hypotheses in high precision): the search stops."""


def run_for_all(statement: Statement, budget: int, seed: int, progress: Progress | None) -> Finding:
    """Search with Hypothesis; confirm float64 violations in high precision before any verdict.

    The first search ends at its first float64 violation and shrinks it (a false claim's
    simplest float64 violation is often a real one even where the first one found was not).
    The shrunk case is replayed at :data:`REPLAY_DPS` digits, then the raw violating
    instances. When none reproduces they are artefacts, and the search starts again with a
    new seed, now replaying each float64 violation where it is found: an artefact is passed
    over and the search goes on (nothing more is shrunk for artefacts); a confirmed one ends
    it and is shrunk. A search that still ends unconfirmed (a replay past its time limit)
    starts again, up to :data:`SEARCH_ROUNDS` searches in all. The replays are capped per
    statement (:data:`ARTEFACT_REPLAYS`); a float64 violation found past the cap ends the
    search and is not replayed, and the verdict is then INCONCLUSIVE, not HOLDS. Then the
    Monte Carlo sweep adds ``model.monte_carlo * budget`` uniform draws, each float64 violation
    replayed where it is found (a confirmed one is the verdict, shrunk greedily and replayed again).
    """
    found = Finding()
    model, plan, conclusion = prepare(statement)
    if (vacuous := vacuous_verdict(found, plan, seed)) is not None:
        return vacuous
    tally = Tally()
    rates = RateProgress.of(statement)  # None unless the conclusion is a rate X[t] <= f(t, X[0])
    worst: dict[str, Any] = {}
    artefacts: set[str] = set()
    replayed: dict[str, Replay] = {}  # each instance replayed once, whichever stage asks
    seen: dict[str, float] = {}  # each instance counted once, whichever search draws it
    for round_ in range(SEARCH_ROUNDS):
        failing: list[tuple[dict[str, Any], Evaluation]] = []
        raw_confirmed: list[tuple[dict[str, Any], Evaluation, Replay]] = []
        search = _search(model, plan, conclusion, budget, seed + round_, progress, tally, failing, worst, artefacts,
                         rates, found, raw_confirmed, replayed, seen, replay_in_search=round_ > 0)
        try:
            with process_independent_draws():
                search()
        except _Violation:
            pass
        except _TooManyArtefacts:
            found.details["stopped_after_artefacts"] = found.artefacts
            break
        except TimeLimitReached as stop:
            return _stopped(found, tally, stop)
        except Unsatisfiable:
            found.verdict = "VACUOUS"
            found.message = "no instance drawn within the budget met the hypotheses"
            return found
        if not failing:
            break
        confirmed = _confirm(model, plan, conclusion, failing, found, artefacts, tally, replayed) or (
            raw_confirmed[0] if raw_confirmed else None)
        if confirmed is not None:
            found.instances, found.outside = tally.instances, tally.outside
            return _violated(found, statement, *confirmed, worst)
        if tally.unreplayed:  # a float64 violation whose replay did not finish: neither confirmed nor cleared
            found.instances, found.outside = tally.instances, tally.outside
            return _unreplayed(found, tally)
        # artefacts: replayed once in _confirm; their float64-failing cells were never counted
    swept = Swept()
    if not tally.passed_over:  # passed over: the replays are spent, and nothing the sweep finds could be confirmed
        try:
            swept = sweep(model, plan, conclusion, budget, seed, tally, seen, artefacts, rates, progress,
                          lambda failing: _confirm(model, plan, conclusion, failing, found, artefacts, tally, replayed))
        except TimeLimitReached as stop:
            return _stopped(found, tally, stop)
    found.instances, found.outside = tally.instances, tally.outside
    searched = tally.instances - swept.instances
    found.details["search"] = {"hypothesis": searched, "monte_carlo": swept.instances,
                               "monte_carlo_outside": swept.outside}
    if swept.confirmed is not None:
        verdict = _violated(found, statement, *swept.confirmed, worst)
        verdict.message += (" (found by the Monte Carlo sweep after the search; shrunk parameter by parameter)"
                            if swept.shrunk else " (found by the Monte Carlo sweep after the search; not shrunk)")
        return verdict
    if tally.unreplayed:
        return _unreplayed(found, tally)
    if tally.passed_over:
        return _passed_over(found, tally)
    if tally.unresolved:
        found.verdict = "INCONCLUSIVE"
        found.message = (f"a float64 violation with {short_params(tally.unresolved[0])} is within the precision of "
                         f"its {REPLAY_DPS}-digit replay at a violating cell: neither confirmed nor cleared "
                         f"({len(tally.unresolved)} such, {tally.instances} instances checked)")
        return found
    if tally.instances == 0 and tally.outside:
        found.verdict = "VACUOUS"
        found.message = "no run met the hypotheses on observables: " + "; ".join(tally.outside_report)
        return found
    replays = tally.undecided_runs[:max(1, tally.instances // INSTANCES_PER_REPLAY)]
    for _, params in replays:
        replay = replay_high_precision(model, conclusion, params, plan=plan)
        evaluation = conclusion.evaluate(params, model.run([params])[0])
        if replay.confirmed:
            return _violated(found, statement, params, evaluation, replay, worst)
        tally.resolve(evaluation, replay)
    found.min_slack, found.max_tightness, found.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    found.details["cells"] = {"evaluated": tally.cells, "decided": tally.decided, "undecided": tally.undecided,
                             "resolved_high_precision": tally.resolved, "trivial_t": sorted(conclusion.trivial_t)}
    if tally.cells == 0:
        found.verdict = "VACUOUS"
        found.message = _nothing_evaluated(statement, model, conclusion)
        return found
    if tally.decided == 0:
        found.verdict = "INCONCLUSIVE"
        found.message = (f"all {tally.cells} cells lie within their floating-point error bound and "
                        f"{len(replays)} high-precision replay(s) did not decide them")
        return found
    found.verdict = "HOLDS"
    found.message = (f"no violation in {tally.instances} instances ({searched} drawn by Hypothesis, "
                     f"{swept.instances} by Monte Carlo)" if swept.instances else
                     f"no violation in {tally.instances} instances")
    if tally.undecided:
        found.message += f" ({tally.undecided} of {tally.cells} cells undecided in float64, not counted)"
    if found.artefacts:
        found.message += (f"; {found.artefacts} float64 violation(s) disappeared on replay at {REPLAY_DPS} digits "
                         "(floating-point artefacts, not counterexamples)")
    if note := tally.rejection_note():
        found.message += "; " + note
        found.details["rejection"] = note
    if rates is not None:
        rates.apply(found)  # a rate's claimed and actual decrease over the runs (medians)
    return found


def _search(model: Model, plan: DrawPlan, conclusion: Conclusion, budget: int, seed: int,
            progress: Progress | None, tally: Tally, failing: list, worst: dict[str, Any], artefacts: set[str],
            rates: RateProgress | None, finding: Finding, raw_confirmed: list, replayed: dict[str, Replay],
            seen: dict[str, float], replay_in_search: bool):
    """One Hypothesis search: batches drawn, run, summarized. The first search raises at its
    first float64 violation, recorded in ``failing``, and Hypothesis shrinks it. With
    ``replay_in_search`` a float64 violation is replayed at once instead: artefacts join
    ``artefacts`` and the search goes on; a confirmed one (kept in ``raw_confirmed``), or one
    whose replay did not finish, is raised and shrunk. Shrunk candidates are replayed after
    the search.

    Hypothesis draws the same instance many times (its mutations copy parts of earlier
    examples, the target phase changes one choice of a batch and keeps the rest, and the
    replicas of nearby seeds overlap): at budget 100 on the NTK model at (16, 4, 32), 464
    distinct instances among 2,309 drawn. An instance counted once without a violation is in
    ``seen``, with its largest tightness, and is neither run nor counted again: it can only
    repeat its outcome, and ``target`` is given the same score from the stored tightness.
    Violations are never stored, so a failing example fails again while it is shrunk."""
    examples = [0]
    read = observables_read(conclusion, plan.observed)

    @settings(max_examples=budget, deadline=None, database=None, derandomize=False, report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.target, Phase.shrink],
              print_blob=False)
    @hypothesis_seed(seed)
    @given(st.lists(st.tuples(instances(plan), st.integers(1, model.replicas)), min_size=1, max_size=model.batch_size))
    def search(draws: list[tuple[dict[str, Any], int]]) -> None:
        examples[0] += 1
        if progress:
            progress(min(examples[0], budget), budget)
        drawn = [instance for params, replicas in draws for instance in plan.replicate(params, replicas)]
        drawn_keys = [instance_key(p) for p in drawn]
        known = max((seen[key] for key in drawn_keys if key in seen), default=-math.inf)
        fresh = {key: p for key, p in zip(drawn_keys, drawn) if key not in seen}  # distinct, in order
        keys, batch = list(fresh), list(fresh.values())
        if not batch:
            _target(known)
            return
        results = model.run_only(batch, read)
        shrinking = bool(failing)  # after the first violation Hypothesis only shrinks it: no more evidence kept
        if plan.observed:
            inside = tally.keep_inside(plan.observed, batch, results, record=not shrinking)
            if not shrinking:
                seen.update((key, -math.inf) for key, ok in zip(keys, inside) if not ok)
            keys = [key for key, ok in zip(keys, inside) if ok]
            batch = [p for p, ok in zip(batch, inside) if ok]
            results = [o for o, ok in zip(results, inside) if ok]
            if not batch:
                _target(known)
                return
        summary = conclusion.summarize(batch, results)
        if not shrinking:
            tally.add_summary(batch, results, summary, conclusion)
            if rates is not None:
                rates.add(batch, results, conclusion)
        violated = summary.violated
        if artefacts and violated.any():  # known artefacts are passed over (keys built only when needed)
            violated = violated & np.array([instance_key(p) not in artefacts for p in batch], dtype=bool)
        if violated.any():
            candidates = np.flatnonzero(violated)
            if shrinking:  # one candidate stands for the batch (the shrunk case is the last one kept)
                candidates = candidates[:1]
            found = [(dict(batch[k]), conclusion.evaluate(batch[k], results[k])) for k in candidates]
            params, evaluation = min(found, key=lambda pe: pe[1].min_slack)
            if evaluation.min_slack < worst.get("slack", math.inf):
                worst.update(slack=evaluation.min_slack, params=params,
                             **{k: v for k, v in evaluation.at(evaluation.first_violation).items() if k != "slack"})
            reproduced = True  # first search, or shrinking: a float64 violation, replayed after the search
            if replay_in_search and not shrinking:
                if len(replayed) >= ARTEFACT_REPLAYS:  # every replay so far cleared its instance
                    tally.passed_over.extend(params for params, _ in found)
                    raise _TooManyArtefacts
                confirmed = _confirm(model, plan, conclusion, found, finding, artefacts, tally, replayed)
                if confirmed is not None:
                    raw_confirmed.append(confirmed)
                reproduced = confirmed is not None or bool(tally.unreplayed)
            if reproduced:  # one raise site: Hypothesis tells failures apart by where they are raised
                failing.extend(found)
                raise _Violation
        tightness = np.where(np.isnan(summary.max_tightness), math.inf, summary.max_tightness)
        if not shrinking:
            seen.update(zip(keys, tightness.tolist()))
        _target(max(known, float(tightness.max())))

    return search


def _target(tightness: float) -> None:
    """Hypothesis's ``target``: push toward the batch's largest tightness, capped at 1e6 (an
    infinite or NaN tightness counts as the cap). A batch in which nothing ran inside the
    hypotheses has no score."""
    if tightness > -math.inf:
        target(min(tightness, 1e6), label="tightness")


def _confirm(model: Model, plan: DrawPlan, conclusion: Conclusion, failing: list[tuple[dict[str, Any], Evaluation]],
             found: Finding, artefacts: set[str], tally: Tally,
             replayed: dict[str, Replay]) -> tuple[dict[str, Any], Evaluation, Replay] | None:
    """The first float64 violation that survives a high-precision replay: the shrunk case
    (Hypothesis runs it last) first, then the raw violating instances, newest first, while
    the statement has replays left (:data:`ARTEFACT_REPLAYS`); those that do not reproduce
    join ``artefacts`` (a confirmed one does not: Hypothesis must see it fail again while it
    shrinks), those left over join ``tally.passed_over``. Each instance is replayed once
    (``replayed``), whichever stage asks first."""
    keys = [instance_key(params) for params, _ in failing]
    found.violations += sum(key not in artefacts and key not in replayed for key in keys)
    for params, evaluation in reversed(failing):
        key = instance_key(params)
        if key in artefacts:
            continue
        if key in replayed:
            if replayed[key].confirmed:
                return params, evaluation, replayed[key]
            continue
        if len(replayed) >= ARTEFACT_REPLAYS:
            artefacts.add(key)  # not replayed: passed over (the search skips it), and no HOLDS while it stands
            tally.passed_over.append(params)
            continue
        replay = replayed[key] = replay_high_precision(model, conclusion, params, plan=plan)
        if replay.confirmed:
            return params, evaluation, replay
        if replay.timed_out:
            tally.unreplayed.append(params)
        else:
            artefacts.add(key)
            if replay.outside:
                tally.outside += 1  # met the hypotheses on observables in float64 only
            elif _cleared(evaluation, replay):
                found.artefacts += 1
            else:  # a violating cell within the replay's precision: neither confirmed nor cleared
                tally.unresolved.append(params)
    return None


def _cleared(evaluation: Evaluation, replay: Replay) -> bool:
    """Whether the replay holds the bound, beyond its precision, at every cell that float64
    found violated: only then is the float64 violation an artefact."""
    return all(replay.cells.get(int(t), (UNDECIDED,))[0] == HOLDS for t in evaluation.t[evaluation.bad])


def _unreplayed(found: Finding, tally: Tally) -> Finding:
    """A float64 violation whose replay did not finish: neither confirmed nor cleared."""
    found.verdict = "INCONCLUSIVE"
    found.message = (f"a float64 violation with {short_params(tally.unreplayed[0])} could not be replayed "
                     f"at {REPLAY_DPS} digits within the replay time limit: neither confirmed nor cleared")
    return found


def _passed_over(found: Finding, tally: Tally) -> Finding:
    """Float64 violations left unreplayed (the replays were all spent on artefacts): neither
    confirmed nor cleared, so the statement is not HOLDS (a float violation may delay a
    verdict, never decide it for the claim)."""
    found.verdict = "INCONCLUSIVE"
    found.min_slack, found.max_tightness, found.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    unique = {instance_key(p): p for p in tally.passed_over}
    found.details["passed_over"] = list(unique.values())[:8]
    found.message = (f"{len(unique)} float64 violation(s) were not replayed at {REPLAY_DPS} digits, e.g. with "
                     f"{short_params(next(iter(unique.values())))}: the statement's {ARTEFACT_REPLAYS} replays "
                     f"were spent without confirming one, and a violation left unreplayed is neither confirmed "
                     f"nor cleared ({tally.instances} instances checked, {found.artefacts} artefacts)")
    return found


def _stopped(found: Finding, tally: Tally, stop: TimeLimitReached) -> Finding:
    """A search cut short by the time limit: INCONCLUSIVE, with what was checked."""
    found.instances, found.outside = tally.instances, tally.outside
    found.min_slack, found.max_tightness, found.tightest = tally.min_slack, tally.max_tightness, tally.tightest
    found.details["cells"] = {"evaluated": tally.cells, "decided": tally.decided, "undecided": tally.undecided}
    found.verdict = "INCONCLUSIVE"
    found.message = (f"stopped at the time limit of {stop.limit:g} s after {tally.instances} instances "
                    f"({tally.decided} cells decided, no violation found): a search cut short is not a HOLDS")
    return found


def _violated(found: Finding, statement: Statement, params: dict[str, Any], evaluation: Evaluation, replay: Replay,
              worst: dict[str, Any]) -> Finding:
    found.worst = worst or None
    found.violations = max(found.violations, 1)
    first = evaluation.first_violation
    at = evaluation.at(first if first is not None else replay.t)
    found.verdict = "VIOLATED"
    found.counterexample = {
        "params": params, "t": at["t"], "observed": at["observed"], "bound": at["bound"], "slack": at["slack"],
        "replay_dps": replay.dps, "replay_t": replay.t, "replay_observed": replay.observed,
        "replay_bound": replay.bound, "replay": replay_command(statement, params),
    }
    found.message = (f"at t = {replay.t}: observed {replay.observed} > bound {replay.bound} with "
                    f"{short_params(params)}; confirmed at {replay.dps} digits")
    # the trajectory a reader wants to see next to a counterexample is the counterexample's
    found.tightest = {"params": dict(params), "t": at["t"],
                     "trajectory": {"t": evaluation.t.tolist(), "observed": evaluation.observed.tolist(),
                                    "bound": evaluation.bound.tolist()}}
    return found


def _nothing_evaluated(statement: Statement, model: Model, conclusion: Conclusion) -> str:
    """Why no cell was evaluated: the iterations demanded against those the runs had."""
    demanded = ", ".join(sorted({sp.sstr(ix) for ix in statement.conclusion.atoms(sp.Indexed)})) or "t"
    steps = model.param("steps") if "steps" in model.param_names else None
    have = f"; runs of {model.name} have steps <= {int(steps.hi)}" if steps else ""
    trivial = (f" (t = {', '.join(map(str, sorted(conclusion.trivial_t)))} hold by construction and carry no evidence)"
               if conclusion.trivial_t else "")
    return f"nothing evaluated: the conclusion demands {demanded} at t >= {statement.t_min}{have}{trivial}"
