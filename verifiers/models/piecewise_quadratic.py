"""Gradient descent on a one-dimensional function given by its piecewise-linear derivative.

f(x) = (mu/2) x^2 + psi(x), where psi' is the piecewise-linear function through the
knots (k_0, s_0), ..., (k_{K-1}, s_{K-1}) (k sorted, s non-decreasing), constant
outside [k_0, k_{K-1}], and psi(k_0) = psi0. Between knots psi is quadratic with
curvature (s_{j+1} - s_j) / (k_{j+1} - k_j) in [0, L - mu], so f is convex, L-smooth and
mu-strongly convex: a Huber-like, piecewise-quadratic function. It is the shape a
performance-estimation witness is turned into (see :mod:`boundcheck.verifiers.certificates.witness`).

psi(x) on [k_j, k_{j+1}] = P_j + s_j (x - k_j) + c_j (x - k_j)^2 / 2 with c_j the slope
and P_j = psi(k_j) the running trapezoid sum.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from boundcheck.verifiers.models.precision import FLOAT64


def knot_values(knots: np.ndarray, slopes: np.ndarray, psi0: float) -> np.ndarray:
    """psi at every knot: psi0 plus the trapezoid sums of the piecewise-linear psi'."""
    steps = np.diff(knots) * (slopes[1:] + slopes[:-1]) / 2
    return psi0 + np.concatenate([[0.0], np.cumsum(steps)])


@njit(cache=True)
def _psi(x, knots, slopes, values):
    """psi(x) and psi'(x) for one point (knots sorted, at least one knot)."""
    last = knots.size - 1
    if x <= knots[0]:
        return values[0] + slopes[0] * (x - knots[0]), slopes[0]
    if x >= knots[last]:
        return values[last] + slopes[last] * (x - knots[last]), slopes[last]
    lo, hi = 0, last
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if knots[mid] <= x:
            lo = mid
        else:
            hi = mid
    width = knots[hi] - knots[lo]
    c = (slopes[hi] - slopes[lo]) / width if width > 0 else 0.0
    u = x - knots[lo]
    return values[lo] + slopes[lo] * u + 0.5 * c * u * u, slopes[lo] + c * u


@njit(parallel=True, cache=True)
def gd_interpolated(offsets, knots, slopes, values, mu, x0, eta, steps, f_out, grad_sq_out, dist_sq_out):
    """Batched gradient descent; instance b owns knots offsets[b]:offsets[b+1]; x* = 0."""
    for b in prange(offsets.size - 1):
        lo, hi = offsets[b], offsets[b + 1]
        k, s, v = knots[lo:hi], slopes[lo:hi], values[lo:hi]
        f_star = _psi(0.0, k, s, v)[0]
        x = x0[b]
        for i in range(steps[b] + 1):
            psi, dpsi = _psi(x, k, s, v)
            g = dpsi + mu[b] * x
            f_out[b, i] = psi + 0.5 * mu[b] * x * x - f_star
            grad_sq_out[b, i] = g * g
            dist_sq_out[b, i] = x * x
            x = x - eta[b] * g


def _psi_reference(x, k, s, values):
    """psi(x), psi'(x) by the same formulas as :func:`_psi`, in the backend's numbers."""
    j = int(np.searchsorted(np.asarray([float(v) for v in k]), float(x), side="right")) - 1
    if j < 0:
        return values[0] + s[0] * (x - k[0]), s[0]
    if j >= len(k) - 1:
        return values[-1] + s[-1] * (x - k[-1]), s[-1]
    c = (s[j + 1] - s[j]) / (k[j + 1] - k[j]) if k[j + 1] > k[j] else 0 * s[j]
    u = x - k[j]
    return values[j] + s[j] * u + c * u * u / 2, s[j] + c * u


def reference_interpolated(knots, slopes, psi0, mu, x0, eta, steps, xp=FLOAT64):
    """The NumPy (or mpmath) reference for :func:`gd_interpolated`, one instance."""
    k = [xp.scalar(v) for v in knots]
    s = [xp.scalar(v) for v in slopes]
    values = [xp.scalar(psi0)]
    for j in range(1, len(k)):
        values.append(values[-1] + (k[j] - k[j - 1]) * (s[j] + s[j - 1]) / 2)
    mu, x, eta = xp.scalar(mu), xp.scalar(x0), xp.scalar(eta)
    f_star = _psi_reference(0 * x, k, s, values)[0]
    dtype = object if xp.dps else np.float64
    f, grad_sq, dist_sq = (np.empty(steps + 1, dtype=dtype) for _ in range(3))
    for i in range(steps + 1):
        psi, dpsi = _psi_reference(x, k, s, values)
        g = dpsi + mu * x
        f[i] = psi + mu * x * x / 2 - f_star
        grad_sq[i] = g * g
        dist_sq[i] = x * x
        x = x - eta * g
    return f, grad_sq, dist_sq
