"""Plain full-batch gradient descent on the two-layer ReLU network, as fast as we can make it.

    u = m^(-1/2) relu(X W^T) a,   r = u - y,   L = ||r||^2 / 2,
    grad_W L = m^(-1/2) ((r a^T) * 1{X W^T >= 0})^T X,   W <- W - eta grad_W L.

About 4 n d m flops per step (two products of the n x d inputs with the m x d weights)
plus O(n m) elementwise work. Three formulations, each with the NumPy reference
:func:`relu_gd_reference` that the tests hold them to:

* :func:`relu_gd_blas` — the two products through ``np.dot`` (BLAS) and the
  elementwise work in one branch-free pass over each row of X W^T, in place; the
  fastest at every size measured, (16, 4, 32) to (1024, 128, 4096);
* :func:`relu_gd_batched` — many instances of one shape, one per ``prange`` index,
  each by :func:`relu_gd_blas`;
* :func:`relu_gd_loops` — explicit loops, no BLAS; kept as the benchmark's
  "numba, explicit loops" column (1.5x slower than BLAS at (16, 4, 32), 2.4x at
  (64, 16, 256)).

:func:`relu_gd` is the entry point for one instance.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def relu_gd_loops(X, y, W, a, eta, steps, resid_sq):
    """``steps`` GD steps on W (in place); resid_sq[k] = ||u(k) - y||^2 for k = 0..steps.

    The formulation without BLAS. The weights are kept transposed (d x m) so that every
    inner loop runs over the m neurons with unit stride (SIMD). Once the residual of step k is known the gradient
    no longer depends on W, so each input's contribution is subtracted from W directly.
    """
    n, d = X.shape
    m = W.shape[0]
    scale = 1.0 / np.sqrt(m)
    WT = np.ascontiguousarray(W.T)
    gate = np.empty((n, m))  # a_q 1{z_iq >= 0}
    z = np.empty(m)
    r = np.empty(n)
    for k in range(steps + 1):
        total = 0.0
        for i in range(n):
            for q in range(m):
                z[q] = 0.0
            for j in range(d):
                xij = X[i, j]
                for q in range(m):
                    z[q] += xij * WT[j, q]
            u = 0.0
            for q in range(m):
                zq = z[q]
                u += a[q] * max(zq, 0.0)
                gate[i, q] = a[q] if zq >= 0.0 else 0.0
            r[i] = scale * u - y[i]
            total += r[i] * r[i]
        resid_sq[k] = total
        if k == steps:
            break
        for i in range(n):
            c = eta * scale * r[i]
            for j in range(d):
                cx = c * X[i, j]
                for q in range(m):
                    WT[j, q] -= cx * gate[i, q]
    W[:, :] = WT.T


@njit(cache=True)
def _gate_row(Z, i, a, y, scale, eta):
    """Row i of Z in place: Z_iq <- eta scale r_i a_q 1{Z_iq >= 0}; returns r_i^2.

    One sweep computes u_i and writes the gate while the row sits in cache, the second
    scales it by eta scale r_i (still in cache): Z is read from memory once per step.
    """
    m = Z.shape[1]
    u = 0.0
    for q in range(m):  # branch-free, so it vectorises: the signs of Z are coin flips, and
        z = Z[i, q]     # an if/else here mispredicts half the time (6x slower, measured)
        u += a[q] * max(z, 0.0)
        Z[i, q] = a[q] if z >= 0.0 else 0.0
    r = scale * u - y[i]
    c = eta * scale * r
    for q in range(m):
        Z[i, q] *= c
    return r * r


@njit(cache=True)
def _gate(Z, a, y, scale, eta):
    """Every row of Z gated in place (:func:`_gate_row`); returns ||r||^2.

    Serial on purpose: run on numba's threads between two BLAS calls it halved the steps
    per second at (256, 64, 2048) (its threads and OpenBLAS's compete for the cores).
    """
    total = 0.0
    for i in range(Z.shape[0]):
        total += _gate_row(Z, i, a, y, scale, eta)
    return total


@njit(cache=True)
def relu_gd_blas(X, y, W, a, eta, steps, resid_sq):
    """As :func:`relu_gd_loops`, the two products by BLAS: Z = X W^T, then the gated,
    scaled residual written over Z, then W^T -= X^T Z. Weights kept transposed (d x m)
    so both products write C-contiguous results."""
    n, d = X.shape
    m = W.shape[0]
    scale = 1.0 / np.sqrt(m)
    WT = np.ascontiguousarray(W.T)
    Z = np.empty((n, m))
    GT = np.empty((d, m))
    for k in range(steps + 1):
        np.dot(X, WT, Z)
        resid_sq[k] = _gate(Z, a, y, scale, eta)
        if k == steps:
            break
        np.dot(X.T, Z, GT)
        for j in range(d):
            for q in range(m):
                WT[j, q] -= GT[j, q]
    W[:, :] = WT.T


@njit(parallel=True, cache=True)
def relu_gd_batched(X, y, W, a, eta, steps, resid_sq):
    """Many instances of one shape: X (B, n, d), y (B, n), W (B, m, d), a (B, m), eta (B,)."""
    for b in prange(X.shape[0]):
        relu_gd_blas(X[b], y[b], W[b], a[b], eta[b], steps, resid_sq[b])


def relu_gd(X, y, W, a, eta, steps):
    """Run ``steps`` GD steps from W (copied); returns (W_final, resid_sq[0..steps])."""
    W = np.array(W, dtype=np.float64, order="C")
    resid_sq = np.empty(steps + 1)
    relu_gd_blas(np.ascontiguousarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64), W,
                 np.asarray(a, dtype=np.float64), float(eta), int(steps), resid_sq)
    return W, resid_sq


def relu_gd_reference(X, y, W, a, eta, steps):
    """The NumPy reference: the formulas of the module docstring, one line each."""
    W = np.array(W, dtype=np.float64)
    scale = 1.0 / np.sqrt(W.shape[0])
    resid_sq = np.empty(steps + 1)
    for k in range(steps + 1):
        Z = X @ W.T
        r = scale * np.maximum(Z, 0.0) @ a - y
        resid_sq[k] = r @ r
        if k < steps:
            W -= eta * scale * ((np.outer(r, a)) * (Z >= 0)).T @ X
    return W, resid_sq
