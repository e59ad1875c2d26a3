"""The page "How sharp is each check": per theorem, its claim, max tightness, eps, and its nearest mutant.

For every theorem the page shows what the evidence store holds for the theorem's current version:
the claim (``tight`` or ``upper bound``), the latest verdict and max tightness, the detection power
eps (``boundcheck power ID``: the smallest relative tightening of the bound that the checker catches
at the default budget; for a tight claim the checker's resolution, for an upper bound the room the
bound leaves), and among the theorem's mutants the one caught closest to the truth, with the margin
by which its counterexample breaks it:

    margin = (observed - bound) / |bound|   (a ``>=`` conclusion is evaluated as rhs <= lhs)

at the counterexample's cell. A small margin says the checker catches a false claim that is barely
false; "caught" without a margin is a mutant decided by a statistic (a mean or a rate) rather than
by one cell. Nothing here is measured while the page is built: it reads the store read-only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import sympy as sp

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.evidence.store import Store

PAGE = "sharpness.md"


def margin(statement: Statement, observed: float | None, bound: float | None) -> float | None:
    """How far past its bound the counterexample lies, relative to the bound (None if undefined)."""
    if observed is None or bound is None or not (math.isfinite(observed) and math.isfinite(bound)) or bound == 0:
        return None
    # the checker evaluates every inequality as observed <= bound (a ``>=`` as rhs <= lhs): the excess is
    # observed - bound either way; an identity is off by |observed - bound|
    excess = abs(observed - bound) if isinstance(statement.conclusion, sp.Eq) else observed - bound
    return excess / abs(bound)


def nearest_mutant(theorem: Statement, mutants: list[Statement], store: Store) -> dict[str, Any] | None:
    """The theorem's mutant caught with the smallest margin (caught mutants first; None if it has none)."""
    rows = []
    for m in mutants:
        latest = store.latest(m.id, m.hash())
        if latest is None:
            rows.append({"id": m.id, "verdict": "no evidence", "margin": None, "bound": None})
            continue
        found = store.run_counterexamples(latest["id"])
        cx = found[0] if found else {}
        rows.append({"id": m.id, "verdict": latest["verdict"], "margin": margin(m, cx.get("observed"), cx.get("bound")),
                     "bound": cx.get("bound")})
    if not rows:
        return None
    caught = [r for r in rows if r["verdict"] == "VIOLATED"]
    with_margin = [r for r in caught if r["margin"] is not None]
    if with_margin:
        return min(with_margin, key=lambda r: r["margin"])
    return (caught or rows)[0]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def sharpness_rows(statements: dict[str, Statement], store: Store) -> list[dict[str, Any]]:
    mutants: dict[str, list[Statement]] = {}
    for s in statements.values():
        if s.kind == "mutant" and s.mutant_of:
            mutants.setdefault(s.mutant_of, []).append(s)
    rows = []
    for s in statements.values():
        if s.kind != "theorem":
            continue
        latest = store.latest(s.id, s.hash())
        power = store.latest_power(s.id, s.hash())
        claim = (s.claim or "-") + (f" (eps moves `{s.power_constant}`)" if s.power_constant else "")
        rows.append({"id": s.id, "claim": claim, "verdict": latest["verdict"] if latest else None,
                     "max_tightness": latest["max_tightness"] if latest else None,
                     "epsilon": power["epsilon"] if power else None, "held_at": power["held_at"] if power else None,
                     "power_measured": power is not None,
                     "nearest": nearest_mutant(s, mutants.get(s.id, []), store)})
    return rows


def _eps_cell(row: dict[str, Any]) -> str:
    if not row["power_measured"]:
        return "not measured"
    if row["epsilon"] is None:
        return "> 1 (not caught)" if row["verdict"] == "HOLDS" else "-"
    return _fmt(row["epsilon"])


def _mutant_cell(row: dict[str, Any]) -> str:
    nearest = row["nearest"]
    if nearest is None:
        return "(no mutant)"
    if nearest["verdict"] != "VIOLATED":
        return f"`{nearest['id']}`: {nearest['verdict']}"
    if nearest["margin"] is None:
        return f"`{nearest['id']}`: caught (decided by a statistic)"
    return f"`{nearest['id']}`: caught by {100 * nearest['margin']:.3g}% at bound {_fmt(nearest['bound'])}"


def sharpness_page(statements: dict[str, Statement], store: Store | None, store_label: str) -> str:
    out = ["---", "orphan: true", "---", "", "(sharpness)=", "# How sharp is each check", "",
           "A theorem that HOLDS says more when the check could have failed. Per theorem: the claim, the max "
           "tightness of the latest run (observed / bound, 1 = attained), eps from `boundcheck power ID` (the "
           "smallest relative tightening of the bound that the checker catches at the default budget: for a "
           "`tight` claim the checker's resolution, for an `upper bound` the room the bound leaves on the "
           "instances drawn) and the theorem's mutant caught closest to the truth, with the margin "
           "(observed - bound) / |bound| of its counterexample. Evidence, not proof.", "",
           f"Read from the evidence store `{store_label}` (current statement versions only).", ""]
    if store is None:
        return "\n".join(out + ["No evidence store: run `boundcheck verify --all --power` first.", ""])
    out += ["| statement | claim | verdict | max tightness | eps | nearest mutant |", "|---|---|---|---:|---:|---|"]
    for row in sharpness_rows(statements, store):
        out.append(f"| `{row['id']}` | {row['claim']} | {row['verdict'] or 'no evidence'} | "
                   f"{_fmt(row['max_tightness'], 4)} | {_eps_cell(row)} | {_mutant_cell(row)} |")
    return "\n".join(out + [""])


def write_sharpness(source_dir: Path, statements: dict[str, Statement], store_path: Path | None) -> Path:
    """Write the page at ``source_dir / PAGE`` from the store at ``store_path`` (read-only)."""
    page = source_dir / PAGE
    if store_path is not None and Path(store_path).is_file():
        with Store(store_path, read_only=True) as store:
            text = sharpness_page(statements, store, str(store_path))
    else:
        text = sharpness_page(statements, None, "(none)")
    if not page.is_file() or page.read_text() != text:
        page.write_text(text)
    return page
