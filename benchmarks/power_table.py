"""The detection power of every built-in theorem, as a Markdown table (``benchmarks/results/power.md``).

For each theorem (``--only`` narrows by id prefix) this measures :func:`boundcheck.verifiers.power.power`
at the statement's default budget and seed 0, records it in the evidence store (``record_power``) and
writes one row: claim, baseline verdict, max tightness, eps (the smallest relative tightening caught)
with the largest that held, what eps means for that claim, and the seconds the measurement took.
``--constants`` adds the empirical constants (``power --constant``) of Du et al. 2019: the radius
constant of the weight movement and the width constant. ``--table-only`` measures nothing and
rebuilds the table from the store (the newest measurement of each statement's current version), so
that subsets measured in separate processes land in one table.

    python benchmarks/power_table.py                       # every theorem (long: see the table's footer)
    python benchmarks/power_table.py --only classical. ntk.
    python benchmarks/power_table.py --constants --only none
    python benchmarks/power_table.py --table-only

Evidence, not proof: eps is measured on the instances the default budget draws.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.evidence.store import Store
from boundcheck.verifiers.power import constant_power, power

DEFAULT_OUT = Path(__file__).parent / "results" / "power.md"
#: Du et al. 2019's constants probed by ``--constants``: (statement, constant, budget). The width constant
#: runs at 400 draws (8 settings of 50): at the default 16 a setting holds 2 draws, and a failure rate can
#: never be shown below delta = 0.1, so every value would be undecided
DU_CONSTANTS = (("ntk.du2019.weight_movement", "C_radius", None), ("ntk.du2019.linear_convergence", "C_width_gd", 400))


def theorems(prefixes: list[str]) -> list:
    chosen = [s for s in all_statements().values() if s.kind == "theorem"]
    if prefixes:
        chosen = [s for s in chosen if any(s.id.startswith(p) for p in prefixes)]
    return chosen


def measure(statements: list, store: Store, skip_measured: bool = False) -> None:
    for statement in statements:
        if skip_measured and store.latest_power(statement.id, statement.hash()) is not None:
            continue
        started = time.perf_counter()
        result = power(statement)
        body = result.to_dict() | {"wall_s": round(time.perf_counter() - started, 1)}
        store.record_power(statement.id, statement.hash(), body)
        print(f"{statement.id}: eps {result.epsilon} (held at {result.held_at}), max tightness "
              f"{result.max_tightness:.4g}, {body['wall_s']} s", file=sys.stderr, flush=True)


def measure_constants(store: Store) -> None:
    statements = all_statements()
    for sid, name, budget in DU_CONSTANTS:
        started = time.perf_counter()
        result = constant_power(statements[sid], name, budget=budget)
        body = result.to_dict() | {"wall_s": round(time.perf_counter() - started, 1)}
        store.record_power(sid, statements[sid].hash(), body)
        print(f"{sid} {name}: holds down to {result.holds_down_to}, violated at {result.violated_at}, "
              f"{body['wall_s']} s", file=sys.stderr, flush=True)


def _number(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _baseline(body: dict) -> str:
    runs = body.get("runs") or []
    return runs[0]["verdict"] if runs else "-"


def table(store: Store, statements: list) -> str:
    lines = ["| statement | claim | baseline | max tightness | eps caught | held at | runs | time (s) |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    total, missing, tight_over = 0.0, [], []
    for s in statements:
        row = store.latest_power(s.id, s.hash())
        if row is None:
            missing.append(s.id)
            lines.append(f"| `{s.id}` | {s.claim or '-'} | not measured | | | | | |")
            continue
        body = row["body"] if isinstance(row["body"], dict) else {}
        wall = body.get("wall_s") or sum(r.get("wall_s", 0.0) for r in body.get("runs", []))
        total += wall
        eps = row["epsilon"]
        if s.claim == "tight" and (eps is None or eps > 0.01) and _baseline(body) == "HOLDS":
            tight_over.append(s.id)
        shown_eps = ">1 (not caught)" if eps is None and _baseline(body) == "HOLDS" else _number(eps)
        claim = (s.claim or "-") + (f" (eps moves `{s.power_constant}`)" if s.power_constant else "")
        lines.append(f"| `{s.id}` | {claim} | {_baseline(body)} | {_number(row['max_tightness'], 4)} | "
                     f"{shown_eps} | {_number(row['held_at'])} | {len(body.get('runs', []))} | {wall:.1f} |")
    lines += ["", f"Measured time in total: {total:.0f} s over {len(statements) - len(missing)} theorems "
                  f"(the time each power measurement took, baseline run included)."]
    if missing:
        lines.append(f"Not measured for the current version: {', '.join(f'`{m}`' for m in missing)}.")
    if tight_over:
        lines.append("Tight claims whose eps is above 0.01 (the target for a tight claim): "
                     + ", ".join(f"`{m}`" for m in tight_over) + ".")
    return "\n".join(lines)


def constants_table(store: Store) -> str:
    statements = all_statements()
    lines = ["| statement | constant | stated | budget | holds down to | violated at | runs | time (s) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for sid, name, _ in DU_CONSTANTS:
        row = store.latest_power(sid, statements[sid].hash(), constant=name)
        if row is None:
            lines.append(f"| `{sid}` | `{name}` | | | not measured | | | |")
            continue
        body = row["body"] if isinstance(row["body"], dict) else {}
        wall = body.get("wall_s") or sum(r.get("wall_s", 0.0) for r in body.get("runs", []))
        budget = body.get("budget") or "default"
        lines.append(f"| `{sid}` | `{name}` | {_number(body.get('value'), 6)} | {budget} | "
                     f"{_number(row['holds_down_to'], 4)} | "
                     f"{_number(row['violated_at'], 4)} | {len(body.get('runs', []))} | {wall:.1f} |")
    return "\n".join(lines)


def page(store: Store, statements: list) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        "# Detection power of every theorem",
        "",
        "eps: the smallest relative tightening of the bound that the checker catches at the statement's "
        "default budget and seed 0 (`boundcheck power ID`). For a `tight` claim it is the checker's "
        "resolution (target <= 0.01); for an `upper bound` it is the room the bound leaves on the instances "
        "drawn. `held at`: the largest tightening that was not caught. A baseline other than HOLDS "
        "(VACUOUS: no runnable instance meets the hypotheses) has no power to measure. Evidence, not proof.",
        "",
        f"Generated by `benchmarks/power_table.py` on {platform.machine()} with {os.cpu_count()} CPU(s), "
        f"load average {load:.1f} when written ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "",
        table(store, statements),
        "",
        "## Empirical constants of Du et al. 2019",
        "",
        "`boundcheck power ID --constant NAME`: the smallest value of the constant at which the statement "
        "still HOLDS at its default budget (halving from the stated value, then bisecting).",
        "",
        constants_table(store),
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="id prefixes to measure (default: every theorem)")
    parser.add_argument("--constants", action="store_true", help="also probe Du et al.'s radius and width constants")
    parser.add_argument("--table-only", action="store_true", help="measure nothing; rebuild the table from the store")
    parser.add_argument("--skip-measured", action="store_true",
                        help="leave out theorems whose current version already has a power measurement")
    parser.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"the Markdown table (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    with Store(args.store) as store:
        if not args.table_only:
            if args.constants:
                measure_constants(store)
            measure(theorems(args.only), store, args.skip_measured)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(page(store, theorems([])))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
