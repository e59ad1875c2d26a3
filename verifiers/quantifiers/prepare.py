"""What every sampling runner starts from: the model, the draw plan and the conclusion of a
statement, and the VACUOUS verdict when the hypotheses admit no instance."""

from __future__ import annotations

from typing import Any

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.decide.conclusion import (
    Conclusion,
)
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import vacuity
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models.base import Model
from boundcheck.verifiers.verdict import Finding


def prepare(statement: Statement) -> tuple[Model, DrawPlan, Conclusion]:
    model = get_model(statement.model)
    return model, DrawPlan(statement, model), Conclusion(statement, model)


def vacuous_verdict(found: Finding, plan: DrawPlan, seed: int) -> Finding | None:
    report = vacuity(plan, seed=seed)
    if report is None:
        return None
    found.verdict, found.message = "VACUOUS", report["reason"]
    found.details["demanded"] = report["demanded"]
    return found


def short_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
