"""``boundcheck models [NAME] [--json]``: every model's vocabulary for writing a conjecture.

Parameters (type, range, meaning, default conjecture domain), observables (indexed by t or
scalar, meaning), built-in constraints and an example conjecture that loads as written
(:mod:`boundcheck.verifiers.report.models`). Without NAME: every model. An unknown NAME
is one line on stderr naming the closest model, exit 2.
"""

from __future__ import annotations

import argparse
import json

from boundcheck.verifiers.errors import BoundcheckError

SCHEMA = "boundcheck/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="a model name, e.g. linear.two_layer (default: every model)")
    parser.add_argument("--json", action="store_true",
                        help='machine-readable: {"schema": "boundcheck/1", "command": "models", "results": [...]}')


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.report import models as catalogue

    names = [args.name] if args.name else catalogue.model_names()
    try:
        described = [catalogue.describe(name) for name in names]
    except KeyError as exc:
        raise BoundcheckError(str(exc.args[0])) from None
    if args.json:
        print(json.dumps({"schema": SCHEMA, "command": "models", "results": described}, indent=2))
    else:
        print("\n\n".join(catalogue.text(d) for d in described))
    return 0
