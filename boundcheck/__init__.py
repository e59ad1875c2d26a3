"""boundcheck: the theorems of deep-learning theory, checked against computation.

The public API, one import root::

    import boundcheck
    verdict = boundcheck.verify("classical.pl.linear_rate", budget=50)
    print(verdict)                       # HOLDS on ... instances: min slack ..., max tightness ...

    [statement] = boundcheck.load("examples/false_pl_fast_rate.toml")
    boundcheck.verify(statement)         # a Statement, an id, or a file holding one statement

Statements are written with :class:`Statement`, :class:`Hypothesis`, :class:`Constant`,
the quantifiers and the observables (``boundcheck.theorems``, sympy only); they are checked
by ``boundcheck.verifiers``. ``import boundcheck`` loads nothing heavy: the statement API (with sympy) loads on first use
of one of its names, numba, cvxpy and the models when a statement is first verified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boundcheck.theorems import __all__ as _STATEMENT_API  # the statement API, listed once there; loaded lazily

if TYPE_CHECKING:
    from boundcheck.theorems import Statement
    from boundcheck.verifiers.verdict import Verdict

__version__ = "0.1.0"


def load(target: str) -> list[Statement]:
    """The statements named by ``target``: a built-in id, a family prefix, a .toml or .py file
    (a relative path resolves against the current folder). Malformed input raises
    :class:`boundcheck.verifiers.errors.LoadError` with a one-line message."""
    from boundcheck.verifiers.loading import load as load_target

    return load_target(str(target))


def verify(target: Statement | str, budget: int | None = None, seed: int = 0) -> Verdict:
    """Check one statement (a :class:`Statement`, an id, or a file that holds exactly one)
    at ``budget`` and ``seed``; returns its :class:`Verdict` (nothing is recorded)."""
    from boundcheck.theorems.statement import Statement
    from boundcheck.verifiers.check import verify as check
    from boundcheck.verifiers.errors import LoadError
    from boundcheck.verifiers.loading import validate

    if isinstance(target, Statement):
        statement = validate(target)
    else:
        statements = load(target)
        if len(statements) != 1:
            raise LoadError(f"{target} holds {len(statements)} statements; verify them one by one: "
                            f"[boundcheck.verify(s) for s in boundcheck.load({str(target)!r})]")
        statement = statements[0]
    from boundcheck.verifiers.hypothesis_home import while_checking

    with while_checking():  # Hypothesis's files under .boundcheck/hypothesis, not ./.hypothesis
        return check(statement, budget=budget, seed=seed)


def __getattr__(name: str) -> Any:
    """The statement API (sympy), ``boundcheck.models``, ``boundcheck.Verdict`` (NumPy) and
    ``boundcheck.to_frame`` (a pandas DataFrame of verdicts) load on first use."""
    if name in _STATEMENT_API:
        import boundcheck.theorems

        return getattr(boundcheck.theorems, name)
    if name == "models":
        from boundcheck.verifiers import models

        return models
    if name == "Verdict":
        from boundcheck.verifiers.verdict import Verdict

        return Verdict
    if name == "to_frame":
        from boundcheck.verifiers.report.notebook import to_frame

        return to_frame
    raise AttributeError(f"module 'boundcheck' has no attribute {name!r}")


__all__ = [*_STATEMENT_API, "Verdict", "load", "models", "to_frame", "verify"]  # the API, models, Verdict: lazy, __getattr__


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
