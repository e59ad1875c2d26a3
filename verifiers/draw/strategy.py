"""A Hypothesis strategy of the instances a :class:`~boundcheck.verifiers.draw.plan.DrawPlan` admits.

Parameters are drawn in the model's order, each within the interval the plan solves for it
from those drawn before; a draw that leaves no admissible value is rejected, and every draw
shrinks toward the smallest instance (Hypothesis's integers and floats shrink toward the
low end of their range).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from boundcheck.verifiers.draw.plan import DrawPlan, Infeasible


def instances(plan: DrawPlan) -> st.SearchStrategy[dict[str, Any]]:
    """A Hypothesis strategy of admissible parameter dicts (rejects infeasible draws).

    A parameter whose interval holds one value takes it without a draw, and the strategies
    of each interval are built once (building and unwrapping them was a third of the
    drawing, and drawing most of an end-to-end verification of a small network)."""
    integers = functools.lru_cache(maxsize=4096)(st.integers)
    floats = functools.lru_cache(maxsize=4096)(
        lambda lo, hi, lo_open, hi_open: st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open,
                                                   allow_nan=False, allow_infinity=False))

    @st.composite
    def admissible(draw):
        values: dict[str, Any] = {}
        for p in plan.model.params:
            try:
                lo, hi, lo_open, hi_open, fixed = plan.interval(p.name, values)
                if p.kind in ("int", "seed"):
                    ilo, ihi = plan.integer_range(lo, hi, lo_open, hi_open, p.name)
                    values[p.name] = ilo if ilo == ihi else draw(integers(ilo, ihi))
                elif fixed is not None:
                    values[p.name] = fixed
                else:
                    values[p.name] = draw(floats(lo, hi, lo_open, hi_open))
            except Infeasible:
                reject()
        if not plan.checks_pass(values):
            reject()
        return values

    return admissible()


_own_cache: Any = None


@contextlib.contextmanager
def process_independent_draws() -> Iterator[None]:
    """Hypothesis's draws at a seed, the same in every process.

    Hypothesis (6.131 on) sometimes draws a constant found in the source of the *local*
    modules a process has imported (those outside site-packages: an editable install of
    boundcheck, a user's conftest), and caches the pool per range at its first use. The
    instances searched at a given ``--seed`` then depend on what the process imported
    before: measured on a conjecture false by a factor of 2, budget 100 at seed 0 was
    VIOLATED in a fresh process and HOLDS after the statement registry had been built.
    Within this block that pool is empty (Hypothesis's own global constants stay), so a
    verdict at a seed reproduces from the command line, in pytest and in a notebook alike.
    It uses two private names of ``hypothesis.internal.conjecture.providers``; where a
    Hypothesis version lacks them it does nothing (draws then vary as described).
    """
    global _own_cache
    try:
        from hypothesis.internal.conjecture import providers
        shared, local = providers.CONSTANTS_CACHE, providers._get_local_constants
        if _own_cache is None:
            _own_cache = type(shared)(1024)  # ranges cached with an empty local pool, ours alone
    except (ImportError, AttributeError, TypeError):
        yield
        return
    empty = providers.Constants()
    providers.CONSTANTS_CACHE, providers._get_local_constants = _own_cache, lambda: empty
    try:
        yield
    finally:
        providers.CONSTANTS_CACHE, providers._get_local_constants = shared, local
