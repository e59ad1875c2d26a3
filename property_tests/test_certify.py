"""Performance estimation on the classical statements, the witness model, and the CLI."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.certificates.pep import applicable, certify_worst_case
from boundcheck.verifiers.certificates.witness import interpolate
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.commands.cli import main as cli_main
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.precision import high_precision

S = all_statements()


def test_drori_teboulle_is_tight_for_n_1_to_10():
    cert = certify_worst_case(S["classical.convex.drori_teboulle"], confirm=False)
    assert cert.verdict == "HOLDS"
    at_h1 = [r for r in cert.rows if r.params["eta"] == 1.0]
    assert [r.N for r in at_h1] == list(range(1, 11))
    for r in at_h1:
        assert abs(r.ratio - 1) < 1e-5, r
        assert r.decision == "tight" and r.resolution < 1e-4, r  # tight to the solver's band, not "holds"
    # tight for every h <= 1 (Drori & Teboulle 2014, Thm 3.1): no row may be called violated
    assert {r.decision for r in cert.rows} == {"tight"}, [(r.N, r.params, r.decision) for r in cert.rows]


def test_tightened_mutant_violated_and_witness_confirmed_by_sampling():
    cert = certify_worst_case(S["classical.convex.drori_teboulle_tightened"], n_max=3)
    assert cert.verdict == "VIOLATED"
    assert cert.confirmation["confirmed"], cert.confirmation
    assert cert.confirmation["model"] == "smooth.interpolated"


def test_worst_case_statements_through_verify():
    assert verify(S["classical.convex.all_steps_worst_case"]).verdict == "HOLDS"
    assert verify(S["classical.convex.all_steps_worst_case_huber_branch_only"]).verdict == "VIOLATED"


def test_pl_statements_not_posed():
    """PEPit's PL constraints are a relaxation: no PL statement is posed as a PEP."""
    assert not applicable(S["classical.pl.linear_rate"])
    assert applicable(S["classical.convex.drori_teboulle"])


def test_certify_cli_json_and_store(tmp_path, capsys):
    store = tmp_path / "e.sqlite"
    code = cli_main(["certify", "classical.convex.drori_teboulle", "--n-max", "2", "--json", "--store", str(store)])
    out = json.loads(capsys.readouterr().out)["results"]
    assert code == 0 and out[0]["verdict"] == "HOLDS" and out[0]["solver"] == "CLARABEL"
    from boundcheck.verifiers.evidence.store import Store

    with Store(store, read_only=True) as s:
        [cert] = s.certificates()
    assert (cert["method"], cert["verdict"], cert["solver"]) == ("pep", "HOLDS", "CLARABEL")
    assert "tight_max" in cert["tolerances"]


def test_certify_cli_prints_status_and_decision_per_row(tmp_path, capsys):
    code = cli_main(["certify", "classical.convex.drori_teboulle", "--n-max", "1", "--store", str(tmp_path / "e.sqlite")])
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if "worst case" in line and "stated" in line)
    assert code == 0 and "decision" in header and "status" in header
    rows = [line for line in lines if "L=1, mu=0, eta=" in line]
    assert len(rows) == 2 and all("tight" in r and "clarabel: optimal" in r for r in rows), rows
    from boundcheck.verifiers.evidence.store import Store

    with Store(tmp_path / "e.sqlite", read_only=True) as s:
        stored = s.pep_rows()
    assert len(stored) == 2
    assert all(r["status"] == "optimal" and r["decision"] == "tight" and r["band_lo"] <= r["band_hi"] for r in stored)


def test_certify_cli_refuses_unfit_statement(capsys):
    assert cli_main(["certify", "classical.pl.linear_rate"]) == 2


# ------------------------------------------------------------------ the interpolated model


def _instance(data, steps):
    L = data.draw(st.floats(0.5, 4.0))
    mu = data.draw(st.floats(0.0, 0.4)) * L
    n = data.draw(st.integers(1, 5))
    xs = sorted(set(data.draw(st.lists(st.floats(-5, 5).filter(lambda v: abs(v) > 1e-3), min_size=n, max_size=n))))
    # gradients of a convex function: a monotone, (L - mu)-Lipschitz profile through 0 at 0
    shape = interpolate(xs, [(L - mu) * 0.5 * np.tanh(x) + mu * x for x in xs],
                        [(L - mu) * 0.5 * np.log(np.cosh(x)) + mu * x * x / 2 for x in xs], L, mu)
    eta = data.draw(st.floats(0.01, 2.0)) / L
    return get_model("smooth.interpolated").validate(
        {"L": L, "mu": mu, "eta": eta, "steps": steps, "x0": data.draw(st.floats(-6, 6)), **shape})


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_kernel_matches_reference(data):
    """numba kernel vs NumPy reference, 1e-10 relative on 20-step runs."""
    model = get_model("smooth.interpolated")
    params = _instance(data, 20)
    fast, ref = model.run([params])[0], model.reference(params)
    for name in ("gap", "grad_sq", "dist_sq"):
        np.testing.assert_allclose(fast[name], ref[name], rtol=1e-10, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_interpolated_function_is_convex_with_min_at_zero(data):
    params = _instance(data, 5)
    obs = get_model("smooth.interpolated").reference(params, high_precision(30))
    assert all(v >= 0 for v in obs["gap"])  # x* = 0 is the minimiser: f - f* >= 0


def test_huber_reproduces_drori_teboulle():
    """The Huber function with threshold R/(2N + 1) attains L R^2/(4N + 2) (Drori and Teboulle's bound, tight)."""
    N = 4
    tau = 1 / (2 * N + 1)
    params = get_model("smooth.interpolated").validate(
        {"L": 1.0, "mu": 0.0, "eta": 1.0, "steps": N, "x0": 1.0, "psi0": 0.0,
         "knots": [0.0, tau], "slopes": [0.0, tau]})
    gap = get_model("smooth.interpolated").run([params])[0]["gap"]
    assert gap[N] == pytest.approx(1 / (4 * N + 2), rel=1e-12)
