"""What a model offers a conjecture's author: its declared vocabulary, as plain data.

:func:`describe` reads only what :class:`boundcheck.verifiers.models.base.Model` declares
(parameters with kind, range and meaning; observables, indexed or scalar; constraints;
``default_domain``) and adds an example conjecture: a built-in ``for_all`` statement on
the model written as TOML (its constants inlined), kept only if it loads back through the
TOML loader, so every example printed is one a user can paste. ``boundcheck models`` prints
it and ``boundcheck docs`` gives each model a page from it.
"""

from __future__ import annotations

import difflib
import math
import re
import textwrap
from typing import Any

_FUNCTION_NAMES = {"Min(": "min(", "Max(": "max(", "Abs(": "abs("}


def model_names() -> list[str]:
    from boundcheck.verifiers.models import MODELS

    return list(MODELS)


def unknown_model_message(name: str) -> str:
    """One line: ``name`` is no model; the closest names and every known one."""
    names = model_names()
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return (f"unknown model {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            + f" (models: {', '.join(names)})")


def _number(value: float) -> float | int | None:
    """A range end as JSON gives it: an int where integral, None for an infinity."""
    if isinstance(value, float) and math.isinf(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def summary(doc: str) -> str:
    """The first paragraph of a model's docstring, without its ````name``:`` prefix."""
    first = textwrap.dedent(doc or "").strip().split("\n\n")[0].replace("\n", " ")
    return re.sub(r"^``[^`]+``:\s*", "", first)


def _toml_text(expr) -> str:
    """``expr`` in the syntax of the TOML parser (``==`` for an equality, lower-case function names)."""
    import sympy as sp

    if isinstance(expr, sp.Eq):
        return f"{_toml_text(expr.lhs)} == {_toml_text(expr.rhs)}"
    text = sp.sstr(expr)
    for sympy_name, parser_name in _FUNCTION_NAMES.items():
        text = text.replace(sympy_name, parser_name)
    return text


def example_conjecture(model_name: str) -> tuple[str, str] | None:
    """(TOML text, id of the built-in it restates) for the first built-in ``for_all`` statement on
    the model that loads back from TOML with the same conclusion; None when there is none."""
    import tomllib

    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.loading import statement_from_table

    for statement in all_statements().values():
        if statement.model != model_name or statement.quantifier.kind != "for_all" or statement.kind != "theorem":
            continue
        hypotheses = [_toml_text(statement.substituted(h.relation)) for h in statement.hypotheses]
        conclusion = _toml_text(statement.substituted(statement.conclusion))
        lines = ["[conjecture]", f'id = "mine.{model_name.replace(".", "_")}_example"', f'model = "{model_name}"',
                 "hypotheses = [" + ", ".join(f'"{h}"' for h in hypotheses) + "]",
                 f'conclusion = "{conclusion}"', 'quantifier = "for_all"']
        if statement.t_min:
            lines.append(f"t_min = {statement.t_min}")
        if statement.domain:
            lines += ["", "[conjecture.domain]"]
            lines += [f"{k} = [{_number(lo)}, {_number(hi)}]" for k, (lo, hi) in statement.domain.items()]
        text = "\n".join(lines) + "\n"
        try:
            loaded = statement_from_table(tomllib.loads(text)["conjecture"])
        except Exception:  # noqa: BLE001 -- an example that does not load back is not offered
            continue
        if _toml_text(loaded.conclusion) == conclusion:
            return text, statement.id
    return _template(model_name)


def _template(model_name: str) -> tuple[str, str] | None:
    """A conjecture to edit where no built-in restates as TOML: the first observable against itself."""
    from boundcheck.verifiers.models import get_model

    model = get_model(model_name)
    if not model.observables:
        return None
    first = model.observables[0]
    conclusion = f"{first.name}[t] <= {first.name}[0]" if first.indexed else f"{first.name} <= 1"
    return (f'[conjecture]\nid = "mine.{model_name.replace(".", "_")}_example"\nmodel = "{model_name}"\n'
            f'hypotheses = []\nconclusion = "{conclusion}"\nquantifier = "for_all"\n'), ""


def describe(name: str, example: bool = True) -> dict[str, Any]:
    """Everything model ``name`` declares, as JSON-ready data (KeyError: no such model)."""
    from boundcheck.verifiers.models import MODELS, get_model

    if name not in MODELS:
        raise KeyError(unknown_model_message(name))
    model = get_model(name)
    domain = model.default_domain or {}
    found = example_conjecture(name) if example else None
    return {
        "name": model.name,
        "summary": summary(model.doc),
        "parameters": [{"name": p.name, "type": p.kind, "lo": _number(p.lo), "hi": _number(p.hi),
                        "meaning": p.doc,
                        "default_domain": ([_number(domain[p.name][0]), _number(domain[p.name][1])]
                                           if p.name in domain else None)} for p in model.params],
        "observables": [{"name": o.name, "indexed": o.indexed, "meaning": o.doc} for o in model.observables],
        "constraints": [{"name": label, "relation": _toml_text(relation)} for label, relation in model.constraints],
        "default_domain": {k: [_number(lo), _number(hi)] for k, (lo, hi) in domain.items()},
        "example": {"toml": found[0], "restates": found[1] or None} if found else None,
    }


def _range(lo: Any, hi: Any) -> str:
    return f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"


def text(description: dict[str, Any]) -> str:
    """A model's description for a terminal."""
    d = description
    out = [f"{d['name']}: {d['summary']}", "", "  parameters (type, range, default conjecture domain, meaning):"]
    width = max((len(p["name"]) for p in d["parameters"]), default=4)
    for p in d["parameters"]:
        default = _range(*p["default_domain"]) if p["default_domain"] else "(full range)"
        out.append(f"    {p['name']:<{width}}  {p['type']:<5}  {_range(p['lo'], p['hi']):<24}  {default:<14}  "
                   f"{p['meaning']}")
    for indexed, label in ((True, "observables indexed by t (write name[t], name[0], ...)"),
                           (False, "scalar observables (write name)")):
        rows = [o for o in d["observables"] if o["indexed"] == indexed]
        if rows:
            width = max(len(o["name"]) for o in rows)
            out += ["", f"  {label}:"] + [f"    {o['name']:<{width}}  {o['meaning']}" for o in rows]
    if d["constraints"]:
        out += ["", "  built-in constraints (every instance meets them):"]
        out += [f"    {c['name']}: {c['relation']}" for c in d["constraints"]]
    if d["example"]:
        origin = (f"restates the built-in {d['example']['restates']}" if d["example"]["restates"]
                  else "a template to edit, not a known result")
        out += ["", f"  example conjecture ({origin}; parameters without a domain entry are drawn from the "
                    "default conjecture domain):", ""]
        out += ["    " + line for line in d["example"]["toml"].splitlines()]
    return "\n".join(out)
