"""Gradient descent on separable functions f(x) = sum_j c_j phi_{k_j}(x_j) + (mu0/2)||x||^2.

Shared by ``smooth.quadratic``, ``smooth.convex`` and ``smooth.pl``. Every phi has
its minimum 0 at 0, so x* = 0 and f* = 0 exactly. Gradient descent commutes with
orthogonal changes of basis, so a separable f stands for every f(Q x) with Q
orthogonal: the diagonal form loses no generality for the rates checked here, and
keeps L, mu and f* exact.

Coordinate kinds (phi, phi', curvature range of phi):

* 0 quadratic  u^2/2                               u                 {1}
* 1 log-cosh   tau^2 log cosh(u/tau)               tau tanh(u/tau)   (0, 1]
* 2 Huber      u^2/2 (|u| <= tau), tau|u| - tau^2/2  clip(u, -tau, tau) {0, 1}
* 3 PL         u^2 + 3 sin^2 u                     2u + 3 sin 2u     [-4, 8]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit, prange

from boundcheck.verifiers.models.base import Model, Observations, trajectory_observables
from boundcheck.verifiers.models.precision import FLOAT64

QUADRATIC, PL_TRIG = 0, 3  # coordinate kinds named outside the kernel (1 log-cosh, 2 Huber)
LOG2 = float(np.log(2.0))


@njit(parallel=True, cache=True)
def gd_separable(offsets, kinds, coef, tau, x0, mu0, eta, steps, f_out, grad_sq_out, dist_sq_out):
    """Batched gradient descent; instance b owns coordinates offsets[b]:offsets[b+1]."""
    for b in prange(offsets.size - 1):
        lo = offsets[b]
        n_coords = offsets[b + 1] - lo
        x = x0[lo:lo + n_coords].copy()
        for k in range(steps[b] + 1):
            f_val = 0.0
            g_sq = 0.0
            d_sq = 0.0
            for j in range(n_coords):
                u = x[j]
                c = coef[lo + j]
                kind = kinds[lo + j]
                if kind == 0:
                    phi = 0.5 * u * u
                    dphi = u
                elif kind == 1:
                    ta = tau[lo + j]
                    v = u / ta
                    a = abs(v)
                    if a <= 1.0:  # log cosh v = log1p(2 sinh^2(v/2)): no cancellation near 0
                        sh = np.sinh(0.5 * a)
                        phi = ta * ta * np.log1p(2.0 * sh * sh)
                    else:
                        phi = ta * ta * (a + np.log1p(np.exp(-2.0 * a)) - LOG2)
                    dphi = ta * np.tanh(v)
                elif kind == 2:
                    ta = tau[lo + j]
                    if abs(u) <= ta:
                        phi = 0.5 * u * u
                        dphi = u
                    else:
                        phi = ta * abs(u) - 0.5 * ta * ta
                        dphi = ta if u > 0 else -ta
                else:
                    s = np.sin(u)
                    phi = u * u + 3.0 * s * s
                    dphi = 2.0 * u + 3.0 * np.sin(2.0 * u)
                g = c * dphi + mu0[b] * u
                f_val += c * phi + 0.5 * mu0[b] * u * u
                g_sq += g * g
                d_sq += u * u
                if k < steps[b]:
                    x[j] = u - eta[b] * g
            f_out[b, k] = f_val
            grad_sq_out[b, k] = g_sq
            dist_sq_out[b, k] = d_sq


def _phi(kinds: np.ndarray, tau: np.ndarray, u: np.ndarray, xp) -> tuple[np.ndarray, np.ndarray]:
    """phi and phi' of every coordinate, by the backend ``xp`` (NumPy or mpmath).

    Each kind's formula is evaluated on its own coordinates only: in mpmath every
    evaluation costs microseconds, and evaluating all four formulas everywhere (then
    selecting) made the high-precision replay four times slower than it needs to be.
    """
    phi, dphi = np.empty_like(u), np.empty_like(u)
    for kind in np.unique(kinds):
        at = kinds == kind
        x, t = u[at], tau[at]
        if kind == 0:
            phi[at], dphi[at] = x * x / 2, x
        elif kind == 1:
            v = x / t
            a = xp.abs(v)
            near = a <= 1  # log cosh v = log1p(2 sinh^2(v/2)) there: a + log1p(e^-2a) - log 2 cancels near 0
            a_near, a_far = xp.where(near, a, 0 * a), xp.where(near, 1 + 0 * a, a)  # each formula where it is used
            sh = xp.sinh(a_near / 2)
            phi[at] = t * t * xp.where(near, xp.log1p(2 * sh * sh),
                                       a_far + xp.log1p(xp.exp(-2 * a_far)) - xp.log(xp.asarray(2.0)))
            dphi[at] = t * xp.tanh(v)
        elif kind == 2:
            inside = xp.abs(x) <= t
            phi[at] = xp.where(inside, x * x / 2, t * xp.abs(x) - t * t / 2)
            dphi[at] = xp.clip(x, -t, t)
        else:
            s = xp.sin(x)
            phi[at] = x * x + 3 * s * s
            dphi[at] = 2 * x + 3 * xp.sin(2 * x)
    return phi, dphi


def reference_separable(kinds, coef, tau, x0, mu0, eta, steps, xp=FLOAT64) -> tuple[np.ndarray, ...]:
    """The NumPy (or mpmath) reference for :func:`gd_separable`, one instance."""
    coef, tau, x = xp.asarray(coef), xp.asarray(tau), xp.asarray(x0)
    mu0, eta = xp.scalar(mu0), xp.scalar(eta)
    dtype = object if xp.dps else np.float64
    f, grad_sq, dist_sq = (np.empty(steps + 1, dtype=dtype) for _ in range(3))
    for k in range(steps + 1):
        phi, dphi = _phi(kinds, tau, x, xp)
        g = coef * dphi + x * mu0  # array first: mpf * ndarray goes through mpmath's failing conversion
        f[k] = (coef * phi + x * x * mu0 / 2).sum()
        grad_sq[k] = (g * g).sum()
        dist_sq[k] = (x * x).sum()
        x = x - g * eta
    return f, grad_sq, dist_sq


class SeparableModel(Model):
    """A family of separable functions: subclasses say how to build the coordinates."""

    #: seeds per drawn parameter set (up to): over the statements of smooth.convex, smooth.pl and
    #: smooth.quadratic at budget 100 (mutants at theirs), in one run, 1,917 / 1,511 / 859 distinct
    #: instances with 16 against 6,930 / 5,081 / 3,020 with 64, in 1.2-1.4x the time
    replicas = 64
    #: Monte Carlo sweep instances per example of the budget (after a search without a
    #: violation): over smooth.pl, smooth.convex and smooth.quadratic's five theorems at budget
    #: 100, 2,363-2,775 distinct instances in 0.35-0.44 s by the search alone, 11,963-12,375 in
    #: 0.64-0.98 s with a sweep of 96
    monte_carlo = 96

    def coordinates(self, params: dict[str, Any]) -> dict[str, Any]:
        """kinds, coef, tau, x0 (arrays over coordinates) and mu0 for one instance."""
        raise NotImplementedError

    def _observations(self, params, f, grad_sq, dist_sq) -> Observations:
        obs = trajectory_observables(f, grad_sq)
        obs["dist_sq"] = dist_sq
        obs["R_sq"] = dist_sq[0]
        obs["f0_gap"] = obs["gap"][0]
        obs.update(self.scalar_params(params))
        return obs

    def scalar_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {name: params[name] for name in ("L", "mu", "eta") if name in params}

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        built = [self.coordinates(p) for p in batch]
        sizes = np.array([len(c["kinds"]) for c in built], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        steps = np.array([p["steps"] for p in batch], dtype=np.int64)
        width = int(steps.max()) + 1
        f, grad_sq, dist_sq = (np.full((len(batch), width), np.nan) for _ in range(3))
        gd_separable(
            offsets,
            np.concatenate([c["kinds"] for c in built]).astype(np.int64),
            np.concatenate([c["coef"] for c in built]),
            np.concatenate([c["tau"] for c in built]),
            np.concatenate([c["x0"] for c in built]),
            np.array([c["mu0"] for c in built], dtype=np.float64),
            np.array([p["eta"] for p in batch], dtype=np.float64),
            steps, f, grad_sq, dist_sq,
        )
        return [
            self._observations(p, f[i, : s + 1], grad_sq[i, : s + 1], dist_sq[i, : s + 1])
            for i, (p, s) in enumerate(zip(batch, steps))
        ]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        c = self.coordinates(params)
        with np.errstate(all="ignore"):
            f, grad_sq, dist_sq = reference_separable(
                c["kinds"], c["coef"], c["tau"], c["x0"], c["mu0"], params["eta"], params["steps"], backend
            )
        return self._observations(params, f, grad_sq, dist_sq)
