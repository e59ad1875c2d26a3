"""``sum_of_squares``: a polynomial proof step certified by an exact SOS decomposition
(:mod:`boundcheck.verifiers.certificates.sos`), or refuted by a sampled exact counterexample."""

from __future__ import annotations

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.certificates.sos import SAMPLES, certify_step
from boundcheck.verifiers.verdict import Verdict


def run_sum_of_squares(statement: Statement, budget: int, seed: int, progress, base: Verdict) -> Verdict:
    """The ``sum_of_squares`` runner of :func:`boundcheck.verifiers.check.verify`."""
    result = certify_step(statement, seed=seed)
    base.verdict, base.message = result.verdict, result.message
    base.instances = SAMPLES
    base.details["certificate"] = {"degree": result.degree, "multipliers": result.multipliers,
                                   "solver": result.solver, "solver_status": result.solver_status,
                                   "tolerances": result.tolerances}
    if result.counterexample:
        base.counterexample = {"params": result.counterexample, "replay": f"boundcheck certify {statement.id}"}
    return base
