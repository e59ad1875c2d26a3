"""The statements a command line names: ids, conjecture files, or ``--all`` built-ins."""

from __future__ import annotations

from collections.abc import Sequence

from boundcheck.verifiers.errors import BoundcheckError


def statements(targets: Sequence[str], all_: bool = False) -> list:
    """Every statement ``targets`` name (ids or ``.toml``/``.py`` files), validated; with
    ``all_``, every built-in statement instead."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.loading import load, validate

    if all_:
        return [validate(s) for s in all_statements().values()]
    if not targets:
        raise BoundcheckError("name a statement id or file, or pass --all")
    found = []
    for target in targets:
        found += load(target)
    return found
