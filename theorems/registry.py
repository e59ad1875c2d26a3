"""The registry of built-in statements: every ``@register`` function in a family module.

Family modules are the modules of this package that are not infrastructure; they are
discovered, so a new family is a new file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import boundcheck.theorems
from boundcheck.theorems.statement import Statement, build, registered

INFRASTRUCTURE = {"statement", "quantifiers", "registry", "parse", "symbolic", "symbols", "closed_forms"}

_cache: dict[str, Statement] | None = None
_built: dict[Callable[[], Statement], Statement] = {}


def family_modules() -> list[str]:
    return sorted(
        name for _, name, _ in pkgutil.iter_modules(boundcheck.theorems.__path__)
        if not name.startswith("_") and name not in INFRASTRUCTURE
    )


def _build(builder: Callable[[], Statement]) -> Statement:
    if builder not in _built:
        _built[builder] = build(builder)
    return _built[builder]


def all_statements() -> dict[str, Statement]:
    """Every built-in statement by id, in registration order."""
    global _cache
    if _cache is None:
        for name in family_modules():
            importlib.import_module(f"boundcheck.theorems.{name}")
        statements: dict[str, Statement] = {}
        for builder in registered():
            statement = _build(builder)
            if statement.id in statements:
                raise ValueError(f"two statements share the id {statement.id!r}")
            statements[statement.id] = statement
        _cache = statements
    return _cache


def _likely_families(statement_id: str) -> list[str]:
    """The family modules an id's first segment may name, most likely first: ``ntk.…`` →
    ``ntk``; ``linear.…`` → ``linear_networks``, then ``deep_linear``; ``factorisation.…`` →
    ``matrix_factorisation``."""
    prefix = statement_id.split(".")[0]
    names = family_modules()
    exact = [n for n in names if n == prefix]
    starts = [n for n in names if n.startswith(prefix + "_")]
    ends = [n for n in names if n.endswith("_" + prefix)]
    return exact + starts + ends


def _named_for(builder: Callable[[], Statement], statement_id: str) -> bool:
    """Whether a builder's name spells the id after its family (``strongly_convex_distance``
    for ``classical.strongly_convex.distance``; 116 of the 120 built-in ones do): those are
    built first, so that a fresh ``verify ID`` builds one statement, not its module's dozen."""
    tail = statement_id.partition(".")[2].replace(".", "_")
    return bool(tail) and (tail.endswith(builder.__name__) or builder.__name__.endswith(tail))


def get(statement_id: str) -> Statement:
    """The built-in statement ``statement_id``. Its family module's statements are built first
    (one module, not all 120: a fresh ``verify ID`` should not pay for the others), the one its
    name points to before the rest; the whole registry only when the id is not there."""
    for family in _likely_families(statement_id) if _cache is None else ():
        module = importlib.import_module(f"boundcheck.theorems.{family}")
        builders = [builder for builder in registered() if builder.__module__ == module.__name__]
        for builder in sorted(builders, key=lambda builder: not _named_for(builder, statement_id)):
            if _build(builder).id == statement_id:
                return _built[builder]
    statements = all_statements()
    if statement_id not in statements:
        close = [s for s in statements if statement_id.split(".")[-1] in s]
        hint = f"; did you mean {close[0]}?" if close else "; `boundcheck list` shows them all"
        raise KeyError(f"no statement with id {statement_id!r}{hint}")
    return statements[statement_id]
