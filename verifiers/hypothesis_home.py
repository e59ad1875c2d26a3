"""Hypothesis's files (example database, constants cache) under ``.boundcheck/hypothesis``.

Hypothesis writes to ``./.hypothesis`` unless told otherwise; boundcheck writes nothing to
the current folder but ``.boundcheck/``. The command line sets ``HYPOTHESIS_STORAGE_DIRECTORY``
for its own process (:func:`for_this_process`); a library call into a user's process (the
pytest plugin, ``boundcheck.verify``) moves the folder only while it runs
(:func:`while_checking`) and puts back what the user had, so the user's own Hypothesis
tests keep their settings. ``HYPOTHESIS_STORAGE_DIRECTORY``, when the user sets it, wins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "HYPOTHESIS_STORAGE_DIRECTORY"
#: Hypothesis's module-level record of the home folder (None until it is first set or used)
_HOME = "__hypothesis_home_directory"


def folder() -> Path:
    return Path.cwd() / ".boundcheck" / "hypothesis"


def for_this_process() -> None:
    """Before Hypothesis runs in a process of boundcheck's own (the CLI)."""
    os.environ.setdefault(ENV, str(folder()))


@contextmanager
def while_checking() -> Iterator[None]:
    """Hypothesis's home under ``.boundcheck/hypothesis`` for the duration of a check."""
    if os.environ.get(ENV):
        yield
        return
    from hypothesis import configuration

    previous = vars(configuration).get(_HOME)
    configuration.set_hypothesis_home_dir(folder())
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)
