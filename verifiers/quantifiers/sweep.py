"""The Monte Carlo sweep that follows a ``for_all`` search which found no violation.

Hypothesis's search is built to find and shrink counterexamples: its draws lean on the
edges of each range (the smallest values, repeated choices, the targeted direction), and
each example costs its engine some milliseconds, more than a small kernel run. The sweep
adds what it does not give: instances drawn uniformly (log-uniformly over wide positive
ranges) from the same plan (:func:`~boundcheck.verifiers.draw.sampler.sweep_draws`), each
seed drawn afresh, run in large batches at the kernel's speed, and decided by the same
conclusion with the same tally. Its size is ``model.monte_carlo`` instances per example of the
budget: it depends on the seed and the budget, never on the clock.

A float64 violation found here is replayed in high precision at once (``confirm``, the
search's own): a confirmed one is the verdict, shrunk greedily
(:mod:`~boundcheck.verifiers.quantifiers.shrink`: Hypothesis cannot shrink what it did not
draw) and confirmed again; an artefact is passed over as in the search.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from boundcheck.verifiers.check import Progress
from boundcheck.verifiers.decide.conclusion import Conclusion, Evaluation, observables_read
from boundcheck.verifiers.decide.informative import RateProgress
from boundcheck.verifiers.decide.replay import Replay
from boundcheck.verifiers.draw.plan import DrawPlan, instance_key
from boundcheck.verifiers.draw.sampler import sweep_draws
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.quantifiers.shrink import shrink
from boundcheck.verifiers.quantifiers.tally import Tally

#: the sweep's generator is seeded with ``[seed, SEED_OFFSET]``: a stream apart from any the seed drives elsewhere
SEED_OFFSET = 7_919

Confirm = Callable[[list[tuple[dict[str, Any], Evaluation]]], "tuple[dict[str, Any], Evaluation, Replay] | None"]


@dataclass
class Swept:
    """What the sweep checked: instances inside the hypotheses and runs outside them."""

    instances: int = 0
    outside: int = 0
    confirmed: tuple[dict[str, Any], Evaluation, Replay] | None = None
    #: whether the confirmed violation is a shrunk one (:mod:`~boundcheck.verifiers.quantifiers.shrink`)
    shrunk: bool = False


def sweep(model: Model, plan: DrawPlan, conclusion: Conclusion, budget: int, seed: int, tally: Tally,
          seen: dict[str, float], artefacts: set[str], rates: RateProgress | None, progress: Progress | None,
          confirm: Confirm) -> Swept:
    """Draw ``model.monte_carlo * budget`` instances, run them in batches of one Hypothesis example's
    largest size, and add each batch to ``tally``; instances the search ran (``seen``) are
    skipped. Ends at the first confirmed violation, or once a float64 violation is passed
    over unreplayed (the statement's replays are spent)."""
    swept = Swept()
    wanted = model.monte_carlo * budget
    if wanted <= 0:
        return swept
    replicas = max(1, model.replicas)
    rng = np.random.default_rng([seed, SEED_OFFSET])
    fresh = {instance_key(p): p for p in sweep_draws(plan, rng, math.ceil(wanted / replicas), replicas)}
    drawn = [p for key, p in fresh.items() if key not in seen][:wanted]
    chunk = max(64, model.batch_size * replicas)
    batches = [drawn[k:k + chunk] for k in range(0, len(drawn), chunk)]
    read = observables_read(conclusion, plan.observed)
    for done, batch in enumerate(batches, start=1):
        results = model.run_only(batch, read)
        if plan.observed:
            inside = tally.keep_inside(plan.observed, batch, results)
            swept.outside += inside.count(False)
            batch = [p for p, ok in zip(batch, inside) if ok]
            results = [o for o, ok in zip(results, inside) if ok]
        if batch:
            summary = conclusion.summarize(batch, results)
            tally.add_summary(batch, results, summary, conclusion)
            swept.instances += len(batch)
            if rates is not None:
                rates.add(batch, results, conclusion)
            violated = [k for k in np.flatnonzero(summary.violated) if instance_key(batch[k]) not in artefacts]
            if violated:
                found = [(dict(batch[k]), conclusion.evaluate(batch[k], results[k])) for k in violated]
                swept.confirmed = confirm(found)
                if swept.confirmed is not None:
                    swept.confirmed, swept.shrunk = _shrunk(model, plan, conclusion, swept.confirmed, confirm)
                if swept.confirmed is not None or tally.passed_over:  # passed over: the replays are spent,
                    return swept  # and nothing found later could be confirmed (the search stops there too)
        if progress:
            progress(budget + done, budget + len(batches))
    return swept


def _shrunk(model: Model, plan: DrawPlan, conclusion: Conclusion, confirmed: tuple[dict[str, Any], Evaluation, Replay],
            confirm: Confirm) -> tuple[tuple[dict[str, Any], Evaluation, Replay], bool]:
    """The confirmed violation shrunk (:func:`~boundcheck.verifiers.quantifiers.shrink.shrink`)
    and confirmed again in high precision; the original where the shrunk one is not confirmed."""
    params = confirmed[0]
    simpler = shrink(model, plan, conclusion, params)
    if simpler == params:
        return confirmed, False
    again = confirm([(simpler, conclusion.evaluate(simpler, model.run([simpler])[0]))])
    return (again, True) if again is not None else (confirmed, False)
