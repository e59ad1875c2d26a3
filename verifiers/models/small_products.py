"""Dense products of small matrices, written out, into preallocated outputs (numba).

At the sizes the models draw (a few rows and columns), a BLAS call through numba's ``@``
costs more than the product itself, and allocates its result: a gradient step of the
two-layer linear network at (4, 3, 2, 6) took 1.9 us, most of it in a dozen such calls.
Below :data:`SMALL_PRODUCT` multiply-adds these loops run instead (the inner loop over the
output's contiguous rows); above it, BLAS. The NTK model's products of X by W^T measured the
threshold (written out, they beat BLAS up to 65,536 multiply-adds on 2 cores). Each output
entry is a sum in a fixed order, so a product is the same bit for bit wherever it is called.

Caching: numba keys a cached kernel on its own source file only, so the kernels of
``ntk_two_layer_relu``, ``linear_two_layer`` and ``dop853``, which call these functions, keep
their cached code when only this file changes. After editing it, clear the numba cache (the
``__pycache__`` folders, or ``NUMBA_CACHE_DIR``); an install or an upgrade rewrites every
file, and a fresh clone has no cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: products of at most this many multiply-adds are written out; larger ones go to BLAS
SMALL_PRODUCT = 65536


@njit(cache=True, nogil=True)
def product(P, Q, out):
    """out = P @ Q."""
    rows, inner = P.shape
    cols = Q.shape[1]
    if rows * inner * cols > SMALL_PRODUCT:
        np.dot(P, Q, out)
        return
    for i in range(rows):
        for j in range(cols):
            out[i, j] = 0.0
        for k in range(inner):
            p = P[i, k]
            for j in range(cols):
                out[i, j] += p * Q[k, j]


@njit(cache=True, nogil=True)
def product_nt(P, Q, out):
    """out = P @ Q^T."""
    rows, inner = P.shape
    cols = Q.shape[0]
    if rows * inner * cols > SMALL_PRODUCT:
        np.dot(P, Q.T, out)
        return
    for i in range(rows):
        for j in range(cols):
            total = 0.0
            for k in range(inner):
                total += P[i, k] * Q[j, k]
            out[i, j] = total


@njit(cache=True, nogil=True)
def product_tn(P, Q, out):
    """out = P^T @ Q."""
    inner, rows = P.shape
    cols = Q.shape[1]
    if rows * inner * cols > SMALL_PRODUCT:
        np.dot(P.T, Q, out)
        return
    for i in range(rows):
        for j in range(cols):
            out[i, j] = 0.0
    for k in range(inner):
        for i in range(rows):
            p = P[k, i]
            for j in range(cols):
                out[i, j] += p * Q[k, j]
