"""``smooth.interpolated``: a one-dimensional convex function built from a worst-case witness.

An instance is a piecewise-quadratic, Huber-like function given by explicit arrays
(``knots``, ``slopes``: its derivative's breakpoints, see
:mod:`boundcheck.verifiers.models.piecewise_quadratic`) plus scalars (L, mu, eta, steps, x0, psi0).
x* = 0 and f* = f(0) (the derivative vanishes there: the witness construction puts a
knot with slope 0 at 0). It is not drawn by a search: :mod:`boundcheck.verifiers.certificates.witness` builds
it from the points, values and gradients of a performance-estimation solution, and
the sampling checker's conclusion evaluation and mpmath replay then run on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from boundcheck.verifiers.models import smooth
from boundcheck.verifiers.models.base import Model, Observations, Param, trajectory_observables
from boundcheck.verifiers.models.piecewise_quadratic import gd_interpolated, knot_values, reference_interpolated
from boundcheck.verifiers.models.precision import FLOAT64

ARRAYS = ("knots", "slopes")


class SmoothInterpolated(Model):
    name = "smooth.interpolated"
    doc = __doc__
    params = (
        smooth.L, smooth.MU, smooth.ETA, smooth.STEPS,
        Param("x0", "float", -1e6, 1e6, "starting point (x* = 0)"),
        Param("psi0", "float", -1e12, 1e12, "psi at the first knot"),
    )
    observables = smooth.TRAJECTORY + smooth.DISTANCE + smooth.SCALARS
    constraints = (smooth.MU_BELOW_L,)
    default_domain = {"steps": (1, 100)}  # one instance per call, cheap at every declared size
    batch_size = 1

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """Scalars as declared; ``knots`` sorted, ``slopes`` non-decreasing with curvature in [0, L - mu]."""
        scalars = super().validate({k: v for k, v in params.items() if k not in ARRAYS})
        missing = [a for a in ARRAYS if a not in params]
        if missing:
            raise ValueError(f"model {self.name} needs the array {missing[0]!r}")
        knots = np.asarray(params["knots"], dtype=np.float64)
        slopes = np.asarray(params["slopes"], dtype=np.float64)
        if knots.ndim != 1 or knots.shape != slopes.shape or knots.size < 1:
            raise ValueError(f"{self.name}: knots and slopes must be 1-D arrays of one length")
        widths, rises = np.diff(knots), np.diff(slopes)
        if np.any(widths < 0) or np.any(rises < 0):
            raise ValueError(f"{self.name}: knots must be sorted and slopes non-decreasing (convexity)")
        curvature_cap = (scalars["L"] - scalars["mu"]) * (1 + 1e-9)
        if np.any(rises > curvature_cap * widths + 1e-15):
            raise ValueError(f"{self.name}: a curvature exceeds L - mu")
        return {**scalars, "knots": knots.tolist(), "slopes": slopes.tolist()}

    def _observations(self, params, f, grad_sq, dist_sq) -> Observations:
        obs = trajectory_observables(f, grad_sq)
        obs.update(dist_sq=dist_sq, R_sq=dist_sq[0], f0_gap=obs["gap"][0],
                   L=params["L"], mu=params["mu"], eta=params["eta"])
        return obs

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        knots = [np.asarray(p["knots"], dtype=np.float64) for p in batch]
        slopes = [np.asarray(p["slopes"], dtype=np.float64) for p in batch]
        values = [knot_values(k, s, p["psi0"]) for k, s, p in zip(knots, slopes, batch)]
        offsets = np.concatenate([[0], np.cumsum([k.size for k in knots])]).astype(np.int64)
        steps = np.array([p["steps"] for p in batch], dtype=np.int64)
        width = int(steps.max()) + 1
        f, grad_sq, dist_sq = (np.full((len(batch), width), np.nan) for _ in range(3))
        column = lambda key: np.array([p[key] for p in batch], dtype=np.float64)  # noqa: E731
        gd_interpolated(offsets, np.concatenate(knots), np.concatenate(slopes), np.concatenate(values),
                        column("mu"), column("x0"), column("eta"), steps, f, grad_sq, dist_sq)
        return [self._observations(p, f[i, : s + 1], grad_sq[i, : s + 1], dist_sq[i, : s + 1])
                for i, (p, s) in enumerate(zip(batch, steps))]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        with np.errstate(all="ignore"):
            f, grad_sq, dist_sq = reference_interpolated(
                params["knots"], params["slopes"], params["psi0"], params["mu"], params["x0"], params["eta"],
                params["steps"], backend)
        return self._observations(params, f, grad_sq, dist_sq)


MODEL = SmoothInterpolated()
