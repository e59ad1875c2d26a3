"""Argument types of the command line: a bad value is refused by argparse before anything runs.

Each is an ``argparse`` ``type=`` function: it turns the text into a value or raises
:class:`argparse.ArgumentTypeError`, so that ``--budget -5``, ``--budget 0`` (which
quietly meant the default), ``--seed -1`` or ``--dps 3`` end in exit 2 with the usage
and one error line on stderr, and nothing is run or recorded. The limits are those of
:mod:`boundcheck.verifiers.limits`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from boundcheck.verifiers.limits import MAX_BUDGET, MAX_DPS, MAX_SEED, MAX_TIME_LIMIT, MIN_DPS


def integer_in(lo: int, hi: int, what: str) -> Callable[[str], int]:
    """A ``type=`` function accepting a decimal integer in [lo, hi]."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text[:40]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be in [{lo}, {hi:,}], got {text[:40]}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


#: ``--budget``: Hypothesis examples (or Monte Carlo runs) per statement, 1 to MAX_BUDGET
budget = integer_in(1, MAX_BUDGET, "budget")
#: ``--seed``: 0 to 2**32 - 1
seed = integer_in(0, MAX_SEED, "seed")
#: ``--dps``: digits of a high-precision replay, float64's 16 to MAX_DPS
dps = integer_in(MIN_DPS, MAX_DPS, "dps")
#: a count of something (instances, workers, steps): 1 to 1,000,000
count = integer_in(1, 1_000_000, "count")
#: ``--jobs``: processes working at once, 1 to 256
jobs = integer_in(1, 256, "jobs")


def seconds(text: str) -> float:
    """``--timeout``: a positive number of seconds, at most a day."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"seconds must be a number, got {text[:40]!r}") from None
    if not 0 < value <= MAX_TIME_LIMIT:
        raise argparse.ArgumentTypeError(f"seconds must be in (0, {MAX_TIME_LIMIT:,.0f}], got {text[:40]}")
    return value
