"""``boundcheck replay ID --params JSON [--dps N]``: one instance, every observable against the bound.

The float64 run is printed iteration by iteration; a violation is then replayed at ``--dps``
digits (:func:`boundcheck.verifiers.decide.replay.replay_high_precision`) and reported as
confirmed (exit 1) or as a floating-point artefact (exit 0).
"""

from __future__ import annotations

import argparse
import json

from boundcheck.verifiers.errors import BoundcheckError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="statement id or conjecture file")
    parser.add_argument("--params", required=True, help="the instance, as JSON")
    parser.add_argument("--dps", type=int, help="digits for the high-precision replay (default 50)")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.decide.conclusion import Conclusion
    from boundcheck.verifiers.decide.replay import REPLAY_DPS, replay_high_precision
    from boundcheck.verifiers.draw.strategies import DrawPlan
    from boundcheck.verifiers.loading import load
    from boundcheck.verifiers.models import get_model
    from boundcheck.verifiers.models.precision import high_precision

    statements = load(args.id)
    if len(statements) != 1:
        raise BoundcheckError(f"{args.id} holds {len(statements)} statements; name one by its id")
    statement = statements[0]
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        raise BoundcheckError(f"--params is not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(params, dict):
        raise BoundcheckError("--params must be a JSON object of parameter values")
    model = get_model(statement.model)
    try:
        params = model.validate(params)
    except ValueError as exc:
        raise BoundcheckError(str(exc)) from None
    conclusion = Conclusion(statement, model)
    plan = DrawPlan(statement, model)
    observations = model.run([params])[0]
    evaluation = conclusion.evaluate(params, observations)
    print(f"{statement.id}: {statement.conclusion_text()}")
    print(f"params: {json.dumps(params, sort_keys=True)}")
    unmet = plan.unmet_on_parameters(params) + plan.post_report(params, observations)
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
    if plan.post and not plan.post_ok_high_precision(params, model.reference(params, high_precision(dps)), dps):
        print(f"NOT confirmed: at {dps} digits the instance is outside the hypotheses on observables "
              "(they held in float64 only within rounding)")
        return 0
    replay = replay_high_precision(model, conclusion, params, dps)
    if replay.confirmed:
        print(f"confirmed at {replay.dps} digits: at t = {replay.t}, observed {replay.observed} > bound {replay.bound}")
        return 1
    print(f"NOT confirmed at {replay.dps} digits: a floating-point artefact")
    return 0
