"""Least squares with Gaussian design: data from a seed, gradient descent, closed forms.

Conventions (Hastie, Montanari, Rosset, Tibshirani, Ann. Statist. 2022, arXiv:1903.08560):
X in R^{n x p} with i.i.d. N(0, 1) entries (Sigma = I), beta = r g / ||g|| with g
standard Gaussian (so ||beta|| = r exactly), y = X beta + sigma eps, eps ~ N(0, I_n).

Gradient descent from b_0 = 0 on F(b) = (1/2n) ||y - X b||^2 + (ridge/2) ||b||^2 with the
step eta / L, L = lambda_max(X^T X / n) + ridge (``eta`` is the normalised step):
b_{k+1} = b_k - (eta / L) (X^T (X b_k - y) / n + ridge b_k).

Closed forms through the thin SVD X = U diag(s) V^T (k = min(n, p) singular values):
with lambda_i = s_i^2 / n + ridge and c = U^T y,

* the limit of gradient descent (ridge estimator (X^T X + n ridge I)^{-1} X^T y, the
  minimum-norm interpolator (X^T X)^+ X^T y when ridge = 0): b = V diag(h) c, h_i = (s_i / n) / lambda_i;
* gradient descent after T steps: h_i = (s_i / n) (1 - (1 - eta lambda_i / L)^T) / lambda_i;
* for any such linear estimator b = V diag(h) U^T y, averaged over the noise exactly:
  bias = ||V diag(h s) V^T beta - beta||^2 = r^2 - sum_i (2 h_i s_i - h_i^2 s_i^2) a_i^2, a = V^T beta;
  variance = sigma^2 sum_i h_i^2; so E[||b - beta||^2 | X] = bias + variance.

Each numba kernel has a NumPy reference below it; the tests hold them equal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit, prange

from boundcheck.verifiers.models import mpfr_eigen
from boundcheck.verifiers.models.blas import single_threaded_blas

#: singular values below RANK_TOL * s_max count as zero (the pseudo-inverse's cut-off)
RANK_TOL = 1e-7


# ------------------------------------------------------------------ data


def draw(n: int, p: int, r: float, sigma: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, beta, y, eps) of one instance; beta has norm exactly r."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    g = rng.standard_normal(p)
    eps = rng.standard_normal(n)
    beta = r * g / np.linalg.norm(g)
    return X, beta, X @ beta + sigma * eps, eps


def draw_fewer(n: int, p: int, r: float, sigma: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same seed's instance with its last feature dropped: an exact draw at p - 1,
    coupled to the draw at p (common random numbers): X[:, :p-1], beta' = r g' / ||g'||."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))[:, :p - 1]
    g = rng.standard_normal(p)[:p - 1]
    eps = rng.standard_normal(n)
    beta = r * g / np.linalg.norm(g)
    return X, beta, X @ beta + sigma * eps


# ------------------------------------------------------------------ closed forms


def spectral_filter(s: np.ndarray, n: int, ridge: float, eta: float = 1.0, steps: int = 0) -> np.ndarray:
    """h_i with b = V diag(h) U^T y: the limit estimator (steps = 0) or GD after ``steps`` steps.

    Works on stacks (the last axis indexes singular values)."""
    lam = s * s / n + ridge
    positive = s > RANK_TOL * np.max(s, axis=-1, keepdims=True)
    safe = np.where(positive, lam, 1.0)
    if steps == 0:
        h = (s / n) / safe
    else:
        L = np.max(lam, axis=-1, keepdims=True)
        h = (s / n) * (1.0 - (1.0 - eta * lam / L) ** steps) / safe
    return np.where(positive, h, 0.0)


def bias_variance(s: np.ndarray, h: np.ndarray, a: np.ndarray, r: Any, sigma: Any) -> tuple[np.ndarray, np.ndarray]:
    """Conditional (on X) bias and variance of b = V diag(h) U^T y; a = V^T beta. Works on stacks."""
    hs = h * s
    bias = np.asarray(r) ** 2 - np.sum((2.0 * hs - hs * hs) * a * a, axis=-1)
    variance = np.asarray(sigma) ** 2 * np.sum(h * h, axis=-1)
    return np.maximum(bias, 0.0), variance


def thin_svd_stack(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(U, s, V) of a stack X (B, n, p), k = min(n, p) components, from the eigendecomposition
    of the smaller Gram matrix (n^2 p flops instead of an SVD's; LAPACK's SVD is also very
    slow on some shapes, e.g. p = 512). s is accurate to about 1e-8 s_max for tiny singular
    values, far below what matters here (Gaussian X has full rank k with probability one)."""
    B, n, p = X.shape
    if n <= p:
        w, U = np.linalg.eigh(X @ np.transpose(X, (0, 2, 1)))
        s = np.sqrt(np.maximum(w, 0.0))
        positive = s > RANK_TOL * s.max(axis=-1, keepdims=True)
        V = np.where(positive[:, None, :], (np.transpose(X, (0, 2, 1)) @ U) / np.where(positive, s, 1.0)[:, None, :],
                     0.0)
    else:
        w, V = np.linalg.eigh(np.transpose(X, (0, 2, 1)) @ X)
        s = np.sqrt(np.maximum(w, 0.0))
        positive = s > RANK_TOL * s.max(axis=-1, keepdims=True)
        U = np.where(positive[:, None, :], (X @ V) / np.where(positive, s, 1.0)[:, None, :], 0.0)
    return U, s, V


def svd_stack(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`thin_svd_stack` with BLAS on one thread (see :func:`closed_form_stack`)."""
    with single_threaded_blas():
        return thin_svd_stack(X)


def closed_form_stack(X: np.ndarray, beta: np.ndarray, y: np.ndarray, r: float, sigma: float, ridge: float,
                      eta: float = 1.0, steps: int = 0, svd: tuple | None = None) -> dict[str, np.ndarray]:
    """Risk, bias and variance for a stack of instances of one size: X (B, n, p), beta (B, p), y (B, n).

    One batched eigendecomposition (:func:`thin_svd_stack`), or none when ``svd`` gives X's
    (the limit and gradient descent after ``steps`` steps share it); the fast path of sweeps.
    BLAS runs single-threaded here: on small matrices a multithreaded OpenBLAS on a loaded
    machine was measured 20-60x slower."""
    n = X.shape[1]
    if svd is None:
        svd = svd_stack(X)
    U, s, V = svd
    h = spectral_filter(s, n, ridge, eta, steps)
    c = np.einsum("bnk,bn->bk", U, y)
    b = np.einsum("bpk,bk->bp", V, h * c)
    a = np.einsum("bpk,bp->bk", V, beta)
    bias, variance = bias_variance(s, h, a, r, sigma)
    lam = s * s / n + ridge
    positive = s > RANK_TOL * s.max(axis=-1, keepdims=True)
    return {"estimator": b, "risk": np.sum((b - beta) ** 2, axis=-1), "bias": bias, "variance": variance,
            "lam_max": lam.max(axis=-1), "lam_min": np.where(positive, lam, np.inf).min(axis=-1)}


# ------------------------------------------------------------------ gradient descent (numba)


@njit(parallel=True, cache=True)
def gd_batch(X, y, row_off, col_off, b_limit, step, ridge, steps, traj_off, train_loss, norm, dist, b_out):
    """Gradient descent from zero for every instance b of a batch (prange over instances).

    Instance b owns rows row_off[b]:row_off[b+1] of X (its first col_off[b+1]-col_off[b]
    columns) and of y, entries col_off[b]:col_off[b+1] of b_limit and b_out, and entries
    traj_off[b]:traj_off[b+1] (steps[b] + 1 of them) of train_loss (mean squared residual),
    norm (||b_t||) and dist (||b_t - b_limit||^2). ``step`` is the raw step eta / L.
    """
    for inst in prange(row_off.size - 1):
        lo, hi = row_off[inst], row_off[inst + 1]
        n = hi - lo
        c0 = col_off[inst]
        p = col_off[inst + 1] - c0
        w = np.zeros(p)
        g = np.zeros(p)
        resid = np.zeros(n)
        for k in range(steps[inst] + 1):
            loss = 0.0
            for i in range(n):
                z = 0.0
                for j in range(p):
                    z += X[lo + i, j] * w[j]
                resid[i] = z - y[lo + i]
                loss += resid[i] * resid[i]
            sq = 0.0
            dd = 0.0
            for j in range(p):
                sq += w[j] * w[j]
                e = w[j] - b_limit[c0 + j]
                dd += e * e
            at = traj_off[inst] + k
            train_loss[at] = loss / n
            norm[at] = math.sqrt(sq)
            dist[at] = dd
            if k == steps[inst]:
                break
            for j in range(p):
                g[j] = ridge[inst] * w[j]
            for i in range(n):
                ri = resid[i] / n
                for j in range(p):
                    g[j] += X[lo + i, j] * ri
            for j in range(p):
                w[j] -= step[inst] * g[j]
        for j in range(p):
            b_out[c0 + j] = w[j]


def gd_reference(X: np.ndarray, y: np.ndarray, b_limit: np.ndarray, step: Any, ridge: Any, steps: int,
                 xp=None) -> dict[str, np.ndarray]:
    """The NumPy reference for :func:`gd_batch`, one instance; with an mpmath backend ``xp``
    (object arrays) the same arithmetic runs in high precision."""
    n, p = X.shape
    zero = 0.0 if xp is None else xp.scalar(0)
    w = np.full(p, zero, dtype=X.dtype)
    losses, norms, dists = [], [], []
    for k in range(steps + 1):
        resid = X.dot(w) - y
        losses.append(resid.dot(resid) / n)
        sq = w.dot(w)
        norms.append(math.sqrt(sq) if xp is None else xp.sqrt(np.array([sq]))[0])
        e = w - b_limit
        dists.append(e.dot(e))
        if k == steps:
            break
        w = w - step * (X.T.dot(resid) / n + ridge * w)
    dtype = np.float64 if xp is None else object
    return {"train_loss": np.array(losses, dtype=dtype), "norm": np.array(norms, dtype=dtype),
            "dist": np.array(dists, dtype=dtype), "estimator": w}


def run_gd(instances: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float, int]]) -> list[dict[str, np.ndarray]]:
    """Gradient descent for each (X, y, b_limit, step, ridge, steps) by one :func:`gd_batch` call."""
    ns = np.array([X.shape[0] for X, *_ in instances], dtype=np.int64)
    ps = np.array([X.shape[1] for X, *_ in instances], dtype=np.int64)
    steps = np.array([inst[5] for inst in instances], dtype=np.int64)
    row_off = np.concatenate([[0], np.cumsum(ns)]).astype(np.int64)
    col_off = np.concatenate([[0], np.cumsum(ps)]).astype(np.int64)
    traj_off = np.concatenate([[0], np.cumsum(steps + 1)]).astype(np.int64)
    X = np.zeros((int(row_off[-1]), int(ps.max())))
    for (Xb, *_), lo in zip(instances, row_off[:-1]):
        X[lo:lo + Xb.shape[0], :Xb.shape[1]] = Xb
    y = np.concatenate([inst[1] for inst in instances]).astype(np.float64)
    b_limit = np.concatenate([inst[2] for inst in instances]).astype(np.float64)
    step = np.array([inst[3] for inst in instances], dtype=np.float64)
    ridge = np.array([inst[4] for inst in instances], dtype=np.float64)
    total = int(traj_off[-1])
    train_loss, norm, dist = np.zeros(total), np.zeros(total), np.zeros(total)
    b_out = np.zeros(int(col_off[-1]))
    gd_batch(X, y, row_off, col_off, b_limit, step, ridge, steps, traj_off, train_loss, norm, dist, b_out)
    out = []
    for b in range(len(instances)):
        t0, t1 = traj_off[b], traj_off[b + 1]
        out.append({"train_loss": train_loss[t0:t1].copy(), "norm": norm[t0:t1].copy(),
                    "dist": dist[t0:t1].copy(), "estimator": b_out[col_off[b]:col_off[b + 1]].copy()})
    return out


def limit_high_precision(X: np.ndarray, y: np.ndarray, ridge: float, dps: int) -> tuple[np.ndarray, Any, Any]:
    """The limit estimator and (lambda_min, lambda_max) of X^T X / n + ridge on its range, in mpmath.

    Uses the smaller Gram matrix: b = X^T (X X^T + n ridge)^{-1} y if n <= p, else
    (X^T X + n ridge)^{-1} X^T y (equal to the pseudo-inverse solution when ridge = 0 and X
    has full rank, which holds with probability one)."""
    import mpmath

    mpmath.mp.dps = dps
    n, p = X.shape
    M = mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in X])
    Y = mpmath.matrix([mpmath.mpf(float(v)) for v in y])
    lam = mpmath.mpf(n) * mpmath.mpf(ridge)
    if n <= p:
        G = M * M.T + lam * mpmath.eye(n)
        b = M.T * mpmath.lu_solve(G, Y)
    else:
        G = M.T * M + lam * mpmath.eye(p)
        b = mpmath.lu_solve(G, M.T * Y)
    eig = mpfr_eigen.eigvalsh(np.array(G.tolist(), dtype=object))  # mpmath.eigsy's numbers, ascending
    values = [v / n for v in eig]
    return np.array([b[i] for i in range(p)], dtype=object), values[0], values[-1]
