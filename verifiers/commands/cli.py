"""The ``boundcheck`` command line: list, show, verify, and the commands of :data:`EXTRA_COMMANDS`.

Bad input is one line on stderr and exit 2, never a traceback; so is an internal failure
(an uncaught exception: ERROR, never the VIOLATED code 1), whose traceback ``--debug`` prints. ``list`` and ``show``
import neither numba nor cvxpy nor Dask. Commands beyond the core four live in their
own modules, named in :data:`EXTRA_COMMANDS`; each has ``add_arguments(parser)`` and
``main(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any

from boundcheck.verifiers.commands import arguments, targets
from boundcheck.verifiers.commands.interrupt import InterruptLatch
from boundcheck.verifiers.errors import BoundcheckError

TRUST_HELP = ("let TOML conjectures load model files (model = \"path.py:Name\"): that runs their Python code, "
              "so only for files you trust")
DEBUG_HELP = "on an internal failure, print the traceback (otherwise one line on stderr, exit 2)"
JSON_HELP = 'machine-readable output on stdout: {"schema": "boundcheck/1", "command": ..., "results": [...]}'
EPILOG = """exit codes:
  0    HOLDS: every target as expected (list, show, models, docs: success)
  1    VIOLATED: a counterexample (under --all: a theorem or mutant not as expected)
  2    ERROR: bad input (one line on stderr) or an internal failure
  3    INCONCLUSIVE (a statistical test undecided at this budget) or VACUOUS (no admissible instance)
  130  interrupted (Ctrl-C); the evidence recorded so far is kept (verify --resume goes on)
Several targets exit with the worst code of any one of them (2 over 1 over 3 over 0).

--json: one shape for every command, {"schema": "boundcheck/1", "command": ..., "results": [...]};
numbers as numbers; a non-finite number is null with "<key>_nonfinite": "inf" | "-inf" | "nan" beside it."""

EXTRA_COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module in boundcheck.verifiers.commands, one-line help)
    "models": ("models", "every model's parameters, observables, constraints, default domain and an example"),
    "replay": ("replay", "re-run one instance and print every observable against the bound"),
    "certify": ("certify", "SDP certificate: PEP worst case per N, or an exact SOS certificate"),
    "docs": ("docs", "build the documentation site from the statements and the evidence store"),
    "explore": ("explore", "validity region of one hypothesis: relax it and map where the conclusion holds"),
    "campaign": ("campaign", "a resumable sweep (grid x seeds in batches), in-process or on Dask"),
    "warm-up": ("warmup", "compile every model's numba kernels now (cached on disk) instead of at first use"),
    "power": ("power", "detection power: the smallest tightening of the bound (or value of a constant) caught"),
    "check-model": ("check_model", "a declared model's generated kernel vs its reference vs the mpmath replay, and speed"),
}


# ------------------------------------------------------------------ list / show


def cmd_list(args: argparse.Namespace) -> int:
    """The built-in statements, from the on-disk index (:mod:`.listing`): no sympy once it is built."""
    from boundcheck.verifiers.commands.listing import statement_rows

    rows = [r for r in statement_rows()
            if (not args.family or r["family"].startswith(args.family)) and (not args.kind or r["kind"] == args.kind)]
    if args.json:
        from boundcheck.verifiers.commands.output import dumps

        print(dumps("list", [{k: r[k] for k in ("id", "kind", "family", "model", "quantifier", "title", "hash")}
                             for r in rows]))
        return 0
    width = max((len(r["id"]) for r in rows), default=10)
    for r in rows:
        print(f"{r['id']:<{width}}  {r['kind']:<10}  {r['model']:<18}  {r['title'] or r['summary']}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.evidence.store import open_for_reading
    from boundcheck.verifiers.loading import load
    from boundcheck.verifiers.models import MODELS

    if args.id in MODELS:
        raise BoundcheckError(f"{args.id} is a model, not a statement: `boundcheck models {args.id}` shows it")
    for statement in load(args.id):
        print(statement)
        if statement.doc:
            print("\n" + "\n".join("  " + line for line in statement.doc.splitlines()))
        store = open_for_reading(args.store)  # show only reads: a read-only store will do, none is created
        latest = store.latest(statement.id, statement.hash()) if store else None
        measured = store.latest_power(statement.id, statement.hash()) if store else None
        if store:
            store.close()
        if latest:
            print(f"\n  latest evidence ({latest['code_version']}): {latest['verdict']} -- {latest['message']}")
            print(f"    instances {latest['instances']}, min slack {latest['min_slack']}, "
                  f"max tightness {latest['max_tightness']}, budget {latest['budget']}, seed {latest['seed']}")
        else:
            print("\n  no evidence recorded for this version of the statement")
        if measured:
            eps = measured["epsilon"]
            caught = "not caught even at eps = 1" if eps is None else f"eps = {eps:.3g}"
            print(f"  power ({measured['claim']}): {caught} -- {measured['body'].get('meaning', '')}")
    return 0


# ------------------------------------------------------------------ verify


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.3g}"
    return str(value)


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every target; the exit code is :func:`verify_exit_code` of the verdicts.

    With ``--resume``, a statement already recorded at this budget and seed is skipped
    and counts with its recorded verdict (a theorem recorded VIOLATED still exits 1).
    Several built-in statements are verified by ``--jobs`` processes at once
    (:mod:`boundcheck.verifiers.commands.parallel`); the output is in the order of the targets.
    """
    from boundcheck.verifiers.check import effective_budget
    from boundcheck.verifiers.evidence.store import Store

    started = time.perf_counter()
    statements = targets.statements(args.targets, args.all)
    store = Store(args.store)
    found: dict[int, tuple[Any, bool]] = {}  # position -> (verdict, resumed)
    printed = [0]

    def print_ready(out=print) -> None:
        """Print the verdicts found so far, in the order of the targets, up to the first one missing."""
        while printed[0] in found:
            verdict, resumed = found[printed[0]]
            printed[0] += 1
            if args.json:
                continue
            if resumed:
                out(f"{verdict.statement_id}: recorded already (skipped by --resume): {verdict.headline()}")
            else:
                _print_verdict(verdict, out)

    pending = []
    for position, statement in enumerate(statements):
        recorded = None
        if args.resume:
            recorded = store.recorded(statement.id, statement.hash(), effective_budget(statement, args.budget),
                                      args.seed)
        if recorded is not None:
            found[position] = (_resumed(store, recorded, statement), True)
        else:
            pending.append(position)
    jobs = _jobs(args, [statements[p] for p in pending])
    try:
        with InterruptLatch() as latch:
            if jobs > 1:
                _verify_in_workers(args, statements, pending, jobs, store, found, print_ready, latch)
            else:
                print_ready()
                for position in pending:
                    latch.check()
                    found[position] = (_verify_here(args, statements[position], store), False)
                    print_ready()
            latch.check()
    except KeyboardInterrupt:
        store.close()
        done = sum(1 for _, resumed in found.values() if not resumed)
        print(f"interrupted after {done} of {len(pending)} statements; their evidence is recorded "
              f"in {store.path}; run the same command with --resume to go on", file=sys.stderr)
        return 130
    store.close()
    verdicts = [found[position][0] for position in range(len(statements))]
    if args.json:
        from boundcheck.verifiers.commands.output import dumps, verdict_record

        print(dumps("verify", [verdict_record(v) for v in verdicts]))
    elif len(verdicts) > 1:
        _print_summary(verdicts, judged_by_expectation=args.all, elapsed=time.perf_counter() - started, jobs=jobs)
    return verify_exit_code(verdicts, all_=args.all)


def _jobs(args: argparse.Namespace, statements: Sequence[Any]) -> int:
    """How many processes verify ``statements``: ``--jobs``, by default one per CPU for
    ``--all`` and 1 otherwise, and at most one per model (a model's statements share a
    process); 1 when a statement comes from a user's file (it may define its own model,
    loaded and trusted in this process)."""
    from boundcheck.verifiers.commands.parallel import available_cpus

    jobs = args.jobs if args.jobs is not None else (available_cpus() if args.all else 1)
    if any(s.origin for s in statements):
        return 1
    return max(1, min(jobs, len({s.model for s in statements})))


def _verify_here(args: argparse.Namespace, statement, store) -> Any:
    """Verify one statement in this process, with its own progress line; record it (and its power)."""
    from boundcheck.verifiers.check import verify
    from boundcheck.verifiers.commands.progress import verification, wanted
    from boundcheck.verifiers.limits import FILE_TIME_LIMIT

    reporter, tick = verification(statement.id, statement.model, wanted(args.json))
    try:
        limit = args.timeout or (FILE_TIME_LIMIT if statement.origin else None)
        verdict = verify(statement, budget=args.budget, seed=args.seed, progress=tick, time_limit=limit)
    finally:
        reporter.close()
    store.record(verdict)
    if args.power and statement.kind == "theorem" and verdict.verdict == "HOLDS":
        from boundcheck.verifiers.power import power

        _record_power(store, statement, verdict, power(statement, budget=args.budget, seed=args.seed,
                                                        baseline=verdict).to_dict())
    return verdict


def _verify_in_workers(args: argparse.Namespace, statements, pending: list[int], jobs: int, store,
                       found: dict, print_ready, latch: InterruptLatch) -> None:
    """Verify ``statements[pending]`` on ``jobs`` processes; record and print each verdict as it arrives."""
    from boundcheck.verifiers.commands.parallel import verify_in_workers
    from boundcheck.verifiers.commands.progress import Reporter, wanted

    with Reporter(wanted(args.json), unit="statements") as reporter:
        reporter.step(f"verifying {len(pending)} statements on {jobs} processes", total=len(pending))
        print_ready(reporter.out)

        def arrived(index: int, verdict, measured: dict | None) -> None:
            position = pending[index]
            store.record(verdict)
            if measured is not None:
                _record_power(store, statements[position], verdict, measured)
            found[position] = (verdict, False)
            reporter(sum(1 for _, resumed in found.values() if not resumed), len(pending))
            print_ready(reporter.out)

        verify_in_workers([statements[p] for p in pending], jobs, args.budget, args.seed, args.timeout,
                          args.power, arrived, latch.check)


def _record_power(store, statement, verdict, measured: dict) -> None:
    """``verify --power``: the theorem's detection power, recorded and kept in its verdict's details."""
    store.record_power(statement.id, statement.hash(), measured)
    verdict.details["power"] = {"epsilon": measured["epsilon"], "held_at": measured["held_at"],
                                "claim": measured["claim"]}


def verify_exit_code(verdicts: Sequence[Any], all_: bool = False) -> int:
    """The exit code of ``verify`` (the "exit codes" of ``boundcheck --help``).

    ``--all`` judges each verdict against what its kind expects: 2 on any ERROR, else 1
    if any expectation fails (a theorem not HOLDS/VACUOUS, a mutant not VIOLATED), else 0;
    built-in conjectures are reported, not judged. Explicit targets exit with the worst
    code any one of them would give alone (:meth:`Verdict.target_exit_code`: ERROR 2 over
    VIOLATED 1 over INCONCLUSIVE/VACUOUS 3 over HOLDS 0, a mutant inverted, a conjecture
    judged as a claim that should hold), so adding a target never hides a failure.
    """
    from boundcheck.verifiers.verdict import EXIT_CODES, combined_exit_code

    if all_:
        if any(v.verdict == "ERROR" for v in verdicts):
            return EXIT_CODES["ERROR"]
        return EXIT_CODES["VIOLATED"] if any(v.meets_expectation is False for v in verdicts) else 0
    return combined_exit_code([v.target_exit_code() for v in verdicts])


def _resumed(store, row: dict[str, Any], statement) -> Any:
    """The recorded run ``row`` as a verdict, with its counterexample if it had one."""
    from boundcheck.verifiers.verdict import Verdict

    verdict = Verdict.from_record(row, statement.expected)
    for cx in store.counterexamples(statement.id, statement.hash()):
        if cx["run_id"] == row["id"]:
            verdict.counterexample = {
                "params": cx["params"], "t": cx["t"], "observed": cx["observed"], "bound": cx["bound"],
                "slack": cx["slack"], "replay_dps": cx["replay_dps"], "replay_observed": cx["replay_observed"],
                "replay_bound": cx["replay_bound"], "replay": cx["replay_command"]}
            break
    return verdict


def _print_verdict(v, out=print) -> None:
    out(f"{v.statement_id} [{v.kind}]: {v.headline()}  ({v.wall_s:.1f}s)")
    if v.counterexample:
        cx = v.counterexample
        out(f"  counterexample: {json.dumps(cx['params'], sort_keys=True)}")
        if "replay_observed" in cx:
            out(f"  at t = {cx['t']}: observed {cx['replay_observed']} > bound {cx['replay_bound']} "
                f"({cx['replay_dps']} digits)")
        out(f"  replay: {cx['replay']}")
    if v.details.get("rejection"):
        out(f"  note: {v.details['rejection']}")
    if decrease := v.details.get("decrease"):  # a rate statement: how far the runs fell, and the claim
        name = decrease["observable"]
        out(f"  progress: median {name}[T]/{name}[0] = {decrease['median_actual']:.3g} over {decrease['runs']} runs "
            f"(the bound claimed {decrease['median_claimed']:.3g})")
    if (informative := v.details.get("informative")) and informative.get("uninformative_runs"):
        median = informative["uninformative_median_bound"]
        out(f"  uninformative: {informative['uninformative_runs']} run(s) left out, their bound past the range "
            f"{informative['range']} of {informative['observable']} (median {median:.4g}); "
            f"{informative['informative_runs']} informative")
    if v.details.get("vacuity"):
        from boundcheck.verifiers.draw.vacuity import vacuity_line

        out(f"  {vacuity_line(v.details['vacuity'])}")


def _power_cell(verdict) -> str:
    """The eps column of ``verify --power``: '-' where no power was measured, '>1' where none was caught."""
    measured = verdict.details.get("power")
    if not measured:
        return "-"
    eps = measured["epsilon"]
    return ">1" if eps is None else f"{eps:.2g} ({'tight' if measured['claim'] == 'tight' else 'room'})"


def _print_summary(verdicts, judged_by_expectation: bool = True, elapsed: float | None = None, jobs: int = 1) -> None:
    width = max(len(v.statement_id) for v in verdicts)
    with_power = any("power" in v.details for v in verdicts)
    header = f"{'statement':<{width}}  {'kind':<10}  {'verdict':<12}  {'expected':<16}  {'ok':<3}  " \
             f"{'instances':>9}  {'max tight':>9}  {'min slack':>10}  {'time':>6}" + ("  eps" if with_power else "")
    print("\n" + header + "\n" + "-" * len(header))
    for v in verdicts:
        met = v.meets_expectation
        if not judged_by_expectation and v.kind == "conjecture":  # a named conjecture is a claim to hold
            met = v.verdict == "HOLDS"
        ok = {True: "yes", False: "NO", None: "-"}[met]
        expected = "/".join(v.expected) or ("(reported)" if judged_by_expectation or v.kind != "conjecture"
                                            else "HOLDS")
        print(f"{v.statement_id:<{width}}  {v.kind:<10}  {v.verdict:<12}  {expected:<16}  {ok:<3}  "
              f"{v.instances:>9}  {_fmt(v.max_tightness):>9}  {_fmt(v.min_slack):>10}  {v.wall_s:>5.1f}s"
              + (f"  {_power_cell(v)}" if with_power else ""))
    failed = [v for v in verdicts if v.meets_expectation is False
              or (not judged_by_expectation and v.kind == "conjecture" and v.verdict != "HOLDS")]
    total = sum(v.wall_s for v in verdicts)
    took = f"{total:.1f}s"
    if elapsed is not None and jobs > 1:
        took = f"{elapsed:.1f}s ({took} of checks on {jobs} processes)"
    print(f"\n{len(verdicts)} statements in {took}; "
          + ("every expectation met" if not failed else f"{len(failed)} expectation(s) NOT met: "
             + ", ".join(v.statement_id for v in failed)))
    if not judged_by_expectation:
        from boundcheck.verifiers.verdict import SEVERITY

        worst = max(verdicts, key=lambda v: SEVERITY[v.target_exit_code()])
        if worst.target_exit_code():
            print(f"exit {worst.target_exit_code()}: the worst of the targets ({worst.statement_id} {worst.verdict})")


# ------------------------------------------------------------------ entry point


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that keeps the arguments and subcommands added to it, so that the
    command line can describe itself (:func:`reference`) through public argparse API only."""

    def __init__(self, *args: Any, **kwargs: Any):
        self.added: list[argparse.Action] = []  # before argparse adds its own -h
        self.commands: dict[str, tuple[str, _Parser]] = {}
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.added.append(action)
        return action


def reference() -> tuple[str, list]:
    """The command line described for the documentation: its overview and every command."""
    from boundcheck.verifiers.report.pages import ArgumentHelp, CommandHelp

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        commands = []
        for name, (help_, command) in parser.commands.items():
            arguments = []
            for action in command.added:
                if action.dest == "help":
                    continue
                label = ", ".join(action.option_strings) or action.metavar or action.dest
                if action.option_strings and action.nargs != 0:
                    label += " " + (action.metavar or action.dest.upper())
                default = action.default if action.nargs != 0 and action.default not in (None, False) else None
                arguments.append(ArgumentHelp(label, action.help or "", tuple(map(str, action.choices or ())),
                                              default, bool(action.required and action.option_strings)))
            commands.append(CommandHelp(name, help_ or "", command.format_help(), tuple(arguments)))
        return parser.format_help(), commands
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def build_parser(selected: str | None = None) -> _Parser:
    """The parser of every command. The modules of :data:`EXTRA_COMMANDS` (some import NumPy or sympy)
    are imported to declare their arguments only when ``selected`` is their command, or when
    ``selected`` is None (every command in full, for :func:`reference`); otherwise their
    subcommand carries its one-line help only, which is all ``boundcheck --help`` shows."""
    from boundcheck import __version__

    parser = _Parser(prog="boundcheck", description="Check deep-learning theory against computation.",
                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"boundcheck {__version__}",
                        help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    parser.add_argument("--trust-model-files", action="store_true", help=TRUST_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_: str) -> _Parser:
        parser.commands[name] = (help_, sub.add_parser(name, help=help_, description=help_, epilog=EPILOG,
                                                       formatter_class=argparse.RawDescriptionHelpFormatter))
        return parser.commands[name][1]

    p = command("list", "list the built-in statements")
    p.add_argument("--family", help="only ids starting with this family")
    p.add_argument("--kind", choices=["theorem", "conjecture", "mutant", "proof_step"], help="only statements of this kind")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(run=cmd_list)

    p = command("show", "a statement: hypotheses, constants, source, latest evidence")
    p.add_argument("id", help="a built-in statement id, or a .toml/.py conjecture file")
    p.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")
    p.set_defaults(run=cmd_show)

    p = command("verify", "check statements (ids, .toml or .py files, or --all)")
    p.add_argument("targets", nargs="*", metavar="TARGET", help="statement ids or .toml/.py conjecture files")
    p.add_argument("--all", action="store_true", help="every built-in statement")
    p.add_argument("--budget", type=arguments.budget, help="Hypothesis examples (or Monte Carlo runs) per statement")
    p.add_argument("--seed", type=arguments.seed, default=0,
                   help="seed of the draws (the same seed and budget draw the same instances)")
    p.add_argument("--json", action="store_true", help=JSON_HELP + "; no progress bar")
    p.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")
    p.add_argument("--resume", action="store_true", help="skip statements already recorded at this budget and seed")
    p.add_argument("--timeout", type=arguments.seconds, metavar="SECONDS",
                   help="stop a statement still running after SECONDS: INCONCLUSIVE with what it checked "
                        "(default: 600 for conjecture files, none for built-in statements)")
    p.add_argument("--power", action="store_true",
                   help="also measure each theorem that HOLDS: the smallest tightening of its bound caught (eps)")
    p.add_argument("--jobs", type=arguments.jobs, metavar="N",
                   help="processes verifying built-in statements at once (default: one per CPU with --all, "
                        "else 1; statements from files run in this process)")
    p.set_defaults(run=cmd_verify)

    for name, (module, help_) in EXTRA_COMMANDS.items():
        p = command(name, help_)
        if selected is None or selected == name:
            mod = importlib.import_module(f"boundcheck.verifiers.commands.{module}")
            mod.add_arguments(p)
            p.set_defaults(run=mod.main)
    for p in sub.choices.values():  # `boundcheck verify X --debug` as well as `boundcheck --debug verify X`
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
        p.add_argument("--trust-model-files", action="store_true", default=argparse.SUPPRESS, help=TRUST_HELP)
    return parser


def selected_command(argv: Sequence[str]) -> str:
    """The command named on a command line: its first word that is not an option (the top-level
    options take no value). Empty when there is none (``boundcheck --help``)."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    from boundcheck.verifiers.hypothesis_home import for_this_process

    for_this_process()  # Hypothesis's files under .boundcheck/hypothesis, not ./.hypothesis
    parser = build_parser(selected_command(argv))
    args = parser.parse_args(argv)
    if args.trust_model_files:
        from boundcheck.verifiers.limits import TRUST_MODEL_FILES

        os.environ[TRUST_MODEL_FILES] = "1"
    try:
        return int(args.run(args) or 0)
    except BoundcheckError as exc:
        print(f"boundcheck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("boundcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal failure: ERROR (2), one line, never the VIOLATED code
        if getattr(args, "debug", False):
            traceback.print_exc()
        detail = str(exc).splitlines()[0] if str(exc) else ""
        print(f"boundcheck: internal error: {type(exc).__name__}{': ' + detail if detail else ''}"
              + ("" if getattr(args, "debug", False) else " (run with --debug for the traceback)"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
