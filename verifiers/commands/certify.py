"""``boundcheck certify ID... [--json] [--n-max N] [--store PATH]``: SDP certificates.

A statement with a function class (a ``worst_case`` quantifier, or a ``for_all`` one over
a smooth model) gets its exact worst case per N by performance estimation
(:mod:`boundcheck.verifiers.certificates.pep`); a polynomial proof step (``sum_of_squares`` quantifier)
gets an exact SOS certificate or a counterexample (:mod:`boundcheck.verifiers.certificates.sos`). Every
certificate is stored in the evidence store's ``certificates`` table with the solver,
its status and the tolerances. Exit codes are the verdicts'.
"""

from __future__ import annotations

import argparse
from typing import Any

from boundcheck.verifiers.commands import arguments
from boundcheck.verifiers.errors import BoundcheckError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="+", metavar="ID", help="statement ids (or files)")
    parser.add_argument("--json", action="store_true", help="print the certificates as JSON")
    parser.add_argument("--n-max", type=arguments.count, default=10, help="largest number of steps N for PEP (default 10)")
    parser.add_argument("--store", default=None, help="evidence store path")


def certify_one(statement, n_max: int = 10) -> tuple[str, Any]:
    """('pep' | 'sos', certificate as a dict with verdict, solver, status, tolerances)."""
    from boundcheck.verifiers.certificates.pep import applicable, certify_worst_case

    if statement.quantifier.kind == "sum_of_squares":
        from dataclasses import asdict

        from boundcheck.verifiers.certificates.sos import certify_step

        return "sos", asdict(certify_step(statement))
    if not applicable(statement):
        raise BoundcheckError(f"{statement.id}: no certificate applies (neither a function class nor a "
                              "polynomial proof step)")
    return "pep", certify_worst_case(statement, n_max=n_max)


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _print(statement, method: str, body: dict[str, Any]) -> None:
    print(f"{statement.id}: {body['verdict']} ({method}, solver {body['solver']})")
    print(f"  {body['message']}")
    if method == "pep":
        print(f"  {'N':>3}  {'params':<28} {'worst case':>12} {'stated':>12} {'tightness':>10} {'band':>8}  "
              f"{'decision':<9} solver: status")
        for r in body["rows"]:
            params = ", ".join(f"{k}={v:.4g}" for k, v in r["params"].items())
            worst, ratio, resolution = _num(r["worst"]), _num(r["ratio"]), _num(r["resolution"])
            tightness = "-" if r["decision"] == "undecided" else f"{ratio:.6f}"  # not evidence: not shown
            print(f"  {r['N']:>3}  {params:<28} {worst:>12.6g} {r['stated']:>12.6g} {tightness:>10} "
                  f"{resolution:>8.1e}  {r['decision']:<9} {'; '.join(r['attempts'])}")
        print("  (band: width of the solver's band around the worst case, relative to the bound; undecided rows count "
              "for nothing)")
    else:
        for m in body["multipliers"]:
            print(f"  multiplier {m['multiplier']}: basis {m['basis']}, Gram {m['gram']}")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.commands.targets import statements as named_statements
    from boundcheck.verifiers.evidence.store import Store
    from boundcheck.verifiers.verdict import EXIT_CODES

    statements = named_statements(args.ids)
    results = []
    with Store(args.store) as store:
        for statement in statements:
            method, cert = certify_one(statement, args.n_max)
            body = cert if isinstance(cert, dict) else cert.to_dict()
            store.record_certificate(statement.id, statement.hash(), method, body)
            results.append((statement, method, body))
            if not args.json:
                _print(statement, method, body)
    if args.json:
        from boundcheck.verifiers.commands.output import dumps

        print(dumps("certify", [{"statement_id": s.id, "method": m, **b} for s, m, b in results]))
    return max(EXIT_CODES[b["verdict"]] for _, _, b in results)
