"""boundcheck's statements: what deep-learning theory claims, written in sympy.

``import boundcheck.theorems`` imports sympy and nothing heavier; numerics live in
``boundcheck.verifiers``.
"""

from boundcheck.theorems.quantifiers import (
    Asymptotically,
    ForAll,
    InExpectation,
    SumOfSquares,
    WithProbability,
    WorstCase,
    sum_of_squares,
)
from boundcheck.theorems.statement import (
    CLAIMS,
    Constant,
    Hypothesis,
    Quantifier,
    Source,
    Statement,
    StatementError,
    asymptotically,
    for_all,
    in_expectation,
    mutant,
    observable,
    register,
    scalar,
    t,
    with_probability,
    worst_case,
)

__all__ = [
    "CLAIMS", "Asymptotically", "Constant", "ForAll", "Hypothesis", "InExpectation", "Quantifier", "Source",
    "Statement", "StatementError", "SumOfSquares", "WithProbability", "WorstCase", "asymptotically", "for_all",
    "in_expectation", "mutant", "observable", "register", "scalar", "sum_of_squares", "t", "with_probability",
    "worst_case",
]
