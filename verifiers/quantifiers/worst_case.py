"""``worst_case``: the exact worst case over a function class, by a performance-estimation SDP
(:mod:`boundcheck.verifiers.certificates.pep`), one row per horizon N."""

from __future__ import annotations

import math

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.certificates.pep import N_MAX, certify_worst_case, first_violation
from boundcheck.verifiers.verdict import Finding


def run_worst_case(statement: Statement, budget: int, seed: int, progress) -> Finding:
    """The ``worst_case`` runner of :func:`boundcheck.verifiers.check.verify`: N up to min(budget, 10)."""
    found = Finding()
    cert = certify_worst_case(statement, n_max=max(1, min(budget, N_MAX)))
    found.verdict, found.message = cert.verdict, cert.message
    found.instances = len(cert.rows)
    holds = [r for r in cert.rows if r.decision == "holds"]
    tight = [r for r in cert.rows if r.decision == "tight"]
    # undecided rows contribute nothing; a tight row has tightness 1 and slack 0 to its resolution
    found.max_tightness = max([r.ratio for r in holds] + [1.0] * bool(tight), default=0.0)
    found.min_slack = min([r.stated - r.band[1] for r in holds] + [0.0] * bool(tight), default=math.inf)
    found.details["certificate"] = cert.to_dict()
    if cert.verdict == "VIOLATED":
        row = first_violation(cert.rows)
        confirmation = cert.confirmation or {}
        instance = (cert.witness or {}).get("instance")
        found.counterexample = {
            "params": instance or {**row.params, "N": row.N}, "t": row.N, "observed": row.band[0],
            "bound": row.stated, "slack": row.stated - row.band[0], "replay_dps": confirmation.get("replay_dps"),
            "replay_observed": confirmation.get("replay_observed"), "replay_bound": confirmation.get("replay_bound"),
            "confirmation": confirmation.get("message", ""), "replay": f"boundcheck certify {statement.id}",
        }
    return found
