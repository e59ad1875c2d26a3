"""``ntk.two_layer_relu``: a two-layer ReLU network trained by full-batch gradient descent.

The setting of Du, Zhai, Poczos, Singh (ICLR 2019, arXiv:1810.02054) and Arora, Du, Hu,
Li, Wang (ICML 2019, arXiv:1901.08584):

    f(W, a, x) = m^(-1/2) sum_r a_r relu(w_r^T x),   a_r in {-1, +1} fixed,
    L(W) = (1/2) sum_i (f(W, a, x_i) - y_i)^2          (a sum, not a mean),
    W(k+1) = W(k) - eta grad L(W(k)),  relu'(z) = 1{z >= 0}.

An instance is its parameters and two seeds: ``seed`` draws the data (inputs uniform on
the unit sphere, so no two are parallel almost surely; labels random signs
(``labels = 0``) or a linear target y = beta^T x with ||beta|| = 1 (``labels = 1``),
so |y_i| <= 1), ``init_seed`` draws the initialisation, so a probability statement
``over="init_seed"`` resamples the initialisation only. ``init = 0``: w_r(0) ~ N(0,
kappa^2 I), a_r uniform signs; ``init = 1`` (antisymmetric, the set-up that matched
Arora et al.'s trajectory formula best in simulations): neurons in pairs with equal
weights and opposite output signs, so u(0) = 0 exactly (an odd m gets one extra neuron
with w = 0, which outputs 0 too). ``linearized = 1`` trains the
network's first-order Taylor model at W(0) instead (a convex quadratic in W whose
Hessian is J(0)^T J(0), the exact companion of the edge-of-stability claims).

The step is ``eta = step * unit``, where ``step_unit`` picks the unit: 0 absolute,
1 the inverse of lambda_max(H^inf), 2 Du et al.'s lambda_0 / n^2, 3 the inverse of the
sharpness at initialisation lambda_max(H(0)). Statements state their hypotheses on
the observable ``eta``; a statement's ``domain`` on ``step`` and ``step_unit`` draws
instances that meet them.

Observables (indexed by the iteration t = 0..steps):

* ``resid_sq[t]`` = ||u(t) - y||^2, ``loss[t]`` = resid_sq[t] / 2;
* ``dist[t]`` = max_r ||w_r(t) - w_r(0)||;
* ``lambda_min_H[t]``, ``sharpness[t]``: the smallest and largest eigenvalue of the
  Gram matrix H(t) = J(t) J(t)^T. Since relu'' = 0 almost everywhere, the training-loss
  Hessian is J^T J almost everywhere, so its top eigenvalue (the sharpness of Cohen et
  al. 2021) is lambda_max(H(t)) (J^T J and J J^T share their nonzero spectrum). Both
  ends come from one dense eigensolver call on the n x n Gram, accurate to a few units
  of roundoff times ||H||. (A power iteration on Hessian-vector products, used before,
  stopped 1.5e-8 short, relatively, where the top two eigenvalues of H(0) were 0.4%
  apart: less accurate than the 1e-9 the checker assumes of an observable, and it
  underestimates.) The call costs about as much as several gradient steps, so they are
  computed every
  ``spectrum_every`` steps (0: only at t = 0 and the last step; -1: never) and are NaN
  in between;
  statements that read them at every t use ``spectrum_every = 1``;
* ``du_condition[t]`` = max_{1 <= k <= t} resid_sq[k] / ((1 - eta lambda0/2)^k resid_sq[0])
  (0 at t = 0), Du et al.'s Condition 4.1 up to t holds iff it is <= 1 (the ratio at k = 0
  is 1 exactly and satisfies it: left out, no run sits exactly on the boundary of ``<= 1``,
  where the checker could not tell the branches of a condition apart);
* ``resid_pred[t]`` = sqrt(sum_i (1 - eta lambda_i)^(2t) (v_i^T y)^2), the kernel-regime
  prediction of ||y - u(t)|| of Arora et al. 2019, Theorem 4.1 (eigenpairs of H^inf);

and scalars ``lambda0`` = lambda_min(H^inf) (closed form, :mod:`boundcheck.theorems.ntk_kernel`),
``lambda_max_inf``, ``ntk_gap`` = ||H(0) - H^inf||_2, ``ntk_gap_max`` = max_ij
|H(0)_ij - H^inf_ij|, ``y_sq`` = ||y||^2, ``top_proj_sq`` = (v_1^T (y - u(0)))^2 along
the top eigenvector of H(0), ``sharpness_0`` and ``lambda_min_H_0`` (the spectral
observables at t = 0, as scalars that hypotheses can name), and the parameters ``n, d, m, eta, kappa, step``.

:func:`train_two_layer_relu` is the public training entry point (batched over
instances); the classification statements of other families may call it directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp
from numba import njit

from boundcheck.theorems.ntk_kernel import cosine, h_infinity_entry
from boundcheck.verifiers.models import mpfr_eigen, pcg64
from boundcheck.verifiers.models.base import ERROR_KEY, SEED_MAX, Model, Observable, Observations, param
from boundcheck.verifiers.models.precision import FLOAT64, mpfr_arithmetic, mpfr_sqrt
from boundcheck.verifiers.models.small_products import SMALL_PRODUCT, product
from boundcheck.verifiers.models.threads import in_background, parts, run_strided

UNIT_ABSOLUTE, UNIT_INV_LAMBDA_MAX_INF, UNIT_DU, UNIT_INV_SHARPNESS0 = 0, 1, 2, 3
_H_INF = sp.lambdify(cosine, h_infinity_entry(cosine), "numpy")
_H_INF_MP = sp.lambdify(cosine, h_infinity_entry(cosine), "mpmath")


# ------------------------------------------------------------------ kernel


@njit(cache=True, nogil=True)
def _masked_product(Xb, XT, S, weights, out):
    """out = X^T (S * weights[:, None]) (d x m: the gradient's and the Hessian-vector product's
    last step), written out or by BLAS as
    :func:`~boundcheck.verifiers.models.small_products.product` chooses."""
    nb, db = Xb.shape
    mb = S.shape[1]
    if nb * db * mb > SMALL_PRODUCT:
        product(XT, S * weights[:, None], out)  # by BLAS, at this size
        return
    for j in range(db):
        for r in range(mb):
            out[j, r] = 0.0
    for i in range(nb):
        for j in range(db):
            c = Xb[i, j] * weights[i]
            for r in range(mb):
                out[j, r] += c * S[i, r]


def gd_two_layer_relu(X, y, W, a, n, d, m, eta, steps, linearized, spectrum_every,
                      resid_sq_out, dist_out, lam_min_out, sharp_out):
    """Batched full-batch GD on (1/2)||u - y||^2; instance b uses X[b, :n_b, :d_b], W[b, :m_b, :d_b].

    W is overwritten with the final weights. Outputs (pre-filled with NaN by the caller)
    are written at t = 0..steps[b]; the spectral ones every spectrum_every[b] steps
    (0: at t = 0 and t = steps[b] only; -1: never). A non-finite residual stops the run there.
    Weights are kept transposed (d x m) so that both products per step are C-contiguous.
    The instances are spread over threads (:func:`boundcheck.verifiers.models.threads.run_strided`),
    each running :func:`_gd_strided` serially: a ``parallel=True`` kernel compiles every
    array expression of its body as a parfor, for no gain on matrices this small.
    """
    run_strided(_gd_strided, X.shape[0], X, y, W, a, n, d, m, eta, steps, linearized, spectrum_every,
                resid_sq_out, dist_out, lam_min_out, sharp_out)


@njit(cache=True, nogil=True)
def _gd_strided(X, y, W, a, n, d, m, eta, steps, linearized, spectrum_every,
                resid_sq_out, dist_out, lam_min_out, sharp_out, start, stride):
    """:func:`gd_two_layer_relu` for instances start, start + stride, ... (serial, no GIL)."""
    for b in range(start, X.shape[0], stride):
        nb, db, mb = n[b], d[b], m[b]
        Xb = X[b, :nb, :db].copy()
        XT = Xb.T.copy()
        yb = y[b, :nb].copy()
        WT = W[b, :mb, :db].T.copy()
        ab = a[b, :mb].copy()
        WT0 = WT.copy()
        scale = 1.0 / np.sqrt(mb)
        gram_x = Xb @ XT
        pre0 = np.empty((nb, mb))
        product(Xb, WT0, pre0)  # the same arithmetic as pre at step 0: the linearised u(0) is u0 exactly
        S0 = (pre0 >= 0.0).astype(np.float64)
        u0 = scale * (np.maximum(pre0, 0.0) @ ab)
        S = np.empty((nb, mb))
        pre = np.empty((nb, mb))
        u = np.empty(nb)
        resid = np.empty(nb)
        moved = np.empty(mb)
        gradT = np.empty((db, mb))
        for k in range(steps[b] + 1):
            product(Xb, WT, pre)
            if linearized[b] == 1:
                S[:, :] = S0
                for i in range(nb):
                    acc = 0.0
                    for r in range(mb):
                        acc += ab[r] * S0[i, r] * (pre[i, r] - pre0[i, r])
                    u[i] = u0[i] + scale * acc
            else:
                for i in range(nb):
                    acc = 0.0
                    for r in range(mb):  # branch-free (vectorises; the signs are coin flips)
                        z = pre[i, r]
                        active = 1.0 if z >= 0.0 else 0.0
                        S[i, r] = active
                        acc += ab[r] * (active * z)  # 0 * z: a no-op, except that a NaN propagates
                    u[i] = scale * acc
            rs = 0.0
            for i in range(nb):
                resid[i] = u[i] - yb[i]
                rs += resid[i] * resid[i]
            resid_sq_out[b, k] = rs
            for r in range(mb):
                moved[r] = 0.0
            for j in range(db):
                for r in range(mb):
                    diff = WT[j, r] - WT0[j, r]
                    moved[r] += diff * diff
            far = moved[0]
            for r in range(1, mb):
                if moved[r] > far or moved[r] != moved[r]:  # a NaN propagates, as np.max would
                    far = moved[r]
            dist_out[b, k] = np.sqrt(far)
            if not np.isfinite(rs) or not np.isfinite(far):
                break
            every = spectrum_every[b]
            if every >= 0 and (k == 0 or k == steps[b] or (every > 0 and k % every == 0)):
                spectrum = np.linalg.eigvalsh(gram_x * (S @ S.T) / mb)  # H(t) = J J^T
                lam_min_out[b, k] = spectrum[0]
                sharp_out[b, k] = spectrum[-1]  # = lambda_max(J^T J), the loss Hessian's (a.e.)
            if k < steps[b]:
                _masked_product(Xb, XT, S, resid, gradT)
                for j in range(db):
                    for r in range(mb):
                        WT[j, r] -= eta[b] * scale * ab[r] * gradT[j, r]
        W[b, :mb, :db] = WT.T


def train_two_layer_relu(Xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], W0s: Sequence[np.ndarray],
                         a_s: Sequence[np.ndarray], etas: Sequence[float], steps: Sequence[int],
                         linearized: Sequence[int] | None = None,
                         spectrum_every: Sequence[int] | None = None) -> dict[str, Any]:
    """Train a batch of two-layer ReLU networks (one numba call, parallel over instances).

    ``Xs[b]`` is (n_b, d_b), ``ys[b]`` (n_b,), ``W0s[b]`` (m_b, d_b), ``a_s[b]`` (m_b,).
    Returns ``resid_sq``, ``dist``, ``lambda_min_H``, ``sharpness`` (lists of arrays of
    length steps[b] + 1; NaN where not computed) and ``W`` (the final weights).
    """
    packed = _packed(Xs, ys, W0s, a_s, etas, steps, linearized, spectrum_every)
    gd_two_layer_relu(*packed)
    return _unpacked(packed)


def _train_serially(packed: tuple) -> dict[str, Any]:
    """:func:`train_two_layer_relu` of a packed batch on the calling thread alone (a kernel
    thread: see :meth:`TwoLayerReLU.run_only`)."""
    _gd_strided(*packed, 0, 1)
    return _unpacked(packed)


def _packed(Xs, ys, W0s, a_s, etas, steps, linearized, spectrum_every) -> tuple:
    """The arguments of :func:`gd_two_layer_relu`: the batch padded into arrays, and its outputs
    filled with NaN."""
    B = len(Xs)
    n = np.array([x.shape[0] for x in Xs], dtype=np.int64)
    d = np.array([x.shape[1] for x in Xs], dtype=np.int64)
    m = np.array([w.shape[0] for w in W0s], dtype=np.int64)
    steps_arr = np.asarray(steps, dtype=np.int64)
    X = np.zeros((B, n.max(), d.max()))
    y = np.zeros((B, n.max()))
    W = np.zeros((B, m.max(), d.max()))
    a = np.zeros((B, m.max()))
    for b in range(B):
        X[b, :n[b], :d[b]] = Xs[b]
        y[b, :n[b]] = ys[b]
        W[b, :m[b], :d[b]] = W0s[b]
        a[b, :m[b]] = a_s[b]
    width = int(steps_arr.max()) + 1
    outs = [np.full((B, width), np.nan) for _ in range(4)]
    lin = np.zeros(B, dtype=np.int64) if linearized is None else np.asarray(linearized, dtype=np.int64)
    every = np.ones(B, dtype=np.int64) if spectrum_every is None else np.asarray(spectrum_every, dtype=np.int64)
    return (X, y, W, a, n, d, m, np.asarray(etas, dtype=np.float64), steps_arr, lin, every, *outs)


def _unpacked(packed: tuple) -> dict[str, Any]:
    """The per-instance outputs of a packed batch that :func:`gd_two_layer_relu` has run."""
    W, m, d, steps_arr, outs = packed[2], packed[6], packed[5], packed[8], packed[11:]
    B = W.shape[0]
    names = ("resid_sq", "dist", "lambda_min_H", "sharpness")
    result: dict[str, Any] = {name: [o[b, : steps_arr[b] + 1] for b in range(B)] for name, o in zip(names, outs)}
    result["W"] = [W[b, : m[b], : d[b]].copy() for b in range(B)]
    return result


# ------------------------------------------------------------------ instances


_SIGNS = np.array([-1.0, 1.0])


def _signs(rng: np.random.Generator, size: int) -> np.ndarray:
    """Uniform random signs: ``rng.choice([-1.0, 1.0], size)`` drawn the same way (``choice``
    with uniform weights draws ``integers(0, 2, size)``: the same stream, so every seed's
    instance is unchanged), without its checks, which cost as much as the rest of the set-up."""
    return _SIGNS[rng.integers(0, 2, size=size)]


def make_data(n: int, d: int, labels: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs uniform on the unit sphere of R^d and labels with |y_i| <= 1, from ``default_rng(seed)``
    (the NumPy form of :func:`_draw_stack`'s draws, and their fallback)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    if labels == 0:
        y = _signs(rng, n)
    else:
        beta = rng.standard_normal(d)
        y = X @ (beta / np.linalg.norm(beta))
    return X, y


def make_init(m: int, d: int, kappa: float, init: int, init_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """w_r(0) ~ N(0, kappa^2 I) and a_r uniform signs, from ``default_rng(init_seed)``; ``init = 1``
    pairs them antisymmetrically (the NumPy form of :func:`_draw_stack`'s draws, and their fallback)."""
    rng = np.random.default_rng(init_seed)
    if init == 0:
        return kappa * rng.standard_normal((m, d)), _signs(rng, m)
    half = m // 2
    Wh, ah = kappa * rng.standard_normal((half, d)), _signs(rng, half)
    W = np.concatenate([Wh, Wh, np.zeros((m - 2 * half, d))])
    a = np.concatenate([ah, -ah, np.ones(m - 2 * half)])
    return W, a


@njit(cache=True, nogil=True)
def _draw_stack(data_words, init_words, draw_data, labels, kappa, init, n, d, m, X, y, beta, W, a):
    """:func:`make_data` and :func:`make_init` for a stack of instances of one shape, from each
    instance's seed words (:func:`~boundcheck.verifiers.models.pcg64.seed_words`), by the same
    draws in the same order (:mod:`~boundcheck.verifiers.models.pcg64`): the raw Gaussian inputs
    X (normalised by the caller, as ``make_data`` does), the signs y (``labels = 0``) or the
    Gaussian beta (``labels = 1``; the caller forms y = X beta / ||beta||), W(0) and a. An
    instance without ``draw_data`` (inputs given) draws its initialisation only."""
    g = np.zeros(pcg64.STATE_WORDS, dtype=np.uint64)
    for b in range(X.shape[0]):
        if draw_data[b]:
            pcg64.seed(g, data_words[b])
            for i in range(n):
                for j in range(d):
                    X[b, i, j] = pcg64.standard_normal(g)
            if labels[b] == 0:
                for i in range(n):
                    y[b, i] = pcg64.sign(g)
            else:
                for j in range(d):
                    beta[b, j] = pcg64.standard_normal(g)
        pcg64.seed(g, init_words[b])
        drawn = m if init[b] == 0 else m // 2  # antisymmetric: the first half, then its mirror
        for r in range(drawn):
            for j in range(d):
                W[b, r, j] = kappa[b] * pcg64.standard_normal(g)
        for r in range(drawn):
            a[b, r] = pcg64.sign(g)
        if init[b] != 0:
            for r in range(drawn):
                W[b, drawn + r, :] = W[b, r, :]
                a[b, drawn + r] = -a[b, r]
            for r in range(2 * drawn, m):
                W[b, r, :] = 0.0
                a[b, r] = 1.0


def _drawn_stack(batch: Sequence[dict[str, Any]], n: int, d: int, m: int) -> tuple[np.ndarray, ...]:
    """The stacked (X, y, W0, a) of ``batch``'s instances, all of shape (n, d, m): drawn in one
    compiled call where :func:`pcg64.agrees_with_numpy`, else by :func:`make_data` and
    :func:`make_init` one instance at a time; given inputs (``X``, ``y``) are put on the unit sphere."""
    B = len(batch)
    given = np.array(["X" in p for p in batch])
    if pcg64.agrees_with_numpy():
        X, y, beta = np.ones((B, n, d)), np.empty((B, n)), np.empty((B, d))  # ones: given rows, set below
        W, a = np.empty((B, m, d)), np.empty((B, m))
        data_words = pcg64.seed_words([0 if "X" in p else p["seed"] for p in batch])
        _draw_stack(data_words, pcg64.seed_words([p["init_seed"] for p in batch]), ~given,
                    np.array([p["labels"] for p in batch], dtype=np.int64),
                    np.array([p["kappa"] for p in batch], dtype=np.float64),
                    np.array([p["init"] for p in batch], dtype=np.int64), n, d, m, X, y, beta, W, a)
        X /= np.linalg.norm(X, axis=-1, keepdims=True)  # row by row, as make_data
        for b, params in enumerate(batch):
            if not given[b] and params["labels"] != 0:
                y[b] = X[b] @ (beta[b] / np.linalg.norm(beta[b]))
    else:
        drawn = [(None, None) if "X" in p else make_data(n, d, p["labels"], p["seed"]) for p in batch]
        inits = [make_init(m, d, p["kappa"], p["init"], p["init_seed"]) for p in batch]
        X, y = np.stack([x if x is not None else np.empty((n, d)) for x, _ in drawn]), np.empty((B, n))
        for b, (_, labels) in enumerate(drawn):
            if labels is not None:
                y[b] = labels
        W, a = np.stack([w for w, _ in inits]), np.stack([s for _, s in inits])
    for b, params in enumerate(batch):
        if given[b]:
            X[b] = np.asarray(params["X"], dtype=np.float64)
            X[b] /= np.linalg.norm(X[b], axis=1, keepdims=True)
            y[b] = np.asarray(params["y"], dtype=np.float64)
    return X, y, W, a


U64 = 2.0**-53


def top_projection_error(inst: dict[str, Any], top_proj_sq):
    """A bound on |fl(top_proj_sq) - top_proj_sq| for the float64 instance ``inst`` (or for a
    stack of instances of one shape: arrays with a leading axis, and an array of bounds).

    top_proj_sq = p^2, p = v_1^T r, r = y - u(0), v_1 the top unit eigenvector of H(0).
    The exact instance is the float64 data and initialisation with rows of X exactly
    normalised (the high-precision replay renormalises them), so:

    * H(0) is formed with entrywise error at most (d + 4) u (inner products of unit
      vectors, d + 1 roundings; the division by m and the normalisation of the rows,
      3 more), hence ||dH||_2 <= n (d + 4) u;
    * the computed pair (lambda_1, v_1) has residual rho = ||H v_1 - lambda_1 v_1|| (evaluated,
      with its own rounding (n + 2) u ||H||_F), so it is an exact eigenpair of a matrix within
      rho of H (a posteriori backward error, Parlett, *The Symmetric Eigenvalue Problem*, 4.5);
      with E = ||dH|| + rho + (n + 2) u ||H||_F, Davis-Kahan gives
      sin(angle(v_1, exact v_1)) <= E / (gap - 2 E), gap = lambda_1 - lambda_2 computed,
      and no bound (inf) when gap <= 2 E: a degenerate top eigenvalue has no defined v_1;
    * r = y - u(0) carries |dr| <= (d + m + 3) u (|y| + |relu(X W^T)| |a| / sqrt(m)) entrywise
      (the products and the subtraction), and |v|=1 up to n u;
    * dp <= sqrt(2) sin(angle) ||r|| + (n + 1) u ||r|| + ||dr|| (|v_1 - v| <= sqrt(2) sin for unit
      vectors of the right sign, which the square makes irrelevant), and
      d(p^2) <= 2 |p| dp + dp^2 + u p^2.

    Exactly zero in exact arithmetic (y - u(0) orthogonal to the top eigenvector, as for
    y = (1, -1) against H = [[1, c], [c, 1]]), top_proj_sq is about 1e-31 in float64 and this
    bound is about 1e-30: the hypothesis ``top_proj_sq > 0`` is then not met.
    """
    X, y, W0, a, H0 = inst["X"], inst["y"], inst["W0"], inst["a"], inst["H0"]
    n, d = X.shape[-2:]
    m = W0.shape[-2]
    lam, vec = inst["lam0"], inst["vec0"]
    v1, l1 = vec[..., :, -1], lam[..., -1]
    gap = l1 - lam[..., -2] if n > 1 else np.full_like(l1, np.inf)
    h_norm = np.sqrt(np.sum(H0 * H0, axis=(-2, -1)))
    rho = np.linalg.norm(np.einsum("...ij,...j->...i", H0, v1) - l1[..., None] * v1, axis=-1)
    E = n * (d + 4) * U64 + rho + (n + 2) * U64 * h_norm
    with np.errstate(divide="ignore", invalid="ignore"):
        sin = np.where(gap > 2 * E, E / (gap - 2 * E), np.inf)
    r = y - inst["u0"]
    r_norm = np.linalg.norm(r, axis=-1)
    size = np.abs(y) + np.einsum("...ir,...r->...i", np.maximum(X @ np.swapaxes(W0, -1, -2), 0.0), np.abs(a)) / np.sqrt(m)
    dr = (d + m + 3) * U64 * np.linalg.norm(size, axis=-1)
    dp = np.sqrt(2.0) * sin * r_norm + (n + 1) * U64 * r_norm + dr
    p = np.sqrt(top_proj_sq)
    with np.errstate(invalid="ignore"):
        return 2 * p * dp + dp * dp + U64 * top_proj_sq


@njit(cache=True)
def _gamma(k):
    """Higham's gamma_k = k u / (1 - k u): the relative error bound of k roundings."""
    return k * U64 / (1 - k * U64)


def rounding_floors(inst: dict[str, Any], eta: float, resid_sq: np.ndarray, dist: np.ndarray,
                    spectrum: Sequence[np.ndarray] = ()) -> dict[str, np.ndarray]:
    """Per-iteration bounds on |fl(x[t]) - x[t]| for x = resid_sq, loss, dist, du_condition,
    the float64 run against gradient descent in exact arithmetic from the same instance.

    A residual that gradient descent drives to 0 is accurate to an absolute floor, not
    relatively (1e-28 computed where it is 0 in exact arithmetic); a cell at that floor
    must stay undecided. The floor has two parts (u = 2^-53, gamma_k = k u / (1 - k u),
    Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., 3.1; rows of X
    of norm at most rho_x, W(t) the float64 iterates):

    * evaluation at W(t): u(t) - y is computed with error at most, per entry,
      gamma_{d+m+5} rho_x m^(-1/2) (N(t) + 2 N(0)) + 2 u |y|_max, where
      N(t) = sum_r ||w_r(t)|| <= N(0) + m dist[t] (the products X W^T and X W(0)^T, the
      difference and sum of the linearised model, the sum over neurons); e(t) is sqrt(n)
      times that;
    * the error the iterates accumulate: W(k+1) is the exact step from W(k) plus
      delta_k, ||delta_k||_F <= eta ||J|| e(k) + gamma_{n+3} eta sqrt(n) rho_x (||r(k)|| + e(k))
      + u ||W(k+1)||_F (the gradient taken on the computed residual, its rounding, the
      update), with ||J||_2 <= ||J||_F <= sqrt(n) rho_x. Against the exact iterates,
      Delta(k+1) = (I - eta J^T J) Delta(k) + delta_k and the residual moves by J Delta, so
      ||Delta(t)|| <= sum_{k<t} g^(t-1-k) ||delta_k||, g = max(1, |1 - eta lambda| over the
      spectrum of H(0) and every recorded spectrum of H(t)).

    Then |fl(||r||^2) - ||r||^2| <= 2 ||r|| E + E^2 + gamma_n ||r||^2, E = e(t) + ||J|| Delta(t);
    dist carries Delta(t) + gamma_{d+2} dist; du_condition (a running maximum of
    resid_sq[k] / (q^k resid_sq[0]) over k >= 1, 0 at t = 0) the running maximum of its
    terms' errors (a maximum moves by at most the largest move of its terms).

    The evaluation term covers both models (the linearised one's is the larger). For the
    linearised model (``linearized = 1``) J is fixed and g bounds the step's Jacobian: the
    floor is a bound. For the ReLU network the gradient jumps where an
    activation flips, so no forward bound exists at all; the floor uses the same
    recurrence with the spectra it has, an estimate of the error while the activation
    pattern is stable at the floor's scale.
    """
    eigenvalues = np.concatenate([np.asarray(inst["lam0"], dtype=np.float64)]
                                 + [np.asarray(s, dtype=np.float64).ravel() for s in spectrum])
    resid_error, dist_error, condition_error = (np.empty(resid_sq.size) for _ in range(3))
    _floors(inst["X"], inst["y"], inst["W0"], eigenvalues, float(eta), float(inst["lam_inf"][0]),
            np.asarray(resid_sq, dtype=np.float64), np.asarray(dist, dtype=np.float64),
            resid_error, dist_error, condition_error)
    return {"resid_sq": resid_error, "loss": resid_error / 2, "dist": dist_error, "du_condition": condition_error}


@njit(cache=True)
def _floors(X, y, W0, eigenvalues, eta, lambda0, resid_sq, dist, resid_error, dist_error, condition_error):
    """:func:`rounding_floors` for one run, written out (one call instead of some twenty
    NumPy calls on arrays of a hundred numbers: a fifth of a run's cost at (16, 4, 32))."""
    n, d = X.shape
    m = W0.shape[0]
    rho_x = 0.0
    for i in range(n):
        rho_x = max(rho_x, np.sqrt(np.sum(X[i] * X[i])))
    norms0 = 0.0
    frobenius0 = 0.0
    for r in range(m):
        square = np.sum(W0[r] * W0[r])
        norms0 += np.sqrt(square)
        frobenius0 += square
    frobenius0 = np.sqrt(frobenius0)
    y_max = np.max(np.abs(y))
    growth = 0.0
    for value in eigenvalues:
        if np.isfinite(value):
            growth = max(growth, abs(1.0 - eta * value))
    growth = max(1.0, growth * (1.0 + 1e-9))
    jacobian = np.sqrt(n) * rho_x
    g_eval, g_step, g_sum, g_dist = _gamma(d + m + 5), _gamma(n + 3), _gamma(n), _gamma(d + 2)
    q = 1.0 - eta * lambda0 / 2.0
    drift = 0.0  # ||Delta(t)||, the error the iterates have accumulated
    steps = resid_sq.size
    for k in range(steps):
        moved = dist[k] if np.isfinite(dist[k]) else np.inf
        evaluation = np.sqrt(n) * (g_eval * rho_x * (m * moved + 3.0 * norms0) / np.sqrt(m)  # N(t) + 2 N(0)
                                   + 2.0 * U64 * y_max)
        resid = np.sqrt(resid_sq[k])
        total = evaluation + jacobian * drift
        resid_error[k] = 2.0 * resid * total + total * total + g_sum * resid_sq[k]
        dist_error[k] = drift + g_dist * moved
        if k + 1 < steps:
            moved_next = dist[k + 1] if np.isfinite(dist[k + 1]) else np.inf
            step = (eta * jacobian * evaluation + g_step * eta * jacobian * (resid + evaluation)
                    + U64 * (frobenius0 + np.sqrt(m) * moved_next))
            drift = growth * drift + step
    running = 0.0  # du_condition[0] = 0 exactly; |max T - max T'| <= max |T - T'| after
    condition_error[0] = 0.0
    for k in range(1, steps):
        decay = q**k * (resid_sq[0] - resid_error[0])
        term = (resid_error[k] + resid_sq[k] * resid_error[0] / resid_sq[0]) / decay if decay > 0 else np.inf
        running = max(running, term if term == term else np.inf)
        condition_error[k] = running


def h_infinity(X: np.ndarray) -> np.ndarray:
    """H^inf of unit inputs X (n x d), from the sympy closed form.

    Cosines are clipped to [-1, 1] and the diagonal is set to exactly 1 (the inputs are
    unit vectors; arccos is infinitely sensitive at 1, so a rounding of 1e-16 in ||x_i||
    would otherwise move H^inf_ii by 1e-9).
    """
    C = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(C, 1.0)
    return _H_INF(C)


def gram(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The finite-width Gram H_ij = (1/m) x_i^T x_j #{r: w_r.x_i >= 0, w_r.x_j >= 0}."""
    S = (X @ W.T >= 0.0).astype(np.float64)
    return (X @ X.T) * (S @ S.T) / W.shape[0]


def _set_up_stack(X: np.ndarray, y: np.ndarray, W0: np.ndarray, a: np.ndarray,
                  read: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """The derived quantities of a stack of instances of one shape: X (B, n, d), y (B, n),
    W0 (B, m, d), a (B, m); one dict per instance, with its scalar observables under
    ``"scalars"`` (all but the step's and the parameters', which :meth:`TwoLayerReLU.instances`
    adds).

    ``read``: the observables the caller reads (``None``: all). Three of the five eigensolver
    calls serve one observable each and are skipped when it is not read: the eigenvectors of
    H^inf (``resid_pred``), those of H(0) (``top_proj_sq``) and the spectrum of H(0) - H^inf
    (``ntk_gap``); at (16, 4, 32) they were 35 of a run's 140 us. Eigenvalues always come from
    ``eigvalsh`` (``eigh``'s, by another LAPACK path, may differ in the last bits), so every value
    computed is the same whatever is read."""
    def wanted(name: str) -> bool:
        return read is None or name in read

    n, m = X.shape[1], W0.shape[1]
    XT = np.swapaxes(X, 1, 2)
    C = np.clip(X @ XT, -1.0, 1.0)
    C[:, np.arange(n), np.arange(n)] = 1.0  # unit inputs: see h_infinity
    H_inf = _H_INF(C)
    lam_inf = np.linalg.eigvalsh(H_inf)
    vec_inf = np.linalg.eigh(H_inf)[1] if wanted("resid_pred") else None
    pre = X @ np.swapaxes(W0, 1, 2)
    S = (pre >= 0.0).astype(np.float64)
    H0 = (X @ XT) * (S @ np.swapaxes(S, 1, 2)) / m
    lam0 = np.linalg.eigvalsh(H0)
    u0 = (np.maximum(pre, 0.0) @ a[:, :, None])[:, :, 0] / np.sqrt(m)
    diff = H0 - H_inf
    scalars = {"lambda0": lam_inf[:, 0], "lambda_max_inf": lam_inf[:, -1],
               "ntk_gap_max": np.abs(diff).max(axis=(-2, -1)), "y_sq": np.einsum("bi,bi->b", y, y)}
    errors = {}
    if wanted("ntk_gap"):
        scalars["ntk_gap"] = np.abs(np.linalg.eigvalsh(diff)).max(axis=-1)
    if wanted("top_proj_sq"):
        vec0 = np.linalg.eigh(H0)[1]
        scalars["top_proj_sq"] = np.einsum("bi,bi->b", vec0[:, :, -1], y - u0) ** 2
        stack = {"X": X, "y": y, "W0": W0, "a": a, "H0": H0, "lam0": lam0, "vec0": vec0, "u0": u0}
        errors["top_proj_sq"] = top_projection_error(stack, scalars["top_proj_sq"])
    out = []
    for b in range(X.shape[0]):
        instance_scalars = {name: float(values[b]) for name, values in scalars.items()}
        instance_scalars.update(n=n, d=X.shape[2])
        instance_scalars[ERROR_KEY] = {name: float(bounds[b]) for name, bounds in errors.items()}
        out.append({"X": X[b], "y": y[b], "W0": W0[b], "a": a[b], "H_inf": H_inf[b], "lam_inf": lam_inf[b],
                    "vec_inf": None if vec_inf is None else vec_inf[b], "H0": H0[b], "lam0": lam0[b],
                    "u0": u0[b], "scalars": instance_scalars})
    return out


def _step_unit(unit: int, inst: dict[str, Any]) -> float:
    """The unit the step is drawn in (the ``step_unit`` parameter), from an instance's spectra;
    1/lambda_max(H(0)) is infinite where the Gram is zero (no active neuron)."""
    if unit == UNIT_ABSOLUTE:
        return 1.0
    if unit == UNIT_INV_LAMBDA_MAX_INF:
        return 1.0 / float(inst["lam_inf"][-1])
    if unit == UNIT_DU:
        return float(inst["lam_inf"][0]) / inst["X"].shape[0] ** 2
    sharpness = float(inst["lam0"][-1])
    return 1.0 / sharpness if sharpness != 0 else math.copysign(math.inf, sharpness)


class TwoLayerReLU(Model):
    name = "ntk.two_layer_relu"
    doc = __doc__
    params = (
        param("n", "int", 2, 512, "number of training inputs", positive=True),
        param("d", "int", 2, 128, "input dimension", positive=True),
        param("m", "int", 1, 65536, "width (number of hidden neurons)", positive=True),
        param("kappa", "float", 1e-3, 10.0, "initialisation scale: w_r(0) ~ N(0, kappa^2 I)", positive=True),
        param("init", "int", 0, 1, "0 Gaussian, 1 antisymmetric (u(0) = 0)"),
        param("labels", "int", 0, 1, "0 random signs, 1 linear target beta^T x"),
        param("linearized", "int", 0, 1, "1: train the first-order Taylor model at W(0)"),
        param("steps", "int", 0, 5000, "gradient steps"),
        param("spectrum_every", "int", -1, 5000, "Gram spectrum every this many steps (0: first and last only; "
                                              "-1: never)"),
        param("step_unit", "int", 0, 3, "eta = step * unit: 0 one, 1 1/lambda_max(H^inf), 2 lambda0/n^2, "
                                     "3 1/lambda_max(H(0))"),
        param("step", "float", 1e-6, 100.0, "the step in units of step_unit", positive=True),
        param("seed", "seed", 0, SEED_MAX, "seed of the data"),
        param("init_seed", "seed", 0, SEED_MAX, "seed of the initialisation"),
    )
    observables = (
        Observable("resid_sq", True, "||u(t) - y||^2"),
        Observable("loss", True, "(1/2)||u(t) - y||^2"),
        Observable("dist", True, "max_r ||w_r(t) - w_r(0)||"),
        Observable("lambda_min_H", True, "lambda_min(H(t)) (NaN between spectrum steps)"),
        Observable("sharpness", True, "lambda_max of the loss Hessian = lambda_max(H(t))"),
        Observable("du_condition", True, "max_{1<=k<=t} resid_sq[k] / ((1 - eta lambda0/2)^k resid_sq[0]) "
                                         "(0 at t = 0)"),
        Observable("resid_pred", True, "sqrt(sum_i (1 - eta lambda_i)^(2t) (v_i^T y)^2), Arora et al. 2019"),
        Observable("lambda0", False, "lambda_min(H^inf)"),
        Observable("lambda_max_inf", False, "lambda_max(H^inf)"),
        Observable("ntk_gap", False, "||H(0) - H^inf||_2"),
        Observable("ntk_gap_max", False, "max_ij |H(0)_ij - H^inf_ij|"),
        Observable("sharpness_0", False, "sharpness[0] = lambda_max(H(0)) (for hypotheses)"),
        Observable("lambda_min_H_0", False, "lambda_min_H[0] (for hypotheses)"),
        Observable("y_sq", False, "||y||^2"),
        Observable("top_proj_sq", False, "(v_1^T (y - u(0)))^2, v_1 the top eigenvector of H(0)"),
        Observable("eta", False, "the step size used"),
        Observable("kappa", False, "initialisation scale"),
    )
    batch_size = 8
    #: seeds run per drawn parameter set (up to: Hypothesis draws the count): a Hypothesis
    #: draw costs more than verifying a small instance, so each draw is spent on several.
    #: Over this model's statements at budget 100 (mutants at theirs), distinct instances in
    #: one run: 2,117 in 5.2 s with 16, 4,877 in 5.1 s with 32, 7,969 in 6.0 s with 64;
    #: at (16, 4, 32), 100 steps: 1,445/s, 1,530/s and 1,880/s (then, a 50-digit replay of
    #: an undecided run, one per 1,000 instances, took 0.23 s; 0.11 s since)
    replicas = 32
    #: Monte Carlo sweep instances per example of the budget: over this model's three theorems
    #: at budget 100, 1,365-1,781 distinct instances in 0.42-0.43 s by the search alone,
    #: 7,679-8,181 in 1.07-1.19 s with a sweep of 64; at (16, 4, 32), 100 steps, 1,117 in
    #: 0.65 s, 7,517 in 2.43 s (where a run's set-up, not the kernel, bounds the sweep)
    monte_carlo = 64
    #: conjectures' default domain: an (8, 8, 64) network for 100 steps runs in milliseconds
    default_domain = {"n": (2, 8), "d": (2, 8), "m": (1, 64), "steps": (0, 100)}

    # -------------------------------------------------------------- set-up
    def instance(self, params: dict[str, Any]) -> dict[str, Any]:
        """Data, initialisation, the float64 spectral quantities and the scalar observables of
        one instance (:meth:`instances` of a batch of one, so that a run and its reference set
        up an instance by the same arithmetic)."""
        return self.instances([params])[0]

    def instances(self, batch: Sequence[dict[str, Any]], read: frozenset[str] | None = None) -> list[dict[str, Any]]:
        """:meth:`instance` for every parameter set of ``batch`` (with the observables ``read`` alone,
        as :func:`_set_up_stack` explains; ``None``: all).

        The data and initialisations are drawn from each instance's seeds, and everything derived
        from them (H^inf, H(0), their eigendecompositions, u(0), the scalar observables) is
        computed, once per group of instances of one shape (n, d, m): the draws by one compiled
        call (:func:`_drawn_stack`: 20 of the 43 us an instance's set-up took as NumPy calls at
        (16, 4, 32); 8 us now, and 26 us the whole set-up), the rest on stacked arrays: one
        ``eigh`` call for a group instead of one per instance (the per-instance NumPy calls
        were most of an end-to-end verification at (16, 4, 32)). Stacked products and
        eigensolvers apply the same LAPACK/BLAS routine to each matrix, so an instance's
        numbers do not depend on its batch (the tests hold a batch equal to one at a time).
        """
        groups: dict[tuple[int, int, int], list[int]] = {}
        for k, params in enumerate(batch):
            n, d = np.shape(params["X"]) if "X" in params else (params["n"], params["d"])
            groups.setdefault((n, d, params["m"]), []).append(k)
        out: list[dict[str, Any]] = [{} for _ in batch]
        for (n, d, m), members in groups.items():
            stacked = _drawn_stack([batch[k] for k in members], n, d, m)
            for k, inst in zip(members, _set_up_stack(*stacked, read)):
                params = batch[k]
                inst["eta"] = params["step"] * _step_unit(params["step_unit"], inst)
                inst["scalars"].update(eta=float(inst["eta"]), kappa=float(params["kappa"]), m=params["m"],
                                       step=params["step"])
                out[k] = inst
        return out

    # -------------------------------------------------------------- fast path
    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        return self.run_only(batch, None)

    def run_only(self, batch: Sequence[dict[str, Any]], names: frozenset[str] | None) -> list[Observations]:
        """:meth:`run` computing only the observables ``names`` where that saves work (three
        eigensolver calls of the set-up; ``None``: every observable). Each value computed is the
        one :meth:`run` computes.

        The batch is cut into parts, each trained serially on a kernel thread without the GIL
        while this thread sets up the next part, then derives the observables of the parts
        already trained: set-up and training overlap (at (16, 4, 32), 52 us of set-up and 83 us
        of one thread's training per instance). Every instance's numbers are those of a batch
        of one, whatever the parts.
        """
        training = []
        for part in parts(batch):
            insts = self.instances(part, names)
            packed = _packed([i["X"] for i in insts], [i["y"] for i in insts], [i["W0"] for i in insts],
                             [i["a"] for i in insts], [i["eta"] for i in insts], [p["steps"] for p in part],
                             [p["linearized"] for p in part], [p["spectrum_every"] for p in part])
            training.append((insts, in_background(_train_serially, packed)))
        return [obs for insts, trained in training for obs in self._observations(insts, trained.result())]

    @staticmethod
    def _observations(insts: list[dict[str, Any]], out: dict[str, Any]) -> list[Observations]:
        """The observables of set-up instances ``insts`` from their training run ``out``."""
        results = []
        for b, inst in enumerate(insts):
            scalars = inst["scalars"]
            obs = trajectory(out["resid_sq"][b], scalars["eta"], inst["lam_inf"], inst["vec_inf"], inst["y"], np.sqrt)
            obs.update(dist=out["dist"][b], lambda_min_H=out["lambda_min_H"][b], sharpness=out["sharpness"][b])
            obs.update(sharpness_0=obs["sharpness"][0], lambda_min_H_0=obs["lambda_min_H"][0])
            obs.update(scalars)
            obs[ERROR_KEY] = dict(scalars[ERROR_KEY])
            obs[ERROR_KEY].update(rounding_floors(inst, scalars["eta"], obs["resid_sq"], obs["dist"],
                                                  (obs["sharpness"], obs["lambda_min_H"])))
            results.append(obs)
        return results

    # -------------------------------------------------------------- reference
    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """The plain reference, in float64 NumPy or (``backend.dps``) in mpmath.

        The spectral quantities are computed by a dense eigensolver (``eigh`` or
        ``mpmath.eigsy``), as the kernel computes them; the kernel is tested against them.
        """
        inst = self.instance(params)
        scalars = dict(inst["scalars"])
        scalars[ERROR_KEY] = dict(scalars[ERROR_KEY])
        xp = backend
        X, y, W, a = (xp.asarray(inst[k]) for k in ("X", "y", "W0", "a"))
        mpm = xp.dps is not None
        if mpm:
            import mpmath

            X = X / np.array([[mpmath.sqrt(v)] for v in (X * X).sum(axis=1)], dtype=object)
            C = X.dot(X.T)
            for i in range(C.shape[0]):
                C[i, i] = mpmath.mpf(1)
            H_inf = np.frompyfunc(lambda c: _H_INF_MP(max(min(c, 1), -1)), 1, 1)(C)
            if _needs(backend, "resid_pred"):
                lam_inf, vec_inf = mpfr_eigen.eigh(H_inf)
            else:  # the eigenvectors of H^inf serve resid_pred alone
                lam_inf, vec_inf = mpfr_eigen.eigvalsh(H_inf), None
            top = mpfr_eigen.eigvalsh

            step, unit = mpmath.mpf(params["step"]), params["step_unit"]
            if unit == UNIT_INV_SHARPNESS0:  # an eigensolver call, made only for this unit
                eta = step / top(_gram_xp(X, W))[-1]
            else:
                eta = {UNIT_ABSOLUTE: step, UNIT_INV_LAMBDA_MAX_INF: step / lam_inf[-1],
                       UNIT_DU: step * lam_inf[0] / X.shape[0] ** 2}[unit]
            scale = 1 / mpmath.sqrt(params["m"])
        else:
            lam_inf, vec_inf = inst["lam_inf"], inst["vec_inf"]
            eta = inst["eta"]
            top = np.linalg.eigvalsh
            scale = 1 / np.sqrt(params["m"])
        steps, every = params["steps"], params["spectrum_every"]
        train = dict(steps=steps, every=every, linearized=params["linearized"], m=params["m"])
        if mpm:  # the same operations in MPFR at mpmath's precision: the same numbers, 7x faster
            with mpfr_arithmetic(mpmath.mp.prec) as (to_mpfr, to_mpf):
                runs = _train(*map(to_mpfr, (X, y, W, a, scale, eta)), **train,
                              sqrt=np.frompyfunc(mpfr_sqrt, 1, 1), top=lambda H: top(to_mpf(H)))
                resid_sq, dist, lam_min, sharp = map(to_mpf, runs)
        else:
            with np.errstate(all="ignore"):  # a diverging run overflows: inf is an observation (as in run)
                resid_sq, dist, lam_min, sharp = _train(X, y, W, a, scale, eta, **train, sqrt=xp.sqrt, top=top)
        if mpm:
            u0 = scale * _relu(X.dot(W.T)).dot(a)
            for name in ("ntk_gap", "top_proj_sq"):  # no float64 value stands in for one left out
                scalars.pop(name, None)
            scalars.update(_scalars_mp(X, y, W, a, u0, H_inf, lam_inf, params["m"], backend))
            scalars["eta"] = eta
        obs = trajectory(resid_sq, eta, lam_inf, vec_inf, y, xp.sqrt)
        obs.update(dist=dist, lambda_min_H=lam_min, sharpness=sharp, sharpness_0=sharp[0], lambda_min_H_0=lam_min[0])
        obs.update(scalars)
        if not mpm:
            obs[ERROR_KEY].update(rounding_floors(inst, eta, resid_sq, dist, (sharp, lam_min)))
        return obs


def _train(X, y, W, a, scale, eta, steps: int, every: int, linearized: int, m: int, sqrt, top):
    """The reference's gradient descent: resid_sq, dist, lambda_min(H(t)) and lambda_max(H(t))
    (NaN off the spectrum steps) for t = 0..steps, on whatever numbers the arrays hold
    (float64, mpmath or MPFR; ``sqrt`` and ``top``, the ascending spectrum of a Gram, to match)."""
    W0 = W.copy()
    pre0 = X.dot(W0.T)
    S0 = _indicator(pre0)
    u0 = scale * _relu(pre0).dot(a)
    dtype = np.float64 if X.dtype == np.float64 else object
    resid_sq, dist, lam_min, sharp = (np.full(steps + 1, np.nan, dtype=dtype) for _ in range(4))
    for k in range(steps + 1):
        pre = X.dot(W.T)
        if linearized:
            S, u = S0, u0 + scale * ((pre - pre0) * S0).dot(a)
        else:
            S, u = _indicator(pre), scale * _relu(pre).dot(a)
        resid = u - y
        resid_sq[k] = (resid * resid).sum()
        moved = W - W0
        dist[k] = max(sqrt((moved * moved).sum(axis=1)))
        if not _finite(resid_sq[k]):
            break
        if every >= 0 and (k == 0 or k == steps or (every > 0 and k % every == 0)):
            spectrum = top((X.dot(X.T)) * S.dot(S.T) / m)
            lam_min[k], sharp[k] = spectrum[0], spectrum[-1]
        if k < steps:
            grad = scale * a[:, None] * (S * resid[:, None]).T.dot(X)
            W = W - eta * grad
    return resid_sq, dist, lam_min, sharp


def trajectory(resid_sq, eta, lam_inf, vec_inf, y, sqrt) -> Observations:
    """The observables derived from the residual trajectory and the eigenpairs of H^inf."""
    steps = len(resid_sq) - 1
    lambda0 = lam_inf[0]
    coeff_sq = vec_inf.T.dot(y) ** 2 if vec_inf is not None else None  # None: resid_pred not asked for
    q = 1 - eta * lambda0 / 2
    cond = np.empty(steps + 1, dtype=resid_sq.dtype)
    pred = np.empty(steps + 1, dtype=resid_sq.dtype)
    worst = 0 * resid_sq[0]
    if resid_sq.dtype == np.float64:  # compiled: no NumPy floating-point warnings to silence
        if coeff_sq is None:  # no resid_pred: its sum over the spectrum is left empty
            lam_inf, coeff_sq = lam_inf[:0], np.zeros(0)
        _fill_trajectory_float64(resid_sq, float(eta), lam_inf, coeff_sq, float(q), cond, pred)
    else:
        with np.errstate(all="ignore"):  # a diverging run overflows: inf is an observation
            _fill_trajectory(resid_sq, eta, lam_inf, coeff_sq, q, cond, pred, worst, sqrt)
    observed = {"resid_sq": resid_sq, "loss": resid_sq / 2, "du_condition": cond, "resid_pred": pred}
    if vec_inf is None:  # not asked for (a replay that does not read it)
        del observed["resid_pred"]
    return observed


def _fill_trajectory(resid_sq, eta, lam_inf, coeff_sq, q, cond, pred, worst, sqrt) -> None:
    for k in range(len(resid_sq)):
        if k > 0:  # the ratio at k = 0 is 1 exactly: du_condition leaves it out
            denom = q**k * resid_sq[0]
            ratio = resid_sq[k] / denom if q > 0 and denom != 0 else np.inf
            worst = ratio if not (ratio <= worst) else worst
        cond[k] = worst
        if coeff_sq is not None:
            pred[k] = sqrt(((1 - eta * lam_inf) ** (2 * k) * coeff_sq).sum())


@njit(cache=True)
def _fill_trajectory_float64(resid_sq, eta, lam_inf, coeff_sq, q, cond, pred) -> None:
    """:func:`_fill_trajectory` compiled for float64 (the same loop; it was 40% of an
    end-to-end verification at (16, 4, 32) as interpreted NumPy calls)."""
    worst = 0.0
    decay = 1.0 - eta * lam_inf
    for k in range(resid_sq.size):
        if k > 0:
            denom = q**k * resid_sq[0]
            ratio = resid_sq[k] / denom if q > 0 and denom != 0 else np.inf
            worst = ratio if not (ratio <= worst) else worst
        cond[k] = worst
        total = 0.0
        for i in range(decay.size):
            total += decay[i] ** (2 * k) * coeff_sq[i]
        pred[k] = np.sqrt(total)


def _relu(z):
    return np.where(z >= 0, z, 0 * z)


def _indicator(z):
    return np.where(z >= 0, 1.0, 0.0).astype(z.dtype)


def _finite(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (OverflowError, ValueError):
        return False


def _gram_xp(X, W):
    S = _indicator(X.dot(W.T))
    return X.dot(X.T) * S.dot(S.T) / W.shape[0]


def _needs(backend, name: str) -> bool:
    return backend.needed is None or name in backend.needed


def _scalars_mp(X, y, W0, a, u0, H_inf, lam_inf, m: int, backend) -> dict[str, Any]:
    """The scalar observables recomputed in mpmath from the (exactly normalised) data, so that
    a replay uses no float64 derived quantity: lambda0, lambda_max_inf, ntk_gap(_max), y_sq
    and top_proj_sq with its error bound (:func:`top_projection_error`'s argument, at the unit
    roundoff 10**(1 - dps) of the replay, dps = ``backend.dps``). The two that take an
    eigensolver each, ntk_gap and top_proj_sq, only where ``backend.needed`` asks for them."""
    import mpmath

    dps = backend.dps
    H0 = _gram_xp(X, W0)
    diff = H0 - H_inf
    scalars = {"lambda0": lam_inf[0], "lambda_max_inf": lam_inf[-1], "y_sq": sum(v * v for v in y),
               "ntk_gap_max": max(abs(v) for v in diff.ravel()), ERROR_KEY: {}}
    if _needs(backend, "ntk_gap"):
        scalars["ntk_gap"] = max(abs(v) for v in mpfr_eigen.eigvalsh(diff))
    if not _needs(backend, "top_proj_sq"):
        return scalars
    lam, vec = mpfr_eigen.eigh(H0)
    r = y - u0
    p = sum(vec[i, -1] * r[i] for i in range(len(r)))
    n, d = X.shape
    eps = mpmath.mpf(10) ** (1 - dps)
    v1, l1 = vec[:, -1], lam[-1]
    rho = mpmath.sqrt(sum(v * v for v in (H0.dot(v1) - l1 * v1)))
    h_norm = mpmath.sqrt(sum(v * v for v in H0.ravel()))
    E = n * (d + 4) * eps + rho + (n + 2) * eps * h_norm
    gap = l1 - lam[-2] if n > 1 else mpmath.inf
    sin = E / (gap - 2 * E) if gap > 2 * E else mpmath.inf
    r_norm = mpmath.sqrt(sum(v * v for v in r))
    size = np.abs(y) + _relu(X.dot(W0.T)).dot(np.abs(a)) / mpmath.sqrt(m)
    dp = mpmath.sqrt(2) * sin * r_norm + (n + 1) * eps * r_norm + (d + m + 3) * eps * mpmath.sqrt(sum(v * v for v in size))
    scalars["top_proj_sq"] = p * p
    scalars[ERROR_KEY]["top_proj_sq"] = 2 * abs(p) * dp + dp * dp + eps * p * p
    return scalars


MODEL = TwoLayerReLU()
