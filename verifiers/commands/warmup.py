"""``boundcheck warm-up``: compile every model's numba kernels ahead of the first verification.

The kernels are compiled with ``cache=True``, so compilation is paid once per machine
(per source change), not once per process. This command pays it up front — after
``pip install``, in a container build, before a timed run — by running each model on
the smallest instance that meets the hypotheses of each of its statements, and says
how long each took (cold, up to 30 s for one model and about 65 s for all of them on
2 cores; about 3 s for all once cached).
"""

from __future__ import annotations

import argparse
import time


def warm_up(models: list[str] | None = None, reporter=None) -> list[tuple[str, float, str]]:
    """(model, seconds, note) for each model: run on each statement's smallest admissible instance.
    ``reporter`` (:class:`boundcheck.verifiers.commands.progress.Reporter`) shows which model is
    compiling and how many are done, with the rate and ETA."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.theorems.statement import StatementError
    from boundcheck.verifiers.draw.plan import DrawPlan, Infeasible
    from boundcheck.verifiers.draw.sampler import smallest
    from boundcheck.verifiers.models import MODELS, get_model

    by_model: dict[str, list] = {}
    for statement in all_statements().values():
        if statement.quantifier.kind in ("worst_case", "sum_of_squares"):
            continue  # certified by an SDP, not by running the model
        by_model.setdefault(statement.model, []).append(statement)
    report = []
    names = models or sorted(MODELS)
    for done, name in enumerate(names):
        start = time.perf_counter()
        model = get_model(name)
        if reporter is not None:
            from boundcheck.verifiers.commands.progress import kernel_status

            status = kernel_status(name)
            verb = {"compiling": "compiling the numba kernels of", "cached": "loading the cached kernels of"}
            reporter.describe(f"{verb.get(status, 'running')} {name}")
            reporter(done, len(names))
        # every statement's smallest instance: statements fix different code paths (gradient
        # descent or flow, spectra on or off, closed forms), each a kernel of its own
        batch = []
        for statement in by_model.get(name, []):
            try:
                params = smallest(DrawPlan(statement, model))
            except (Infeasible, StatementError):
                continue
            if params not in batch:
                batch.append(params)
        if not batch:
            note = "no sampled statement uses it (certificates only): not compiled"
            report.append((name, time.perf_counter() - start, note))
            continue
        for params in batch:  # one at a time: a batch of mixed shapes may take one path only
            model.run([params])
        report.append((name, time.perf_counter() - start, f"{len(batch)} instances"))
        if reporter is not None:
            reporter(done + 1, len(names))
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("models", nargs="*", help="model names (default: every model)")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.errors import BoundcheckError
    from boundcheck.verifiers.models import MODELS

    unknown = [name for name in args.models if name not in MODELS]
    if unknown:
        raise BoundcheckError(f"unknown model {unknown[0]!r}; known: {', '.join(sorted(MODELS))}")
    from boundcheck.verifiers.commands.progress import Reporter, wanted

    total = 0.0
    with Reporter(wanted(), unit="models") as reporter:
        reporter.step("warming up", total=len(args.models or MODELS))
        report = warm_up(args.models or None, reporter if reporter.enabled else None)
    for name, seconds, note in report:
        total += seconds
        print(f"{name:<28} {seconds:6.2f}s" + (f"  {note}" if note else ""))
    print(f"every kernel ready in {total:.1f}s")
    return 0
