"""The registry of built-in statements: every ``@register`` function in a family module.

Family modules are the modules of this package that are not infrastructure; they are
discovered, so a new family is a new file.
"""

from __future__ import annotations

import importlib
import pkgutil

import boundcheck.theorems
from boundcheck.theorems.statement import Statement, build, registered

INFRASTRUCTURE = {"statement", "quantifiers", "registry", "parse", "symbolic", "symbols", "closed_forms"}

_cache: dict[str, Statement] | None = None


def family_modules() -> list[str]:
    return sorted(
        name for _, name, _ in pkgutil.iter_modules(boundcheck.theorems.__path__)
        if not name.startswith("_") and name not in INFRASTRUCTURE
    )


def all_statements() -> dict[str, Statement]:
    """Every built-in statement by id, in registration order."""
    global _cache
    if _cache is None:
        for name in family_modules():
            importlib.import_module(f"boundcheck.theorems.{name}")
        statements: dict[str, Statement] = {}
        for builder in registered():
            statement = build(builder)
            if statement.id in statements:
                raise ValueError(f"two statements share the id {statement.id!r}")
            statements[statement.id] = statement
        _cache = statements
    return _cache


def get(statement_id: str) -> Statement:
    statements = all_statements()
    if statement_id not in statements:
        close = [s for s in statements if statement_id.split(".")[-1] in s]
        hint = f"; did you mean {close[0]}?" if close else "; `boundcheck list` shows them all"
        raise KeyError(f"no statement with id {statement_id!r}{hint}")
    return statements[statement_id]
