"""What a newcomer waits for: numba compilation on a fresh machine, and a fresh process.

* :func:`compile_times` — each model's kernels compiled cold (numba's on-disk cache pointed
  at an empty folder with ``NUMBA_CACHE_DIR``, so the user's own cache is untouched), then
  the same again warm (loaded from that cache): ``boundcheck warm-up MODEL`` in a process
  of its own, wall and CPU seconds (CPU is the figure to compare on a shared machine);
* :func:`fresh_process` — a one-instance ``verify`` and ``list`` in a new interpreter,
  kernels cached (imports and set-up only);
* :func:`verify_all_times` — ``boundcheck verify --all`` in a fresh process, cold (an empty
  numba cache: what a newcomer's first run pays) and then warm, on one process per CPU, and
  warm on one process (``--jobs 1``).

Each figure is a child process's; the load average is recorded beside it because wall
times on a shared machine are only comparable within one run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time


def _timed(args: list[str], env: dict[str, str] | None = None, timeout: int = 1800) -> dict:
    """Wall and CPU (user + system) seconds of one child process; ``failed`` says why it failed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row = {"wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0]}
    if proc.returncode not in (0, 3):  # 3: VACUOUS / INCONCLUSIVE is a verdict, not a failure
        row["failed"] = f"exit {proc.returncode}: {' '.join(proc.stderr.strip().splitlines()[-1:])}"
    return row


def _boundcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "boundcheck", *args]


def compile_times(models: list[str]) -> list[dict]:
    """Cold and warm ``warm-up`` of each model, each in a fresh process and a fresh cache."""
    rows = []
    for name in models:
        with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            cold = _timed(_boundcheck("warm-up", name), env)
            warm = _timed(_boundcheck("warm-up", name), env)
        rows.append({"model": name, "cold": cold, "warm": warm})
    return rows


def fresh_process(statement: str, repeats: int = 2) -> dict[str, dict[str, float]]:
    """The fastest of ``repeats`` fresh-process runs of a one-instance verify and of list."""
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        store = os.path.join(folder, "evidence.sqlite")
        verify = [_timed(_boundcheck("verify", statement, "--budget", "1", "--store", store)) for _ in range(repeats)]
    listing = [_timed(_boundcheck("list")) for _ in range(repeats)]
    return {"verify": min(verify, key=lambda r: r["wall_s"]), "list": min(listing, key=lambda r: r["wall_s"])}


def verify_all_times() -> dict[str, dict]:
    """``boundcheck verify --all`` as a user runs it (one process per CPU) cold (empty numba
    cache) and warm, then warm on one process (``--jobs 1``, the figure before ``--jobs``),
    each in a fresh process with a fresh store; ``failed`` also when an expectation is not
    met (exit 1)."""
    with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache, \
            tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        runs = {}
        for label, extra in (("cold", ()), ("warm", ()), ("warm, --jobs 1", ("--jobs", "1"))):
            store = os.path.join(folder, f"{label.split(',')[0]}-{len(runs)}.sqlite")
            runs[label] = _timed(_boundcheck("verify", "--all", "--store", store, *extra), env, timeout=3600)
    return runs
