"""Loading statements: built-in ids, Python conjecture modules, TOML conjecture files.

A TOML file is untrusted input: its expressions go through the whitelist parser of
:mod:`boundcheck.theorems.parse`, against the names its model declares. A Python module is
trusted code (like a test file): it is imported, and every :class:`Statement` it
defines at top level, or builds with ``@register``, is loaded.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from typing import Any

import sympy as sp

from boundcheck.theorems import registry
from boundcheck.theorems.parse import ParseError, parse_expression
from boundcheck.theorems.statement import (
    _REGISTERED,
    Constant,
    Hypothesis,
    Statement,
    StatementError,
    build,
    for_all,
    observable,
    with_probability,
)
from boundcheck.verifiers.errors import LoadError
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.declared.loader import resolve_reference

TOML_KEYS = {"id", "model", "hypotheses", "conclusion", "quantifier", "kind", "constants", "t_min", "budget",
             "title", "source", "probability", "over", "domain", "doc"}


def load(target: str) -> list[Statement]:
    """Statements named by ``target``: a built-in id, a ``.toml`` file or a ``.py`` file."""
    path = Path(target)
    if target.endswith(".toml"):
        return [load_toml(path)]
    if target.endswith(".py"):
        return load_python(path)
    try:
        return [registry.get(target)]
    except KeyError as exc:
        raise LoadError(str(exc).strip("'\"")) from None


def validate(statement: Statement) -> Statement:
    """Refuse, with a message naming it, a statement whose names its model lacks."""
    try:
        model = get_model(statement.model)
    except KeyError as exc:
        raise LoadError(f"{statement.id}: {str(exc).strip(chr(39) + chr(34))}") from None
    for name in statement.observables:
        if name not in model.indexed_names:
            raise LoadError(f"{statement.id}: model {model.name} has no indexed observable {name!r} "
                            f"(it has: {', '.join(model.indexed_names)})")
    for field, kind in statement.quantifier.model_parameters.items():
        name = statement.quantifier.get(field)
        if name is not None and (name not in model.param_names or (kind and model.param(name).kind != kind)):
            what = f"a {kind} parameter" if kind else "a parameter"
            raise LoadError(f"{statement.id}: {statement.quantifier.kind} {field} {name!r}, which is not {what} of "
                            f"{model.name}")
    constants = {c.symbol.name for c in statement.constants}
    for name in statement.symbol_names - constants:
        if not model.knows(name):
            raise LoadError(f"{statement.id}: {name!r} is neither a parameter nor an observable of {model.name}")
    return statement


# ------------------------------------------------------------------ TOML


def load_toml(path: Path) -> Statement:
    try:
        text = path.read_text()
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"{path}: TOML syntax error: {exc}") from None
    section = data.get("conjecture") or data.get("statement")
    if not isinstance(section, dict):
        raise LoadError(f"{path}: expected a [conjecture] table")
    try:
        statement = statement_from_table(section, origin=str(path))
    except (ParseError, StatementError) as exc:
        raise LoadError(f"{path}: {exc}") from None
    return validate(statement)


def statement_from_table(table: dict[str, Any], origin: str = "") -> Statement:
    """A statement from a parsed TOML table (every expression through the whitelist parser)."""
    unknown = set(table) - TOML_KEYS
    if unknown:
        raise StatementError(f"unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(TOML_KEYS))})")
    for key in ("id", "model", "conclusion"):
        if not isinstance(table.get(key), str):
            raise StatementError(f"missing or non-text key {key!r}")
    try:  # a model file "path.py:Name" is relative to the TOML file (trusted code: loading runs it)
        model = get_model(resolve_reference(table["model"], origin))
    except (KeyError, ValueError, OSError) as exc:
        raise StatementError(str(exc).strip("'\"")) from None
    symbols = {p.name: p.symbol() for p in model.params}
    for o in model.observables:
        if not o.indexed:
            symbols.setdefault(o.name, sp.Symbol(o.name, real=True))
    constants = []
    for name, value in (table.get("constants") or {}).items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not name.isidentifier():
            raise StatementError(f"constant {name!r} must be an identifier with a number")
        symbol = sp.Symbol(name, real=True)
        symbols[name] = symbol
        constants.append(Constant(symbol, sp.nsimplify(value), "assumed", f"given in {origin or 'the file'}"))
    indexed = {name: observable(name) for name in model.indexed_names}
    hypotheses_in = table.get("hypotheses", [])
    if isinstance(hypotheses_in, list):
        named = {f"h{k + 1}": text for k, text in enumerate(hypotheses_in)}
    elif isinstance(hypotheses_in, dict):
        named = hypotheses_in
    else:
        raise StatementError("hypotheses must be a list of expressions or a table name = expression")
    hypotheses = []
    for name, text in named.items():
        try:
            hypotheses.append(Hypothesis(name, parse_expression(text, symbols, indexed, relation=True)))
        except ParseError as exc:
            raise StatementError(f"hypothesis {name}: {exc}") from None
    try:
        conclusion = parse_expression(table["conclusion"], symbols, indexed, relation=True)
    except ParseError as exc:
        raise StatementError(f"conclusion: {exc}") from None
    quantifier_name = table.get("quantifier", "for_all")
    if quantifier_name == "for_all":
        quantifier = for_all()
    elif quantifier_name == "with_probability":
        quantifier = with_probability(float(table.get("probability", 0.9)), over=str(table.get("over", "seed")))
    else:
        raise StatementError(f"quantifier {quantifier_name!r} is not available in TOML (for_all, with_probability)")
    # the model's small default domain, so that a conjecture gets a verdict in seconds; a
    # domain the file gives wins, parameter by parameter
    domain = {name: (float(lo), float(hi)) for name, (lo, hi) in (model.default_domain or {}).items()}
    given = table.get("domain") or {}
    if not isinstance(given, dict):
        raise StatementError("domain must be a table name = [lo, hi]")
    for name, bounds in given.items():
        if name not in model.param_names or not (isinstance(bounds, list) and len(bounds) == 2):
            raise StatementError(f"domain entry {name!r} must name a parameter and give [lo, hi]")
        domain[name] = (float(bounds[0]), float(bounds[1]))
    statement = Statement(
        id=table["id"], kind=table.get("kind", "conjecture"), model=model.name, conclusion=conclusion,
        hypotheses=tuple(hypotheses), constants=tuple(constants), quantifier=quantifier,
        source=str(table.get("source", f"conjecture file {origin}" if origin else "conjecture")),
        title=str(table.get("title", "")), doc=str(table.get("doc", "")), t_min=int(table.get("t_min", 0)),
        domain=domain, budget=table.get("budget"), origin=origin,
    )
    return statement


# ------------------------------------------------------------------ Python


def load_python(path: Path) -> list[Statement]:
    """The statements a Python conjecture file defines: top-level :class:`Statement` objects
    and ``@register`` builders of the file itself.

    Only what the file defines counts: a built-in family it imports (``from boundcheck.theorems import
    double_descent``) registers its builders while the file runs, and a statement it imports
    by name is a top-level value of the file too; neither is the file's own, and neither is
    checked as the file's claim (nor renamed to replay from the file). The family's builders
    stay registered for the built-in registry.
    """
    if not path.is_file():
        raise LoadError(f"no such conjecture file: {path}")
    name = f"boundcheck_user_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    before = len(_REGISTERED)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # user code: any failure is reported in one line
        _take_own_builders(before, name)
        sys.modules.pop(name, None)
        raise LoadError(f"{path} raised {type(exc).__name__} on import: {exc}") from None
    imported = _statements_of_other_modules(name)
    found = [value for value in vars(module).values() if isinstance(value, Statement) and id(value) not in imported]
    found += [build(b) for b in _take_own_builders(before, name)]
    if not found:
        raise LoadError(f"{path} defines no Statement")
    for statement in found:
        statement.origin = str(path)
        validate(statement)
    return found


def _take_own_builders(before: int, module_name: str) -> list:
    """Remove from the registry, and return, the builders registered since ``before`` by the
    module ``module_name``; builders of modules it imported (built-in families) stay."""
    added = _REGISTERED[before:]
    own = [b for b in added if getattr(b, "__module__", None) == module_name]
    _REGISTERED[before:] = [b for b in added if getattr(b, "__module__", None) != module_name]
    return own


def _statements_of_other_modules(module_name: str) -> set[int]:
    """Ids of the :class:`Statement` objects at the top level of every other loaded module:
    a user's file that holds one of them imported it."""
    found = set()
    for other_name, other in list(sys.modules.items()):
        if other_name == module_name or other is None:
            continue
        try:
            values = list(vars(other).values())
        except TypeError:
            continue
        found.update(id(v) for v in values if isinstance(v, Statement))
    return found
