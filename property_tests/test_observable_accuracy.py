"""Every model's float64 observables lie within the accuracy the checker assumes for them.

A conclusion's tolerance takes an indexed observable x[t] to be accurate to
``observable_rtol * |x[t]|`` plus the absolute floor its run states (``obs[ERROR_KEY]``)
or, where it states none, ``observable_floor`` times the largest |x| up to t
(:mod:`boundcheck.verifiers.decide.conclusion`). If a model's observable is worse than that,
cells are decided on an accuracy they lack, in either direction. This test replays
instances drawn from every theorem's hypotheses (the runs it decides) at 50 digits and
holds each observable at each iteration to its assumed error. It found, before the floors were stated: the NTK and
linear residuals at convergence, the gradient norm of ``smooth.nonconvex`` at 1.5e-21 from
2.5 (3e-5 off, relatively), and the imbalance eigenvalues of ``linear.two_layer`` where the
imbalance is 0 (1e-21 computed for 1e-32).
"""

from __future__ import annotations

import numpy as np
import pytest

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.draw import sampler
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.base import ERROR_KEY
from boundcheck.verifiers.models.precision import high_precision

#: replays are slow in mpmath: runs are cut to this many steps, and sizes to SIZE (the test is
#: about each model's arithmetic, not about a statement's hypotheses)
STEPS = 30
SIZE = 6
SIZES = ("n", "d", "m", "h", "k", "N", "r", "r_true")


def _assumed_error(model, obs: dict, name: str) -> np.ndarray:
    computed = np.asarray(obs[name], dtype=np.float64)
    stated = (obs.get(ERROR_KEY) or {}).get(name)
    if stated is None:
        floor = model.observable_floor * np.fmax.accumulate(np.abs(computed))
    else:
        floor = np.broadcast_to(np.asarray(stated, dtype=np.float64), computed.shape)
    return model.observable_rtol * np.abs(computed) + floor


def _runs(per_model: int, seed: int = 0):
    """(statement id, model, params, float64 run) drawn from the theorems' plans and inside
    their hypotheses (the runs a theorem decides), at most ``per_model`` per model. A run
    outside them is not checked: a step past its cap diverges, amplifying rounding like any
    perturbation, and no model but NTK's states that growth."""
    rng = np.random.default_rng(seed)
    taken: dict[str, int] = {}
    for statement in all_statements().values():
        model = get_model(statement.model)
        if statement.kind != "theorem" or not model.indexed_names:
            continue
        plan = DrawPlan(statement, model)
        for _ in range(per_model):
            params = sampler.sample(plan, rng)
            if params is None or taken.get(model.name, 0) >= per_model:
                continue
            if "steps" in params:
                params["steps"] = min(params["steps"], STEPS)
            for name in SIZES:
                if isinstance(params.get(name), int):
                    params[name] = min(params[name], SIZE)
            computed = model.run([params])[0]
            if plan.observed and not plan.observed.hold(params, computed):
                continue
            taken[model.name] = taken.get(model.name, 0) + 1
            yield statement.id, model, params, computed


def _check(per_model: int, seed: int = 0) -> int:
    """Cells checked; every model with trajectories that a theorem uses is reached."""
    checked = 0
    reached: set[str] = set()
    for statement_id, model, params, computed in _runs(per_model, seed):
        reached.add(model.name)
        exact = model.reference(params, high_precision(50))
        for name in model.indexed_names:
            if name not in computed or name not in exact:
                continue
            values = np.asarray(computed[name], dtype=np.float64)
            replayed = np.array([float(v) for v in np.asarray(exact[name]).ravel()])
            if replayed.shape != values.shape:
                continue
            both = np.isfinite(values) & np.isfinite(replayed)
            error = np.abs(values - replayed)[both]
            assumed = _assumed_error(model, computed, name)[both]
            worst = int(np.argmax(error - assumed)) if error.size else 0
            assert (error <= assumed).all(), (
                f"{model.name}.{name} off by {error[worst]:.3g} where {assumed[worst]:.3g} is assumed "
                f"({statement_id}, {params})")
            checked += int(both.sum())
    used = {get_model(s.model).name for s in all_statements().values() if s.kind == "theorem"}
    assert reached == {name for name in used if get_model(name).indexed_names}, "a model went unchecked"
    return checked


def test_every_model_is_as_accurate_as_the_checker_assumes():
    assert _check(per_model=12) > 5000


@pytest.mark.slow
def test_every_model_is_as_accurate_as_the_checker_assumes_on_more_draws():
    assert _check(per_model=48, seed=1) > 20000
