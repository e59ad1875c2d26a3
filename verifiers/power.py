"""Detection power: how much sharper a claim would have to be before the checker catches it.

``power(statement)`` is the smallest relative tightening eps in [1e-4, 1] at which the
statement with its bound moved by eps of its own size — ``lhs <= rhs - eps |rhs|`` for an
upper bound, ``lhs >= rhs + eps |rhs|`` for a lower bound, ``lhs = (1 + eps) rhs`` for an
identity — is VIOLATED at the statement's default budget and seed. An identity checked as a
residual within a rounding tolerance names instead the coefficient to move
(``Statement.power_constant``): eps is then the relative change of that constant caught. It is found by
bisection on log(eps), assuming (as a claim made stronger can only fail more often) that
being caught is monotone in eps. The first bracket is placed around the room the
unmodified run's tightness leaves (1 - max tightness), then bisected to within 7.5%;
``epsilon`` is the smallest eps caught, ``held_at`` the largest that held or stayed
undecided.

What the number means depends on the claim: for a *tight* claim (attained on the model) it
is the checker's resolution — how close to the truth a false variant may come and still be
caught; for an *upper bound* it measures the room the bound leaves on the instances drawn.

Cells that hold with equality by construction (``t = 0`` of ``rate**t X[0]``) are kept
untouched in the tightened claim: tightening them would be "caught" there, and say nothing.

``constant_power(statement, name)`` asks the theorist's question "could this constant be
smaller?": the smallest value of one named constant at which the statement still HOLDS at
the budget, by bisection between a value that held and one that was VIOLATED. Evidence,
not proof: the budget's instances are all it has seen.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from boundcheck.theorems.statement import Statement, StatementError, t
from boundcheck.verifiers.check import effective_budget, verify
from boundcheck.verifiers.verdict import Verdict

EPS_LOW, EPS_HIGH = 1e-4, 1.0
#: the bisection on log(eps) stops when the bracket [lo, hi] is within this factor
RESOLUTION = 1.075
#: the first bracket: the room the baseline's tightness leaves, times and divided by this
GUESS_FACTOR = 1.25


@dataclass
class PowerResult:
    """The outcome of one power measurement, with every run it made."""

    id: str
    claim: str
    budget: int | None
    seed: int
    max_tightness: float
    epsilon: float | None  # smallest tightening caught (None: not caught even at eps = 1)
    held_at: float | None  # largest tightening that was not caught (None: caught at the lowest eps)
    constant: str | None = None
    value: float | None = None  # the constant's stated value (constant mode)
    holds_down_to: float | None = None  # constant mode: the smallest value that HOLDS
    moved: str | None = None  # an identity's power: the constant moved by (1 + eps) (Statement.power_constant)
    violated_at: float | None = None  # constant mode: the largest value found VIOLATED
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def meaning(self) -> str:
        if self.constant is not None:
            return (f"smallest value of {self.constant} that still HOLDS at this budget: evidence from the "
                    "instances drawn, not a proof")
        if self.moved is not None:
            return (f"the checker's resolution on the identity: its coefficient {self.moved} changed by this "
                    "relative amount is caught")
        if self.claim == "tight":
            return "the checker's resolution: a claim this much sharper than a tight bound is caught"
        return "the room this upper bound leaves on the instances drawn"

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "epsilon": self.epsilon, "held_at": self.held_at, "max_tightness": self.max_tightness,
               "budget": self.budget, "seed": self.seed, "claim": self.claim, "meaning": self.meaning,
               "runs": self.runs}
        if self.moved is not None:
            out["moved"] = self.moved
        if self.constant is not None:
            out = {"id": self.id, "constant": self.constant, "value": self.value, "holds_down_to": self.holds_down_to,
                   "violated_at": self.violated_at, "budget": self.budget, "seed": self.seed, "claim": self.claim,
                   "meaning": self.meaning, "runs": self.runs}
        return out


def claim_of(statement: Statement) -> str:
    return getattr(statement, "claim", None) or "upper bound"


def tightened(statement: Statement, eps: float, trivial_t: frozenset[int] = frozenset()) -> Statement:
    """``statement`` with its bound moved by ``eps`` of its size towards violation."""
    relation = statement.conclusion
    lhs, rhs = relation.lhs, relation.rhs
    eps_ = sp.Float(eps)
    if isinstance(relation, (sp.Le, sp.Lt)):
        shifted = rhs - eps_ * sp.Abs(rhs)
    elif isinstance(relation, (sp.Ge, sp.Gt)):
        shifted = rhs + eps_ * sp.Abs(rhs)
    elif isinstance(relation, sp.Eq):
        shifted = (1 + eps_) * rhs
    else:
        raise StatementError(f"{statement.id}: power needs an inequality or an identity, not {relation}")
    if trivial_t:
        shifted = sp.Piecewise((rhs, sp.Or(*(sp.Eq(t, k) for k in sorted(trivial_t)))), (shifted, True))
    return dataclasses.replace(statement, conclusion=relation.func(lhs, shifted, evaluate=False),
                               id=f"{statement.id}.tightened", kind="conjecture")


def _trivial_t(statement: Statement) -> frozenset[int]:
    if statement.quantifier.kind not in ("for_all", "with_probability"):
        return frozenset()
    from boundcheck.verifiers.decide.conclusion import Conclusion
    from boundcheck.verifiers.models import get_model

    return Conclusion(statement, get_model(statement.model)).trivial_t


def _record(result: PowerResult, label: str, value: float, verdict: Verdict) -> bool:
    caught = verdict.verdict == "VIOLATED"
    result.runs.append({label: value, "verdict": verdict.verdict, "instances": verdict.instances,
                        "wall_s": round(verdict.wall_s, 3), "message": verdict.message})
    return caught


def power(statement: Statement, budget: int | None = None, seed: int = 0, progress=None,
          baseline: Verdict | None = None) -> PowerResult:
    """The smallest tightening eps in [1e-4, 1] that the checker catches (see the module docstring).
    ``baseline`` is the statement's own verdict at this budget and seed, where the caller has it
    (``verify --power``); it is not verified a second time."""
    if baseline is None or (baseline.statement_hash, baseline.budget, baseline.seed) != (
            statement.hash(), effective_budget(statement, budget), seed):
        baseline = verify(statement, budget=budget, seed=seed)
    result = PowerResult(statement.id, claim_of(statement), budget, seed, baseline.max_tightness, None, None)
    result.runs.append({"eps": 0.0, "verdict": baseline.verdict, "instances": baseline.instances,
                        "wall_s": round(baseline.wall_s, 3), "message": baseline.message})
    trivial = _trivial_t(statement)

    moved = statement.power_constant  # an identity within a rounding tolerance: move its coefficient
    if moved:
        result.moved = moved
        stated = float(next(c.value for c in statement.constants if c.symbol.name == moved))

    def caught(eps: float) -> bool:
        if progress:
            progress(f"{moved} x (1 + {eps:.3g})" if moved else f"eps = {eps:.3g}")
        probe = with_constant(statement, moved, stated * (1 + eps)) if moved else tightened(statement, eps, trivial)
        return _record(result, "eps", eps, verify(probe, budget=budget, seed=seed))

    # the baseline's tightness says where to look: an upper bound attained to tau leaves about
    # 1 - tau of room on the instances drawn; bracket around that guess, then bisect
    guess = min(EPS_HIGH, max(EPS_LOW, 1.0 - baseline.max_tightness)) if baseline.max_tightness > 0 else EPS_HIGH
    lo, hi = EPS_LOW, EPS_HIGH
    above = min(EPS_HIGH, guess * GUESS_FACTOR)
    if caught(above):
        hi = above
        below = guess / GUESS_FACTOR
        if below <= EPS_LOW:
            if caught(EPS_LOW):
                result.epsilon = EPS_LOW
                return result
        elif caught(below):
            hi = below
            if caught(EPS_LOW):
                result.epsilon = EPS_LOW
                return result
        else:
            lo = below
    else:
        lo = above
        if above < EPS_HIGH and not caught(EPS_HIGH):
            result.held_at = EPS_HIGH
            return result
        if above >= EPS_HIGH:
            result.held_at = EPS_HIGH
            return result
    while hi / lo > RESOLUTION:
        mid = math.sqrt(lo * hi)
        if caught(mid):
            hi = mid
        else:
            lo = mid
    result.epsilon, result.held_at = hi, lo
    return result


def with_constant(statement: Statement, name: str, value: float) -> Statement:
    """``statement`` with the constant ``name`` set to ``value`` (provenance kept, noted)."""
    constants = []
    for c in statement.constants:
        if c.symbol.name == name:
            c = dataclasses.replace(c, value=sp.Float(value), note=f"probed at {value:.6g} by boundcheck power")
        constants.append(c)
    return dataclasses.replace(statement, constants=tuple(constants), id=f"{statement.id}.probe-{name}", kind="conjecture")


def constant_power(statement: Statement, name: str, budget: int | None = None, seed: int = 0, steps: int = 8,
                   progress=None) -> PowerResult:
    """The smallest value of constant ``name`` at which ``statement`` still HOLDS at ``budget``.

    From the stated value, halve until a run is VIOLATED (at most 30 halvings); a value
    whose run is VACUOUS or INCONCLUSIVE tells nothing and the search goes on below it.
    Then bisect on log(value) ``steps`` times between the smallest value that held and
    the largest that was violated. Assumes a smaller constant is a stronger claim (true
    of a constant in a bound, and of one in a size hypothesis such as ``m >= C n**6``).
    """
    names = [c.symbol.name for c in statement.constants]
    if name not in names:
        raise StatementError(f"{statement.id} has no constant {name!r} (its constants: {', '.join(names) or 'none'})")
    stated = float(next(c.value for c in statement.constants if c.symbol.name == name))
    if not stated > 0:
        raise StatementError(f"{statement.id}: constant {name} = {stated} is not positive; power probes positive ones")
    result = PowerResult(statement.id, claim_of(statement), budget, seed, 0.0, None, None, constant=name, value=stated)

    def outcome(value: float) -> str:
        if progress:
            progress(f"{name} = {value:.6g}")
        verdict = verify(with_constant(statement, name, value), budget=budget, seed=seed)
        _record(result, name, value, verdict)
        if verdict.verdict == "HOLDS":
            result.holds_down_to = min(value, result.holds_down_to or math.inf)
        return verdict.verdict

    value = stated
    for _ in range(31):
        if outcome(value) == "VIOLATED":
            result.violated_at = value
            break
        value /= 2
    if result.violated_at is None or result.holds_down_to is None:
        return result
    held, broken = result.holds_down_to, result.violated_at
    for _ in range(steps):
        mid = math.sqrt(held * broken)
        verdict = outcome(mid)
        if verdict == "VIOLATED":
            broken = result.violated_at = mid
        elif verdict == "HOLDS":
            held = mid
        else:
            break  # undecided between the two: the bracket stops here
    return result
