"""A performance-estimation witness turned into a concrete function, then checked by sampling.

The PEP solution gives points x_0..x_N, x*, values f_i and gradients g_i that satisfy
the class's interpolation conditions. Solved with PEPit's trace-minimising dimension
reduction, the witness of gradient descent on (strongly) convex functions is
one-dimensional (the Huber-type worst case of Drori & Teboulle); we project it on its
leading direction (refusing if the second singular value exceeds 1e-3 of the first).

One-dimensional interpolation (convex, L-smooth, mu-strongly convex). Put
psi = f - (mu/2) x^2, s = psi' (so s is non-decreasing with slopes in [0, L - mu]).
Between consecutive points a < b with slopes s_a <= s_b and increment
I = psi_b - psi_a, take psi' equal to s_a on [a, a + w], rising with slope L - mu over
delta = (s_b - s_a)/(L - mu), then equal to s_b up to b; its integral is
s_a (b - a) + (s_b - s_a)(b - a - w - delta/2), linear in w, and the interpolation
conditions put I between the values at w = 0 and w = b - a - delta, so w solves it.
Outside the points psi' is constant. The SDP's points satisfy the interpolation
conditions only up to the solver's residuals, so slopes are first projected (monotone,
rises capped at (L - mu) times the gap, outward from x*): the function is then in the
class exactly, and whether it violates the claim is decided by running it, not by the
SDP. The result is a piecewise-quadratic, Huber-like function (model
``smooth.interpolated``) on which gradient descent from x_0 (up to those residuals)
reproduces the witness's iterates.

Confirmation is independent of the SDP: the numba kernel runs gradient descent on
that function, the statement's conclusion is evaluated by the sampling checker's
:class:`boundcheck.verifiers.decide.conclusion.Conclusion`, and a violation is replayed in mpmath
(:func:`boundcheck.verifiers.decide.replay.replay_high_precision`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from boundcheck.theorems.statement import Statement

SECOND_DIRECTION_MAX = 1e-3
WITNESS_CLASSES = ("smooth_convex", "smooth_strongly_convex")


def extract(statement: Statement, function_class: str, params: dict[str, float], N: int) -> dict[str, Any]:
    """Solve again with dimension reduction and read off the 1-D witness (x* at 0).

    The oracle is also queried at x_N (``evaluate_last``): the interpolated function
    needs g_N and f_N, which a conclusion on ``dist_sq[N]`` alone leaves out of the SDP.
    """
    from boundcheck.verifiers.certificates.pep import pose, solve

    posed = pose(statement, N, params)
    solved = solve(function_class, posed, params, N, reduce_dimension=True, evaluate_last=True)
    try:
        xs, fs = solved.built.xs.eval(), float(solved.built.fs.eval())
    except ValueError:  # the trace-minimising re-solve failed: take the plain solution
        solved = solve(function_class, posed, params, N, evaluate_last=True)
        xs, fs = solved.built.xs.eval(), float(solved.built.fs.eval())
    built, worst, status = solved.built, solved.value, solved.status
    xs_vec = np.atleast_1d(xs)
    rows = [np.atleast_1d(p.eval()) - xs_vec for p in built.points]
    grads = [np.atleast_1d(built.func.gradient(p).eval()) for p in built.points]
    values = [float(built.func(p).eval()) - fs for p in built.points]
    stacked = np.vstack(rows + grads)
    _, singular, vt = np.linalg.svd(stacked, full_matrices=False)
    direction = vt[0] if rows[0] @ vt[0] >= 0 else -vt[0]
    return {
        "N": N, "params": params, "worst": worst, "status": status,
        "second_direction": float(singular[1] / singular[0]) if singular.size > 1 and singular[0] > 0 else 0.0,
        "x": [float(r @ direction) for r in rows],
        "g": [float(g @ direction) for g in grads],
        "f": values,
    }


def interpolate(x: list[float], g: list[float], f: list[float], L: float, mu: float) -> dict[str, Any]:
    """Knots and slopes of psi' (see the module docstring) through the points and x* = 0."""
    a = np.asarray([0.0, *x])
    s = np.asarray([0.0, *g]) - mu * a
    psi = np.asarray([0.0, *f]) - mu * a * a / 2
    order = np.argsort(a, kind="stable")
    a, s, psi = a[order], s[order], psi[order]
    keep = np.concatenate([[True], np.diff(a) > 1e-12 * max(1.0, float(np.abs(a).max()))])
    a, s, psi = a[keep], s[keep], psi[keep]
    s[a == 0.0] = 0.0
    s = np.maximum.accumulate(s)
    curvature = L - mu
    # the SDP's points meet the class's conditions only to its residuals (~1e-8): cap each rise
    # at (L - mu) * width, outward from x* = 0 so that psi'(0) = 0 stays (x* the minimiser)
    zero = int(np.argmin(np.abs(a)))
    for j in range(zero, a.size - 1):
        s[j + 1] = min(s[j + 1], s[j] + curvature * (a[j + 1] - a[j]))
    for j in range(zero, 0, -1):
        s[j - 1] = max(s[j - 1], s[j] - curvature * (a[j] - a[j - 1]))
    knots, slopes = [a[0]], [s[0]]
    for j in range(a.size - 1):
        width, rise = a[j + 1] - a[j], s[j + 1] - s[j]
        if rise > 0 and curvature > 0:
            delta = min(rise / curvature, width)
            increment = psi[j + 1] - psi[j]
            flat = width - delta / 2 - (increment - s[j] * width) / rise
            flat = float(np.clip(flat, 0.0, width - delta))
            knots += [a[j] + flat, a[j] + flat + delta]
            slopes += [s[j], s[j + 1]]
        knots.append(a[j + 1])
        slopes.append(s[j + 1])
    first = int(np.flatnonzero(a == a[0])[0])
    return {"knots": [float(k) for k in knots], "slopes": [float(v) for v in slopes], "psi0": float(psi[first])}


def confirm_witness(statement: Statement, function_class: str, params: dict[str, float],
                    N: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(witness, confirmation): the concrete instance and what the sampling checker said of it."""
    if function_class not in WITNESS_CLASSES:
        return None, {"confirmed": False, "message": f"no witness model for class {function_class} "
                      "(the PEP value is exact for it: the verdict stands on the SDP alone)"}
    from boundcheck.verifiers.decide.conclusion import Conclusion
    from boundcheck.verifiers.decide.replay import replay_high_precision
    from boundcheck.verifiers.models import get_model

    try:
        witness = extract(statement, function_class, params, N)
    except ValueError as exc:  # the dimension-reduced solve failed: no points to read
        return None, {"confirmed": False, "message": f"witness extraction failed: {exc}"}
    if witness["second_direction"] > SECOND_DIRECTION_MAX:
        return witness, {"confirmed": False, "message": f"witness not one-dimensional (second singular value "
                         f"{witness['second_direction']:.2g} of the first); not turned into an instance"}
    model = get_model("smooth.interpolated")
    shape = interpolate(witness["x"], witness["g"], witness["f"], params["L"], params["mu"])
    try:
        instance = model.validate({"L": params["L"], "mu": params["mu"], "eta": params["eta"], "steps": N,
                                   "x0": witness["x"][0], **shape})
    except ValueError as exc:
        return witness, {"confirmed": False, "message": f"witness not interpolable in 1-D: {exc}"}
    witness["instance"] = instance
    replayed = dataclasses.replace(statement, model=model.name)
    conclusion = Conclusion(replayed, model)
    evaluation = conclusion.evaluate(instance, model.run([instance])[0])
    replay = replay_high_precision(model, conclusion, instance)
    confirmed = bool(evaluation.violated and replay.confirmed)
    at = evaluation.at(evaluation.first_violation) if evaluation.violated else {}
    message = (f"witness confirmed by the sampling checker on smooth.interpolated: at t = {at['t']} observed "
               f"{at['observed']:.6g} > bound {at['bound']:.6g}, replayed at {replay.dps} digits"
               if confirmed else "the sampling checker did NOT confirm the witness")
    return witness, {"confirmed": confirmed, "message": message, "model": model.name,
                     "float64": at, "replay_dps": replay.dps, "replay_t": replay.t,
                     "replay_observed": replay.observed, "replay_bound": replay.bound}
