"""Double descent: statements through the real checker, the model's kernels and closed forms,
the expectation and asymptotic deciders, and campaigns (in-process, Dask, resume).

Statistical tests here state their false-alarm rate: a Monte Carlo mean is compared with an
exact value at 4.5 standard errors (two-sided normal tail 6.8e-6 per comparison).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from boundcheck.theorems.double_descent import asymptotic_risk, exact_expected_risk
from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.errors import StoreError
from boundcheck.verifiers.evidence.store import Store
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models import least_squares as ls
from boundcheck.verifiers.quantifiers.asymptotically import fit_slope
from boundcheck.verifiers.quantifiers.in_expectation import decide_mean

ROOT = Path(__file__).resolve().parents[1]
FAMILY = [s for s in all_statements().values() if s.family.startswith("double_descent")]
MODEL = get_model("regression.min_norm")
Z_ALARM = 4.5


def _params(**over):
    return {"n": 20, "p": 40, "r": 1.0, "sigma": 0.5, "ridge": 0.0, "eta": 1.0, "steps": 0, "seed": 0, **over}


# ------------------------------------------------------------------ statements


@pytest.mark.parametrize("statement", FAMILY, ids=[s.id for s in FAMILY])
def test_statement_meets_its_expectation(statement):
    verdict = verify(statement, seed=0)
    assert verdict.verdict in statement.expected, verdict.message
    if statement.kind == "mutant":
        assert statement.mutant_of in {s.id for s in FAMILY}
    elif statement.claim == "tight" and statement.quantifier.kind == "in_expectation":
        # an exact identity: the Monte Carlo mean over the formula is 1 to the resolution the identity reached
        assert verdict.max_tightness == pytest.approx(1.0, abs=statement.quantifier.get("resolution") + 0.01)
    elif statement.claim == "upper bound" and statement.quantifier.kind == "for_all":
        assert 0.0 < verdict.max_tightness <= 1.0


def test_near_boundary_mutant_is_caught_where_its_bound_is_positive():
    """GD's rate claimed 1% faster per step than the slowest eigen-direction allows is caught."""
    verdict = verify(all_statements()["double_descent.gd.rate_one_percent_fast"])
    assert verdict.verdict == "VIOLATED", verdict.message
    assert verdict.counterexample["bound"] > 0


def test_family_has_theorems_and_mutants():
    kinds = {s.kind for s in FAMILY}
    assert kinds == {"theorem", "mutant"}
    for s in FAMILY:
        assert s.source and s.doc


def test_asymptotic_verdicts_say_they_are_weaker_evidence():
    statement = next(s for s in FAMILY if s.quantifier.kind == "asymptotically")
    verdict = verify(statement, budget=400, seed=1)
    assert "weaker than an identity" in verdict.message
    assert "weaker" in verdict.details["evidence"]


# ------------------------------------------------------------------ kernels and closed forms


@pytest.mark.parametrize("n,p,ridge", [(6, 15, 0.0), (15, 6, 0.0), (10, 10, 0.3), (8, 30, 0.05)])
def test_gd_kernel_equals_numpy_reference(n, p, ridge):
    """Short runs (40 steps): the numba kernel and the plain NumPy loop agree to 1e-10 relative."""
    params = _params(n=n, p=p, ridge=ridge, steps=40, eta=0.9, seed=n * p)
    fast = MODEL.run([params])[0]
    ref = MODEL.reference(params)
    for name in ("train_loss", "norm", "dist"):
        np.testing.assert_allclose(fast[name], ref[name], rtol=1e-10, atol=1e-300)
    for name in ("risk", "bias", "variance", "risk_fewer", "lam_min", "lam_max"):
        np.testing.assert_allclose(fast[name], ref[name], rtol=1e-9)


def test_gd_kernel_equals_spectral_formula():
    """GD after T steps has b_T = V diag((s/n)(1 - (1 - eta lambda/L)^T)/lambda) U^T y."""
    X, beta, y, _ = ls.draw(12, 30, 1.0, 0.5, 7)
    limit = ls.closed_form_stack(X[None], beta[None], y[None], 1.0, 0.5, 0.0)
    spectral = ls.closed_form_stack(X[None], beta[None], y[None], 1.0, 0.5, 0.0, 0.8, 25)
    path = ls.run_gd([(X, y, limit["estimator"][0], 0.8 / limit["lam_max"][0], 0.0, 25)])[0]
    np.testing.assert_allclose(path["estimator"], spectral["estimator"][0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n,p", [(10, 25), (20, 60), (15, 16)])
def test_gd_from_zero_reaches_the_pseudo_inverse_solution(n, p):
    """p > n: GD from zero converges to pinv(X) y, not to another interpolator.

    Tolerance: the error after T steps is (1 - eta / kappa)^T times the start, with kappa
    the condition number on the row space; T is chosen so this is below 1e-12, and the
    pseudo-inverse itself is accurate to about kappa * 1e-16."""
    X, beta, y, _ = ls.draw(n, p, 1.0, 0.5, n + p)
    svals = np.linalg.svd(X, compute_uv=False)
    kappa = (svals[0] / svals[-1]) ** 2
    steps = int(np.ceil(np.log(1e-13) / np.log(1.0 - 1.0 / kappa)))
    pinv = np.linalg.pinv(X) @ y
    path = ls.run_gd([(X, y, pinv, 1.0 / (svals[0] ** 2 / n), 0.0, steps)])[0]
    np.testing.assert_allclose(path["estimator"], pinv, rtol=0, atol=1e-10 * np.linalg.norm(pinv) * max(kappa, 1))
    assert path["train_loss"][-1] < 1e-20 * path["train_loss"][0]  # an interpolator
    # any other interpolator has a larger norm: pinv + a null-space vector
    null = np.linalg.svd(X)[2][-1]
    assert np.linalg.norm(pinv + 0.1 * null) > np.linalg.norm(path["estimator"])


@pytest.mark.parametrize("n,p,ridge", [(30, 10, 0.0), (10, 30, 0.0), (25, 25, 0.0), (20, 40, 0.2), (40, 12, 0.1)])
def test_closed_form_stack_equals_pinv_reference(n, p, ridge):
    """The batched Gram-eigendecomposition path against pinv / solve and the matrix A of b = A y."""
    batch = [_params(n=n, p=p, ridge=ridge, seed=s) for s in range(5)]
    for fast, params in zip(MODEL.run(batch), batch):
        ref = MODEL.reference(params)
        for name in ("risk", "bias", "variance", "risk_fewer"):
            np.testing.assert_allclose(fast[name], ref[name], rtol=1e-7 if n == p else 1e-9, atol=1e-12)


@pytest.mark.parametrize("n,p,ridge", [(30, 10, 0.0), (12, 40, 0.0), (20, 20, 0.1)])
def test_bias_plus_variance_is_the_noise_average_of_the_risk(n, p, ridge):
    """The exact-risk identities average E[risk | X] = bias + variance (the noise integrated out in
    closed form). Held here to the plain average of ``risk`` over 20,000 noise draws on one fixed
    X and beta, at Z_ALARM standard errors: below, above and at the threshold (with ridge)."""
    X, beta, _, _ = ls.draw(n, p, 1.3, 0.7, seed=5)
    noise = np.random.default_rng(6).standard_normal((20_000, n))
    stack = np.broadcast_to(X, (noise.shape[0], n, p)).copy()
    y = X @ beta + 0.7 * noise
    fitted = ls.closed_form_stack(stack, np.broadcast_to(beta, (noise.shape[0], p)).copy(), y, 1.3, 0.7, ridge)
    conditional = fitted["bias"][0] + fitted["variance"][0]
    assert np.ptp(fitted["bias"]) + np.ptp(fitted["variance"]) < 1e-9 * conditional  # one X: one conditional risk
    risk = fitted["risk"]
    assert abs(risk.mean() - conditional) <= Z_ALARM * risk.std(ddof=1) / np.sqrt(risk.size)


def test_draw_fewer_is_the_same_seed_minus_one_feature():
    X, beta, y, eps = ls.draw(10, 5, 2.0, 0.3, 3)
    Xf, betaf, yf = ls.draw_fewer(10, 5, 2.0, 0.3, 3)
    np.testing.assert_array_equal(Xf, X[:, :4])
    assert abs(np.linalg.norm(betaf) - 2.0) < 1e-12
    np.testing.assert_allclose(yf, Xf @ betaf + 0.3 * eps)


def _monte_carlo(n, p, reps, r=1.0, sigma=0.5):
    batch = [_params(n=n, p=p, r=r, sigma=sigma, seed=s) for s in range(reps)]
    risk = np.array([o["risk"] for o in MODEL.run(batch)])
    return risk.mean(), risk.std(ddof=1) / np.sqrt(reps), exact_expected_risk(n, p, r, sigma)


@pytest.mark.parametrize("n,p", [(40, 10), (30, 60)])
def test_exact_identity_against_monte_carlo(n, p):
    """2,000 seeds per side: the mean risk within 4.5 standard errors of the exact identity."""
    mean, se, exact = _monte_carlo(n, p, 2000)
    assert abs(mean - exact) < Z_ALARM * se, (mean, se, exact)


@pytest.mark.slow
@pytest.mark.parametrize("n,p", [(40, 10), (40, 30), (30, 60), (20, 100)])
def test_exact_identity_against_long_monte_carlo(n, p):
    """40,000 seeds per (n, p) (the points where the exact risk was first reproduced by Monte Carlo)."""
    mean, se, exact = _monte_carlo(n, p, 40000)
    assert abs(mean - exact) < Z_ALARM * se, (mean, se, exact)
    assert se < 0.01 * exact


def test_limits_of_the_exact_formula():
    for gamma in (0.25, 0.5, 2.0, 4.0):
        n = 20000
        assert abs(exact_expected_risk(n, int(gamma * n), 1.0, 0.7) / asymptotic_risk(gamma, 1.0, 0.7) - 1) < 1e-3
    assert exact_expected_risk(50, 50, 1.0, 1.0) == float("inf")


# ------------------------------------------------------------------ deciders


def test_decide_mean_identity_and_bound():
    rng = np.random.default_rng(0)
    d = rng.normal(0.0, 1.0, 4000)
    ones = np.ones_like(d)
    assert decide_mean(d, 10 + d, 10 * ones, "identity", 0.99, 0.05).verdict == "HOLDS"
    assert decide_mean(d + 0.3, 10 + d, 10 * ones, "identity", 0.99, 0.05).verdict == "VIOLATED"
    assert decide_mean(d[:20], 10 + d[:20], 10 * ones[:20], "identity", 0.99, 0.01).verdict == "INCONCLUSIVE"
    assert decide_mean(d - 1.0, d, ones, "bound", 0.99, 0.05).verdict == "HOLDS"
    assert decide_mean(d + 0.3, d, ones, "bound", 0.99, 0.05).verdict == "VIOLATED"
    bad = d.copy()
    bad[3] = np.inf
    assert decide_mean(bad, bad, ones, "identity", 0.99, 0.05).verdict == "VIOLATED"


def test_decide_mean_bound_is_decided_by_its_interval_only():
    """Issue 12, item 4: a narrow interval that contains 0 is not evidence for a bound (nor for
    its negation): the old rule 'q se <= rel_width scale' made both HOLD."""
    rng = np.random.default_rng(4)
    d = rng.normal(0.0, 0.01, 4000)
    lhs = 1.0 + d
    ones = np.ones_like(d)
    claim = decide_mean(d, lhs, ones, "bound", 0.99, 0.05)
    negation = decide_mean(-d, lhs, ones, "bound", 0.99, 0.05)
    assert claim.half_width < 0.05 and claim.low < 0 < claim.high
    assert (claim.verdict, negation.verdict) == ("INCONCLUSIVE", "INCONCLUSIVE")
    assert decide_mean(d - 0.01, lhs, ones, "bound", 0.99, 0.05).verdict == "HOLDS"


def test_decide_mean_false_alarm_rate_is_near_its_level():
    """400 true identities at 90%: about 40 false alarms (binomial, 4.5 sd band)."""
    rng = np.random.default_rng(1)
    alarms = sum(decide_mean(d, d, np.ones_like(d), "identity", 0.90, 1.0).verdict == "VIOLATED"
                 for d in rng.exponential(1.0, (400, 200)) - 1.0)
    assert abs(alarms - 40) < Z_ALARM * np.sqrt(400 * 0.1 * 0.9)


def test_fit_slope_recovers_a_power_law():
    sizes = np.array([16, 32, 64, 128, 256])
    gaps = 3.0 * sizes ** -0.5
    fit = fit_slope(sizes, gaps, 0.01 * gaps, 0.95)
    assert abs(fit.slope + 0.5) < 1e-9 and fit.low < -0.5 < fit.high


# ------------------------------------------------------------------ campaigns

SMALL_SPEC = """
[campaign]
name = "{name}"
model = "regression.min_norm"
seeds = {seeds}
batch_seeds = {per}
observables = ["risk", "bias", "variance"]
[params]
n = {n}
r = 1.0
sigma = 0.5
ridge = 0.0
[grid]
param = "p"
of = "n"
from = 0.2
to = 5.0
points = {points}
[plot]
theory = "min_norm_exact"
"""


def _spec(tmp_path, name="small", seeds=24, per=8, n=30, points=6) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(SMALL_SPEC.format(name=name, seeds=seeds, per=per, n=n, points=points))
    return path


def _cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "boundcheck", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def _batches(store: Path) -> list[tuple]:
    """(batch key, results as JSON) of every batch in the store, by key."""
    with Store(store, read_only=True) as s:
        return sorted((b.key, json.dumps(b.results)) for b in s.campaign_batches())


def test_campaign_in_process_writes_batches_plot_and_summary(tmp_path):
    store = tmp_path / "ev.sqlite"
    proc = _cli("campaign", str(_spec(tmp_path)), "--store", str(store), "--json")
    assert proc.returncode == 0, proc.stderr
    [summary] = json.loads(proc.stdout)["results"]
    assert summary["batches_run"] == 18 and summary["fits"] == 6 * 24
    assert Path(summary["plot"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(_batches(store)) == 18
    with Store(store, read_only=True) as s:
        png = s.campaign_runs()[0]["plot_png"]
    assert png[:4] == b"\x89PNG"
    again = _cli("campaign", str(_spec(tmp_path)), "--store", str(store))
    assert again.returncode == 2 and "--resume" in again.stderr and "Traceback" not in again.stderr


def test_campaign_on_a_local_dask_cluster_matches_in_process(tmp_path):
    """A real LocalCluster (worker processes): the same batches, bit for bit."""
    from boundcheck.verifiers.commands.campaign import BatchLedger, batches, load_spec, run_in_process, run_on_dask

    spec = load_spec(_spec(tmp_path, points=4, seeds=16))
    every = batches(spec)
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        la, lb = BatchLedger(a, spec), BatchLedger(b, spec)
        assert run_on_dask(every, spec, la, "local", lambda *_: None, workers=2) == len(every)
        run_in_process(every, spec, lb, lambda *_: None)
        va, vb = la.values(), lb.values()
    assert va.keys() == vb.keys()
    for k in va:
        for name in ("risk", "bias", "variance", "seed"):
            np.testing.assert_array_equal(va[k][name], vb[k][name])


def test_campaign_survives_a_killed_dask_worker(tmp_path):
    """SIGKILL a worker process of a LocalCluster once a batch is in: Dask reruns its tasks
    elsewhere; every batch is recorded exactly once, with the in-process values."""
    from boundcheck.verifiers.commands.campaign import BatchLedger, batches, load_spec, run_in_process, run_on_dask

    spec = load_spec(_spec(tmp_path, name="worker", points=4, seeds=24, per=2, n=60))
    every = batches(spec)
    killed: list[int] = []
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        la, lb = BatchLedger(a, spec), BatchLedger(b, spec)

        def kill_one(done, total):
            if done == 1 and not killed:
                worker = a.campaign_batches()[0].worker
                killed.append(int(worker.rsplit(":", 1)[1]))
                os.kill(killed[0], signal.SIGKILL)

        assert run_on_dask(every, spec, la, "local", kill_one, workers=2) == len(every)
        workers = {b.worker for b in a.campaign_batches()}
        run_in_process(every, spec, lb, lambda *_: None)
        va, vb = la.values(), lb.values()
    assert killed and len(workers) >= 2
    rows = _batches(tmp_path / "a.sqlite")
    assert len(rows) == len(every) and len({k for k, _ in rows}) == len(every)
    for k in va:
        np.testing.assert_array_equal(va[k]["risk"], vb[k]["risk"])


def test_campaign_resume_after_a_killed_run_counts_every_batch_once(tmp_path):
    """SIGKILL the campaign once some batches are in; --resume finishes the rest; the result
    is identical to an uninterrupted run, with every batch recorded exactly once."""
    spec = _spec(tmp_path, name="killed", seeds=24, per=2, n=80, points=5)
    store = tmp_path / "killed.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "boundcheck", "campaign", str(spec), "--store", str(store)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        before = 0
        while before < 5:  # wait for the event: five batches recorded in the store (no clock decides)
            assert proc.poll() is None, "the campaign ended before five batches were seen; make the spec larger"
            try:
                proc.wait(timeout=0.05)  # returns early if the campaign ends; otherwise look at the store again
            except subprocess.TimeoutExpired:
                pass
            if store.exists():
                try:
                    before = len(_batches(store))
                except StoreError:
                    continue
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    total = 5 * 12
    before = len(_batches(store))
    assert 0 < before < total, "the run was not interrupted midway; make the spec larger"
    resumed = _cli("campaign", str(spec), "--store", str(store), "--resume", "--json", timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    [summary] = json.loads(resumed.stdout)["results"]
    assert summary["batches_skipped"] == before and summary["batches_run"] == total - before
    after = _batches(store)
    assert len(after) == total and len({k for k, _ in after}) == total
    fresh = tmp_path / "fresh.sqlite"
    assert _cli("campaign", str(spec), "--store", str(fresh), timeout=300).returncode == 0
    assert after == _batches(fresh)
    assert all(r["runs"] == 24 for r in summary["points"])


def test_campaign_bad_spec_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign]\nname = 'x'\nmodel = 'nope'\nseeds = 3\n")
    proc = _cli("campaign", str(bad), "--store", str(tmp_path / "s.sqlite"))
    assert proc.returncode == 2 and "unknown model" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("campaign", str(_spec(tmp_path)), "--scheduler", "nonsense", "--store", str(tmp_path / "s.sqlite"))
    assert proc.returncode == 2 and "--scheduler" in proc.stderr


def test_cli_list_does_not_import_dask():
    code = ("import sys; from boundcheck.verifiers.commands import cli; cli.build_parser(); "
            "print(any(m.startswith(('dask', 'distributed', 'matplotlib')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**os.environ})
    assert out.stdout.strip() == "False", out.stderr


# ------------------------------------------------------------------ random features


def test_activation_constants_match_quadrature():
    """ReLU's closed form and tanh's Gauss-Hermite values against adaptive quadrature."""
    from scipy.integrate import quad

    from boundcheck.verifiers.models.regression_random_features import activation, activation_constants

    for kind in (0, 1):
        def moment(g, kind=kind):
            return quad(lambda x: g(x, float(activation(kind, np.array(x)))) * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
                        -12, 12, points=[0.0], limit=200)[0]
        mu0, mu1, second = moment(lambda x, f: f), moment(lambda x, f: x * f), moment(lambda x, f: f * f)
        c0, c1, cs = activation_constants(kind)
        assert abs(mu0 - c0) < 1e-8 and abs(mu1 - c1) < 1e-8 and abs(second - mu0**2 - mu1**2 - cs) < 1e-8


def test_random_features_limit_sanity():
    """lam -> infinity: chi -> 0, B -> 1, V -> 0 (the predictor is 0); the formula's value
    0.7669 at psi = (1, 2), lam = 0.1, tau^2 = 0.5, F1 = 1 (ReLU), which simulation at d = 300
    reproduced (0.7638 +- 0.0085)."""
    import sympy as sp

    from boundcheck.theorems.double_descent import F1, RF_LIMIT, N_features, chi, d, n, tau, zeta
    from boundcheck.verifiers.models.regression_random_features import fixed_point_chi

    limit = sp.lambdify((chi, zeta, N_features, d, n, tau, F1), RF_LIMIT)
    z = 0.5 / np.sqrt(0.25 - 1 / (2 * np.pi))
    lam_bar = 0.1 / (0.25 - 1 / (2 * np.pi))
    assert abs(limit(fixed_point_chi(1.0, 2.0, lam_bar, z), z, 100, 100, 200, np.sqrt(0.5), 1.0) - 0.7669) < 5e-4
    big = fixed_point_chi(1.0, 2.0, 1e6, z)
    assert abs(big) < 1e-5
    assert abs(limit(big, z, 100, 100, 200, 1.0, 1.0) - 1.0) < 1e-4


def test_random_features_simulation_near_the_limit():
    """d = 100, 12 seeds: mean risk within 4.5 standard errors plus a 5% finite-size allowance
    (simulation showed a 1-3% finite-size error at d = 300-600)."""
    import sympy as sp

    from boundcheck.theorems.double_descent import F1, RF_LIMIT, N_features, chi, d, n, tau, zeta

    model = get_model("regression.random_features")
    runs = model.run([{"d": 100, "N": 100, "n": 200, "lam": 0.1, "tau": 0.7, "F1": 1.0, "act": 1,
                       "test_ratio": 20, "seed": s} for s in range(12)])
    risk = np.array([o["risk"] for o in runs])
    o = runs[0]
    limit = float(RF_LIMIT.subs({chi: o["chi"], zeta: o["zeta"], N_features: 100, d: 100, n: 200, tau: 0.7, F1: 1.0}))
    se = risk.std(ddof=1) / np.sqrt(risk.size)
    assert abs(risk.mean() - limit) < Z_ALARM * se + 0.05 * limit, (risk.mean(), se, limit)
    assert all(o["train_loss"] >= 0 and o["risk_se"] > 0 for o in runs)
    assert isinstance(sp.sympify(limit), sp.Float)


def test_a_run_without_the_coupled_draw_leaves_every_other_observable_unchanged():
    """``run_only`` without ``risk_fewer`` (what the exact-risk identities read) skips the p - 1
    draw and nothing else: the other observables are the full run's, bit for bit."""
    model = get_model("regression.min_norm")
    batch = [{"n": 20, "p": 8, "r": 1.0, "sigma": 0.5, "ridge": 0.0, "eta": 0.5, "steps": steps, "seed": seed}
             for steps in (0, 5) for seed in range(6)]
    full = model.run(batch)
    only = model.run_only(batch, frozenset({"risk"}))
    assert all("risk_fewer" in f and "risk_fewer" not in o for f, o in zip(full, only))
    for f, o in zip(full, only):
        for name, value in o.items():
            assert np.array_equal(np.asarray(value), np.asarray(f[name])), name
    assert all("risk_fewer" in o for o in model.run_only(batch, frozenset({"risk", "risk_fewer"})))
