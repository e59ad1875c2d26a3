"""``sum_of_squares``: a polynomial proof step certified by an exact SOS decomposition
(:mod:`boundcheck.verifiers.certificates.sos`), or refuted by a sampled exact counterexample."""

from __future__ import annotations

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.certificates.sos import SAMPLES, certify_step
from boundcheck.verifiers.verdict import Finding


def run_sum_of_squares(statement: Statement, budget: int, seed: int, progress) -> Finding:
    """The ``sum_of_squares`` runner of :func:`boundcheck.verifiers.check.verify`."""
    found = Finding()
    result = certify_step(statement, seed=seed)
    found.verdict, found.message = result.verdict, result.message
    found.instances = SAMPLES
    found.details["certificate"] = {"degree": result.degree, "multipliers": result.multipliers,
                                   "solver": result.solver, "solver_status": result.solver_status,
                                   "tolerances": result.tolerances}
    if result.counterexample:
        found.counterexample = {"params": result.counterexample, "replay": f"boundcheck certify {statement.id}"}
    return found
