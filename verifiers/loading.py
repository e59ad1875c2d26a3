"""Loading statements: built-in ids, Python conjecture modules, TOML conjecture files.

A TOML file is untrusted input: its expressions go through the whitelist parser of
:mod:`boundcheck.theorems.parse`, against the names its model declares. A Python module is
trusted code (like a test file): it is imported, and every :class:`Statement` it
defines at top level, or builds with ``@register``, is loaded.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import sympy as sp

from boundcheck.theorems import registry
from boundcheck.theorems.parse import ParseError, parse_expression
from boundcheck.theorems.statement import (
    MAX_HYPOTHESES,
    QUANTIFIERS,
    Constant,
    Hypothesis,
    Quantifier,
    Statement,
    StatementError,
    build,
    observable,
    unregister_module,
)
from boundcheck.verifiers.errors import LoadError
from boundcheck.verifiers.limits import MAX_BUDGET, MAX_T_MIN, TRUST_MODEL_FILES
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.declared.loader import is_file_reference, resolve_reference

#: the quantifiers a TOML file may name (``quantifier = "..."``); each takes its fields, with
#: the names and defaults of its Python constructor, as keys of the same table
TOML_QUANTIFIERS = ("for_all", "with_probability", "in_expectation", "asymptotically", "worst_case")
def model_files_trusted() -> bool:
    """Whether a TOML conjecture may load a model file (see :data:`TRUST_MODEL_FILES`)."""
    return os.environ.get(TRUST_MODEL_FILES, "") == "1"


QUANTIFIER_KEYS = {f.name for name in TOML_QUANTIFIERS for f in dataclasses.fields(QUANTIFIERS[name])}
TOML_KEYS = {"id", "model", "hypotheses", "conclusion", "quantifier", "kind", "constants", "t_min", "budget",
             "title", "source", "domain", "doc", "claim"} | QUANTIFIER_KEYS


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
    except (ValueError, RecursionError) as exc:  # an integer of over 4,300 digits; nesting too deep
        raise LoadError(f"{path}: unreadable TOML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None
    section = data.get("conjecture") or data.get("statement")
    if not isinstance(section, dict):
        raise LoadError(f"{path}: expected a [conjecture] table")
    try:
        statement = statement_from_table(section, origin=str(path))
    except (ParseError, StatementError) as exc:
        raise LoadError(f"{path}: {exc}") from None
    return validate(statement)


def statement_from_table(table: dict[str, Any], origin: str = "") -> Statement:
    """A statement from a parsed TOML table (every expression through the whitelist parser).

    Every value is checked for its type before it is used; an ill-typed one is a
    :class:`StatementError` naming the key and what it expects.
    """
    unknown = set(table) - TOML_KEYS
    if unknown:
        raise StatementError(f"unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(TOML_KEYS))})")
    for key in ("id", "model", "conclusion"):
        if not isinstance(table.get(key), str):
            raise StatementError(f"missing or non-text key {key!r}")
    for key in ("kind", "title", "source", "doc", "claim"):
        if key in table and not isinstance(table[key], str):
            raise StatementError(f"{key} must be text, got {_shown(table[key])}")
    if is_file_reference(table["model"]) and not model_files_trusted():
        raise StatementError(f"model {table['model']!r} is a Python file, and loading it runs its code: a TOML "
                             f"conjecture is the format for untrusted input, so model files are refused unless "
                             f"trusted ({TRUST_MODEL_FILES}=1 or boundcheck --trust-model-files)")
    try:  # a model file "path.py:Name" is relative to the TOML file (trusted code: loading runs it)
        model = get_model(resolve_reference(table["model"], origin))
    except (KeyError, ValueError, OSError) as exc:
        raise StatementError(str(exc).strip("'\"")) from None
    symbols = {p.name: p.symbol() for p in model.params}
    for o in model.observables:
        if not o.indexed:
            symbols.setdefault(o.name, sp.Symbol(o.name, real=True))
    constants = []
    given_constants = table.get("constants", {})
    if not isinstance(given_constants, dict):
        raise StatementError(f"constants must be a table name = number, got {_shown(given_constants)}")
    for name, value in given_constants.items():
        if not name.isidentifier():
            raise StatementError(f"constant {name[:40]!r} is not a name")
        if name in symbols or name in model.indexed_names or name in ("t", "pi"):
            raise StatementError(f"constant {name!r} names a parameter or observable of {model.name}")
        number = _number(f"constant {name}", value)
        symbol = sp.Symbol(name, real=True)
        symbols[name] = symbol
        constants.append(Constant(symbol, sp.nsimplify(number) if isinstance(number, float) else number, "assumed",
                                  f"given in {origin or 'the file'}"))
    indexed = {name: observable(name) for name in model.indexed_names}
    hypotheses_in = table.get("hypotheses", [])
    if isinstance(hypotheses_in, list):
        named = {f"h{k + 1}": text for k, text in enumerate(hypotheses_in)}
    elif isinstance(hypotheses_in, dict):
        named = hypotheses_in
    else:
        raise StatementError("hypotheses must be a list of expressions or a table name = expression")
    if len(named) > MAX_HYPOTHESES:
        raise StatementError(f"more than {MAX_HYPOTHESES} hypotheses")
    hypotheses = []
    for name, text in named.items():
        if not name.isidentifier():
            raise StatementError(f"hypothesis name {name[:40]!r} is not a name")
        if not isinstance(text, str):
            raise StatementError(f"hypothesis {name} must be an expression as text, got {_shown(text)}")
        try:
            hypotheses.append(Hypothesis(name, parse_expression(text, symbols, indexed, relation=True)))
        except ParseError as exc:
            raise StatementError(f"hypothesis {name}: {exc}") from None
    try:
        conclusion = parse_expression(table["conclusion"], symbols, indexed, relation=True)
    except ParseError as exc:
        raise StatementError(f"conclusion: {exc}") from None
    quantifier = quantifier_from_table(table)
    _sizes_within_the_model(quantifier, model)
    statement = Statement(
        id=table["id"], kind=table.get("kind", "conjecture"), model=model.name, conclusion=conclusion,
        hypotheses=tuple(hypotheses), constants=tuple(constants), quantifier=quantifier,
        source=table.get("source", f"conjecture file {origin}" if origin else "conjecture"),
        title=table.get("title", ""), doc=table.get("doc", ""), claim=table.get("claim", ""),
        t_min=_integer("t_min", table.get("t_min", 0), 0, MAX_T_MIN),
        domain=domain_from_table(table, model),
        budget=None if "budget" not in table else _integer("budget", table["budget"], 1, MAX_BUDGET),
        origin=origin,
    )
    return statement


def domain_from_table(table: dict[str, Any], model: Any) -> dict[str, tuple[float, float]]:
    """The model's small default domain, so that a conjecture gets a verdict in seconds; a
    ``domain`` the file gives wins, parameter by parameter, and must lie in the model's ranges."""
    domain = {name: (float(lo), float(hi)) for name, (lo, hi) in (model.default_domain or {}).items()}
    given = table.get("domain", {})
    if not isinstance(given, dict):
        raise StatementError(f"domain must be a table name = [lo, hi], got {_shown(given)}")
    for name, bounds in given.items():
        if name not in model.param_names:
            raise StatementError(f"domain entry {name[:40]!r} is not a parameter of {model.name} "
                                 f"(it has: {', '.join(model.param_names)})")
        if not (isinstance(bounds, list) and len(bounds) == 2):
            raise StatementError(f"domain entry {name!r} must be [lo, hi], got {_shown(bounds)}")
        lo, hi = (_number(f"domain entry {name}", b) for b in bounds)
        p = model.param(name)
        if not (p.lo <= lo <= hi <= p.hi):
            raise StatementError(f"domain entry {name!r} = [{lo:g}, {hi:g}] must have lo <= hi within the model's "
                                 f"range [{p.lo:g}, {p.hi:g}]")
        domain[name] = (float(lo), float(hi))
    return domain


def quantifier_from_table(table: dict[str, Any]) -> Quantifier:
    """``quantifier = "<kind>"`` (default ``for_all``) with its fields as keys of the table, under the
    names and defaults of the Python constructor (``with_probability(probability, over, confidence=0.95,
    settings=None)`` is ``probability = 0.9``, ``over = "seed"``, ...)."""
    kind = table.get("quantifier", "for_all")
    if not isinstance(kind, str) or kind not in TOML_QUANTIFIERS:
        shown = repr(kind[:40]) if isinstance(kind, str) else _shown(kind)
        raise StatementError(f"quantifier {shown} is not available in TOML ({', '.join(TOML_QUANTIFIERS)})")
    cls = QUANTIFIERS[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    stray = sorted((set(table) & QUANTIFIER_KEYS) - set(fields))
    if stray:
        raise StatementError(f"{stray[0]!r} is not a field of quantifier {kind} "
                             f"(its fields: {', '.join(fields) or 'none'})")
    values = {name: _field_value(kind, name, str(f.type), table[name]) for name, f in fields.items() if name in table}
    missing = [name for name, f in fields.items() if name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise StatementError(f"quantifier {kind} needs {missing[0]!r} (its fields: {', '.join(fields)})")
    return cls(**values)


def _sizes_within_the_model(quantifier: Quantifier, model: Any) -> None:
    """An ``asymptotically`` quantifier's sizes (and the parameters its ratios tie to them) within
    the model's ranges: a size past them is refused here, not run."""
    along, sizes = quantifier.get("along"), quantifier.get("sizes")
    if not sizes or along not in model.param_names:
        return
    ties = [(along, 1.0)] + [(name, float(c)) for name, c in quantifier.get("ratios", ())]
    for name, c in ties:
        if name not in model.param_names:
            raise StatementError(f"asymptotically ratios name {name[:40]!r}, which is not a parameter of {model.name}")
        p = model.param(name)
        if not all(p.lo <= round(c * size) <= p.hi for size in sizes):
            raise StatementError(f"asymptotically sizes {list(sizes)} take {name} outside the model's range "
                                 f"[{p.lo:g}, {p.hi:g}]")


def _field_value(kind: str, name: str, annotation: str, value: Any) -> Any:
    """A TOML value checked against the type a quantifier field declares."""
    key = f"{kind} {name}"
    if annotation.startswith("tuple[tuple"):
        if not isinstance(value, list) or not all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
                                                  for v in value):
            raise StatementError(f"{key} must be a list of [parameter, number] pairs, got {_shown(value)}")
        return tuple((v[0], _number(key, v[1])) for v in value)
    if annotation.startswith("tuple[int"):
        if not isinstance(value, list):
            raise StatementError(f"{key} must be a list of integers, got {_shown(value)}")
        return tuple(_integer(key, v, 1, 10**9) for v in value)
    if annotation.startswith("int"):
        return _integer(key, value, 1, MAX_BUDGET)
    if annotation.startswith("str"):
        if not isinstance(value, str):
            raise StatementError(f"{key} must be text, got {_shown(value)}")
        return value
    if "tuple[float" in annotation and isinstance(value, list):  # a number or a list of numbers
        if not value:
            raise StatementError(f"{key} must be a number or a non-empty list of numbers, got {_shown(value)}")
        return tuple(_number(key, v) for v in value)
    return _number(key, value)


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _number(key: str, value: Any) -> int | float:
    """A finite number float64 holds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StatementError(f"{key} must be a number, got {_shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise StatementError(f"{key} must be a finite number, got {value}")
    if isinstance(value, int) and abs(value) >= 1e300:  # a float64 holds it, and every later conversion works
        raise StatementError(f"{key} must be a number below 1e300 in magnitude")
    return value


def _integer(key: str, value: Any, lo: int, hi: int) -> int:
    """An integer in [lo, hi] (a float, even 3.0, or a boolean is refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementError(f"{key} must be an integer, got {_shown(value)}")
    if not lo <= value <= hi:
        raise StatementError(f"{key} must be an integer in [{lo}, {hi:,}], got {value if abs(value) < 10**20 else '...'}")
    return value


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
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # user code: any failure is reported in one line
        unregister_module(name)
        sys.modules.pop(name, None)
        raise LoadError(f"{path} raised {type(exc).__name__} on import: {exc}") from None
    imported = _statements_of_other_modules(name)
    found = [value for value in vars(module).values() if isinstance(value, Statement) and id(value) not in imported]
    found += [build(b) for b in unregister_module(name)]
    if not found:
        raise LoadError(f"{path} defines no Statement")
    for statement in found:
        statement.origin = str(path)
        validate(statement)
    return found


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
