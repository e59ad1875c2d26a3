"""boundcheck's statements: what deep-learning theory claims, written in sympy.

``import boundcheck.theorems`` imports nothing heavy by itself; the statement API below
loads (with sympy) on first use of any of its names (PEP 562), so that ``boundcheck list``
and ``boundcheck --help`` start without sympy. Numerics live in ``boundcheck.verifiers``.
"""

from __future__ import annotations

import importlib
from typing import Any

_QUANTIFIERS = ("Asymptotically", "ForAll", "InExpectation", "SumOfSquares", "WithProbability", "WorstCase",
                "sum_of_squares")
_STATEMENT = ("CLAIMS", "Constant", "Hypothesis", "Quantifier", "Source", "Statement", "StatementError",
              "asymptotically", "for_all", "in_expectation", "mutant", "observable", "register", "scalar", "t",
              "with_probability", "worst_case")
_HOME = {**{name: "quantifiers" for name in _QUANTIFIERS}, **{name: "statement" for name in _STATEMENT}}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """The statement API, imported from its module on first use."""
    if name in _HOME:
        value = getattr(importlib.import_module(f"boundcheck.theorems.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'boundcheck.theorems' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
