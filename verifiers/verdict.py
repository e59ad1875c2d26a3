"""Verdicts: the same words and exit codes in the CLI, the JSON output and the store."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

EXIT_CODES = {"HOLDS": 0, "VIOLATED": 1, "ERROR": 2, "INCONCLUSIVE": 3, "VACUOUS": 3}


@dataclass
class Verdict:
    """What checking one statement found."""

    statement_id: str
    statement_hash: str
    kind: str
    verdict: str
    message: str = ""
    instances: int = 0
    outside: int = 0
    violations: int = 0
    artefacts: int = 0
    min_slack: float = math.inf
    max_tightness: float = 0.0
    budget: int = 0
    seed: int = 0
    wall_s: float = 0.0
    counterexample: dict[str, Any] | None = None
    worst: dict[str, Any] | None = None
    tightest: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    expected: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def meets_expectation(self) -> bool | None:
        """True/False for theorems, mutants and proof steps; None for conjectures (not judged)."""
        if not self.expected:
            return None
        return self.verdict in self.expected

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["expected"] = list(self.expected)
        out["meets_expectation"] = self.meets_expectation
        return _finite(out)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def headline(self) -> str:
        if self.verdict == "HOLDS":
            return (f"HOLDS on {self.instances} instances: min slack {self.min_slack:.3g}, "
                    f"max tightness {self.max_tightness:.4f}")
        return f"{self.verdict}: {self.message}"


def _finite(value: Any) -> Any:
    """JSON has no inf/nan: write them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
