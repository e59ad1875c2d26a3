"""False-alarm sweep (issue 12, item 9): no theorem may be VIOLATED.

Every built-in ``theorem`` quantified ``for_all`` or ``with_probability`` is verified at
``--budget`` (default 3000) under seeds other than the default (11 and 12); a VIOLATED
verdict is a *confirmed* violation (it survived the high-precision replay) of a claim
that is proved, i.e. a false alarm of the checker. The sweep prints one line per run
and a summary, writes every verdict as JSON lines to ``--out``, and exits 1 when any
theorem is VIOLATED (2 when one is ERROR).

    python benchmarks/false_alarm_sweep.py                      # everything, seeds 11 and 12
    python benchmarks/false_alarm_sweep.py --only ntk.cohen2021 --seeds 11
    python benchmarks/false_alarm_sweep.py --budget 300 --out sweep.jsonl

Counted per run: float64 violations found by the search (``violations``), those that
disappeared on replay (``artefacts``), cells left undecided in float64 and resolved in high
precision (from ``details["cells"]`` where the checker reports them) and instances outside
the hypotheses on observables (``outside``: e.g. a hypothesis met only within its rounding
error).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUANTIFIERS = ("for_all", "with_probability")


def theorems(only: str | None = None) -> list:
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.loading import validate

    return [validate(s) for s in all_statements().values()
            if s.kind == "theorem" and s.quantifier.kind in QUANTIFIERS and (not only or s.id.startswith(only))]


def sweep(budget: int = 3000, seeds: tuple[int, ...] = (11, 12), only: str | None = None, out: Path | None = None,
          echo=print) -> dict:
    """Verify every theorem at ``budget`` under each seed; returns the summary (and the rows)."""
    from boundcheck.verifiers.check import verify

    rows = []
    handle = out.open("w") if out else None
    started = time.perf_counter()
    try:
        for statement in theorems(only):
            for seed in seeds:
                verdict = verify(statement, budget=budget, seed=seed)
                cells = verdict.details.get("cells") or {}
                row = {"id": statement.id, "seed": seed, "budget": budget, "verdict": verdict.verdict,
                       "instances": verdict.instances, "outside": verdict.outside,
                       "violations": verdict.violations, "artefacts": verdict.artefacts,
                       "undecided": cells.get("undecided"), "resolved": cells.get("resolved_high_precision"),
                       "wall_s": round(verdict.wall_s, 1), "message": verdict.message}
                rows.append(row)
                if handle:
                    handle.write(json.dumps(row) + "\n")
                    handle.flush()
                echo(f"{statement.id:<58} seed {seed:>3}  {verdict.verdict:<12} instances {verdict.instances:>6}  "
                     f"outside {verdict.outside:>5}  float violations {verdict.violations:>3}  "
                     f"artefacts {verdict.artefacts:>3}  {verdict.wall_s:6.1f}s")
    finally:
        if handle:
            handle.close()
    confirmed = [r for r in rows if r["verdict"] == "VIOLATED"]
    summary = {
        "runs": len(rows), "theorems": len({r["id"] for r in rows}), "seeds": list(seeds), "budget": budget,
        "confirmed_violations": len(confirmed), "violated": [(r["id"], r["seed"]) for r in confirmed],
        "errors": [(r["id"], r["seed"], r["message"]) for r in rows if r["verdict"] == "ERROR"],
        "float_violations": sum(r["violations"] for r in rows), "artefacts": sum(r["artefacts"] for r in rows),
        "undecided_cells": sum(r["undecided"] or 0 for r in rows),
        "resolved_high_precision": sum(r["resolved"] or 0 for r in rows),
        "outside": sum(r["outside"] for r in rows),
        "verdicts": {v: sum(r["verdict"] == v for r in rows) for v in sorted({r["verdict"] for r in rows})},
        "wall_s": round(time.perf_counter() - started, 1), "rows": rows,
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--only", help="only theorems whose id starts with this")
    parser.add_argument("--out", type=Path, help="write every verdict as a JSON line here")
    args = parser.parse_args(argv)
    summary = sweep(args.budget, tuple(args.seeds), args.only, args.out, echo=lambda line: print(line, flush=True))
    shown = {k: v for k, v in summary.items() if k != "rows"}
    print(json.dumps(shown, indent=2))
    if summary["errors"]:
        return 2
    return 1 if summary["confirmed_violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
