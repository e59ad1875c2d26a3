"""boundcheck's statements: what deep-learning theory claims, written in sympy.

``import theorems`` imports sympy and nothing heavier; numerics live in ``verifiers``.
"""

from boundcheck.theorems.statement import (
    Constant,
    Hypothesis,
    Quantifier,
    Source,
    Statement,
    StatementError,
    asymptotically,
    for_all,
    in_expectation,
    observable,
    register,
    scalar,
    t,
    with_probability,
    worst_case,
)

__all__ = [
    "Constant", "Hypothesis", "Quantifier", "Source", "Statement", "StatementError",
    "asymptotically", "for_all", "in_expectation", "observable", "register", "scalar",
    "t", "with_probability", "worst_case",
]
