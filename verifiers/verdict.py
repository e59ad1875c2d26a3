"""Verdicts: the same words and exit codes in the CLI, the JSON output and the store."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

EXIT_CODES = {"HOLDS": 0, "VIOLATED": 1, "ERROR": 2, "INCONCLUSIVE": 3, "VACUOUS": 3}

#: how bad an exit code is, when several targets are combined: ERROR over VIOLATED over
#: INCONCLUSIVE/VACUOUS over HOLDS (the exit codes of ``boundcheck --help``)
SEVERITY = {0: 0, 3: 1, 1: 2, 2: 3}

#: a mutant is a claim known to be false: its verdict is judged inverted (VIOLATED is what
#: it should get, HOLDS means the checker missed it)
INVERTED = {"VIOLATED": "HOLDS", "HOLDS": "VIOLATED"}


@dataclass(kw_only=True)
class Finding:
    """What a runner found for one statement: the verdict word and the evidence behind it.

    A runner (:mod:`boundcheck.verifiers.quantifiers`) returns one; the dispatcher
    (:func:`boundcheck.verifiers.check.verify`) assembles it with the statement's identity
    and the run's budget, seed and time into the :class:`Verdict`, once."""

    verdict: str = "ERROR"
    message: str = ""
    instances: int = 0
    outside: int = 0
    violations: int = 0
    artefacts: int = 0
    min_slack: float = math.inf
    max_tightness: float = 0.0
    counterexample: dict[str, Any] | None = None
    worst: dict[str, Any] | None = None
    tightest: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


#: the order of a verdict's keys in JSON: who, then what was found
IDENTITY = ("statement_id", "statement_hash", "kind")


@dataclass(kw_only=True)
class Verdict(Finding):
    """What checking one statement found: a :class:`Finding` with the statement it is about,
    the budget and seed it was found at, the time it took and what the statement expected."""

    statement_id: str
    statement_hash: str
    kind: str
    budget: int = 0
    seed: int = 0
    wall_s: float = 0.0
    expected: tuple[str, ...] = ()

    @classmethod
    def assemble(cls, statement: Any, finding: Finding, budget: int, seed: int, wall_s: float) -> Verdict:
        """The verdict on ``statement`` of one run that found ``finding``."""
        found = {f.name: getattr(finding, f.name) for f in fields(Finding)}
        return cls(statement_id=statement.id, statement_hash=statement.hash(), kind=statement.kind, budget=budget,
                   seed=seed, wall_s=wall_s, expected=tuple(statement.expected), **found)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def meets_expectation(self) -> bool | None:
        """True/False for theorems, mutants and proof steps; None for conjectures (not judged)."""
        if not self.expected:
            return None
        return self.verdict in self.expected

    def target_exit_code(self, reported_only: bool = False) -> int:
        """The exit code this verdict gives as one target of ``verify``.

        ERROR is 2 whatever the kind. A mutant is judged inverted (VIOLATED 0, HOLDS 1,
        INCONCLUSIVE/VACUOUS 3: an undecided mutant is not a caught one). A conjecture
        given as a target (a user's file, or a built-in one named by its id) is judged as
        a claim that should hold, like a theorem; with ``reported_only`` (built-in
        conjectures under ``--all``) it is reported and not judged: 0.
        """
        if self.verdict == "ERROR":
            return EXIT_CODES["ERROR"]
        if self.kind == "conjecture" and reported_only:
            return 0
        if self.kind == "mutant":
            return EXIT_CODES[INVERTED.get(self.verdict, self.verdict)]
        return self.exit_code

    @classmethod
    def from_record(cls, row: dict[str, Any], expected: tuple[str, ...] = ()) -> Verdict:
        """A verdict as the evidence store recorded it (``--resume`` counts it so)."""
        details = dict(row.get("details") or {})
        worst, tightest = details.pop("worst", None), details.pop("tightest", None)
        details["resumed_from_run"] = row.get("id")
        number = {"min_slack": math.inf, "max_tightness": 0.0}
        return cls(
            statement_id=row["statement_id"], statement_hash=row["statement_hash"], kind=row["kind"],
            verdict=row["verdict"], message=row.get("message") or "", instances=row.get("instances") or 0,
            outside=row.get("outside") or 0, violations=row.get("violations") or 0,
            artefacts=row.get("artefacts") or 0,
            **{k: (row[k] if row.get(k) is not None else default) for k, default in number.items()},
            budget=row.get("budget") or 0, seed=row.get("seed") or 0, wall_s=row.get("wall_s") or 0.0,
            worst=worst, tightest=tightest, details=details, expected=tuple(expected),
        )

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        out = {key: found.pop(key) for key in IDENTITY} | found
        out["expected"] = list(self.expected)
        out["meets_expectation"] = self.meets_expectation
        return _finite(out)

    def headline(self) -> str:
        if self.verdict == "HOLDS":
            resolution = self.details.get("resolution")
            reached = f" to +-{resolution:.2%}" if isinstance(resolution, float) and math.isfinite(resolution) else ""
            return (f"HOLDS{reached} on {self.instances} instances: min slack {self.min_slack:.3g}, "
                    f"max tightness {self.max_tightness:.4f}")
        return f"{self.verdict}: {self.message}"

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.headline()}"

    def _repr_html_(self) -> str:
        from boundcheck.verifiers.report.notebook import verdict_html

        return verdict_html(self)

    def _repr_latex_(self) -> str:
        from boundcheck.verifiers.report.notebook import verdict_latex

        return verdict_latex(self)


def _finite(value: Any) -> Any:
    """JSON has no inf/nan: write them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def combined_exit_code(codes: list[int]) -> int:
    """The worst of several targets' exit codes (0 for none): ERROR 2 over VIOLATED 1 over
    INCONCLUSIVE/VACUOUS 3 over HOLDS 0."""
    return max(codes, key=SEVERITY.__getitem__, default=0)
