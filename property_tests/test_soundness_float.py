"""Soundness of float64 decisions: a tolerance may delay a verdict, never decide it for the claim.

Each test is a reproduction from the soundness review: a false claim, close to the truth
or false by orders of magnitude, that an error bound growing with the bound's expression
or an empty evaluation used to report HOLDS.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from boundcheck.theorems.statement import StatementError
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.decide.conclusion import Conclusion
from boundcheck.verifiers.decide.rounding import U, forward_error
from boundcheck.verifiers.loading import statement_from_table
from boundcheck.verifiers.models import get_model

STRONGLY_CONVEX_RATE = "max((1-eta*mu)**2, (1-eta*L)**2)**t * dist_sq[0]"


def conjecture(conclusion: str, model: str = "smooth.quadratic", **table) -> object:
    return statement_from_table({"id": "mine.soundness", "model": model, "conclusion": conclusion, **table})


def large_step_rate(factor: str) -> object:
    """The strongly convex distance rate at steps eta L in [1.5, 2), t >= 50, scaled by ``factor``."""
    return conjecture(f"dist_sq[t] <= {factor} * {STRONGLY_CONVEX_RATE}", t_min=50, hypotheses=["eta*L >= 3/2", "eta*L < 2"],
                      domain={"steps": [50, 100]})


# ---------------------------------------------------------------- 1. geometric rates


def test_rate_false_by_a_factor_1000_is_violated():
    """Before: HOLDS on 2,159 instances with min slack -2.36 (tolerance (1 + |x|)**t)."""
    verdict = verify(large_step_rate("1/1000"), budget=100)
    assert verdict.verdict == "VIOLATED", verdict.message


def test_rate_false_by_two_percent_is_violated():
    verdict = verify(large_step_rate("98/100"), budget=100)
    assert verdict.verdict == "VIOLATED", verdict.message


def test_true_rate_holds_with_honest_tightness():
    verdict = verify(large_step_rate("1"), budget=100)
    assert verdict.verdict == "HOLDS", verdict.message
    assert verdict.min_slack > 0  # decided cells only: no negative slack behind a HOLDS
    assert 0 < verdict.max_tightness <= 1


def test_error_bound_of_a_power_grows_like_t_not_exponentially():
    """err(b**t) = |b**t| (t err(b)/|b| + 8u): relative error about t u, for any base size."""
    b, x, tt = sp.symbols("b x tt", positive=True)
    bound = forward_error(b**tt * x, {b: U * sp.Abs(b)}, u=U)
    value = sp.lambdify((b, tt, x), bound)(0.25, 100.0, 1.0)
    assert value <= 110 * U * 0.25**100  # (t + 3) u relative, nothing like (1.25)**100


@pytest.mark.parametrize("name", ["exp", "log", "sin", "cos", "tanh", "atan", "pow", "cube"])
def test_a_functions_charged_error_covers_numpys_array_evaluation(name):
    """The checker evaluates bounds on NumPy arrays, whose exp, log, pow... are SVML's on AVX-512
    machines (documented within 4 ulp), not glibc's (within 1 ulp). Measured here against 40
    digits: exp 1.12 u, tanh 1.57 u, pow 1.11 u relative, more than the one rounding charged
    before; the charge (FUNCTION_ROUNDINGS u, without the safety factor) must cover every
    sample."""
    import mpmath

    x = sp.Symbol("x", real=True)
    cases = {"exp": (sp.exp(x), np.exp, mpmath.exp, (-700, 700)), "log": (sp.log(x), np.log, mpmath.log, (1e-300, 1e300)),
             "sin": (sp.sin(x), np.sin, mpmath.sin, (-10, 10)), "cos": (sp.cos(x), np.cos, mpmath.cos, (-10, 10)),
             "tanh": (sp.tanh(x), np.tanh, mpmath.tanh, (-10, 10)), "atan": (sp.atan(x), np.arctan, mpmath.atan, (-10, 10)),
             "pow": (x**sp.Rational(37, 100), lambda v: v**0.37, lambda v: v ** mpmath.mpf(0.37), (1e-10, 1e10)),
             "cube": (x**3, lambda v: v**3, lambda v: v**3, (-1e5, 1e5))}
    expression, evaluate, exact, (lo, hi) = cases[name]
    rng = np.random.default_rng(5)
    values = (np.exp(rng.uniform(np.log(lo), np.log(hi), 4000)) if name in ("log", "pow")
              else rng.uniform(lo, hi, 4000))
    computed = evaluate(values)  # on an array, as the checker evaluates
    charged = sp.lambdify(x, forward_error(expression, {}, u=U), "numpy")(values)
    with mpmath.workdps(40):
        errors = np.array([float(abs(mpmath.mpf(float(c)) - exact(mpmath.mpf(float(v))))) for v, c in zip(values, computed)])
    assert np.all(errors <= charged), float(np.max(errors / charged))


# ---------------------------------------------------------------- 2. tiny bounds


def test_tiny_bound_false_by_two_is_violated():
    """Before: HOLDS with min slack -1.9e-16 (bounds below the absolute tolerance were swallowed)."""
    statement = conjecture("dist_sq[t] <= (1 - eta*mu)**(2*t) * dist_sq[0] / 2", model="smooth.convex", t_min=8,
                           hypotheses=["eta == 1/L", "mu >= L/2"])
    verdict = verify(statement, budget=100)
    assert verdict.verdict == "VIOLATED", verdict.message


TINY_BOUND_SCRIPT = """
import sys
from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.loading import statement_from_table
if sys.argv[1] == "after-registry":
    all_statements()  # imports every family module: Hypothesis used to take constants from their source
statement = statement_from_table({"id": "mine.soundness", "model": "smooth.convex", "t_min": 8,
    "conclusion": "dist_sq[t] <= (1 - eta*mu)**(2*t) * dist_sq[0] / 2", "hypotheses": ["eta == 1/L", "mu >= L/2"]})
v = verify(statement, budget=100)
print(v.verdict, v.instances, v.message)
"""


def test_a_verdict_at_a_seed_does_not_depend_on_what_the_process_imported():
    """Before: the conjecture above was VIOLATED at seed 0 in a fresh process and HOLDS (3,367
    instances) once the registry was built: Hypothesis drew constants from every local module
    imported so far. Now both processes search the same instances."""
    import subprocess
    import sys

    outputs = [subprocess.run([sys.executable, "-c", TINY_BOUND_SCRIPT, mode], capture_output=True, text=True,
                              timeout=300).stdout for mode in ("fresh", "after-registry")]
    assert outputs[0] == outputs[1] and outputs[0].startswith("VIOLATED"), outputs


# ---------------------------------------------------------------- 6. empty evaluation


@pytest.mark.parametrize("table", [
    {"conclusion": "gap[t] <= gap[0]", "t_min": 1000},
    {"conclusion": "gap[1000] <= -1"},
    {"conclusion": "gap[-1] <= -1"},
], ids=["t_min past every run", "index past every run", "negative index"])
def test_nothing_evaluable_is_an_error_at_load(table):
    """Before: HOLDS on 545 instances, min slack inf. Now no run of the model can reach
    the index: the statement is refused with a message naming it."""
    statement = conjecture(model="smooth.pl", **table)
    verdict = verify(statement, budget=20)
    assert verdict.verdict == "ERROR", verdict.message
    assert "gap" in verdict.message


def test_nothing_evaluated_in_the_drawn_runs_is_vacuous():
    """Reachable in principle (steps up to 100), but the domain keeps every run short."""
    statement = conjecture("gap[t] <= gap[0]", model="smooth.pl", t_min=50, domain={"steps": [1, 100]},
                           hypotheses=["steps <= 20"])
    verdict = verify(statement, budget=20)
    assert verdict.verdict in ("VACUOUS",), verdict.message


def test_cells_true_by_construction_carry_no_evidence():
    """t = 0 of gap[t] <= rate**t gap[0] holds with equality whatever the run."""
    statement = conjecture("gap[t] <= (1 - mu/(1000*L))**t * gap[0]", model="smooth.pl", hypotheses=["eta == 1/L"])
    conclusion = Conclusion(statement, get_model("smooth.pl"))
    assert conclusion.trivial_t == {0}
    verdict = verify(statement, budget=30)
    assert verdict.verdict == "HOLDS"
    assert verdict.max_tightness < 0.999  # a rate 1000x too slow is nowhere near attained past t = 0


# ---------------------------------------------------------------- 7. indices


def test_non_integer_index_is_refused():
    with pytest.raises(StatementError, match="integer"):
        Conclusion(conjecture("gap[t/2] <= gap[0]", model="smooth.pl"), get_model("smooth.pl"))


def test_batched_and_single_evaluation_see_the_same_cells():
    """Runs of different lengths: summarize() masks the cells past each run's end exactly as
    evaluate() does (before, short runs were evaluated past their end in the batch)."""
    model = get_model("smooth.pl")
    statement = conjecture("gap[0] * t <= 1000 * gap[0]", model="smooth.pl")
    conclusion = Conclusion(statement, model)
    batch = [{"d": 2, "L": 2.0, "mu": 1.0, "eta": 0.5, "steps": steps, "seed": 1} for steps in (3, 40)]
    batch = [model.validate(p) for p in batch]
    results = model.run(batch)
    summary = conclusion.summarize(batch, results)
    singles = [conclusion.evaluate(p, o) for p, o in zip(batch, results)]
    assert list(summary.cells) == [e.t.size for e in singles]
    assert list(summary.decided) == [e.decided for e in singles]
    np.testing.assert_array_equal(summary.max_tightness, [e.max_tightness for e in singles])


@pytest.mark.parametrize("statement_id", ["deep_linear.arora2019.linear_rate", "factorisation.bm.local_linear_rate",
                                          "deep_linear.gd.balancedness_drift_bound", "linear.xu2023.gd_rate_derived",
                                          "linear.weyl_imbalance_bound", "ntk.arora2019.trajectory",
                                          "ntk.cohen2021.quadratic_stable_below_edge", "ntk.du2019.weight_movement"])
def test_batched_and_single_hypotheses_on_observables_agree(statement_id):
    """The sweep decides a batch's hypotheses on observables at once (``unmet_each``): the same
    margins and error bounds as each run alone, bit for bit, and so the same runs inside and
    the same unmet hypotheses, on runs drawn from each statement's plan. (Both evaluate on
    arrays: a run alone once evaluated NumPy scalars, whose ``**`` is libm's where the array's
    is SVML's on AVX-512 machines, and the two differed in the last bit.)"""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.decide.conclusion import observables_read
    from boundcheck.verifiers.draw.plan import DrawPlan
    from boundcheck.verifiers.draw.sampler import sweep_draws

    statement = all_statements()[statement_id]
    model = get_model(statement.model)
    plan = DrawPlan(statement, model)
    batch = sweep_draws(plan, np.random.default_rng(11), sets=6, replicas=4)
    assert len(batch) == 24
    results = model.run_only(batch, observables_read(Conclusion(statement, model), plan.observed))
    inside = plan.observed.hold_each(batch, results)
    assert inside == [plan.observed.hold(p, o) for p, o in zip(batch, results)]
    assert plan.observed.unmet_each(batch, results) == [plan.observed.unmet(p, o) for p, o in zip(batch, results)]
    rtol = float(model.observable_rtol)
    errors = [model.observable_errors(p, o) for p, o in zip(batch, results)]
    for _, relation in plan.observed:
        margin = plan.observed._margin_of(relation)
        margins, bounds = margin.float64_each(batch, results, errors, rtol)
        singles = [margin.float64(p, o, e, rtol) for p, o, e in zip(batch, results, errors)]
        np.testing.assert_array_equal(margins, [m for m, _ in singles])
        np.testing.assert_array_equal(bounds, [b for _, b in singles])


@pytest.mark.parametrize("statement_id", ["linear.min2021.gd_small_step_rate", "linear.min2021.gradient_flow_rate",
                                          "classical.strongly_convex.distance"])
def test_the_last_cells_bound_is_the_evaluations(statement_id):
    """``last_bound`` (what a rate's progress report reads) is ``evaluate``'s last cell, bit for
    bit, on the rate statements that report progress (no Piecewise: no cell decided on its branches)."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.draw import sampler
    from boundcheck.verifiers.draw.plan import DrawPlan

    statement = get(statement_id)
    model = get_model(statement.model)
    conclusion, plan, rng = Conclusion(statement, model), DrawPlan(statement, model), np.random.default_rng(3)
    batch = [p for p in (sampler.sample(plan, rng) for _ in range(12)) if p is not None]
    for params, obs in zip(batch, model.run(batch)):
        evaluation = conclusion.evaluate(params, obs)
        last = conclusion.last_bound(params, obs)
        assert (last is None) == (not evaluation.t.size)
        if last is not None:  # a bound may be NaN (a run that diverged): the same NaN
            assert last[0] == evaluation.t[-1] and np.array_equal(last[1], evaluation.bound[-1], equal_nan=True)


def test_false_claim_with_short_and_long_runs_is_violated():
    """A claim that only runs longer than 30 steps break: found although most batches mix
    short and long runs."""
    statement = conjecture("t * gap[0] <= 30 * gap[0]", model="smooth.pl")
    verdict = verify(statement, budget=50)
    assert verdict.verdict == "VIOLATED", verdict.message


def test_a_residual_at_its_rounding_floor_is_undecided_not_a_violation(monkeypatch):
    """linear.two_layer's resid = ||G||_F (G = Z - A^T X U V^T) is accurate to an absolute floor,
    not relatively: near convergence it is rounding noise (2.5e-16 here from t = 5 on, while
    the one-step bound falls to 3e-19). With only the 1e-9 relative accuracy assumed, 28 cells
    of this run were float64 "violations" that vanished at 50 digits (seed 11, budget 3000:
    60 of them, 24 replayed, and HOLDS on the rest). The model now states the floor per run
    (obs[ERROR_KEY]["resid"]) and the conclusion's tolerance carries it: those cells are
    undecided, and the run decides nothing false."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.models.base import ERROR_KEY

    statement = get("linear.gd.one_step_contraction")
    model = get_model(statement.model)
    params = {"n": 3, "d": 2, "m": 2, "h": 2, "x_cond": 1.0, "init": 1, "init_scale": 0.11042528175272148,
              "imbalance_scale": 56.91745701727948, "margin_frac": 0.0, "dynamics": 0, "diagnostics": 0,
              "step_unit": 2, "step": 0.99999, "steps": 31, "seed": 0}
    obs = model.run([params])[0]
    assert 0 < obs[ERROR_KEY]["resid"] < 1e-12 and obs["resid"][-1] < 1e-15  # a floor of 8 (d + h + m) eps |G|-scale
    evaluation = Conclusion(statement, model).evaluate(params, obs)
    assert not evaluation.violated and evaluation.undecided.sum() >= 20
    without = dict(obs)
    without[ERROR_KEY] = {}
    assert not Conclusion(statement, model).evaluate(params, without).violated  # the default floor holds it too
    monkeypatch.setattr(model, "observable_floor", 0.0)
    assert Conclusion(statement, model).evaluate(params, without).violated  # the old, relative-only tolerance


def test_an_ntk_residual_at_its_rounding_floor_is_undecided(monkeypatch):
    """resid_sq = ||u - y||^2 falls to rounding noise when gradient descent converges
    (1.2e-28 here at t = 23, from 0.56): such a cell must be undecided, as linear.two_layer's
    are. ntk.two_layer_relu states its floor per iteration (the evaluation at the float64
    iterates and the error they accumulate, :func:`rounding_floors`); without it the cell
    is a float64 violation that vanishes at 50 digits."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.models.base import ERROR_KEY

    statement = get("ntk.cohen2021.quadratic_stable_below_edge")
    model = get_model(statement.model)
    params = {"n": 2, "d": 2, "m": 22, "kappa": 2.0, "init": 0, "labels": 0, "linearized": 1, "steps": 23,
              "spectrum_every": 0, "step_unit": 3, "step": 1.25, "seed": 0, "init_seed": 6136}
    obs = model.run([params])[0]
    assert obs["resid_sq"][-1] < 1e-26 * obs["resid_sq"][0]
    assert obs[ERROR_KEY]["resid_sq"].shape == obs["resid_sq"].shape
    evaluation = Conclusion(statement, model).evaluate(params, obs)
    assert not evaluation.violated and evaluation.undecided[-1]
    without = dict(obs)
    without[ERROR_KEY] = {}
    assert not Conclusion(statement, model).evaluate(params, without).violated  # the default floor holds it too
    monkeypatch.setattr(model, "observable_floor", 0.0)
    assert Conclusion(statement, model).evaluate(params, without).violated  # relative accuracy only


@pytest.mark.parametrize("linearized", [1, 0])
def test_the_ntk_rounding_floor_bounds_the_float64_error(linearized):
    """|fl(x[t]) - x[t]| <= floor[t] for resid_sq and dist at every iteration, x[t] from a
    60-digit replay, on instances drawn across step sizes below and above the edge (2 /
    sharpness), widths and scales. For the linearised model the floor is a bound; for the
    ReLU network an estimate (an activation flip has no forward error bound), held here on
    the same draws. The floor is within a factor 1e4 of the error it bounds (it is a
    worst case: measured 25x to 600x above the actual error), not vacuous."""
    from boundcheck.verifiers.models.base import ERROR_KEY
    from boundcheck.verifiers.models.precision import high_precision

    model = get_model("ntk.two_layer_relu")
    rng = np.random.default_rng(1 + linearized)
    for _ in range(8):
        params = {"n": int(rng.integers(2, 6)), "d": int(rng.integers(2, 5)), "m": int(rng.integers(1, 40)),
                  "kappa": float(rng.choice([0.01, 1.0, 3.0])), "init": int(rng.integers(0, 2)),
                  "labels": int(rng.integers(0, 2)), "linearized": linearized, "steps": 40, "spectrum_every": 0,
                  "step_unit": 3, "step": float(rng.choice([0.3, 1.0, 1.5, 1.99, 2.1])),
                  "seed": int(rng.integers(0, 1000)), "init_seed": int(rng.integers(0, 1000))}
        obs = model.run([params])[0]
        exact = model.reference(params, high_precision(60))
        for name in ("resid_sq", "dist"):
            computed = obs[name]
            replayed = np.array([float(v) for v in exact[name]])
            floor = obs[ERROR_KEY][name]
            finite = np.isfinite(computed) & np.isfinite(replayed)
            assert (np.abs(computed - replayed)[finite] <= floor[finite]).all(), (name, params)
        top = obs[ERROR_KEY]["resid_sq"][0]
        assert top < 1e4 * max(abs(obs["resid_sq"][0] - float(exact["resid_sq"][0])), 1e-16 * obs["resid_sq"][0])


def test_a_replay_does_not_confirm_a_tie_below_its_precision():
    """A 50-digit replay is accurate to 10**-25 of each observable's largest magnitude along
    the run, and that error divided by the value reaches log(resid_sq[t]). Here y is an
    eigenvector of H(0), so ||r(k)||^2 = rate^(2k) ||r(0)||^2 exactly: every cell is a tie
    (``<=`` holds). The replay's resid_sq[49] is 1e-58, pure rounding noise at 50 digits;
    the threshold that added the run's scale to the logarithm's size (1e-23 against
    -132) confirmed it as a violation of a true theorem (budget 200, seed 0). Propagated
    through the log, the threshold leaves every cell undecided; the same instance against
    the claim with a rate 0.1% per step faster is still confirmed."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.decide.replay import replay_high_precision

    params = {"d": 3, "init": 1, "init_seed": 0, "kappa": 1.575698016366355, "labels": 0, "linearized": 1,
              "m": 17, "n": 2, "seed": 650, "spectrum_every": 0, "step": 1.0, "step_unit": 3, "steps": 57}
    statement = get("ntk.cohen2021.quadratic_stable_below_edge")
    model = get_model(statement.model)
    replay = replay_high_precision(model, Conclusion(statement, model), params)
    assert not replay.confirmed and replay.cells
    mutant = get("ntk.cohen2021.quadratic_rate_slightly_faster")
    assert replay_high_precision(model, Conclusion(mutant, model), params).confirmed


def test_a_bound_sympy_writes_with_re_keeps_a_finite_tolerance():
    """sympy writes Abs(margin**a) as re(margin**a) where margin's sign is unknown; an error
    bound that gave up on re (infinite) left every cell of Arora et al.'s rate tightened by
    any amount undecided, and its power unmeasurable. Propagated through re, the rate
    tightened by 1e-4 is caught, and the theorem itself still HOLDS."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.power import _trivial_t, tightened

    a, e = sp.symbols("a e", positive=True)
    assert forward_error(sp.re(sp.Symbol("m", real=True) ** a), {sp.Symbol("m", real=True): e}) != sp.oo
    statement = get("deep_linear.arora2019.linear_rate")
    assert verify(statement).verdict == "HOLDS"
    assert verify(tightened(statement, 1e-4, _trivial_t(statement))).verdict == "VIOLATED"


def _weight_movement_run():
    """Du et al.'s weight movement on a small converging ReLU run: (model, params, run, conclusion)."""
    from boundcheck.theorems.registry import get

    statement = get("ntk.du2019.weight_movement")
    model = get_model(statement.model)
    params = {"n": 4, "d": 3, "m": 16, "kappa": 1.0, "init": 0, "labels": 0, "linearized": 0, "steps": 6,
              "spectrum_every": -1, "step_unit": 1, "step": 0.5, "seed": 1, "init_seed": 2}
    return model, params, model.run([params])[0], Conclusion(statement, model)


def test_a_condition_within_its_error_of_switching_leaves_the_cell_undecided():
    """Du et al.'s weight movement claims dist[t] <= R only while du_condition[t-1] <= 1; float64
    reads the condition on recorded values. Where du_condition[t-1] lies within its error of 1,
    the exact run may satisfy the condition that float64 found false: the cell must not count
    as holding (before, float64's branch made dist * 0 <= R a decided HOLDS, whatever dist).
    Out of that band the branch float64 takes is decided, and so is the cell."""
    from boundcheck.verifiers.decide.conclusion import HOLDS, UNDECIDED
    from boundcheck.verifiers.models.base import ERROR_KEY

    model, params, obs, conclusion = _weight_movement_run()
    honest = conclusion.evaluate(params, obs)
    assert (honest.status == HOLDS).all()  # a converging run: every cell decided
    t = 3
    bound = float(honest.bound[t - 1])
    doctored = dict(obs, dist=obs["dist"].copy(), du_condition=obs["du_condition"].copy())
    doctored["dist"][t] = 1.04 * bound  # the claim false by 4% on the active branch
    # du_condition is known to observable_rtol of itself plus its stated floor (1.5e-13 here)
    band = model.observable_rtol + float(obs[ERROR_KEY]["du_condition"][t - 1])
    for du, expected in ((1 + band / 4, UNDECIDED), (1 - band / 4, None), (1 + 10 * band, HOLDS)):
        doctored["du_condition"][t - 1] = du
        evaluation = conclusion.evaluate(params, doctored)
        cell = int(np.flatnonzero(evaluation.t == t)[0])
        if expected is None:  # the active branch: the 4% violation is a candidate or undecided, never HOLDS
            assert evaluation.status[cell] != HOLDS
        else:
            assert evaluation.status[cell] == expected, (du, evaluation.status[cell])


def test_a_cell_true_on_every_branch_in_doubt_holds():
    """Where float64 cannot tell which branch of Du et al.'s condition the exact run takes, the
    exact value of ``dist[t] * condition`` is ``dist[t]`` or 0: a cell at which the claim holds
    beyond its tolerance on both is decided, and reported as its weakest branch. The claim
    true by 4% on the active branch holds; false by 4% on it (above, with the same band) it
    stays undecided; false by 4% on a branch float64 did not take, it is not decided either."""
    from boundcheck.verifiers.decide.conclusion import HOLDS, UNDECIDED
    from boundcheck.verifiers.models.base import ERROR_KEY

    model, params, obs, conclusion = _weight_movement_run()
    t = 3
    bound = float(conclusion.evaluate(params, obs).bound[t - 1])
    band = model.observable_rtol + float(obs[ERROR_KEY]["du_condition"][t - 1])
    doctored = dict(obs, dist=obs["dist"].copy(), du_condition=obs["du_condition"].copy())
    for du in (1 - band / 4, 1 + band / 4):  # float64 takes the active branch, then the inactive one
        doctored["du_condition"][t - 1] = du
        for factor, expected in ((0.96, HOLDS), (1.04, UNDECIDED)):
            doctored["dist"][t] = factor * bound
            evaluation = conclusion.evaluate(params, doctored)
            cell = int(np.flatnonzero(evaluation.t == t)[0])
            if expected == HOLDS:
                assert evaluation.status[cell] == HOLDS, (du, factor)
                assert evaluation.tightness[cell] == pytest.approx(factor, rel=1e-9)  # the weakest branch
            else:
                assert evaluation.status[cell] != HOLDS, (du, factor)


def test_branch_cases_split_outermost_exhaustive_piecewise_only():
    """A relation with a Piecewise is tried on each branch only where the Piecewise has a
    default (otherwise it may have no value), on the outermost one of a nest, and for at
    most MAX_BRANCH_CASES combinations."""
    from boundcheck.verifiers.decide.conclusion import MAX_BRANCH_CASES, branch_cases

    x, y = sp.symbols("x y", real=True)
    step = sp.Piecewise((x, x < 1), (2 * x, True))
    assert branch_cases(step * y, sp.Integer(1)) == [(x * y, 1), (2 * x * y, 1)]
    assert branch_cases(sp.Piecewise((x, x < 1)), y) == []  # no default branch
    nested = sp.Piecewise((step, y < 0), (0, True))
    assert branch_cases(nested, y) == [(step, y), (0, y)]
    many = sp.Add(*[sp.Piecewise((s, s < 1), (0, True)) for s in sp.symbols("a0:4", real=True)])
    assert 2**4 > MAX_BRANCH_CASES and branch_cases(many, y) == []
    assert branch_cases(x, y) == []


def test_a_rank_deficient_gram_eigenvalue_is_noise_not_evidence():
    """sigma_r(U_1)^2 with h = 1 < r = 3 is 0 in exact arithmetic; float64 computes 9.4e-17 at
    t = 0 of this run. Taken as accurate to 1e-9 of itself (the checker's default), the
    false claim sigma_r_U1_sq >= 1e-20 held at that cell. linear.two_layer now states the
    eigenvalue's rounding bound (8 (d + h + m) eps ||U_1||_F^2, 7e-14 here): the cell is
    undecided, and the 50-digit replay has it at 0."""
    from boundcheck.verifiers.decide.conclusion import HOLDS
    from boundcheck.verifiers.models.base import ERROR_KEY
    from boundcheck.verifiers.models.precision import high_precision

    statement = conjecture("sigma_r_U1_sq[t] >= 1e-20", model="linear.two_layer")
    model = get_model("linear.two_layer")
    params = dict(n=3, d=3, m=1, h=1, x_cond=1.0, init=0, init_scale=1.0, imbalance_scale=1.0, margin_frac=0.0,
                  dynamics=0, diagnostics=0, step_unit=0, step=0.1, steps=3, seed=9)
    obs = model.run([params])[0]
    assert 1e-17 < obs["sigma_r_U1_sq"][0] < obs[ERROR_KEY]["sigma_r_U1_sq"][0] < 1e-12
    assert abs(model.reference(params, high_precision(50))["sigma_r_U1_sq"][0]) < 1e-40
    conclusion = Conclusion(statement, model)
    assert conclusion.evaluate(params, obs).status[0] != HOLDS
    without = dict(obs, **{ERROR_KEY: {k: v for k, v in obs[ERROR_KEY].items() if k != "sigma_r_U1_sq"}})
    assert conclusion.evaluate(params, without).status[0] == HOLDS  # the hole the stated bound closes
