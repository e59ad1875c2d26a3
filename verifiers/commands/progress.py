"""The one progress reporter of every command: a rich progress line on stderr with rate and ETA.

Nothing is drawn unless stderr is a terminal and the command was not asked for ``--json``
(:func:`wanted`); a disabled reporter accepts every call and does nothing, so commands use
it unconditionally. A reporter is the ``progress(done, total)`` callable that
:func:`boundcheck.verifiers.check.verify` and the campaign runners call; :meth:`Reporter.step`
names what is being done, :meth:`Reporter.note` prints a line above the bar (a kernel
compiling, a result), and :func:`kernel_status` says whether a model's numba kernels are
compiled already, cached on disk, or about to compile.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


def wanted(json_output: bool = False) -> bool:
    """Whether to draw progress: stderr is a terminal and the output is not machine-readable."""
    return not json_output and sys.stderr.isatty()


class Reporter:
    """A transient progress line: description, bar, done/total, rate (``unit``/s) and ETA."""

    def __init__(self, enabled: bool, unit: str = "examples"):
        self.enabled, self.unit = enabled, unit
        self._progress: Any = None
        self._task: Any = None

    # -------------------------------------------------------------- life cycle
    def __enter__(self) -> Reporter:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=sys.stderr), transient=True, redirect_stdout=False, redirect_stderr=False)
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._task = None, None

    # -------------------------------------------------------------- reporting
    def step(self, description: str, total: int | None = None) -> None:
        """Start a new line of work (the previous one disappears)."""
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total, rate="")

    def describe(self, description: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=description)

    def __call__(self, done: int, total: int) -> None:
        """``progress(done, total)``: advance the current line, with its rate in ``unit``/s."""
        if self._progress is None:
            return
        if self._task is None:
            self.step("", total)
        self._progress.update(self._task, completed=done, total=total)
        speed = self._progress.tasks[self._progress.task_ids.index(self._task)].speed
        rate = f"{speed:,.1f} {self.unit}/s" if speed else ""
        self._progress.update(self._task, rate=rate)

    def out(self, text: str) -> None:
        """A line of the command's output (stdout) while the bar may be drawn: above the bar when
        stdout is the terminal the bar is drawn on, else plainly to stdout (a file or a pipe)."""
        if self._progress is not None and sys.stdout.isatty():
            self._progress.console.print(text, highlight=False, markup=False, soft_wrap=True)
        else:
            print(text)

    def note(self, text: str) -> None:
        """A line above the progress bar (only when drawing)."""
        if self._progress is not None:
            self._progress.console.print(text, highlight=False, markup=False)


def kernel_status(model_name: str) -> str:
    """``compiled`` (in this process), ``cached`` (on disk: loading takes seconds), ``compiling`` (first
    use on this machine: up to a minute) or ``none`` (the model has no numba kernel), judged from the
    kernels loaded with the model's modules."""
    from boundcheck.verifiers.models import get_model

    get_model(model_name)
    try:
        from numba.core.registry import CPUDispatcher
    except ImportError:
        return "none"
    dispatchers = [value for name, module in list(sys.modules.items())
                   if name.startswith("boundcheck.verifiers.models") and module is not None
                   for value in vars(module).values() if isinstance(value, CPUDispatcher)]
    if not dispatchers:
        return "none"
    if all(d.signatures for d in dispatchers):
        return "compiled"
    for d in dispatchers:
        if d.signatures:
            continue
        try:
            from pathlib import Path

            if not Path(d._cache._cache_file._index_path).exists():
                return "compiling"
        except AttributeError:
            return "compiling"
    return "cached"


def verification(statement_id: str, model_name: str, enabled: bool) -> tuple[Reporter, Any]:
    """(reporter, progress callable) for one verification: the waiting line (kernels compiling or
    loading) until the first batch is done, then the statement id with rate and ETA."""
    reporter = Reporter(enabled).__enter__()
    if not enabled:
        return reporter, None
    reporter.step(waiting_line(statement_id, model_name))
    started = [False]

    def tick(done: int, total: int) -> None:
        if done and not started[0]:
            started[0] = True
            reporter.describe(statement_id)
        reporter(done, total)

    return reporter, tick


def waiting_line(statement_id: str, model_name: str) -> str:
    """What a verification is doing before its first batch is done."""
    status = kernel_status(model_name)
    if status == "compiling":
        return f"{statement_id}: compiling the numba kernels of {model_name} (first use on this machine, up to a minute)"
    if status == "cached":
        return f"{statement_id}: loading the cached kernels of {model_name}"
    return f"{statement_id}: drawing the first instances"
