"""The Monte Carlo sweep after a ``for_all`` search: more evidence, never a weaker verdict.

A search that finds no violation is followed by ``model.monte_carlo * budget`` instances
drawn uniformly from the same plan and decided by the same conclusion
(:mod:`boundcheck.verifiers.quantifiers.sweep`). These tests hold it to the rules of the
search: each instance counted once, a float64 violation replayed before it is anything, a
replay that does not finish no HOLDS, a stop at the time limit no HOLDS.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import count_runs, mostly_rejected

from boundcheck.theorems.registry import get
from boundcheck.verifiers.check import TimeLimitReached, verify
from boundcheck.verifiers.decide.replay import Replay
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import sweep_draws
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.quantifiers import for_all


def _without_search(monkeypatch) -> None:
    """Hypothesis's search replaced by one that draws nothing: only the sweep runs."""
    monkeypatch.setattr(for_all, "_search", lambda *args, **kwargs: (lambda: None))


def test_the_sweep_adds_its_instances_each_counted_once(monkeypatch):
    """After a HOLDS search the sweep adds ``monte_carlo * budget`` instances, none of them
    one the search ran, and the verdict says how many each part checked."""
    statement = get("classical.strongly_convex.distance")
    model = get_model(statement.model)
    ran = count_runs(monkeypatch, statement)
    finding = verify(statement, budget=20)
    assert finding.verdict == "HOLDS"
    search = finding.details["search"]
    assert search["monte_carlo"] == model.monte_carlo * 20
    assert search["hypothesis"] + search["monte_carlo"] == finding.instances
    assert finding.instances + finding.outside == len(ran)
    assert set(ran.values()) <= {1, 2}  # 2: an undecided run replayed after the search is re-run once
    assert f"{search['monte_carlo']} by Monte Carlo" in finding.message


def test_the_sweep_alone_catches_a_rate_one_percent_too_fast(monkeypatch):
    """The teeth of the sweep on its own: with the search emptied, a rate 1% faster than the
    true (1 - eta mu)^t on strongly convex quadratics is found by the uniform draws, shrunk
    parameter by parameter (one step, the first seed, the smallest dimension, a one-digit
    step size) and the shrunk instance confirmed at 50 digits."""
    _without_search(monkeypatch)
    statement = get("classical.strongly_convex.distance_rate_one_percent_fast")
    finding = verify(statement, budget=20)
    assert finding.verdict == "VIOLATED"
    assert "Monte Carlo sweep" in finding.message and "shrunk parameter by parameter" in finding.message
    assert finding.counterexample["replay_dps"] >= 50
    shrunk = finding.counterexample["params"]
    plan = DrawPlan(statement, get_model(statement.model))
    assert (shrunk["steps"], shrunk["seed"], shrunk["d"]) == (1, 0, plan.interval("d", {})[0])
    assert float(f"{shrunk['eta']:.1g}") == shrunk["eta"]


@pytest.mark.parametrize("statement_id", ["ntk.du2019.weight_movement_radius_over_m",
                                          "classical.nonconvex.textbook_min_grad_step_past_limit",
                                          "linear.weyl_imbalance_bound_five_percent_high"])
def test_a_sweep_counterexample_is_shrunk_and_still_a_counterexample(monkeypatch, statement_id):
    """On three models: the shrunk instance meets the hypotheses on parameters, is no larger
    than the one found in any integer parameter, and is the one confirmed at 50 digits."""
    from boundcheck.verifiers.quantifiers import shrink, sweep

    found: list[dict] = []
    original = shrink.shrink

    def recorded(model, plan, conclusion, params):
        found.append(dict(params))
        return original(model, plan, conclusion, params)

    monkeypatch.setattr(sweep, "shrink", recorded)
    _without_search(monkeypatch)
    statement = get(statement_id)
    finding = verify(statement, budget=20)
    assert finding.verdict == "VIOLATED" and "shrunk parameter by parameter" in finding.message
    [raw] = found
    shrunk = finding.counterexample["params"]
    plan = DrawPlan(statement, get_model(statement.model))
    assert plan.admits(shrunk) and shrunk != raw
    for p in get_model(statement.model).params:
        if p.kind == "int":
            assert shrunk[p.name] <= raw[p.name], p.name


def test_the_sweep_alone_holds_the_true_rate(monkeypatch):
    """... and holds the true one, on exactly the instances it drew."""
    _without_search(monkeypatch)
    statement = get("classical.strongly_convex.distance")
    finding = verify(statement, budget=20)
    assert finding.verdict == "HOLDS"
    assert finding.instances == finding.details["search"]["monte_carlo"] == get_model(statement.model).monte_carlo * 20


def test_a_sweep_violation_whose_replay_does_not_finish_is_no_holds(monkeypatch):
    """A float64 violation found by the sweep and not replayed to the end is neither confirmed
    nor cleared: INCONCLUSIVE."""
    _without_search(monkeypatch)
    monkeypatch.setattr(for_all, "replay_high_precision",
                        lambda *args, **kwargs: Replay(confirmed=False, dps=50, timed_out=True))
    finding = verify(get("classical.strongly_convex.distance_rate_one_percent_fast"), budget=20)
    assert finding.verdict == "INCONCLUSIVE"
    assert "could not be replayed" in finding.message


def test_a_sweep_stopped_at_the_time_limit_is_no_holds():
    """The time limit reaches the sweep through the progress callback (raised at the sweep's
    first batch here, an observable event rather than a clock): the run stops INCONCLUSIVE,
    with the instances checked so far."""
    budget = 10

    def progress(done: int, total: int) -> None:
        if done > budget:
            raise TimeLimitReached(1.0, done, total)

    finding = verify(get("classical.strongly_convex.distance"), budget=budget, progress=progress)
    assert finding.verdict == "INCONCLUSIVE"
    assert "time limit" in finding.message and finding.instances > 0


def test_sweep_draws_meet_the_plan_with_fresh_seeds():
    """Every swept instance lies inside its plan's intervals, seeds vary within a parameter
    set, and the same generator seed draws the same instances."""
    statement = get("ntk.du2019.weight_movement")
    plan = DrawPlan(statement, get_model(statement.model))
    drawn = sweep_draws(plan, np.random.default_rng(3), sets=6, replicas=4)
    assert len(drawn) == 24
    for params in drawn:
        for name, value in params.items():
            lo, hi, *_ = plan.interval(name, params)
            assert lo <= value <= hi, (name, value, lo, hi)
    for k in range(0, 24, 4):
        group = drawn[k:k + 4]
        assert len({(p["seed"], p["init_seed"]) for p in group}) == 4
        assert all({n: v for n, v in p.items() if n not in ("seed", "init_seed")}
                   == {n: v for n, v in group[0].items() if n not in ("seed", "init_seed")} for p in group)
    assert drawn == sweep_draws(plan, np.random.default_rng(3), sets=6, replicas=4)


def test_runs_outside_the_hypotheses_in_the_sweep_are_counted_as_outside(monkeypatch):
    """A statement that rejects most runs on observables: the sweep's rejected runs are
    counted outside, once, and never as evidence."""
    statement = mostly_rejected()
    ran = count_runs(monkeypatch, statement)
    finding = verify(statement, budget=20)
    assert finding.verdict == "HOLDS"
    assert finding.instances + finding.outside == len(ran)
    assert finding.details["search"]["monte_carlo"] < get_model(statement.model).monte_carlo * 20


@pytest.mark.parametrize("statement_id", ["classical.pl.linear_rate", "classical.strongly_convex.distance",
                                          "classical.nonconvex.textbook_min_grad"])
def test_a_draw_at_either_end_of_its_range_stays_inside_its_interval(statement_id):
    """exp(log(hi)) rounds above hi for 40% of floats, and a uniform draw may return its low
    end: a draw at the very top or bottom of its range is moved inside, past an open end too,
    so no swept instance lies an ulp outside a hypothesis (``eta <= 1/L``, ``eta < 2/L``)."""
    from boundcheck.verifiers.draw.sampler import draw

    class End:  # a generator whose every draw is one end of its range
        def __init__(self, top: bool):
            self.top = top

        def uniform(self, low, high):
            return high if self.top else low

        def integers(self, low, high):
            return high - 1 if self.top else low

    statement = get(statement_id)
    plan = DrawPlan(statement, get_model(statement.model))
    for top in (True, False):
        values = draw(plan, End(top), {}, lowest=False)
        assert plan.admits(values), (top, values)
