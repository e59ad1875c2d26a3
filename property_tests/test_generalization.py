"""Generalization bounds: statements through the real checker, and the machinery under them.

* every theorem HOLDS (or is VACUOUS), every mutant is VIOLATED, each verdict carries
  its vacuity report;
* the teacher's population error computed two ways (exact angle formula; a fresh sample
  of 200000 points) agrees within 4.5 standard errors (false-alarm rate below 1e-5 per
  comparison); the same for the ramp loss (quadrature) and for the Gibbs classifier's
  training error (closed form against Monte Carlo over posterior draws);
* the kl inverse against a brute-force grid, and Pinsker's inequality;
* the binomial decision of ``run_with_probability`` on a planted failure rate;
* the numba training kernel against its NumPy reference (1e-10 relative).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcheck.theorems.closed_forms.kl import kl_bernoulli, kl_inverse
from boundcheck.theorems.registry import all_statements
from boundcheck.theorems.statement import Statement, with_probability
from boundcheck.verifiers import models as models_module
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.models import get_model, linear_classifier
from boundcheck.verifiers.models.base import Model, Observable, Param
from boundcheck.verifiers.models.data_teacher import (
    draw_teacher,
    gibbs_population_error,
    population_error,
    population_ramp,
    sampled_error,
)

FAMILY = [s for s in all_statements().values() if s.family.startswith("generalization")]
THEOREMS = [s for s in FAMILY if s.kind == "theorem"]
MUTANTS = [s for s in FAMILY if s.kind == "mutant"]
CONJECTURES = [s for s in FAMILY if s.kind == "conjecture"]
Z = 4.5


def test_every_theorem_has_a_mutant():
    assert THEOREMS and MUTANTS
    assert {s.id for s in THEOREMS} <= {s.mutant_of for s in MUTANTS}


#: upper bounds that must be informative (a bound below 1 on some run) where they are checked
INFORMATIVE = {"generalization.pac_bayes.kl_inverse", "generalization.pac_bayes.mcallester",
               "generalization.bayes.error_floor"}


@pytest.mark.parametrize("statement", THEOREMS, ids=lambda s: s.id)
def test_theorem_holds_with_vacuity_report(statement):
    verdict = verify(statement)
    assert verdict.verdict in ("HOLDS", "VACUOUS"), verdict.message
    assert statement.claim == "upper bound"  # every bound here leaves room; none is claimed attained
    if verdict.verdict == "HOLDS":
        # a HOLDS counts informative runs only: the bound was inside [0, 1] on each run counted
        informative = verdict.details["informative"]
        assert informative["informative_runs"] == verdict.instances > 0
        # the relation an upper (or, for >=, lower) bound claims, on the decided runs
        assert 0.0 < verdict.max_tightness <= 1.0
        report = verdict.details.get("vacuity")
        if report is not None:
            assert report["bound_mean"] >= report["observed_mean"]
            assert report["vacuous"] == (report["bound_mean"] > 1.0)
    elif verdict.details.get("informative"):
        assert verdict.message.startswith("uninformative: the bound is >= 1")
    if statement.id in INFORMATIVE:
        assert verdict.verdict == "HOLDS" and verdict.details["informative"]["informative_runs"] > 0


def test_an_uninformative_bound_is_vacuous_never_holds(planted):
    """A bound at or above the loss's range cannot fail: such runs are left out, and when no run is
    left the verdict is VACUOUS with the bound's value; a mixed run counts only informative runs."""
    import dataclasses

    always_above = dataclasses.replace(planted(0.0), observed_range=(0.0, 1.0),
                                       conclusion=sp.Le(sp.Symbol("fail", real=True), sp.Rational(3, 2)))
    verdict = verify(always_above, budget=400)
    assert verdict.verdict == "VACUOUS"
    assert "uninformative" in verdict.message and "1.5" in verdict.message
    assert verdict.details["informative"]["uninformative_runs"] == 400
    informative = dataclasses.replace(planted(0.0), observed_range=(0.0, 1.0))  # bound 1/2: inside the range
    verdict = verify(informative, budget=400)
    assert verdict.verdict == "HOLDS" and verdict.details["informative"]["informative_runs"] == 400
    with pytest.raises(Exception, match="observed_range"):
        dataclasses.replace(planted(0.0), observed_range=(1.0, 0.0))


@pytest.mark.parametrize("statement", MUTANTS, ids=lambda s: s.id)
def test_mutant_is_caught(statement):
    verdict = verify(statement)
    assert verdict.verdict == "VIOLATED", verdict.message
    assert verdict.counterexample is not None


@pytest.mark.parametrize("statement", CONJECTURES, ids=lambda s: s.id)
def test_conjecture_reports_bound_against_held_out(statement):
    verdict = verify(statement)
    assert verdict.verdict in ("HOLDS", "VACUOUS", "INCONCLUSIVE", "VIOLATED")
    if verdict.verdict != "VACUOUS":
        assert verdict.details["vacuity"]["runs"] > 0
    if statement.id == "generalization.arora.practical_width":
        # its bound (about 3) is above the loss's range on every run: reported as uninformative, not HOLDS
        assert verdict.verdict == "VACUOUS" and "uninformative" in verdict.message
    if statement.id == "generalization.digits.pac_bayes_kl_inverse":
        # informative on real data: the kl bound is below 1 on the digits splits
        assert verdict.verdict == "HOLDS" and verdict.details["informative"]["uninformative_runs"] == 0


def test_near_boundary_mutant_is_caught_where_its_bound_is_positive():
    """The Bayes floor raised by 5% is caught: trained classifiers come within 5% of the noise rate."""
    statement = all_statements()["generalization.bayes.error_floor_five_percent_high"]
    verdict = verify(statement)
    assert verdict.verdict == "VIOLATED", verdict.message
    cx = verdict.counterexample
    # a ``>=`` claim is evaluated as rhs <= lhs: "observed" is the claimed floor 1.05 q, "bound" the test error
    assert cx["observed"] == pytest.approx(1.05 * cx["params"]["noise"]) and cx["observed"] > 0
    assert cx["params"]["noise"] <= cx["bound"] < cx["observed"]  # above the true floor, below the claimed one


# ------------------------------------------------------------------ population error two ways


@settings(max_examples=8)
@given(st.integers(2, 30), st.floats(0.0, 0.4), st.integers(0, 2**32 - 1))
def test_population_error_exact_matches_fresh_sample(d, noise, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    exact = population_error(w, noise)
    estimate, se = sampled_error(w, noise, 200_000, rng)
    assert abs(exact - estimate) <= Z * se


@settings(max_examples=5)
@given(st.integers(2, 20), st.floats(0.0, 0.4), st.floats(0.1, 3.0), st.floats(0.1, 2.0), st.integers(0, 2**32 - 1))
def test_population_ramp_matches_fresh_sample(d, noise, rho, scale, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    w *= scale / np.linalg.norm(w)
    exact = population_ramp(w, noise, rho)
    X, y = draw_teacher(d, 200_000, noise, rng)
    losses = np.clip(1.0 - y * (X @ w) / rho, 0.0, 1.0)
    assert abs(exact - losses.mean()) <= Z * losses.std() / math.sqrt(losses.size) + 1e-9


def test_gibbs_training_error_closed_form_matches_posterior_draws():
    rng = np.random.default_rng(5)
    X, y = draw_teacher(8, 40, 0.1, rng)
    w, s = rng.standard_normal(8), 0.3
    exact = linear_classifier.gibbs_error(y * (X @ w), np.linalg.norm(X, axis=1), s)
    W = w + s * rng.standard_normal((100_000, 8))
    per_draw = np.mean((y[None, :] * (W @ X.T)) <= 0, axis=1)
    assert abs(exact - per_draw.mean()) <= Z * per_draw.std() / math.sqrt(per_draw.size)


def test_gibbs_population_error_standard_error_is_honest():
    """Two independent Monte Carlo estimates differ by at most Z combined standard errors."""
    w = np.array([0.6, 0.8, 0.0, 0.0])
    a, sa = gibbs_population_error(w, 0.1, 0.5, np.random.default_rng(1))
    b, sb = gibbs_population_error(w, 0.1, 0.5, np.random.default_rng(2))
    assert abs(a - b) <= Z * math.hypot(sa, sb)


# ------------------------------------------------------------------ kl inverse


@given(st.floats(0.0, 1.0), st.floats(1e-4, 3.0))
def test_kl_inverse_against_brute_force_grid(q, c):
    p = kl_inverse(q, c)
    grid = np.linspace(q, 1.0, 20001)
    ok = [g for g in grid if kl_bernoulli(q, g) <= c]
    brute = max(ok)
    step = (1.0 - q) / 20000
    assert brute - 1e-12 <= p <= brute + step + 1e-12
    assert p >= q
    if p < 1.0:
        assert kl_bernoulli(q, p) >= c - 1e-9  # the inverse is the boundary
    assert p <= q + math.sqrt(c / 2) + 1e-12  # Pinsker: the kl form is never looser


def test_kl_inverse_edges():
    assert kl_inverse(0.3, 0.0) == 0.3
    assert kl_inverse(1.0, 0.5) == 1.0
    assert kl_inverse(0.0, 0.1) == pytest.approx(1 - math.exp(-0.1), abs=1e-14)
    with pytest.raises(ValueError):
        kl_bernoulli(1.5, 0.3)


# ------------------------------------------------------------------ binomial decision, planted


class _Planted(Model):
    """fail = 1 with probability ``rate`` per seed: a planted failure rate."""

    name = "test.planted"
    params = (Param("rate", "float", 0.0, 1.0), Param("seed", "seed", 0, 2**32 - 1))
    observables = (Observable("fail", False),)
    batch_size = 64

    def run(self, batch):
        return [{"fail": float(np.random.default_rng(p["seed"]).uniform() < p["rate"])} for p in batch]


@pytest.fixture
def planted(monkeypatch):
    monkeypatch.setitem(models_module.MODELS, "test.planted", "unused:unused")
    monkeypatch.setitem(models_module._loaded, "test.planted", _Planted())

    def statement(rate: float) -> Statement:
        return Statement(id=f"test.planted_{rate}", kind="theorem", model="test.planted",
                         conclusion=sp.Le(sp.Symbol("fail", real=True), sp.Rational(1, 2)),
                         quantifier=with_probability(0.95, over="seed"), domain={"rate": (rate, rate)})

    return statement


def test_binomial_decision_on_planted_rates(planted):
    assert verify(planted(0.0), budget=400).verdict == "HOLDS"
    assert verify(planted(0.01), budget=2000).verdict == "HOLDS"
    assert verify(planted(0.2), budget=400).verdict == "VIOLATED"
    assert verify(planted(0.05), budget=400).verdict == "INCONCLUSIVE"  # at delta itself: undecidable


# ------------------------------------------------------------------ kernels


@settings(max_examples=10)
@given(st.lists(st.tuples(st.integers(2, 12), st.integers(5, 40), st.floats(0.1, 2.0), st.integers(0, 30),
                          st.integers(0, 2**32 - 1)), min_size=1, max_size=4))
def test_linear_kernel_equals_reference(cases):
    datasets = [draw_teacher(d, n, 0.1, np.random.default_rng(seed)) for d, n, _, _, seed in cases]
    fast = linear_classifier.train_batch(datasets, [c[2] for c in cases], [c[3] for c in cases])
    for (X, y), (_, _, rho, steps, _), w in zip(datasets, cases, fast):
        ref = linear_classifier.reference_train(X, y, rho, steps)
        assert np.all(np.abs(w - ref) <= 1e-10 * np.maximum(np.abs(ref), 1.0))


def test_teacher_model_run_equals_reference():
    model = get_model("data.teacher")
    params = model.validate({"d": 6, "n": 30, "noise": 0.1, "rho": 0.5, "sigma": 1.0, "prior_mean": 0.5,
                             "anchor": 0.3, "steps": 20, "seed": 3})
    fast, ref = model.run([params])[0], model.reference(params)
    for name in fast:
        assert fast[name] == pytest.approx(ref[name], rel=1e-10, abs=1e-12), name


def test_teacher_net_kernel_equals_reference():
    """The shared batched kernel (reused) against this model's NumPy gradient descent, 30 steps.

    Two batches: one of a single shape (the batched prange kernel) and one of mixed shapes
    (one call per instance). The kernel sums in a different order than NumPy; over 30
    steps that moves the weights by a few ulps, far below 1e-10.
    """
    model = get_model("data.teacher_net")
    same = [model.validate({"d": 5, "n": 12, "noise": 0.1, "teacher": t, "gamma": 0.5, "step": 1.0, "steps": 30,
                            "kappa": 1.0, "m": 16, "seed": s}) for t, s in ((0, 1), (1, 2))]
    mixed = [{**same[0], "m": 8}, {**same[1], "n": 9, "steps": 12}]
    for params, fast in zip(same + mixed, model.run(same) + model.run(mixed)):
        ref = model.reference(params)
        for name in fast:
            assert fast[name] == pytest.approx(ref[name], rel=1e-10, abs=1e-12), name


def test_digits_split_and_reference():
    from boundcheck.verifiers.models.data_digits import TOTAL, digits, split

    X, y = digits()
    assert X.shape == (TOTAL, 65) and set(np.unique(y)) == {-1.0, 1.0}
    train, test = split(400, 7)
    assert len(set(train) | set(test)) == TOTAL and not set(train) & set(test)
    model = get_model("data.digits")
    params = model.validate({"n": 300, "rho": 0.25, "sigma": 1.0, "steps": 20, "seed": 7})
    fast, ref = model.run([params])[0], model.reference(params)
    for name in fast:
        assert fast[name] == pytest.approx(ref[name], rel=1e-10, abs=1e-12), name


def test_noisy_teacher_bayes_error_is_the_flip_rate():
    """The teacher itself errs exactly on the flipped labels: exact q, and q on a fresh sample."""
    w_star = np.zeros(7)
    w_star[0] = 1.0
    assert population_error(w_star, 0.2) == pytest.approx(0.2, abs=1e-15)
    estimate, se = sampled_error(w_star, 0.2, 200_000, np.random.default_rng(4))
    assert abs(estimate - 0.2) <= Z * se


def test_net_population_error_two_fresh_samples_agree():
    """The network's fresh-sample test error against an independent sample 20x larger."""
    from boundcheck.verifiers.models.data_teacher_net import draw, network

    model = get_model("data.teacher_net")
    params = model.validate({"d": 6, "n": 30, "noise": 0.1, "teacher": 1, "gamma": 0.5, "step": 1.0, "steps": 50,
                             "kappa": 1.0, "m": 32, "seed": 9})
    from boundcheck.verifiers.models.data_teacher_net import train

    inst = model.instance(params)
    obs = model.run([params])[0]
    W = train([inst], [params["steps"]])[0]
    X, y = draw(6, 100_000, 0.1, 1, np.random.default_rng(123))
    big = (y * network(X, W, inst["a"]) <= 0).astype(float)
    se = math.hypot(obs["test_err_se"], big.std() / math.sqrt(big.size))
    assert abs(obs["test_err"] - big.mean()) <= Z * se


def test_vacuity_reaches_store_and_cli(tmp_path):
    from boundcheck.verifiers.evidence.store import Store
    from property_tests.conftest import run_cli

    store = tmp_path / "g.sqlite"
    code, out, err = run_cli("verify", "generalization.digits.pac_bayes_kl_inverse", "--store", str(store),
                             "--budget", "20")
    assert "ratio" in out and "non-vacuous" in out, out + err
    with Store(store, read_only=True) as s:
        [run] = s.runs()
    assert "vacuity" in run["details"] and '"bound_mean"' in json.dumps(run["details"])


def test_spectral_complexity_with_fixed_output_layer():
    """R_A = ||a / sqrt(m)||_2 ||W - W0||_{2,1} when only the first layer moves (Bartlett et al. 2017, Sec. 1.1)."""
    from boundcheck.verifiers.models.data_teacher_net import spectral_complexity

    rng = np.random.default_rng(0)
    W0, a = rng.standard_normal((12, 5)), rng.choice([-1.0, 1.0], size=12)
    W = W0 + 0.1 * rng.standard_normal((12, 5))
    expected = np.linalg.norm(a) / math.sqrt(12) * np.sum(np.linalg.norm(W - W0, axis=1))
    assert spectral_complexity(W, W0, a) == pytest.approx(expected, rel=1e-12)
    assert spectral_complexity(W0, W0, a) == 0.0
