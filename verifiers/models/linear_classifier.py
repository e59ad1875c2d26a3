"""Norm-constrained linear classifiers: projected gradient descent on a logistic loss.

The predictor is x -> w^T x with ||w||_2 <= B (B = 1 here: only the direction of w
matters for the 0-1 error, and the margin rho is measured in units of B). Training is
projected gradient descent from w = 0 on the tempered logistic loss

    F(w) = (1/n) sum_i log(1 + exp(-y_i w^T x_i / rho)),
    w <- Proj_{||w|| <= B}(w - eta grad F(w)),   eta = ETA_REL * rho.

Any learning rule would do: every bound checked on these predictors holds uniformly
over the class (Rademacher) or for every posterior (PAC-Bayes); training only makes
the empirical terms small, which is where the bounds are tested hardest.

The kernel is batched over instances with ``prange``; instance b owns rows
``row_off[b]:row_off[b+1]`` of the stacked data and coordinates ``w_off[b]:w_off[b+1]``
of the stacked weights. :func:`reference_train` is the NumPy reference.

Also here: the statistics every linear-classifier model reports (0-1 error, ramp
loss, the exact training error of a Gaussian posterior, KL to a Gaussian prior).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy.special import ndtr

B = 1.0
ETA_REL = 1.0


@njit(cache=True)
def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(parallel=True, cache=True)
def train_linear(X, y, row_off, w_off, rho, steps, radius, w_out):
    """Projected GD on the tempered logistic loss; w_out[w_off[b]:w_off[b+1]] = final w of instance b."""
    for b in prange(row_off.size - 1):
        lo, hi = row_off[b], row_off[b + 1]
        n = hi - lo
        d = w_off[b + 1] - w_off[b]
        w = np.zeros(d)
        g = np.zeros(d)
        eta = ETA_REL * rho[b]
        for _ in range(steps[b]):
            for j in range(d):
                g[j] = 0.0
            for i in range(lo, hi):
                z = 0.0
                for j in range(d):
                    z += w[j] * X[i, j]
                c = -y[i] * _sigmoid(-y[i] * z / rho[b]) / (rho[b] * n)
                for j in range(d):
                    g[j] += c * X[i, j]
            norm = 0.0
            for j in range(d):
                w[j] -= eta * g[j]
                norm += w[j] * w[j]
            norm = math.sqrt(norm)
            if norm > radius:
                for j in range(d):
                    w[j] *= radius / norm
        for j in range(d):
            w_out[w_off[b] + j] = w[j]


def reference_train(X: np.ndarray, y: np.ndarray, rho: float, steps: int, radius: float = B) -> np.ndarray:
    """The NumPy reference for :func:`train_linear`, one instance."""
    n, d = X.shape
    w = np.zeros(d)
    eta = ETA_REL * rho
    for _ in range(steps):
        z = X @ w
        s = 0.5 * (1.0 + np.tanh(-y * z / rho / 2.0))  # sigmoid(-y z / rho)
        w = w - eta * (X.T @ (-y * s / (rho * n)))
        norm = np.linalg.norm(w)
        if norm > radius:
            w = w * (radius / norm)
    return w


def train_batch(datasets: list[tuple[np.ndarray, np.ndarray]], rho: list[float], steps: list[int]) -> list[np.ndarray]:
    """Train one classifier per (X, y) with the numba kernel; returns the weight vectors."""
    sizes = np.array([X.shape[0] for X, _ in datasets], dtype=np.int64)
    dims = np.array([X.shape[1] for X, _ in datasets], dtype=np.int64)
    row_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    w_off = np.concatenate([[0], np.cumsum(dims)]).astype(np.int64)
    width = int(dims.max())
    X = np.zeros((int(row_off[-1]), width))
    for (Xb, _), lo in zip(datasets, row_off[:-1]):
        X[lo:lo + Xb.shape[0], :Xb.shape[1]] = Xb
    y = np.concatenate([yb for _, yb in datasets]).astype(np.float64)
    w = np.zeros(int(w_off[-1]))
    train_linear(X, y, row_off, w_off, np.asarray(rho, dtype=np.float64), np.asarray(steps, dtype=np.int64), B, w)
    return [w[w_off[b]:w_off[b + 1]].copy() for b in range(len(datasets))]


# ------------------------------------------------------------------ statistics


def zero_one(margins: np.ndarray) -> float:
    """Fraction of points with y w^T x <= 0 (a tie counts as an error)."""
    return float(np.mean(margins <= 0.0))


def ramp(margins: np.ndarray, rho: float) -> float:
    """Mean ramp loss Phi_rho(z) = min(1, max(0, 1 - z/rho)) (Mohri et al. Def. 5.5)."""
    return float(np.mean(np.clip(1.0 - margins / rho, 0.0, 1.0)))


def gibbs_error(margins: np.ndarray, x_norms: np.ndarray, s: float) -> float:
    """Exact error of the Gibbs classifier w' ~ N(w, s^2 I): mean of P(y w'^T x <= 0) = Phi(-y w^T x / (s ||x||))."""
    return float(np.mean(ndtr(-margins / (s * np.maximum(x_norms, 1e-300)))))


def kl_isotropic(w: np.ndarray, w_prior: np.ndarray, s: float) -> float:
    """KL(N(w, s^2 I) || N(w_prior, s^2 I)) = ||w - w_prior||^2 / (2 s^2) (equal covariances)."""
    diff = w - w_prior
    return float(diff @ diff / (2.0 * s * s))
