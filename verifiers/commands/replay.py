"""``boundcheck replay ID --params JSON [--dps N]``: one instance, every observable against the bound.

The float64 run is printed iteration by iteration; a violation is then replayed at ``--dps``
digits (:func:`boundcheck.verifiers.decide.replay.replay_high_precision`) and reported as
confirmed (exit 1) or as a floating-point artefact (exit 0).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from boundcheck.verifiers.commands import arguments
from boundcheck.verifiers.errors import BoundcheckError
from boundcheck.verifiers.limits import MAX_DPS, MAX_PARAMS_TEXT, MIN_DPS

#: the longest array parameter accepted (a model's ``knots``, ``slopes``)
MAX_ARRAY = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="statement id or conjecture file")
    parser.add_argument("--params", required=True, help="the instance, as JSON")
    parser.add_argument("--dps", type=arguments.dps,
                        help=f"digits for the high-precision replay, {MIN_DPS} to {MAX_DPS} (default 50)")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.decide.conclusion import Conclusion
    from boundcheck.verifiers.decide.replay import REPLAY_DPS, replay_high_precision
    from boundcheck.verifiers.draw.plan import DrawPlan
    from boundcheck.verifiers.loading import load
    from boundcheck.verifiers.models import get_model
    from boundcheck.verifiers.models.precision import high_precision

    statements = load(args.id)
    if len(statements) != 1:
        raise BoundcheckError(f"{args.id} holds {len(statements)} statements; name one by its id")
    statement = statements[0]
    model = get_model(statement.model)
    params = instance_from_json(args.params, model)
    conclusion = Conclusion(statement, model)
    plan = DrawPlan(statement, model)
    broken = [name for name, _ in model.constraints if any(u.startswith(f"{name}:") for u in
                                                           plan.unmet_on_parameters(params))]
    if broken:
        raise BoundcheckError(f"--params is no instance of {model.name}: it breaks the model's constraint "
                              f"{'; '.join(u for u in plan.unmet_on_parameters(params) if u.split(':')[0] in broken)}")
    observations = model.run([params])[0]
    evaluation = conclusion.evaluate(params, observations)
    print(f"{statement.id}: {statement.conclusion_text()}")
    print(f"params: {json.dumps(params, sort_keys=True)}")
    unmet = plan.unmet_on_parameters(params) + plan.observed.report(params, observations)
    if unmet:  # not a counterexample whatever the conclusion does: the claim says nothing here
        print("this instance is outside the hypotheses (no counterexample): " + "; ".join(unmet))
        return 0
    print(f"{'t':>5}  {'observed':>22}  {'bound':>22}  {'slack':>12}")
    for k, tk in enumerate(evaluation.t):
        mark = "  <-- VIOLATED" if evaluation.bad[k] else ""
        print(f"{tk:>5}  {evaluation.observed[k]:>22.15g}  {evaluation.bound[k]:>22.15g}  "
              f"{evaluation.slack[k]:>12.4g}{mark}")
    if not evaluation.violated:
        print("the bound holds at every iteration")
        return 0
    dps = args.dps or REPLAY_DPS
    print(f"first violation at t = {evaluation.first_violation} (float64)")
    if plan.observed and not plan.observed.hold_high_precision(params, model.reference(params, high_precision(dps)), dps):
        print(f"NOT confirmed: at {dps} digits the instance is outside the hypotheses on observables "
              "(they held in float64 only within rounding)")
        return 0
    replay = replay_high_precision(model, conclusion, params, dps)
    if replay.confirmed:
        print(f"confirmed at {replay.dps} digits: at t = {replay.t}, observed {replay.observed} > bound {replay.bound}")
        return 1
    print(f"NOT confirmed at {replay.dps} digits: a floating-point artefact")
    return 0


def instance_from_json(text: str, model: Any) -> dict[str, Any]:
    """The instance ``--params`` describes, checked before anything runs: a JSON object (at most
    :data:`~boundcheck.verifiers.limits.MAX_PARAMS_TEXT` characters, no ``Infinity``/``NaN``)
    whose values are finite numbers (an integer parameter takes an integer: ``1.9`` and
    ``true`` are refused, never truncated) or, for a model's array parameters, flat lists of
    at most :data:`MAX_ARRAY` finite numbers; then the model's own validation (ranges).
    Anything else is a one-line :class:`BoundcheckError`."""
    if len(text) > MAX_PARAMS_TEXT:
        raise BoundcheckError(f"--params is longer than {MAX_PARAMS_TEXT:,} characters")

    def no_constant(name: str) -> None:
        raise BoundcheckError(f"--params holds {name}: every value must be a finite number")

    try:
        params = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise BoundcheckError(f"--params is not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise BoundcheckError("--params is nested too deeply") from None
    if not isinstance(params, dict):
        raise BoundcheckError("--params must be a JSON object of parameter values")
    kinds = {p.name: p.kind for p in model.params}
    for name, value in params.items():
        kind = kinds.get(name)
        if kind is None and isinstance(value, list):
            if len(value) > MAX_ARRAY or not all(_finite_number(v) for v in value):
                raise BoundcheckError(f"--params: {name[:40]} must be a list of at most {MAX_ARRAY:,} finite numbers")
            continue
        if kind in ("int", "seed"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BoundcheckError(f"--params: {name} must be an integer, got {_shown(value)}")
        elif not _finite_number(value):
            raise BoundcheckError(f"--params: {name[:40]} must be a finite number, got {_shown(value)}")
    try:
        return model.validate(params)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BoundcheckError(f"--params: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _finite_number(value: Any) -> bool:
    """A JSON number float64 holds: finite, and an integer within its range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) < 1e300 if isinstance(value, int) else math.isfinite(value)


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
