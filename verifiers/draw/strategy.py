"""A Hypothesis strategy of the instances a :class:`~boundcheck.verifiers.draw.plan.DrawPlan` admits.

Parameters are drawn in the model's order, each within the interval the plan solves for it
from those drawn before; a draw that leaves no admissible value is rejected, and every draw
shrinks toward the smallest instance (Hypothesis's integers and floats shrink toward the
low end of their range).
"""

from __future__ import annotations

from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from boundcheck.verifiers.draw.plan import DrawPlan, Infeasible


def instances(plan: DrawPlan) -> st.SearchStrategy[dict[str, Any]]:
    """A Hypothesis strategy of admissible parameter dicts (rejects infeasible draws)."""
    @st.composite
    def admissible(draw):
        values: dict[str, Any] = {}
        for p in plan.model.params:
            try:
                lo, hi, lo_open, hi_open, fixed = plan.interval(p.name, values)
                if p.kind in ("int", "seed"):
                    ilo, ihi = plan.integer_range(lo, hi, lo_open, hi_open, p.name)
                    values[p.name] = draw(st.integers(ilo, ihi))
                elif fixed is not None:
                    values[p.name] = fixed
                else:
                    values[p.name] = draw(st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open,
                                                    allow_nan=False, allow_infinity=False))
            except Infeasible:
                reject()
        if not plan.checks_pass(values):
            reject()
        return values

    return admissible()
