"""``boundcheck models [NAME] [--json]``: every model's vocabulary for writing a conjecture.

Parameters (type, range, meaning, default conjecture domain), observables (indexed by t or
scalar, meaning), built-in constraints and an example conjecture that loads as written
(:mod:`boundcheck.verifiers.report.models`). Without NAME: every model. An unknown NAME
is one line on stderr naming the closest model, exit 2.
"""

from __future__ import annotations

import argparse

from boundcheck.verifiers.commands.output import SCHEMA, dumps
from boundcheck.verifiers.errors import BoundcheckError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="a model name, e.g. linear.two_layer (default: every model)")
    parser.add_argument("--json", action="store_true",
                        help=f'machine-readable: {{"schema": "{SCHEMA}", "command": "models", "results": [...]}}')


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.report import models as catalogue

    names = [args.name] if args.name else catalogue.model_names()
    try:
        described = [catalogue.describe(name) for name in names]
    except KeyError as exc:
        raise BoundcheckError(str(exc.args[0])) from None
    if args.json:
        print(dumps("models", described))
    else:
        print("\n\n".join(catalogue.text(d) for d in described))
    return 0
