"""Plain full-batch gradient descent on the two-layer ReLU network, as fast as we can make it.

    u = m^(-1/2) relu(X W^T) a,   r = u - y,   L = ||r||^2 / 2,
    grad_W L = m^(-1/2) ((r a^T) * 1{X W^T >= 0})^T X,   W <- W - eta grad_W L.

About 4 n d m flops per step (two products of the n x d inputs with the m x d weights)
plus O(n m) elementwise work. Three formulations, each with the NumPy reference
:func:`relu_gd_reference` that the tests hold them to:

* :func:`relu_gd_loops` — explicit loops, no allocation inside the step loop; the
  fastest for small networks (everything sits in L1, no call overhead);
* :func:`relu_gd_blas` — the two products through ``np.dot`` (BLAS, both cores) and
  the elementwise work fused in one pass over each row, in place; the fastest for
  large networks;
* :func:`relu_gd_batched` — many small instances of one shape, one per ``prange``
  index, each by the explicit-loop formulation.

:func:`relu_gd` picks loops or BLAS by the flop count of a step (:data:`BLAS_FROM`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: n d m from which one step goes through BLAS (measured crossover on the 2-core machine:
#: loops 47k vs BLAS 42k steps/s at (64, 8, 128); 28k vs 38k at (32, 16, 256))
BLAS_FROM = 2**17


@njit(cache=True)
def relu_gd_loops(X, y, W, a, eta, steps, resid_sq):
    """``steps`` GD steps on W (in place); resid_sq[k] = ||u(k) - y||^2 for k = 0..steps.

    The weights are kept transposed (d x m) so that every inner loop runs over the m
    neurons with unit stride (SIMD). Once the residual of step k is known the gradient
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
    for q in range(m):
        z = Z[i, q]
        if z >= 0.0:
            u += a[q] * z
            Z[i, q] = a[q]
        else:
            Z[i, q] = 0.0
    r = scale * u - y[i]
    c = eta * scale * r
    for q in range(m):
        Z[i, q] *= c
    return r * r


@njit(cache=True)
def _gate_serial(Z, a, y, scale, eta):
    total = 0.0
    for i in range(Z.shape[0]):
        total += _gate_row(Z, i, a, y, scale, eta)
    return total


@njit(parallel=True, cache=True)
def _gate_parallel(Z, a, y, scale, eta):
    rows = np.empty(Z.shape[0])
    for i in prange(Z.shape[0]):
        rows[i] = _gate_row(Z, i, a, y, scale, eta)
    return rows.sum()


#: n m up to which the elementwise pass runs on numba's threads. Above it the products are
#: large enough for OpenBLAS to use its own threads, whose spin-wait after each call
#: competes with numba's for the two cores (measured: the parallel pass halves the steps/s
#: at (256, 64, 2048) and gains 20% at (64, 16, 256)).
PARALLEL_GATE_UP_TO = 64 * 256


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
    parallel = n * m <= PARALLEL_GATE_UP_TO
    for k in range(steps + 1):
        np.dot(X, WT, Z)
        if parallel:
            resid_sq[k] = _gate_parallel(Z, a, y, scale, eta)
        else:
            resid_sq[k] = _gate_serial(Z, a, y, scale, eta)
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
        relu_gd_loops(X[b], y[b], W[b], a[b], eta[b], steps, resid_sq[b])


def relu_gd(X, y, W, a, eta, steps):
    """Run ``steps`` GD steps from W (copied); returns (W_final, resid_sq[0..steps])."""
    W = np.array(W, dtype=np.float64, order="C")
    resid_sq = np.empty(steps + 1)
    n, d = X.shape
    kernel = relu_gd_blas if n * d * W.shape[0] >= BLAS_FROM else relu_gd_loops
    kernel(np.ascontiguousarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64), W,
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
