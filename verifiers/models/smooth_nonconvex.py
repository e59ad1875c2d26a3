"""``smooth.nonconvex``: trigonometric sums f(x) = sum_k a_k cos(b_k . x + c_k).

The Hessian is -sum_k a_k cos(b_k . x + c_k) b_k b_k^T, so ||Hessian|| <= sum_k |a_k| ||b_k||^2;
the a_k are scaled so that this certificate equals L (exact for one term in one
dimension, an upper bound otherwise). f >= -sum_k |a_k| is the certified lower bound
``f_lower`` on f*. K = ``terms`` in {1, ..., 4}, b_k standard Gaussian, c_k uniform on
[0, 2 pi) except that the first term starts at phase b_1 . x_0 + c_1 = ``phase`` (a
parameter, so that Hypothesis steers the start directly toward the worst case: one
cosine in one dimension attains the exact worst case of the stationarity bound, e.g.
3.5556 L at h = 1.8, t = 1), x_0 Gaussian at the scale of the oscillation.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numba import njit, prange

from boundcheck.verifiers.models import smooth
from boundcheck.verifiers.models.base import Model, Observable, Observations, Param, trajectory_observables
from boundcheck.verifiers.models.precision import FLOAT64


@njit(parallel=True, cache=True)
def gd_trig(dims, terms, x_off, b_off, k_off, a, b, c, x0, eta, steps, f_out, grad_sq_out):
    """Batched gradient descent on trigonometric sums, one instance per prange index."""
    for i in prange(dims.size):
        d = dims[i]
        x = x0[x_off[i]:x_off[i] + d].copy()
        grad = np.empty(d)
        for k in range(steps[i] + 1):
            f_val = 0.0
            grad[:] = 0.0
            for q in range(terms[i]):
                row = b_off[i] + q * d
                phase = c[k_off[i] + q]
                for j in range(d):
                    phase += b[row + j] * x[j]
                amp = a[k_off[i] + q]
                f_val += amp * np.cos(phase)
                s = amp * np.sin(phase)
                for j in range(d):
                    grad[j] -= s * b[row + j]
            g_sq = 0.0
            for j in range(d):
                g_sq += grad[j] * grad[j]
            f_out[i, k] = f_val
            grad_sq_out[i, k] = g_sq
            if k < steps[i]:
                for j in range(d):
                    x[j] -= eta[i] * grad[j]


def reference_trig(a, b, c, x0, eta, steps, xp=FLOAT64):
    """NumPy (or mpmath) reference for :func:`gd_trig`, one instance; b has shape (K, d)."""
    a, b, c, x = xp.asarray(a), xp.asarray(b), xp.asarray(c), xp.asarray(x0)
    eta = xp.scalar(eta)
    dtype = object if xp.dps else np.float64
    f, grad_sq = np.empty(steps + 1, dtype=dtype), np.empty(steps + 1, dtype=dtype)
    for k in range(steps + 1):
        phase = b.dot(x) + c
        f[k] = (a * xp.cos(phase)).sum()
        grad = -(a * xp.sin(phase)).dot(b)
        grad_sq[k] = (grad * grad).sum()
        x = x - eta * grad
    return f, grad_sq


UNIT_ROUNDOFF = 2.0**-53


def _certified_exactly(a: np.ndarray, b: np.ndarray, L: float) -> np.ndarray:
    """``a`` shrunk one ulp at a time until sum_k |a_k| ||b_k||^2 <= L in exact rationals
    (the fallback where the float64 check with its error bound could not tell)."""
    norms = [sum(Fraction(float(v)) ** 2 for v in row) for row in b]
    for _ in range(64):
        if sum(abs(Fraction(float(x))) * nb for x, nb in zip(a, norms)) <= Fraction(L):
            return a
        a = np.nextafter(a, 0.0)
    raise ArithmeticError("the smoothness certificate could not be made exact in 64 ulps")


class SmoothNonconvex(Model):
    name = "smooth.nonconvex"
    doc = __doc__
    params = (smooth.D, smooth.L, smooth.ETA, smooth.STEPS,
              Param("terms", "int", 1, 4, "number of cosine terms K"),
              Param("phase", "float", 0.0, 2 * np.pi, "phase b_1 . x_0 + c_1 of the first term at the start"),
              smooth.SEED)
    observables = smooth.TRAJECTORY + (
        Observable("L", False, "certified smoothness constant"),
        Observable("eta", False, "step size"),
        Observable("f_lower", False, "certified lower bound on f*"),
    )
    constraints = (smooth.STEP_CAP,)
    default_domain = smooth.DEFAULT_DOMAIN
    function_class = "smooth"  # a for_all statement over it is a claim about the class (PEP)
    #: seeds per drawn parameter set (up to): over this model's statements at budget 100 (mutants
    #: at theirs), 4,206 distinct instances in 2.4 s with 32 against 1,972 in 2.2 s with 16 (64:
    #: 16,997 in 3.4 s, but the tight claim's power fell from 0.00017 at 32 to 0.00105)
    replicas = 32
    #: Monte Carlo sweep instances per example of the budget: over this model's two theorems at
    #: budget 100, 1,045-1,594 distinct instances in 0.39 s by the search alone, 7,445-7,994 in
    #: 0.61-0.70 s with a sweep of 64
    monte_carlo = 64

    def coordinates(self, params: dict[str, Any]) -> dict[str, Any]:
        rng = np.random.default_rng(params["seed"])
        d, L = params["d"], params["L"]
        terms = params["terms"]
        b = rng.standard_normal((terms, d))
        a = rng.standard_normal(terms)
        # the certificate sum_k |a_k| ||b_k||^2 <= L must hold exactly for the float64 a, b. A float
        # sum of n products of nonnegative numbers is within gamma_n = n u / (1 - n u) of the exact
        # one (Higham 2002, Accuracy and Stability of Numerical Algorithms, eq. 3.5), so a is scaled
        # to L (1 - 4 gamma_n) (about 1e-14 below L) and the float64 sum checked with that margin
        n = terms * (d + 2)
        gamma = n * UNIT_ROUNDOFF / (1 - n * UNIT_ROUNDOFF)
        a *= L * (1 - 4 * gamma) / np.sum(np.abs(a) * np.sum(b * b, axis=1))
        if not np.sum(np.abs(a) * np.sum(b * b, axis=1)) * (1 + 2 * gamma) <= L:
            a = _certified_exactly(a, b, L)
        c = rng.uniform(0, 2 * np.pi, size=terms)
        scale = 1.0 / np.sqrt(np.mean(np.sum(b * b, axis=1)))
        x0 = rng.standard_normal(d) * scale * rng.uniform(0.2, 3.0)
        c[0] = params["phase"] - b[0] @ x0  # the first term starts at phase ``phase``
        return {"a": a, "b": b, "c": c, "x0": x0}

    def _observations(self, params, coords, f, grad_sq) -> Observations:
        obs = trajectory_observables(f, grad_sq)
        obs.update(L=params["L"], eta=params["eta"], f_lower=-float(np.sum(np.abs(coords["a"]))))
        return obs

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        built = [self.coordinates(p) for p in batch]
        dims = np.array([p["d"] for p in batch], dtype=np.int64)
        terms = np.array([len(cs["a"]) for cs in built], dtype=np.int64)
        steps = np.array([p["steps"] for p in batch], dtype=np.int64)

        def offsets(sizes):
            return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

        f = np.full((len(batch), int(steps.max()) + 1), np.nan)
        grad_sq = np.full_like(f, np.nan)
        gd_trig(dims, terms, offsets(dims), offsets(dims * terms), offsets(terms),
                np.concatenate([cs["a"] for cs in built]), np.concatenate([cs["b"].ravel() for cs in built]),
                np.concatenate([cs["c"] for cs in built]), np.concatenate([cs["x0"] for cs in built]),
                np.array([p["eta"] for p in batch], dtype=np.float64), steps, f, grad_sq)
        return [self._observations(p, cs, f[i, : s + 1], grad_sq[i, : s + 1])
                for i, (p, cs, s) in enumerate(zip(batch, built, steps))]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        cs = self.coordinates(params)
        f, grad_sq = reference_trig(cs["a"], cs["b"], cs["c"], cs["x0"], params["eta"], params["steps"], backend)
        return self._observations(params, cs, f, grad_sq)


MODEL = SmoothNonconvex()
