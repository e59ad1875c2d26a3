"""Proof steps through the real checker: exact SOS certificates, a refuted false step."""

from fractions import Fraction

import pytest
import sympy as sp

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.certificates.sos import certify_step, exactly_psd, polynomial_step
from boundcheck.verifiers.check import verify

STEPS = {sid: s for sid, s in all_statements().items() if sid.startswith("proof_steps.")}


@pytest.mark.parametrize("sid", sorted(STEPS))
def test_step_meets_its_expectation(sid):
    statement = STEPS[sid]
    verdict = verify(statement)
    if statement.kind == "conjecture":
        assert verdict.verdict in ("HOLDS", "INCONCLUSIVE")
    else:
        assert verdict.verdict in statement.expected, verdict.message


def test_at_least_six_exact_certificates_and_one_refutation():
    results = {sid: certify_step(s) for sid, s in STEPS.items()}
    held = [sid for sid, r in results.items() if r.verdict == "HOLDS"]
    assert len(held) >= 6
    refuted = sorted(sid for sid, r in results.items() if r.verdict == "VIOLATED")
    assert refuted == ["proof_steps.descent_coefficient_past_limit",
                       "proof_steps.du_step_size_quadratic_term_step_five_percent_large"]
    # each counterexample is exact: p < 0 and every constraint >= 0 at the rational point
    for sid in refuted:
        step = polynomial_step(STEPS[sid])
        point = {v: sp.Rational(results[sid].counterexample[v.name]) for v in step.variables}
        assert step.p.subs(point) < 0 and all(g.subs(point) >= 0 for _, g in step.constraints)


def test_near_boundary_mutant_is_refuted_where_the_claimed_side_is_positive():
    """A step cap 5% looser than Du et al.'s lam0 / (4 n^2) is refuted: the sampled point lies in the
    thin sliver lam0 / (4 n^2) < eta <= lam0 / (3.8 n^2), where eta lam0 / 4 > 0 but eta^2 n^2 exceeds it."""
    sid = "proof_steps.du_step_size_quadratic_term_step_five_percent_large"
    verdict = verify(STEPS[sid])
    assert verdict.verdict == "VIOLATED", verdict.message
    cx = certify_step(STEPS[sid]).counterexample
    eta, lam, n = (sp.Rational(cx[k]) for k in ("eta", "lam", "n"))
    assert eta * lam / 4 > 0
    assert lam / (4 * n**2) < eta <= lam / (sp.Rational(38, 10) * n**2)


def test_certificate_is_an_exact_identity():
    """Rebuild the identity from the stored Gram matrices, independently of boundcheck.verifiers.certificates.sos."""
    statement = STEPS["proof_steps.strongly_convex_factor"]
    result = certify_step(statement)
    step = polynomial_step(statement)
    constraints = dict(step.constraints)
    total = 0
    for m in result.multipliers:
        g = sp.Integer(1)
        if m["multiplier"] != "1":
            for name in m["multiplier"].split("*"):
                g *= constraints[name]
        z = sp.Matrix([sp.sympify(b, locals={v.name: v for v in step.variables}) for b in m["basis"]])
        G = sp.Matrix([[sp.Rational(v) for v in row] for row in m["gram"]])
        assert G.is_positive_semidefinite
        total += g * (z.T * G * z)[0]
    assert sp.expand(total - step.p) == 0


def test_exact_psd_test():
    F = Fraction
    assert exactly_psd([[F(1), F(1)], [F(1), F(1)]])
    assert not exactly_psd([[F(1), F(2)], [F(2), F(1)]])
    assert not exactly_psd([[F(0), F(1)], [F(1), F(1)]])
