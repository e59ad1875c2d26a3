"""``boundcheck power ID [--constant NAME] [--budget N] [--seed S] [--json]``: detection power.

Prints the smallest relative tightening of the bound that the checker catches at the
statement's default budget (see :mod:`boundcheck.verifiers.power`), or with
``--constant`` the smallest value of one named constant that still HOLDS, with every run
made, and records the measurement in the evidence store.
"""

from __future__ import annotations

import argparse
import sys

from boundcheck.verifiers.commands import arguments
from boundcheck.verifiers.errors import BoundcheckError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="statement id or conjecture file (one statement)")
    parser.add_argument("--constant", help="bisect on this named constant instead of the bound")
    parser.add_argument("--budget", type=arguments.budget, help="budget of every run (default: the statement's)")
    parser.add_argument("--seed", type=arguments.seed, default=0, help="seed of every run (default 0)")
    parser.add_argument("--json", action="store_true", help="the measurement as one JSON object on stdout")
    parser.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")


def main(args: argparse.Namespace) -> int:
    from boundcheck.theorems.statement import StatementError
    from boundcheck.verifiers.evidence.store import Store
    from boundcheck.verifiers.loading import load
    from boundcheck.verifiers.power import constant_power, power

    statements = load(args.id)
    if len(statements) != 1:
        raise BoundcheckError(f"{args.id} holds {len(statements)} statements; name one by its id")
    statement = statements[0]
    interactive = sys.stderr.isatty() and not args.json

    def progress(step: str) -> None:
        if interactive:
            sys.stderr.write(f"\r{statement.id}: {step:<40}")
            sys.stderr.flush()

    try:
        if args.constant:
            result = constant_power(statement, args.constant, budget=args.budget, seed=args.seed, progress=progress)
        else:
            result = power(statement, budget=args.budget, seed=args.seed, progress=progress)
    except StatementError as exc:
        raise BoundcheckError(str(exc)) from None
    finally:
        if interactive:
            sys.stderr.write("\r" + " " * 80 + "\r")
    with Store(args.store) as store:
        store.record_power(statement.id, statement.hash(), result.to_dict())
    if args.json:
        from boundcheck.verifiers.commands.output import dumps

        print(dumps("power", [result.to_dict()]))
        return 0
    print(format_result(result))
    return 0


def format_result(result) -> str:
    lines = []
    if result.constant is not None:
        if result.holds_down_to is None:
            found = "never HOLDS at this budget (not even at the stated value)"
        elif result.violated_at is None:
            found = f"HOLDS down to {result.holds_down_to:.4g} and was never VIOLATED"
        else:
            found = f"HOLDS down to {result.holds_down_to:.4g}; VIOLATED at {result.violated_at:.4g}"
        lines.append(f"{result.id}: constant {result.constant} (stated {result.value:.6g}) {found}")
    elif result.epsilon is None:
        lines.append(f"{result.id} [{result.claim}]: not caught even with the bound moved by 100% (eps > 1)")
    else:
        bracket = f" (held at {result.held_at:.3g})" if result.held_at else " (the lowest tightening tried)"
        lines.append(f"{result.id} [{result.claim}]: eps = {result.epsilon:.3g}{bracket}; "
                     f"max tightness {result.max_tightness:.4f}")
    lines.append(f"  {result.meaning}")
    for run in result.runs:
        probe = next(f"{k} = {v:.4g}" for k, v in run.items() if k not in ("verdict", "instances", "wall_s", "message"))
        lines.append(f"  {probe:<22} {run['verdict']:<12} {run['instances']:>7} instances  {run['wall_s']:.1f}s")
    return "\n".join(lines)
