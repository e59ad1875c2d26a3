"""``verify --jobs N``: built-in statements verified by N processes at once.

Each statement's check is independent of every other: the same statement, budget and
seed draw the same instances in any process (:func:`boundcheck.verifiers.draw.strategy.
process_independent_draws`), and a kernel's result does not depend on how many threads
ran it (each instance's rows are written by one thread). So N worker processes verify N
statements at a time and give the verdicts one process gives, in about 1/N of the time.

One worker verifies all the statements of one model (:func:`by_model`), so that each
model's kernels are compiled, or loaded from numba's cache, by one process. Workers are
*spawned*, not forked: a fork of a process that holds numba's and the kernel pool's
threads may inherit a lock held by a thread that does not exist in the child. Each worker
runs its kernels and BLAS on one thread, so that N workers use N cores and no more. A
worker sends back each verdict as it is found (with ``--power``, with the power
measurement); the parent keeps the one store connection, records each verdict as it
arrives, and prints them in the order of the targets. Workers ignore Ctrl-C; the parent
stops them, and what was recorded stays recorded (``--resume`` goes on).

Only built-in statements go to workers: a user's conjecture file may define its own
model, and runs in the calling process, where the file was loaded and trusted.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: environment of a worker: one thread for the kernels (read by models.threads and numba)
#: and for BLAS, whichever BLAS NumPy was built with
ONE_THREAD = {name: "1" for name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_results: Any = None  # a worker's queue to the parent (set by _start_worker)


def _start_worker(results: Any) -> None:
    global _results
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _results = results


def _verify_group(task: tuple[list[tuple[int, str]], int | None, int, float | None, bool]) -> int:
    """Worker: verify built-in statements (position, id), all of one model, one after the other;
    each verdict goes to the parent as soon as it is found, as (position, verdict, power as a
    dict or None). With ``with_power``, a theorem that HOLDS is measured as ``verify --power``
    does. Returns how many were verified."""
    from boundcheck.theorems.registry import get
    from boundcheck.verifiers.check import verify
    from boundcheck.verifiers.loading import validate

    group, budget, seed, time_limit, with_power = task
    for position, statement_id in group:
        statement = validate(get(statement_id))
        verdict = verify(statement, budget=budget, seed=seed, time_limit=time_limit)
        measured = None
        if with_power and statement.kind == "theorem" and verdict.verdict == "HOLDS":
            from boundcheck.verifiers.power import power

            measured = power(statement, budget=budget, seed=seed, baseline=verdict).to_dict()
        _results.put((position, verdict, measured))
    return len(group)


@contextmanager
def _worker_environment() -> Iterator[None]:
    """:data:`ONE_THREAD` in ``os.environ`` while workers are spawned (they inherit it)."""
    saved = {name: os.environ.get(name) for name in ONE_THREAD}
    os.environ.update(ONE_THREAD)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def by_model(statements: Sequence[Any]) -> list[list[int]]:
    """The positions of ``statements`` grouped by model, largest group first (ties in order of
    first appearance). One worker verifies a whole group: each model's kernels are compiled (or
    loaded from the cache) by one process, not by every one; largest first balances the load."""
    groups: dict[str, list[int]] = {}
    for position, statement in enumerate(statements):
        groups.setdefault(statement.model, []).append(position)
    return sorted(groups.values(), key=len, reverse=True)


def verify_in_workers(statements: Sequence[Any], jobs: int, budget: int | None, seed: int,
                      time_limit: float | None, with_power: bool,
                      on_verdict: Callable[[int, Any, dict | None], None],
                      check_interrupt: Callable[[], None] = lambda: None) -> None:
    """Verify the built-in ``statements`` on ``jobs`` spawned processes, a model's statements by
    one process (:func:`by_model`); ``on_verdict(position, verdict, power)`` is called in this
    process as each verdict arrives.

    A KeyboardInterrupt stops the workers at once and propagates; every verdict already
    handed to ``on_verdict`` was handed over whole. ``check_interrupt`` is called while
    waiting, to raise a Ctrl-C that was swallowed (:mod:`~boundcheck.verifiers.commands.interrupt`).
    An exception in a worker is raised here.
    """
    groups = by_model(statements)
    tasks = [([(p, statements[p].id) for p in group], budget, seed, time_limit, with_power) for group in groups]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    with _worker_environment():
        pool = context.Pool(processes=min(jobs, len(tasks)), initializer=_start_worker, initargs=(results,))
    try:
        finished = pool.map_async(_verify_group, tasks, chunksize=1)
        for _ in range(len(statements)):
            while True:
                try:
                    position, verdict, measured = results.get(timeout=0.2)
                    break
                except queue.Empty:
                    check_interrupt()
                    if finished.ready():
                        finished.get()  # raises a worker's exception; else every verdict was sent:
                        position, verdict, measured = results.get()  # it is on its way
                        break
            on_verdict(position, verdict, measured)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
