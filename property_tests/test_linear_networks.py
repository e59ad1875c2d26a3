"""Two-layer linear networks (theorems/linear_networks.py, model linear.two_layer).

Kernel against reference; imbalance conservation and drift order; every initialisation
corner reached; every statement through the real checker; explore --relax eta.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import sample
from boundcheck.verifiers.draw.strategy import instances
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.base import ERROR_KEY

MODEL = get_model("linear.two_layer")
BASE = dict(n=6, d=5, m=3, h=10, x_cond=3.0, init=0, init_scale=1.0, imbalance_scale=1.5, margin_frac=0.5,
            dynamics=0, diagnostics=1, step_unit=2, step=0.5, steps=12, seed=3)
SPECTRAL_NAMES = {"c_step", "K_step", "sigma_r_U1_sq", "sigma_m_V_sq", "imb_lambda_r", "imb_lambda_m_neg",
                  "c_imb", "imbalance_norm", "imbalance_drift"}
IDS = [i for i in all_statements() if i.startswith("linear.")]


def _run(**overrides):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MODEL.run([dict(BASE, **overrides)])[0]


# ------------------------------------------------------------------ kernel vs reference


@pytest.mark.parametrize("overrides", [
    dict(init=0), dict(init=1, seed=4), dict(init=3, seed=6), dict(init=4, seed=7),
    dict(init=4, h=4, seed=9),                       # h <= r + m: dense imbalance spectrum
    dict(n=3, d=7, m=5, h=5, init=3),                # r < m
    dict(n=8, d=4, m=2, h=3, init=0, x_cond=1e3),    # h < r, ill-conditioned X
])
def test_kernel_matches_reference(overrides):
    """numba kernel == NumPy reference to 1e-10 relative on 12 steps.

    Spectral observables (eigenvalues) are compared relative to |value| + the run's scale
    max K_step + max ||Lambda||: an eigenvalue near 0 is only defined to eps times the norm
    of its matrix, so a relative comparison of two roundoff-level numbers would be noise.
    The residuals of the exact one-step identities (``rec_resid_sq``, ``rec_dot``,
    ``drift_resid_sq``, ``drift_dot``) are 0 in exact arithmetic: each run's is rounding noise,
    which the kernel (small products written out) and the reference (BLAS) round differently.
    Each must lie within the error bound its run states (measured: within 6e-4 of it), and
    the two bounds, computed from the noise, agree to 1e-2 (measured: 7e-4).
    """
    params = dict(BASE, **overrides)
    fast = _run(**overrides)
    ref = MODEL.reference(params)
    scale = np.nanmax(ref["K_step"]) + np.nanmax(ref["imbalance_norm"])
    assert fast[ERROR_KEY].keys() == ref[ERROR_KEY].keys()  # the error bounds the run states
    noise = {"rec_resid_sq", "rec_dot", "drift_resid_sq", "drift_dot"}
    for name, bound in ref[ERROR_KEY].items():
        rtol = 1e-2 if name in noise else 1e-10
        np.testing.assert_allclose(fast[ERROR_KEY][name], bound, rtol=rtol, equal_nan=True, err_msg=name)
    for name in noise:
        for run in (fast, ref):
            assert (np.abs(run[name]) <= run[ERROR_KEY][name]).all(), name
    for name, value in fast.items():
        if name == ERROR_KEY or name in noise:
            continue
        a, b = np.asarray(value, dtype=float), np.asarray(ref[name], dtype=float)
        assert a.shape == b.shape, name
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        floor = scale if name in SPECTRAL_NAMES else 0.0
        ok = np.isnan(b) | (np.abs(a - b) <= 1e-10 * (np.abs(b) + floor))
        assert ok.all(), (name, a, b)


def test_mpmath_reference_agrees_on_a_tiny_instance():
    from boundcheck.verifiers.models.precision import high_precision

    params = dict(BASE, n=2, d=2, m=1, h=3, steps=3)
    hp = MODEL.reference(params, high_precision(30))
    fp = MODEL.reference(params)
    for name in ("gap", "c_imb", "imbalance_drift"):
        assert np.allclose(np.asarray(hp[name], dtype=float), fp[name], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("needed", [
    frozenset({"gap", "lambda_r_X", "c0", "eta", "R0"}),  # a rate statement's replay: no spectrum
    frozenset({"gap", "c_imb"}),                          # the imbalance (its bound reads XU and V)
    frozenset({"resid", "sigma_m_V_sq", "finite_run"}),   # those of XU and V (c_step reads both)
    frozenset({"imbalance_drift", "sigma_r_U1_sq"}),
])
def test_a_replay_that_reads_few_observables_computes_those_alone_and_the_same(needed):
    """A 50-digit replay names what its conclusion and hypotheses read; the reference then
    skips the per-step spectra nobody reads (two thirds of a replay's time). What it returns
    is what the full reference returns, digit for digit, and ``finite_run`` does not count
    what was left out."""
    from boundcheck.verifiers.models.linear_two_layer import STATE, left_out
    from boundcheck.verifiers.models.precision import high_precision

    params = dict(BASE, n=3, d=3, m=2, h=3, steps=4)
    full = MODEL.reference(params, high_precision(50))
    part = MODEL.reference(params, high_precision(50, needed))
    skipped = left_out(needed)
    assert skipped and needed.isdisjoint(skipped)
    for name in STATE:
        if name in skipped:
            assert name not in part, name
        else:
            assert [str(v) for v in part[name]] == [str(v) for v in full[name]], name
    assert part["finite_run"] == full["finite_run"] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.fixed_dictionaries({"init": st.integers(0, 4), "seed": st.integers(0, 50),
                                       "diagnostics": st.integers(0, 1), "steps": st.integers(1, 12)}),
                min_size=1, max_size=5),
       st.sets(st.sampled_from(sorted(set(MODEL.indexed_names) | {"c0", "finite_run"}))))
def test_a_run_that_reads_few_observables_computes_those_alone_and_the_same(overrides, read):
    """``run_only`` (what the search, the sweep and the shrinker call with the names their
    decision reads) skips the per-step spectra nobody reads; what it returns, error bounds
    included, is what ``run`` returns, bit for bit, and everything read is there, computed."""
    from boundcheck.verifiers.models.linear_two_layer import STATE, left_out

    batch = [dict(BASE, **o) for o in overrides]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, part = MODEL.run(batch), MODEL.run_only(batch, frozenset(read))
    for whole, some in zip(full, part):
        assert set(some) == set(whole) - left_out(frozenset(read))
        assert read <= set(some) and some["finite_run"] == whole["finite_run"]
        for name, value in some.items():
            if name == ERROR_KEY:
                for key, bound in value.items():
                    assert np.array_equal(bound, whole[ERROR_KEY][key], equal_nan=True), key
            else:
                assert np.array_equal(value, whole[name], equal_nan=True), name
        for name in set(STATE) & set(some):
            assert not np.isnan(some[name][0]), name  # computed, not left at the table's NaN


@pytest.mark.parametrize("overrides", [dict(init=0), dict(init=3, seed=6, h=4), dict(n=3, d=7, m=5, h=5, init=1)])
def test_the_mpfr_reference_loop_is_mpmaths_number_for_number(overrides):
    """The 50-digit replay runs its gradient steps in MPFR (gmpy2) at mpmath's precision: every
    operation is correctly rounded to the same bits, in the same order (both loops take their
    eigenvalues from the same solver, ``mpfr_eigen``), so every observable, spectra and
    identity residuals included, is the pure-mpmath one exactly."""
    import mpmath

    from boundcheck.verifiers.models.linear_two_layer import exact_instance, gd_reference, mpfr_instance
    from boundcheck.verifiers.models.precision import high_precision, mpfr_arithmetic, mpfr_backend

    params = dict(BASE, steps=4, **overrides)
    xp = high_precision(50)
    inst = exact_instance(MODEL.instance(params), xp)
    exact = gd_reference(inst, params["steps"], params["diagnostics"], xp)
    with mpfr_arithmetic(mpmath.mp.prec) as (to_mpfr, to_mpf):
        fast = to_mpf(gd_reference(mpfr_instance(inst, to_mpfr), params["steps"], params["diagnostics"],
                                   mpfr_backend(xp, to_mpfr)))
    assert all(isinstance(v, mpmath.mpf) or v != v for v in fast.ravel())
    assert [str(v) for v in fast.ravel()] == [str(v) for v in exact.ravel()]
    assert fast[-1, 1] < fast[0, 1]  # it trained


# ------------------------------------------------------------------ imbalance: conserved, drifting at O(eta^2) per step


def test_imbalance_conserved_by_tiny_steps_and_by_gradient_flow():
    tiny = _run(step_unit=0, step=1e-7, steps=100, diagnostics=0)
    flow = _run(dynamics=1, step_unit=0, step=0.05, steps=20, diagnostics=0)
    for obs in (tiny, flow):
        scale = obs["imb0_norm"]
        assert np.nanmax(obs["imbalance_drift"]) <= 1e-12 * max(scale, 1.0)
    assert flow["gap"][-1] < 0.9 * flow["gap"][0]  # the flow moved


def test_imbalance_drift_has_the_predicted_order():
    """Per step the drift is eta^2 M_t: doubling eta over the same number of steps multiplies it
    by about 4; over the same flow time (steps ~ 1/eta) by about 2 (total drift O(eta))."""
    small = _run(step_unit=0, step=1e-3, steps=10, diagnostics=0)
    large = _run(step_unit=0, step=2e-3, steps=10, diagnostics=0)
    same_time = _run(step_unit=0, step=2e-3, steps=5, diagnostics=0)
    ratio_steps = large["imbalance_drift"][-1] / small["imbalance_drift"][-1]
    ratio_time = same_time["imbalance_drift"][-1] / small["imbalance_drift"][-1]
    assert 3.5 < ratio_steps < 4.5
    assert 1.7 < ratio_time < 2.3


def test_gradient_flow_integrator_is_accurate():
    """DOP853 at rtol 1e-12 against rtol 1e-13 (the GF_ACCURACY the gap floor assumes is 1e-9)."""
    from boundcheck.verifiers.models import linear_two_layer as lt

    params = dict(BASE, dynamics=1, step_unit=0, step=0.1, steps=10, diagnostics=0)
    coarse = MODEL.run([params])[0]
    old = lt.GF_RTOL
    try:
        lt.GF_RTOL = 1e-13
        fine = MODEL.run([params])[0]
    finally:
        lt.GF_RTOL = old
    assert np.allclose(coarse["gap"], fine["gap"], rtol=lt.GF_ACCURACY, atol=0)


@pytest.mark.parametrize("overrides", [
    dict(init=0), dict(init=1, seed=4, steps=30), dict(init=3, seed=6, x_cond=1e3), dict(init=4, h=4, seed=9),
    dict(n=3, d=7, m=5, h=5, init=2, step=0.5, steps=40),
    dict(steps=0),  # no flow time: no step, or a step of 0 (the derived cap where c0 = 0 exactly):
    dict(n=5, d=7, m=3, h=3, init=4, init_scale=0.0932, imbalance_scale=4.2085, margin_frac=0.7023, step_unit=1,
         step=0.5779, steps=18, seed=219),
])
def test_gradient_flow_kernel_matches_scipy(overrides):
    """The numba integration (DOP853, scipy's step control, steps ending on the samples) against
    scipy's ``solve_ivp`` (the reference: its samples from the dense output). Both are
    controlled to rtol 1e-12; they differ by the integrators' errors, which the gap floor
    charges at GF_ACCURACY = 1e-9 of the problem's scale. Every observable agrees to a tenth
    of that (measured: 1.1e-11 at most over 40 flows; at rtol 1e-8 one case fails), and the gap
    to within the error bound the run states for it."""
    from boundcheck.verifiers.models import linear_two_layer as lt

    params = {**BASE, "dynamics": 1, "step_unit": 0, "step": 0.2, "steps": 20, "diagnostics": 0, **overrides}
    fast, ref = _run(**params), MODEL.reference(params)
    assert fast.keys() == ref.keys()
    scale = max(np.nanmax(ref[name]) for name in ("K_step", "imbalance_norm", "gap", "loss"))
    for name in lt.STATE:
        a, b = np.asarray(fast[name]), np.asarray(ref[name])
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        assert np.nanmax(np.abs(a - b), initial=0.0) <= lt.GF_ACCURACY / 10 * scale, name
    assert (np.abs(fast["gap"] - ref["gap"]) <= ref[ERROR_KEY]["gap"]).all()
    if params["steps"] == 0 or params["seed"] == 219:
        assert params["steps"] == 0 or ref["eta"] == 0
        assert np.ptp(fast["gap"]) == 0  # no flow time: every sample is the start


@pytest.mark.parametrize("overrides", [
    dict(init=0), dict(init=1, seed=4, steps=30), dict(init=2, seed=5, step=0.5, steps=40),
    dict(init=3, seed=6, x_cond=1e3), dict(init=4, h=4, seed=9), dict(n=3, d=7, m=5, h=5, init=3, imbalance_scale=5.0),
])
def test_a_flow_state_is_as_accurate_as_the_spectral_bounds_assume(overrides):
    """The spectral observables' error bounds charge a flow's state with an integrator error of
    at most GF_ACCURACY max(1, max_t ||z_t||) (``_spectral_errors``): the state at rtol 1e-12
    against rtol 1e-13, at every sample, is within a tenth of that (measured: 8e-4 of it at most)."""
    from boundcheck.verifiers.models import dop853
    from boundcheck.verifiers.models import linear_two_layer as lt

    params = {**BASE, "dynamics": 1, "step_unit": 0, "step": 0.2, "steps": 20, "diagnostics": 0, **overrides}
    inst = MODEL.instance(params)
    times = inst["scalars"]["eta"] * np.arange(params["steps"] + 1)
    z0 = np.concatenate([inst["U0"].ravel(), inst["V0"].ravel()])
    atol = lt.GF_ATOL_REL * max(np.abs(z0).max(), 1.0)
    states = {}
    for rtol in (lt.GF_RTOL, lt.GF_RTOL / 10):
        states[rtol] = np.full((times.size, z0.size), np.nan)
        reached = dop853.integrate(inst["X"], inst["Y"], inst["U0"], inst["V0"], times, rtol, atol * rtol / lt.GF_RTOL,
                                   *dop853.tableau(), states[rtol])
        assert reached == times.size
    coarse, fine = states[lt.GF_RTOL], states[lt.GF_RTOL / 10]
    delta = lt.GF_ACCURACY * max(1.0, np.linalg.norm(fine, axis=1).max())
    assert np.linalg.norm(coarse - fine, axis=1).max() <= delta / 10


@pytest.mark.parametrize("times, Y, start, reached", [
    ([0.0, np.nan, np.nan], 2.0, 0.1, 1),      # a step of NaN: no time to integrate to
    ([0.0, np.inf], 2.0, 0.1, 1),              # nor of inf
    ([0.0, 0.0, 0.0], 2.0, 0.1, 3),            # a step of 0: every sample is the start
    ([0.0, 1.0, 2.0], 1e300, 1e200, 1),        # a state that overflows: the step fails
])
def test_dop853_stops_cleanly_where_there_is_nothing_to_integrate(times, Y, start, reached):
    """The integrator returns how many samples it reached; it neither loops nor raises."""
    from boundcheck.verifiers.models import dop853

    times = np.array(times)
    states = np.full((times.size, 2), np.nan)
    got = dop853.integrate(np.eye(1), np.array([[Y]]), np.array([[start]]), np.array([[start]]), times, 1e-12, 1e-14,
                           *dop853.tableau(), states)
    assert got == reached
    assert (states[:reached] == start).all() and np.isnan(states[reached:]).all()


def test_a_flows_spectral_bounds_catch_a_claim_five_percent_off_and_never_hold_a_tie():
    """The gradient flow conserves the imbalance, so c_imb[t] = c_imb[0] exactly. The spectral
    error bounds, which charge a flow's state with the integrator's error, must not swallow
    a claim 5% off (c_imb[t] <= 0.95 c_imb[0] is VIOLATED, confirmed on the flow's reference),
    nor decide the exact tie c_imb[t] <= c_imb[0] as HOLDS (it is INCONCLUSIVE: every cell
    lies within its error bound)."""
    from boundcheck.theorems.linear_networks import GF_DOMAIN
    from boundcheck.verifiers.loading import statement_from_table

    domain = {name: list(bounds) for name, bounds in GF_DOMAIN.items()}  # the flow theorems' instances

    def claim(factor: str):
        return statement_from_table({"id": "mine.flow_imbalance", "model": "linear.two_layer", "t_min": 1,
                                     "conclusion": f"c_imb[t] <= {factor} * c_imb[0]", "domain": domain})

    assert verify(claim("0.95"), budget=20).verdict == "VIOLATED"
    assert verify(claim("1"), budget=20).verdict != "HOLDS"


def test_dop853_against_a_closed_form_flow():
    """One sample, one neuron, balanced (u = v): du/dt = (y - u^2) u, so
    u(t)^2 = y / (1 + (y / u0^2 - 1) exp(-2 y t)). The integrator at rtol 1e-12 meets it to
    1e-11 relative over a flow that moves u^2 from 0.01 to 2."""
    from boundcheck.verifiers.models import dop853

    y, u0 = 2.0, 0.1
    times = np.linspace(0.0, 8.0, 33)
    states = np.full((times.size, 2), np.nan)
    reached = dop853.integrate(np.eye(1), np.array([[y]]), np.array([[u0]]), np.array([[u0]]), times, 1e-12, 1e-14,
                               *dop853.tableau(), states)
    assert reached == times.size
    exact = y / (1 + (y / u0**2 - 1) * np.exp(-2 * y * times))
    assert np.allclose(states[:, 0] ** 2, exact, rtol=1e-11, atol=0)
    assert np.array_equal(states[:, 0], states[:, 1])  # the balance u = v is kept exactly (the same arithmetic)
    assert exact[-1] > 1.99 and exact[0] == u0**2


# ------------------------------------------------------------------ corners reached


def test_initialisation_corners():
    balanced = _run(init=4, steps=0)
    assert balanced["c0"] <= 1e-12 and balanced["imb0_norm"] <= 1e-12
    prescribed = _run(init=3, imbalance_scale=0.7, margin_frac=0.0, steps=0)
    assert prescribed["c0"] == pytest.approx(0.7, rel=1e-10)
    assert abs(prescribed["margin"]) <= 1e-12  # zero margin exactly
    positive = _run(init=3, imbalance_scale=0.3, margin_frac=0.6, steps=0)
    assert positive["margin"] == pytest.approx(0.6 * positive["target_sigma_min"], rel=1e-10)
    small = _run(init=2, init_scale=1.0, steps=0)
    gaussian = _run(init=0, init_scale=1.0, steps=0)
    assert small["K0"] < 1e-5 * gaussian["K0"]
    imbalanced = _run(init=0, imbalance_scale=50.0, steps=0)
    assert imbalanced["imb0_norm"] > 100 * gaussian["imb0_norm"]
    ill = _run(x_cond=1e4, steps=0)
    assert ill["sigma_min_X"] == pytest.approx(1e-4) and ill["sigma_max_X"] == pytest.approx(1.0)
    spectral = _run(init=1, imbalance_scale=1.0, steps=0)
    assert spectral["imb0_norm"] <= 1e-12  # a = b: balanced along shared singular directions
    at_cap = _run(step_unit=1, step=1.0, steps=0, init=3)
    assert at_cap["eta"] == pytest.approx(at_cap["eta_cap"], rel=1e-11) and at_cap["eta"] <= at_cap["eta_cap"]


@pytest.mark.parametrize("init", [0, 1, 2, 3, 4])
def test_replicas_set_up_together_are_set_up_as_alone(init):
    """Parameter sets that differ in their seed alone share stacked QR, SVD and eigenvalue calls
    (``instances``): every array and scalar of each instance is the one it gets alone, bit for
    bit and of the same type (a counterexample found in a sweep replays alone)."""
    rng = np.random.default_rng(init)
    batch = []
    for n, d, m, h in [(6, 4, 2, 7), (3, 5, 3, 3), (1, 1, 1, 1)]:
        shared = dict(n=n, d=d, m=m, h=h, x_cond=30.0, init=init, init_scale=0.8, imbalance_scale=1.7,
                      margin_frac=0.4, dynamics=0, diagnostics=1, step_unit=2, step=0.5, steps=4)
        batch += [{**shared, "seed": int(seed)} for seed in rng.integers(0, 2**32, 5)]
    for params, together in zip(batch, MODEL.instances(batch)):
        alone = MODEL.instances([params])[0]
        for key, value in alone.items():
            if key == "scalars":
                for name, scalar in value.items():
                    other = together[key][name]
                    assert type(other) is type(scalar), name
                    assert other == scalar or (scalar != scalar and other != other), name
            else:
                np.testing.assert_array_equal(together[key], value, err_msg=key)


def _draws(statement_id, count=200, seed=0):
    statement = all_statements()[statement_id]
    plan = DrawPlan(statement, MODEL)
    rng = np.random.default_rng(seed)
    return [d for d in (sample(plan, rng) for _ in range(count)) if d is not None]


def test_strategies_reach_the_corners():
    sylvester = _draws("linear.sylvester_inertia")
    assert any(d["h"] == d["n"] + d["m"] for d in sylvester)          # width exactly r + m
    narrow = _draws("linear.sylvester_inertia_narrow")
    assert any(d["h"] == d["m"] for d in narrow)                        # width equal to the output dimension
    assert all(d["h"] < d["n"] + d["m"] for d in narrow)
    per_step = _draws("linear.gd.one_step_contraction")
    assert max(d["x_cond"] for d in per_step) > 300                     # ill-conditioned X
    plan = DrawPlan(all_statements()["linear.gd.one_step_contraction"], MODEL)
    settings_ = settings(max_examples=2000, database=None, suppress_health_check=list(HealthCheck))
    at_bound = find(instances(plan), lambda d: d["step"] == 1.0, settings=settings_)  # the search hits 1/K_ref
    assert at_bound["step"] == 1.0
    zero_margin = _draws("linear.xu2023.claimed_rate_zero_margin", count=20)
    outs = MODEL.run(zero_margin[:8])
    assert all(abs(o["margin"]) <= 1e-12 for o in outs)                # zero margin reached
    rate = _draws("linear.xu2023.gd_rate_derived")
    assert all(0.5 <= d["step"] <= 1.0 for d in rate)                  # at most the cap: no run drawn to be rejected
    assert max(d["step"] for d in rate) > 0.99


def test_explore_draws_steps_past_the_cap_from_the_explore_domain():
    """The rate's own domain stops at its step cap (step 1); ``explore --relax eta`` scales the cap
    and draws from the statement's ``explore_domain``, steps up to EXPLORE_REACH caps."""
    from boundcheck.theorems.linear_networks import EXPLORE_REACH
    from boundcheck.verifiers.commands.explore import relaxed

    statement = all_statements()["linear.xu2023.gd_rate_derived"]
    assert statement.domain["step"] == (0.5, 1.0)
    wide = relaxed(statement, "eta", "scale", 64.0, {})
    assert wide.domain["step"] == (0.5, EXPLORE_REACH)
    plan = DrawPlan(wide, MODEL)
    rng = np.random.default_rng(0)
    steps = [d["step"] for d in (sample(plan, rng) for _ in range(200)) if d is not None]
    assert min(steps) < 1.0 < 64.0 < max(steps)


# ------------------------------------------------------------------ the statements through the checker


#: rate theorems checked where they can fail: the loss falls by at least half in the median run
RATE_THEOREMS = {"linear.min2021.gradient_flow_rate", "linear.min2021.gd_small_step_rate",
                 "linear.xu2023.gd_rate_derived"}


@pytest.mark.parametrize("statement_id", IDS)
def test_statement_verdict(statement_id):
    statement = all_statements()[statement_id]
    verdict = verify(statement)
    if statement.kind == "theorem":
        assert verdict.verdict in ("HOLDS", "VACUOUS"), verdict.message
        assert verdict.instances > 0
        if statement.claim == "upper bound" and verdict.verdict == "HOLDS":
            assert 0.0 < verdict.max_tightness <= 1.0
        if statement_id in RATE_THEOREMS:
            decrease = verdict.details["decrease"]
            assert decrease["observable"] == "gap" and decrease["runs"] >= 20
            assert decrease["median_actual"] <= 0.5  # real progress in the median run
            assert decrease["median_actual"] <= decrease["median_claimed"] < 1.0
            assert "median over" in verdict.message
    elif statement.kind == "mutant":
        assert verdict.verdict == "VIOLATED", verdict.message
        assert verdict.counterexample and "replay" in verdict.counterexample
    else:
        assert verdict.verdict != "ERROR", verdict.message


def test_explore_relax_eta_on_the_rate():
    from boundcheck.verifiers.commands.explore import explore

    statement = all_statements()["linear.xu2023.gd_rate_derived"]
    result = explore(statement, "eta", values=[1.0, 64.0], instances=8, search=0, bisections=0)
    assert [p.value for p in result.points] == [1.0, 64.0]
    assert result.points[0].instances > 0 and result.points[0].violations == 0
