"""Issue 12, items 2 and 3: a performance-estimation certificate never decides for the claim.

Each test runs the real checker (PEPit + Clarabel/SCS). The claims are on the strongly
convex class with eta = 1/L and mu >= L/2, where gradient descent contracts
||x - x*||^2 by exactly (1 - mu/L)^2 per step (the quadratic of curvature mu attains
it; Taylor, Hendrickx & Glineur 2017), so the worst case after N steps is
(1 - eta mu)^{2N} R^2, below 1e-5 R^2 from N = 8 at mu = 0.55 L: the range an absolute
tolerance of 1e-5 used to swallow.
"""

import math

import pytest
import sympy as sp

from boundcheck.theorems.registry import all_statements
from boundcheck.theorems.statement import Hypothesis, Statement, t
from boundcheck.theorems.symbols import L, dist_sq, eta, mu
from boundcheck.verifiers.certificates import pep as certify
from boundcheck.verifiers.certificates.pep import (
    Row,
    Solved,
    certify_worst_case,
    decide,
    judge,
    pepit_report,
)
from boundcheck.verifiers.quantifiers.worst_case import run_worst_case
from boundcheck.verifiers.verdict import Finding


def _contraction_claim(factor, t_min: int) -> Statement:
    """dist_sq[t] <= factor * (1 - eta mu)^(2t) dist_sq[0] on smooth.convex, eta = 1/L, mu >= L/2."""
    return Statement(
        id=f"test.contraction_times_{str(factor).replace('/', '_over_')}", kind="conjecture", model="smooth.convex",
        title="contraction",
        hypotheses=(Hypothesis("step", sp.Eq(eta, 1 / L)), Hypothesis("curvature", sp.Ge(mu, L / 2))),
        conclusion=sp.Le(dist_sq[t], factor * (1 - eta * mu) ** (2 * t) * dist_sq[0]), t_min=t_min)


def _verdict(statement: Statement, n_max: int) -> Finding:
    return run_worst_case(statement, n_max, 0, None)


def test_tiny_bound_false_by_factor_2_is_violated_with_a_witness():
    """The issue's reproduction: was HOLDS with "max tightness 132036"."""
    verdict = _verdict(_contraction_claim(sp.Rational(1, 2), t_min=8), n_max=8)
    assert verdict.verdict == "VIOLATED", verdict.message
    cert = verdict.details["certificate"]
    row = next(r for r in cert["rows"] if r["decision"] == "violated")
    assert row["N"] == 8 and row["stated"] < 1e-5  # a bound an absolute 1e-5 would swallow
    assert row["ratio"] == pytest.approx(2.0, rel=1e-2) and row["band"][0] > row["stated"]
    assert cert["confirmation"]["confirmed"], cert["confirmation"]


def test_tiny_bound_within_5_percent_is_violated():
    """0.96 times the exact worst case 0.45^12 = 6.9e-5 (under 1e-5 + the old 1e-5 relative slack)."""
    cert = certify_worst_case(_contraction_claim(sp.Rational(96, 100), t_min=6), n_max=6, confirm=False)
    assert cert.verdict == "VIOLATED", cert.message
    violated = [r for r in cert.rows if r.violated]
    assert violated and all(r.ratio == pytest.approx(1 / 0.96, rel=1e-3) for r in violated)
    assert all(r.status == "optimal" and r.band[0] > r.stated for r in violated)


def test_true_tiny_bound_holds_and_undecided_rows_set_no_tightness():
    """Twice the exact worst case holds; the mu = 0.75 rows (W ~ 1e-10, below the solver's reach) count for nothing."""
    verdict = _verdict(_contraction_claim(2, t_min=8), n_max=8)
    assert verdict.verdict == "HOLDS", verdict.message
    rows = verdict.details["certificate"]["rows"]
    holds = [r for r in rows if r["decision"] == "holds"]
    assert holds and all(r["params"]["mu"] == pytest.approx(0.55) for r in holds)
    assert any(r["decision"] == "undecided" for r in rows)  # mu = 0.75: never turned into evidence
    assert verdict.max_tightness == pytest.approx(0.5, rel=1e-2)  # from the decided rows only
    assert "undecided, not counted" in verdict.message


def test_inaccurate_solves_are_never_evidence(monkeypatch):
    """A solver stopped after 5 iterations ('optimal_inaccurate'/'user_limit') on a true claim: INCONCLUSIVE."""
    monkeypatch.setattr(certify, "ATTEMPTS", (("clarabel-5-iterations", "CLARABEL", {"max_iter": 5}),))
    statement = all_statements()["classical.convex.drori_teboulle"]
    verdict = _verdict(statement, n_max=3)
    rows = verdict.details["certificate"]["rows"]
    assert {r["status"] for r in rows} <= {"optimal_inaccurate", "user_limit"}, [r["status"] for r in rows]
    assert verdict.verdict == "INCONCLUSIVE", verdict.message
    assert verdict.max_tightness == 0.0 and verdict.min_slack == math.inf  # nothing evaluated counts


def _fake(status: str, primal: float, dual: float, reconstruction: float) -> Solved:
    residuals = {"gram_psd": 0.0, "dual_psd": 0.0, "reconstruction": reconstruction, "dual": dual, "primal": primal}
    return Solved(dual, status, "fake", residuals, built=None)


def test_decision_rule_on_fake_rows():
    """The band [min(p,d) - e, max(p,d) + e] against c; any status but optimal is undecided."""
    assert decide(_fake("optimal", 0.5, 0.5, 1e-8), 1.0)[0] == "holds"
    assert decide(_fake("optimal_inaccurate", 0.5, 0.5, 1e-8), 1.0)[0] == "undecided"
    assert decide(_fake("optimal", 2.0, 2.0, 1e-8), 1.0)[0] == "violated"
    assert decide(_fake("optimal_inaccurate", 2.0, 2.0, 1e-8), 1.0)[0] == "undecided"
    # scale-free: a bound of 1e-9 is compared with a band of its own size, not an absolute 1e-5
    assert decide(_fake("optimal", 2e-9, 2e-9, 1e-12), 1e-9)[0] == "violated"
    assert decide(_fake("optimal", 1.02e-9, 1.02e-9, 1e-10), 1e-9)[0] == "undecided"  # band 20% wide
    # tight: the band holds c and is narrower than TIGHT_MAX relative to c
    assert decide(_fake("optimal", 1.0, 1.0 + 1e-8, 1e-8), 1.0)[0] == "tight"
    assert decide(_fake("optimal", 1.0, 1.0 + 1e-8, 1e-2), 1.0)[0] == "undecided"
    assert decide(Solved(0.5, "optimal", "fake", {}, None), 1.0)[0] == "undecided"  # no PEPit report


def _row(decision: str, ratio: float, status: str = "optimal") -> Row:
    return Row(1, {"eta": 1.0}, ratio, 1.0, ratio, status, decision, (ratio, ratio), 0.0, "fake", [], {}, 0.0)


def test_judge_counts_only_decided_rows():
    assert judge([_row("undecided", 1e5, "optimal_inaccurate")])[0] == "INCONCLUSIVE"
    verdict, message = judge([_row("holds", 0.5), _row("undecided", 1e5, "optimal_inaccurate")])
    assert verdict == "HOLDS" and "max tightness 0.500000" in message and "1 of 2 rows undecided" in message
    assert judge([_row("holds", 0.5), _row("violated", 1.04)])[0] == "VIOLATED"


def test_pepit_report_is_read_and_incomplete_reports_are_refused():
    text = ("The solver found a Gram matrix that is positive semi-definite up to an error of 1e-09\n"
            "The solver found a residual matrix that is positive semi-definite\n"
            "(PEPit) The worst-case guarantee proof is perfectly reconstituted up to an error of 3e-08\n"
            "(PEPit) Final upper bound (dual): 0.25 and lower bound (primal example): 0.2499 \n")
    report = pepit_report(text)
    assert report == {"gram_psd": 1e-9, "dual_psd": 0.0, "reconstruction": 3e-8, "dual": 0.25, "primal": 0.2499}
    assert pepit_report(text.replace("Final upper bound", "Final bound")) == {}
    # the installed PEPit still prints what pepit_report reads (else every row would be undecided)
    statement = all_statements()["classical.convex.drori_teboulle"]
    params = {"L": 1.0, "mu": 0.0, "eta": 1.0}
    solved = certify.solve("smooth_convex", certify.pose(statement, 2, params), params, 2)
    assert solved.residuals and solved.residuals["dual"] == pytest.approx(0.1, rel=1e-6)


def test_distance_mutant_gets_a_confirmed_witness():
    """A dist_sq conclusion: x_N's gradient is queried so the witness can be built (was "The PEP must be solved")."""
    cert = certify_worst_case(all_statements()["classical.strongly_convex.distance_nonquadratic_small_step_rate"],
                              n_max=1)
    assert cert.verdict == "VIOLATED", cert.message
    assert cert.confirmation["confirmed"], cert.confirmation
    assert cert.confirmation["model"] == "smooth.interpolated"
