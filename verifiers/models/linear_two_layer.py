"""``linear.two_layer``: a two-layer linear network trained by full-batch gradient descent.

The setting of Min, Tarmoun, Vidal, Mallada (ICML 2021) and Xu, Min, Tarmoun, Mallada,
Vidal (AISTATS 2023), with its conventions:

    X in R^{n x d}, Y in R^{n x m}, U in R^{d x h} (input side), V in R^{m x h} (output side),
    L(U, V) = (1/2) ||X U V^T - Y||_F^2                (no 1/n),
    GD:  U+ = U + eta X^T E V,  V+ = V + eta E^T X U,  E = Y - X U V^T.

``dynamics = 1`` integrates the gradient flow instead (DOP853 with scipy's step control,
rtol 1e-12, atol 1e-14 relative to the size of the state, in numba: ``dop853``; scipy's
``solve_ivp`` in the reference), sampled at times t * eta.

**Data.** X = A diag(s) B^T with A (n x r), B (d x r) Haar-orthonormal, r = min(n, d) and
singular values s_i geometric from s_1 = 1 down to s_r = 1 / ``x_cond`` (``x_cond`` = 1e4
is an ill-conditioned X); Y has i.i.d. N(0, 1/n) entries. Row space coordinates:
U_1 = B^T U (r x h); Sigma_x = diag(s^2), lambda_r(Sigma_x) = s_r^2. The part of Y outside
col(X) is unreachable: L* = (1/2) ||(I - A A^T) Y||^2 (h >= min(n, d, m) is a constraint, so
the network can represent A^T Y), and L - L* = (1/2) ||G||_F^2, G = A^T Y - A^T X U V^T.

**Initialisations** (``init``; a = init_scale * imbalance_scale, b = init_scale / imbalance_scale):

* 0 Gaussian: U ~ N(0, a^2/h), V ~ N(0, b^2/h) entrywise (any scale, any imbalance);
* 1 spectral: U_1 = a P_k R, V = b Q_k R, with P_k, Q_k the top-k singular vectors of the
  whitened target diag(1/s) A^T Y, k = min(r, m), R (k x h) orthonormal rows;
* 2 small: the Gaussian one at scale init_scale * 1e-3;
* 3 prescribed imbalance and margin: the end-to-end matrix starts at
  Z_0 = A^T Y + Delta with ||Delta||_F = (1 - margin_frac) sigma_k(A^T Y), so the margin is
  exactly margin_frac * sigma_k(A^T Y); its factorisation has a_i^2 - b_i^2 = +-imbalance_scale
  along shared rows R, so c(Lambda_0) = imbalance_scale exactly (sign + if r <= m, else -);
* 4 balanced: U_1^T U_1 = V^T V exactly (U_1 = O V or V = O U_1 with O orthonormal), c = 0.

Explicit arrays ``X``, ``Y``, ``U0``, ``V0`` in the parameter dict replace the generated ones
(adversarial search); sizes are then read from them.

**Margin** (named explicitly: "Margin" has several meanings in this literature, and the
exact definition used by Min et al. and Xu et al. is not confirmed): the deficiency margin
of Arora, Cohen, Golowich, Hu (ICLR 2019) in row-space coordinates,
``margin`` = sigma_k(A^T Y) - ||A^T X U_0 V_0^T - A^T Y||_F.

**Step.** eta = ``step`` * unit, ``step_unit``: 0 absolute; 1 the derived cap
eta_max(1/4) of :func:`boundcheck.theorems.closed_forms.linear_rates.step_cap` (rounded down by 1e-12 relative,
so that step <= 1 meets it after rounding); 2 1/K_ref with K_ref = max(K_0, 2 s_1^2
sigma_1(Theta_1*)), K_0 = sigma_1(X U_0)^2 + s_1^2 sigma_1(V_0)^2 the top of the spectrum of the
linearised GD operator at t = 0 and 2 s_1^2 sigma_1(Theta_1*), Theta_1* = diag(1/s) A^T Y, its
value at a balanced global minimum (so that small initialisations do not get huge steps).

Observables, indexed by t = 0..steps:

* ``loss[t]``; ``gap[t]`` = L - L* = resid^2 / 2; ``resid[t]`` = ||G_t||_F;
* ``c_step[t]`` = sigma_r(X U)^2 + s_r^2 sigma_m(V)^2 and ``K_step[t]`` = sigma_1(X U)^2 +
  s_1^2 sigma_1(V)^2 (ends of the spectrum of E -> X U U^T X^T E + X X^T E V V^T on col(X));
  ``XU_norm[t]`` = sigma_1(X U), ``V_norm[t]`` = sigma_1(V);
* ``sigma_r_U1_sq[t]`` = sigma_r(U_1)^2, ``sigma_m_V_sq[t]`` = sigma_m(V)^2;
* the imbalance Lambda = U_1^T U_1 - V^T V: ``imb_lambda_r[t]`` = lambda_r(Lambda),
  ``imb_lambda_m_neg[t]`` = lambda_m(-Lambda) (spectra padded with zeros, so lambda_k = 0
  past the size), ``c_imb[t]`` = [lambda_r]_+ + [lambda_m(-Lambda)]_+, ``imbalance_norm[t]`` =
  ||Lambda||_2, ``imbalance_drift[t]`` = ||D_t - D_0||_F with D = U^T U - V^T V (equal to
  ||Lambda_t - Lambda_0||_F in exact arithmetic: the null-space part of U never moves);

indexed by t = 0..steps-1 (the step t -> t+1, GD with ``diagnostics = 1`` only, else NaN):

* error recursion: R_E = E_{t+1} - E_t + eta T_t + eta^2 B_t, T_t = X U U^T X^T E + X X^T E V V^T,
  B_t = X X^T E V U^T X^T E: ``rec_resid_sq`` = ||R_E||^2, ``rec_dot`` = <R_E, B_t>,
  ``rec_quad_sq`` = ||B_t||^2, ``rec_scale`` = the float64 magnitude of the terms;
* imbalance drift: R_D = D_{t+1} - D_t - eta^2 M_t, M_t = V^T E^T X X^T E V - U^T X^T E E^T X U:
  ``drift_resid_sq``, ``drift_dot`` = <R_D, M_t>, ``drift_sq`` = ||M_t||^2, ``drift_scale``;

scalars: ``lambda_r_X``, ``lambda_1_X``, ``sigma_min_X`` = s_r, ``sigma_max_X`` = s_1, ``c0``,
``imb0_norm``, ``target_norm`` = ||A^T Y||_F, ``target_sigma_min`` = sigma_k(A^T Y), ``R0``,
``K0``, ``K_ref``, ``margin``, ``finite_run`` (1 if every observable of the run is finite),
``eta``, ``eta_cap``, ``sigma_W_sq`` = sigma_{min(h, r+m)}([U_1; V])^2 at
t = 0, ``gap_floor`` (the float64 resolution of ``gap``, see :func:`_gap_floor`), the
sizes and the initialisation parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp
from numba import njit

from boundcheck.theorems.closed_forms import linear_rates as rates
from boundcheck.verifiers.models import dop853, mpfr_eigen
from boundcheck.verifiers.models.base import (
    EPS,
    ERROR_KEY,
    SEED_MAX,
    Model,
    Observable,
    Observations,
    inner_product_error,
    param,
    squared_norm_error,
)
from boundcheck.verifiers.models.dop853 import integrate
from boundcheck.verifiers.models.precision import FLOAT64, mpfr_arithmetic, mpfr_backend
from boundcheck.verifiers.models.small_products import product, product_nt, product_tn
from boundcheck.verifiers.models.threads import in_background, parts

GAUSSIAN, SPECTRAL, SMALL, PRESCRIBED = 0, 1, 2, 3  # 4: balanced (the remaining branch)
SMALL_FACTOR = 1e-3
UNIT_ABSOLUTE, UNIT_CAP, UNIT_INV_KREF = 0, 1, 2
CAP_ROUND_DOWN = 1.0 - 1e-12
GF_RTOL, GF_ATOL_REL = 1e-12, 1e-14
#: relative accuracy of a gradient-flow sample (checked in the tests against rtol 1e-13)
GF_ACCURACY = 1e-9

STATE = ("loss", "gap", "resid", "c_step", "K_step", "XU_norm", "V_norm", "sigma_r_U1_sq", "sigma_m_V_sq",
         "imb_lambda_r", "imb_lambda_m_neg", "c_imb", "imbalance_norm", "imbalance_drift")
TRANSITION = ("rec_resid_sq", "rec_dot", "rec_quad_sq", "rec_scale",
              "drift_resid_sq", "drift_dot", "drift_sq", "drift_scale")
N_STATE, N_TRANS = len(STATE), len(TRANSITION)
#: what each observable means (the module docstring has the definitions)
OBSERVABLE_DOCS = {
    "loss": "L(U_t, V_t) = (1/2)||X U V^T - Y||_F^2", "gap": "L - L* = resid^2 / 2", "resid": "||G_t||_F",
    "c_step": "sigma_r(X U)^2 + s_r^2 sigma_m(V)^2", "K_step": "sigma_1(X U)^2 + s_1^2 sigma_1(V)^2",
    "XU_norm": "sigma_1(X U_t)", "V_norm": "sigma_1(V_t)", "sigma_r_U1_sq": "sigma_r(U_1)^2",
    "sigma_m_V_sq": "sigma_m(V)^2", "imb_lambda_r": "lambda_r of the imbalance U_1^T U_1 - V^T V",
    "imb_lambda_m_neg": "lambda_m(-Lambda)", "c_imb": "[lambda_r]_+ + [lambda_m(-Lambda)]_+",
    "imbalance_norm": "||Lambda_t||_2", "imbalance_drift": "||D_t - D_0||_F, D = U^T U - V^T V",
    "rec_resid_sq": "||R_E||^2, residual of the error recursion (diagnostics = 1)", "rec_dot": "<R_E, B_t>",
    "rec_quad_sq": "||B_t||^2", "rec_scale": "float64 magnitude of the recursion's terms",
    "drift_resid_sq": "||R_D||^2, residual of the imbalance drift (diagnostics = 1)", "drift_dot": "<R_D, M_t>",
    "drift_sq": "||M_t||^2", "drift_scale": "float64 magnitude of the drift's terms",
    "n": "number of samples", "d": "input dimension", "m": "output dimension", "h": "hidden width",
    "r": "rank of X, min(n, d)", "eta": "the step size used", "eta_cap": "the derived step cap eta_max(1/4)",
    "lambda_r_X": "s_r^2, smallest nonzero eigenvalue of X^T X", "lambda_1_X": "s_1^2, largest eigenvalue of X^T X",
    "sigma_min_X": "s_r, smallest nonzero singular value of X", "sigma_max_X": "s_1, largest singular value of X",
    "c0": "c_step[0]", "imb0_norm": "||Lambda_0||_2", "target_norm": "||A^T Y||_F",
    "target_sigma_min": "sigma_k(A^T Y)", "R0": "resid[0]", "K0": "K_step[0]",
    "K_ref": "max(K_0, 2 s_1^2 sigma_1(Theta_1*))", "margin": "deficiency margin sigma_k(A^T Y) - ||G_0||_F",
    "finite_run": "1 if every observable of the run is finite", "sigma_W_sq": "sigma_min(h, r+m)([U_1; V])^2 at t = 0",
    "gap_floor": "float64 resolution of gap", "init_scale": "scale of the initial factors",
    "imbalance_scale": "imbalance scale of the initialisation", "margin_frac": "init 3: prescribed margin fraction",
    "x_cond": "condition number s_1 / s_r of X",
}
I_MAG = N_STATE + N_TRANS  # ||U_t||_F ||V_t||_F, for the rounding floor

_CAP = sp.lambdify([rates.lambda_r_X, rates.lambda_1_X, rates.c0, rates.imb0_norm, rates.target_norm, rates.R0],
                   rates.step_cap(), "math")


# ------------------------------------------------------------------ numba kernel


@njit(cache=True)
def _imbalance_spectrum(U1, V, r, m):
    """(lambda_r(Lambda), lambda_m(-Lambda), ||Lambda||_2) of Lambda = U1^T U1 - V^T V, zero-padded.

    For h > r + m the nonzero eigenvalues are those of R J R^T, where W^T = Q R is a thin QR
    factorisation of W^T, W = [U1; V] and J = diag(I_r, -I_m): Lambda = W^T J W = Q (R J R^T) Q^T,
    an (r + m)-square problem, backward stable like the dense one.
    """
    h = U1.shape[1]
    N = r + m
    if h <= N:
        ev = np.linalg.eigvalsh(U1.T @ U1 - V.T @ V)
    else:
        Wt = np.empty((h, N))
        Wt[:, :r] = U1.T
        Wt[:, r:] = V.T
        _, R = np.linalg.qr(Wt)
        RJ = R.copy()
        RJ[:, r:] *= -1.0
        C = RJ @ R.T
        ev = np.linalg.eigvalsh(0.5 * (C + C.T))
    full = np.zeros(h + N)
    full[: ev.size] = ev
    full = np.sort(full)
    lam_r = full[full.size - r]
    lam_m_neg = -full[m - 1]
    return lam_r, lam_m_neg, max(abs(full[0]), abs(full[-1]))


@njit(cache=True, nogil=True)
def _fro(A):
    """||A||_F, summed in row-major order without a temporary array."""
    total = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            total += A[i, j] * A[i, j]
    return np.sqrt(total)


@njit(cache=True, nogil=True)
def _workspace(n, d, m, h, r):
    """The arrays :func:`_state_row` and a gradient step write into: XU, AU, E, G, X^T E,
    the two gradients, and the next U and V."""
    return (np.empty((n, h)), np.empty((r, h)), np.empty((n, m)), np.empty((r, m)), np.empty((d, m)),
            np.empty((d, h)), np.empty((m, h)), np.empty((d, h)), np.empty((m, h)))


@njit(cache=True, nogil=True)
def _squared_difference(A, B):
    """sum (A - B)^2 and A - B into B (B = A - B)."""
    total = 0.0
    rows, cols = A.shape
    for i in range(rows):
        for j in range(cols):
            B[i, j] = A[i, j] - B[i, j]
            total += B[i, j] * B[i, j]
    return total


@njit(cache=True, nogil=True)
def _state_row(Xb, Yb, AtXb, Zb, Btb, U, V, D, D0, s_r2, s_12, r, m, compute, work, row):
    """The STATE observables of the state (U, V) into ``row`` (D = U^T U - V^T V), and
    row[I_MAG] = ||U||_F ||V||_F; the per-step spectra as ``compute`` flags them (PER_STEP's
    order). Leaves X U and E = Y - X U V^T in ``work`` (:func:`_workspace`); returns whether
    the loss is finite (if not, the rest of the row is left as it was)."""
    XU, AU, E, G = work[0], work[1], work[2], work[3]
    product(Xb, U, XU)
    product(AtXb, U, AU)
    product_nt(XU, V, E)
    product_nt(AU, V, G)
    loss = 0.5 * _squared_difference(Yb, E)
    resid_sq = _squared_difference(Zb, G)
    row[0] = loss
    row[1] = 0.5 * resid_sq
    row[2] = np.sqrt(resid_sq)
    if not np.isfinite(loss) or not np.isfinite(resid_sq):
        return False
    if compute[0]:
        gu = np.linalg.eigvalsh(AU @ AU.T)
        gv = np.linalg.eigvalsh(V @ V.T)
        sr_xu, s1_xu = max(gu[0], 0.0), max(gu[-1], 0.0)
        sm_v, s1_v = max(gv[0], 0.0), max(gv[-1], 0.0)
        row[3] = sr_xu + s_r2 * sm_v
        row[4] = s1_xu + s_12 * s1_v
        row[5] = np.sqrt(s1_xu)
        row[6] = np.sqrt(s1_v)
        row[8] = sm_v
    if compute[1] or compute[2]:
        U1 = Btb @ U
        if compute[1]:
            g1 = np.linalg.eigvalsh(U1 @ U1.T)
            row[7] = max(g1[0], 0.0)
        if compute[2]:
            lam_r, lam_m_neg, lam_norm = _imbalance_spectrum(U1, V, r, m)
            row[9] = lam_r
            row[10] = lam_m_neg
            row[11] = max(lam_r, 0.0) + max(lam_m_neg, 0.0)
            row[12] = lam_norm
    if compute[3]:
        row[13] = _fro(D - D0)
    row[I_MAG] = _fro(U) * _fro(V)
    return True


def _packed(batch: Sequence[dict[str, Any]], insts: list[dict[str, Any]], compute: np.ndarray) -> tuple:
    """The arguments of :func:`gd_linear_two_layer` (and, but for the diagnostics flags, of
    :func:`gf_linear_two_layer`) for set-up instances ``insts``: padded arrays, and the
    output table filled with NaN."""
    B = len(batch)
    sizes = np.array([[i["X"].shape[0], i["X"].shape[1], i["Y"].shape[1], i["U0"].shape[1], i["s"].size]
                      for i in insts], dtype=np.int64)
    nmax, dmax, mmax, hmax, rmax = sizes.max(axis=0)
    X, Y = np.zeros((B, nmax, dmax)), np.zeros((B, nmax, mmax))
    Bt, AtX, Zs, s = np.zeros((B, rmax, dmax)), np.zeros((B, rmax, dmax)), np.zeros((B, rmax, mmax)), np.ones((B, rmax))
    U0, V0 = np.zeros((B, dmax, hmax)), np.zeros((B, mmax, hmax))
    for b, i in enumerate(insts):
        n, d, m, h, r = sizes[b]
        X[b, :n, :d], Y[b, :n, :m], Bt[b, :r, :d], AtX[b, :r, :d] = i["X"], i["Y"], i["B"].T, i["AtX"]
        Zs[b, :r, :m], s[b, :r], U0[b, :d, :h], V0[b, :m, :h] = i["Zs"], i["s"], i["U0"], i["V0"]
    steps = np.array([p["steps"] for p in batch], dtype=np.int64)
    out = np.full((B, int(steps.max()) + 1, I_MAG + 1), np.nan)
    eta = np.array([i["scalars"]["eta"] for i in insts], dtype=np.float64)
    diagnostics = np.array([p["diagnostics"] for p in batch], dtype=np.int64)
    return X, Y, Bt, AtX, Zs, s, U0, V0, sizes, eta, steps, diagnostics, compute, out


def _train_serially(packed: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The GD runs of a packed part on the calling thread alone (a kernel thread: see
    :meth:`LinearTwoLayer.run`): the output table and the steps."""
    gd_linear_two_layer(*packed)
    return packed[-1], packed[10]


def _integrate_serially(packed: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The gradient flows of a packed part, as :func:`_train_serially` trains GD runs."""
    *arrays, _, compute, out = packed  # arrays: X ... steps; the diagnostics flags do not apply
    gf_linear_two_layer(*arrays, compute, GF_RTOL, GF_ATOL_REL, *dop853.tableau(), out)
    return out, arrays[10]


@njit(cache=True, nogil=True)
def _instance(X, Y, Bt, AtX, Zs, U0, V0, sizes, b):
    """Instance b of a packed part (:func:`_packed`), unpadded and contiguous: X, Y, B^T, A^T X,
    A^T Y, U_0, V_0 (views where the slice is contiguous already: not to be written into)."""
    n, d, m, h, r = sizes[b, 0], sizes[b, 1], sizes[b, 2], sizes[b, 3], sizes[b, 4]
    return (np.ascontiguousarray(X[b, :n, :d]), np.ascontiguousarray(Y[b, :n, :m]),
            np.ascontiguousarray(Bt[b, :r, :d]), np.ascontiguousarray(AtX[b, :r, :d]),
            np.ascontiguousarray(Zs[b, :r, :m]), np.ascontiguousarray(U0[b, :d, :h]),
            np.ascontiguousarray(V0[b, :m, :h]))


@njit(cache=True, nogil=True)
def gd_linear_two_layer(X, Y, Bt, AtX, Zs, s, U0, V0, sizes, eta, steps, diagnostics, compute, out):
    """Batched GD, serial and without the GIL; instance b uses X[b, :n, :d], U0[b, :d, :h], ...;
    out[b, t, j] pre-filled with NaN.

    sizes[b] = (n, d, m, h, r). State observables (see STATE) at t = 0..steps[b], transition
    observables (TRANSITION) at t = 0..steps[b]-1 when diagnostics[b]; column I_MAG holds
    ||U_t||_F ||V_t||_F. ``compute`` flags the PER_STEP quantities (the spectra of XU and V, of
    U_1, of the imbalance, the drift's norm); what an unflagged one gives stays NaN. A
    non-finite loss ends the run there. :meth:`LinearTwoLayer.run` hands the parts of a
    batch to kernel threads.
    """
    for b in range(X.shape[0]):
        n, d, m, h, r = sizes[b, 0], sizes[b, 1], sizes[b, 2], sizes[b, 3], sizes[b, 4]
        Xb, Yb, Btb, AtXb, Zb, U, V = _instance(X, Y, Bt, AtX, Zs, U0, V0, sizes, b)
        XT = np.ascontiguousarray(Xb.T)
        s_r2, s_12 = s[b, r - 1] ** 2, s[b, 0] ** 2
        x_fro = _fro(Xb)
        y_fro = _fro(Yb)
        e = eta[b]
        D0 = U.T @ U - V.T @ V
        D = D0.copy()
        work = _workspace(n, d, m, h, r)
        XU, E, XtE, gradU, EtXU, Un, Vn = work[0], work[2], work[4], work[5], work[6], work[7], work[8]
        U, V = U.copy(), V.copy()  # the state and the next one swap buffers
        for k in range(steps[b] + 1):
            if not _state_row(Xb, Yb, AtXb, Zb, Btb, U, V, D, D0, s_r2, s_12, r, m, compute, work, out[b, k]):
                break
            if k == steps[b]:
                break
            product(XT, E, XtE)
            product(XtE, V, gradU)
            product_tn(E, XU, EtXU)
            for i in range(d):
                for j in range(h):
                    Un[i, j] = U[i, j] + e * gradU[i, j]
            for i in range(m):
                for j in range(h):
                    Vn[i, j] = V[i, j] + e * EtXU[i, j]
            if diagnostics[b] or compute[3]:
                Dn = Un.T @ Un - Vn.T @ Vn
            else:
                Dn = D
            if diagnostics[b]:
                En = Yb - (Xb @ Un) @ Vn.T
                XXtE = Xb @ XtE
                UtXtE = XU.T @ E
                T1 = XU @ UtXtE + XXtE @ (V @ V.T)
                Bq = XXtE @ (V @ UtXtE)
                RE = En - E + e * T1 + e * e * Bq
                e_fro, u_fro, v_fro = _fro(E), _fro(U), _fro(V)
                un_fro, vn_fro = _fro(Un), _fro(Vn)
                out[b, k, N_STATE + 0] = np.sum(RE * RE)
                out[b, k, N_STATE + 1] = np.sum(RE * Bq)
                out[b, k, N_STATE + 2] = np.sum(Bq * Bq)
                out[b, k, N_STATE + 3] = (y_fro + x_fro * (u_fro * v_fro + un_fro * vn_fro)
                                          + e * x_fro**2 * e_fro * (u_fro**2 + v_fro**2)
                                          + e * e * x_fro**3 * e_fro**2 * u_fro * v_fro)
                M = gradU.T @ gradU - EtXU.T @ EtXU
                RD = Dn - D - e * e * M
                out[b, k, N_STATE + 4] = np.sum(RD * RD)
                out[b, k, N_STATE + 5] = np.sum(RD * M)
                out[b, k, N_STATE + 6] = np.sum(M * M)
                out[b, k, N_STATE + 7] = (u_fro**2 + v_fro**2 + un_fro**2 + vn_fro**2
                                          + e * e * x_fro**2 * e_fro**2 * (u_fro**2 + v_fro**2))
            U, Un = Un, U
            V, Vn = Vn, V
            D = Dn


@njit(cache=True, nogil=True)
def gf_linear_two_layer(X, Y, Bt, AtX, Zs, s, U0, V0, sizes, eta, steps, compute, rtol, atol_rel, A, B, C, E3, E5,
                        out):
    """Batched gradient flow, serial and without the GIL: the flow from (U0[b], V0[b]) integrated by
    DOP853 (:func:`~boundcheck.verifiers.models.dop853.integrate`, rtol and an absolute tolerance
    of atol_rel times the largest initial entry, at least 1; tableau A, B, C, E3, E5) and
    sampled at the times t * eta[b], t = 0..steps[b]; the STATE observables of each sample
    written as :func:`gd_linear_two_layer` writes them. Samples past a failed integration, or
    from a non-finite loss on, stay NaN."""
    for b in range(X.shape[0]):
        n, d, m, h, r = sizes[b, 0], sizes[b, 1], sizes[b, 2], sizes[b, 3], sizes[b, 4]
        Xb, Yb, Btb, AtXb, Zb, U, V = _instance(X, Y, Bt, AtX, Zs, U0, V0, sizes, b)
        s_r2, s_12 = s[b, r - 1] ** 2, s[b, 0] ** 2
        times = eta[b] * np.arange(steps[b] + 1)
        scale = max(np.max(np.abs(U)), np.max(np.abs(V)), 1.0)
        states = np.empty((steps[b] + 1, d * h + m * h))
        reached = integrate(Xb, Yb, U, V, times, rtol, atol_rel * scale, A, B, C, E3, E5, states)
        D0 = U.T @ U - V.T @ V
        work = _workspace(n, d, m, h, r)
        for k in range(reached):
            Uk = np.ascontiguousarray(states[k, : d * h]).reshape((d, h))
            Vk = np.ascontiguousarray(states[k, d * h:]).reshape((m, h))
            drift = Uk.T @ Uk - Vk.T @ Vk if compute[3] else D0
            if not _state_row(Xb, Yb, AtXb, Zb, Btb, Uk, Vk, drift, D0, s_r2, s_12, r, m, compute, work, out[b, k]):
                break


# ------------------------------------------------------------------ instances


def _swap(M: np.ndarray) -> np.ndarray:
    """The transposes of a stack of matrices."""
    return np.swapaxes(M, -1, -2)


def _orthonormal(rngs: list[np.random.Generator], rows: int, cols: int) -> np.ndarray:
    """One (rows x cols) matrix with orthonormal columns (rows >= cols), Haar distributed, from
    each generator: a stack. (Every stacked NumPy linear-algebra call below applies one LAPACK
    routine to each matrix, as on a single one: an instance's numbers do not depend on its group.)"""
    q, rr = np.linalg.qr(np.stack([rng.standard_normal((rows, cols)) for rng in rngs]))
    return q * np.sign(np.diagonal(rr, axis1=-2, axis2=-1))[..., None, :]


def make_data(n: int, d: int, m: int, x_cond: float, rngs: list[np.random.Generator]):
    """X = A diag(s) B^T (s geometric from 1 to 1/x_cond) and Y ~ N(0, 1/n), one from each
    generator (stacks; s is shared). Each generator draws A, then B, then Y."""
    r = min(n, d)
    A, B = _orthonormal(rngs, n, r), _orthonormal(rngs, d, r)
    s = x_cond ** (-np.arange(r) / (r - 1)) if r > 1 else np.ones(1)
    Y = np.stack([rng.standard_normal((n, m)) for rng in rngs]) / np.sqrt(n)
    return (A * s) @ _swap(B), Y, A, s, B


def _split(X: np.ndarray):
    """Thin SVD of an explicit X with its numerical rank."""
    A, s, Bt = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > s[0] * max(X.shape) * EPS)) if s.size and s[0] > 0 else 0
    if r == 0:
        raise ValueError("linear.two_layer: X is zero")
    return A[:, :r], s[:r], Bt[:r].T


def _factor(theta1: np.ndarray, k: int, h: int, delta: float, rngs: list[np.random.Generator]):
    """U_1 (r x h), V (m x h) with U_1 V^T = theta1 (rank <= k) and a_i^2 - b_i^2 = delta on shared
    rows R, for a stack of theta1."""
    P, sig, Qt = np.linalg.svd(theta1, full_matrices=False)
    P, sig, Q = P[..., :k], sig[..., :k], _swap(Qt[..., :k, :])
    root = np.sqrt(delta**2 + 4 * sig**2)
    a, bb = np.sqrt((delta + root) / 2), np.sqrt((root - delta) / 2)
    R = _swap(_orthonormal(rngs, h, k))
    return (P * a[..., None, :]) @ R, (Q * bb[..., None, :]) @ R


def make_init(p: dict[str, Any], A, s, B, Y, rngs: list[np.random.Generator]):
    """U_0 (d x h), V_0 (m x h) for initialisation ``p['init']`` (see the module docstring), one
    from each generator, for stacks A, B, Y."""
    d, r = B.shape[-2:]
    m, h = Y.shape[-1], p["h"]
    k = min(r, m)
    a = p["init_scale"] * p["imbalance_scale"]
    bb = p["init_scale"] / p["imbalance_scale"]
    init = p["init"]
    if init in (GAUSSIAN, SMALL):
        f = SMALL_FACTOR if init == SMALL else 1.0
        drawn = [(rng.standard_normal((d, h)), rng.standard_normal((m, h))) for rng in rngs]  # U, then V
        U, V = (np.stack(factor) for factor in zip(*drawn))
        return (f * a / np.sqrt(h)) * U, (f * bb / np.sqrt(h)) * V
    Zs = _swap(A) @ Y
    if init == SPECTRAL:
        P, _, Qt = np.linalg.svd(Zs / s[:, None], full_matrices=False)
        R = _swap(_orthonormal(rngs, h, k))
        return B @ (a * P[..., :k] @ R), bb * _swap(Qt[..., :k, :]) @ R
    if init == PRESCRIBED:
        sig_k = np.linalg.svd(Zs, compute_uv=False)[..., k - 1]
        delta_dir = np.stack([rng.standard_normal(Zs.shape[-2:]) for rng in rngs])
        size = np.array([np.linalg.norm(one) for one in delta_dir])  # each as alone (a dot, not a sum)
        Z0 = Zs + delta_dir * ((1 - p["margin_frac"]) * sig_k / size)[:, None, None]
        delta = p["imbalance_scale"] * (1.0 if r <= m else -1.0)
        U1, V = _factor(Z0 / s[:, None], k, h, delta, rngs)
        return B @ U1, V
    # balanced
    if r >= m:
        V = (p["init_scale"] / np.sqrt(h)) * np.stack([rng.standard_normal((m, h)) for rng in rngs])
        return B @ (_orthonormal(rngs, r, m) @ V), V
    U1 = (p["init_scale"] / np.sqrt(h)) * np.stack([rng.standard_normal((r, h)) for rng in rngs])
    return B @ U1, _orthonormal(rngs, m, r) @ U1


def _spectral_scalars(U1: np.ndarray, V: np.ndarray, r: int, m: int) -> list[tuple[float, float, float]]:
    """(c(Lambda), ||Lambda||_2, sigma_{min(h, r+m)}(W)^2) at t = 0, dense float64, for each of a
    stack of U1, V."""
    h = U1.shape[-1]
    imbalance = np.linalg.eigvalsh(_swap(U1) @ U1 - _swap(V) @ V)
    W = np.concatenate([U1, V], axis=-2)
    gram = np.linalg.eigvalsh(W @ _swap(W))
    out = []
    for values, gw in zip(imbalance, gram):
        ev = np.sort(np.concatenate([values, np.zeros(r + m)]))
        c = max(ev[ev.size - r], 0.0) + max(-ev[m - 1], 0.0)
        gw = gw[::-1]
        out.append((c, float(max(abs(ev[0]), abs(ev[-1]))), float(max(gw[min(h, r + m) - 1], 0.0))))
    return out


class LinearTwoLayer(Model):
    name = "linear.two_layer"
    doc = __doc__
    params = (
        param("n", "int", 1, 512, "number of samples (rows of X and Y)", positive=True),
        param("d", "int", 1, 256, "input dimension", positive=True),
        param("m", "int", 1, 64, "output dimension", positive=True),
        param("h", "int", 1, 512, "hidden width", positive=True),
        param("x_cond", "float", 1.0, 1e4, "condition number s_1 / s_r of X (s_1 = 1)", positive=True),
        param("init", "int", 0, 4, "0 Gaussian, 1 spectral, 2 small, 3 prescribed imbalance/margin, 4 balanced"),
        param("init_scale", "float", 1e-3, 10.0, "scale of the initial factors", positive=True),
        param("imbalance_scale", "float", 1e-3, 100.0, "U scaled by it and V by its inverse (init 0-2); "
                                                     "c(Lambda_0) for init 3", positive=True),
        param("margin_frac", "float", -1.0, 1.0, "init 3: margin = margin_frac * sigma_k(A^T Y)"),
        param("dynamics", "int", 0, 1, "0 gradient descent, 1 gradient flow (sampled every eta)"),
        param("diagnostics", "int", 0, 1, "1: record the exact-identity residuals of every GD step"),
        param("step_unit", "int", 0, 2, "eta = step * unit: 0 one, 1 the derived cap eta_max(1/4), 2 1/K_ref"),
        param("step", "float", 1e-9, 1e4, "the step in units of step_unit", positive=True),
        param("steps", "int", 0, 5000, "gradient steps (or gradient-flow samples)"),
        param("seed", "seed", 0, SEED_MAX, "seed of the data and the initialisation"),
    )
    observables = (
        *(Observable(name, True, OBSERVABLE_DOCS[name]) for name in STATE + TRANSITION),
        *(Observable(name, False, OBSERVABLE_DOCS[name]) for name in (
            "n", "d", "m", "h", "r", "eta", "eta_cap", "lambda_r_X", "lambda_1_X", "sigma_min_X", "sigma_max_X",
            "c0", "imb0_norm", "target_norm", "target_sigma_min", "R0", "K0", "K_ref", "margin", "finite_run", "sigma_W_sq",
            "gap_floor", "init_scale", "imbalance_scale", "margin_frac", "x_cond")),
    )
    constraints = (("representable", sp.Ge(sp.Symbol("h"), sp.Min(sp.Symbol("n"), sp.Symbol("d"),
                                                                      sp.Symbol("m")))),)
    batch_size = 8
    #: seeds run per drawn parameter set (a draw costs more than a run of these small networks):
    #: over this model's statements at budget 100 (mutants and conjectures at theirs), 3,185
    #: distinct instances in 12.1 s with 8 against 979 in 8.6 s with 1, in one run
    replicas = 8
    #: Monte Carlo sweep instances per example of the budget: at budget 100, the per-step
    #: theorems check 368-502 distinct instances in 0.33-0.58 s by the search alone, 1,968-2,102
    #: in 0.67-1.09 s with a sweep of 16. The gradient flow pays 7 ms an instance for its ODE:
    #: 280 in 2.0 s, 1,880 in 11.5 s (at its own budget of 12: 343 in 2.2 s)
    monte_carlo = 16
    #: ``eta_cap`` and ``K_ref`` only choose the step (an input of the run, exact as a float);
    #: ``gap_floor`` is by definition the float64 resolution of ``gap`` (:func:`_gap_floor`)
    float64_in_replay = ("eta_cap", "K_ref", "gap_floor")
    #: conjectures' default domain: 16 x 8 data, 4 outputs, width 16, 100 steps (h >= min(n, d, m)
    #: stays satisfiable)
    default_domain = {"n": (1, 16), "d": (1, 8), "m": (1, 4), "h": (1, 16), "steps": (0, 100)}

    # -------------------------------------------------------------- set-up
    def instance(self, params: dict[str, Any]) -> dict[str, Any]:
        """Data, initial factors, step and the scalars of one instance (float64): :meth:`instances`
        of a batch of one, so that a run and its reference set up an instance alike."""
        return self.instances([params])[0]

    def instances(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """:meth:`instance` for every parameter set of ``batch``.

        Instances that differ in their seed alone (a drawn parameter set's replicas) are set up
        together: their QR, SVD and symmetric eigenvalue calls run on stacks, one call for the
        group instead of one per instance (a dozen small calls were most of a set-up's 134 us).
        Each generator draws what it drew alone, in the same order, and each matrix goes
        through the LAPACK routine it went through alone: the numbers are a batch of one's
        (tested bit for bit).
        """
        groups: dict[Any, list[int]] = {}
        for k, params in enumerate(batch):
            explicit = any(name in params for name in ("X", "Y", "U0", "V0"))
            key = ("given", k) if explicit else tuple(sorted((n, v) for n, v in params.items() if n != "seed"))
            groups.setdefault(key, []).append(k)
        out: list[dict[str, Any]] = [{} for _ in batch]
        for members in groups.values():
            for k, inst in zip(members, self._set_up([batch[k] for k in members])):
                out[k] = inst
        return out

    def _set_up(self, group: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The instances of parameter sets that differ in their seed alone."""
        p = group[0]
        rngs = [np.random.default_rng(q["seed"]) for q in group]
        if "X" in p:
            X = np.asarray(p["X"], dtype=np.float64)[None]
            Y = np.asarray(p["Y"], dtype=np.float64)[None]
            A, s, B = _split(X[0])
            A, B = A[None], B[None]
        else:
            X, Y, A, s, B = make_data(p["n"], p["d"], p["m"], p["x_cond"], rngs)
        r, m = s.size, Y.shape[-1]
        if "U0" in p:
            U, V = np.asarray(p["U0"], dtype=np.float64)[None], np.asarray(p["V0"], dtype=np.float64)[None]
        else:
            U, V = make_init(p, A, s, B, Y, rngs)
        Zs = _swap(A) @ Y
        k = min(r, m)
        AtX = _swap(A) @ X
        G0 = Zs - (AtX @ U) @ _swap(V)
        spectral = _spectral_scalars(_swap(B) @ U, V, r, m)
        sv_xu = np.linalg.svd(X @ U, compute_uv=False)
        v_norm = np.linalg.norm(V, 2, axis=(-2, -1))
        sig_target = np.linalg.svd(Zs, compute_uv=False)
        sig_scaled = np.linalg.svd(Zs / s[:, None], compute_uv=False)
        out = []
        for g, params in enumerate(group):
            c0, imb0, sig_w = spectral[g]
            K0 = (sv_xu[g, 0] ** 2 if sv_xu.shape[-1] else 0.0) + s[0] ** 2 * v_norm[g] ** 2
            target_norm, R0 = float(np.linalg.norm(Zs[g])), float(np.linalg.norm(G0[g]))
            with np.errstate(all="ignore"):
                try:
                    cap = float(_CAP(s[-1] ** 2, s[0] ** 2, c0, imb0, target_norm, R0))
                except (ZeroDivisionError, ValueError):
                    cap = 0.0
            cap = cap if np.isfinite(cap) else 0.0
            K_ref = max(K0, 2 * s[0] ** 2 * sig_scaled[g, 0])
            unit = {UNIT_ABSOLUTE: 1.0, UNIT_CAP: cap * CAP_ROUND_DOWN,
                    UNIT_INV_KREF: 1.0 / K_ref if K_ref > 0 else 0.0}[params["step_unit"]]
            scalars = {
                "n": X.shape[-2], "d": X.shape[-1], "m": m, "h": U.shape[-1], "r": r, "eta": params["step"] * unit,
                "eta_cap": cap, "finite_run": 0, "lambda_r_X": float(s[-1] ** 2), "lambda_1_X": float(s[0] ** 2),
                "sigma_min_X": float(s[-1]), "sigma_max_X": float(s[0]), "c0": c0, "imb0_norm": imb0,
                "target_norm": target_norm, "target_sigma_min": float(sig_target[g, k - 1]), "R0": R0,
                "K0": float(K0), "K_ref": float(K_ref),
                "margin": float(sig_target[g, k - 1] - R0), "sigma_W_sq": sig_w,
                **{name: params.get(name, np.nan) for name in ("init_scale", "imbalance_scale", "margin_frac",
                                                                 "x_cond")},
            }
            out.append({"X": X[g], "Y": Y[g], "A": A[g], "s": s, "B": B[g], "U0": U[g], "V0": V[g], "Zs": Zs[g],
                        "AtX": AtX[g], "scalars": scalars})
        return out

    # -------------------------------------------------------------- fast path
    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        """Observations of ``batch``. The gradient-descent runs, then the gradient flows, are cut
        into parts, each trained (or integrated) serially on a kernel thread without the GIL while
        this thread sets up the next part: set-up and training overlap. Every instance's numbers
        are those of a batch of one, whatever the parts."""
        return self._run(batch, None)

    def run_only(self, batch: Sequence[dict[str, Any]], names: frozenset[str]) -> list[Observations]:
        """:meth:`run` without the per-step spectra ``names`` does not read (four symmetric
        eigenproblems a step, most of a step's cost at these sizes): the observables they give
        are left out, and the others are :meth:`run`'s, bit for bit."""
        return self._run(batch, frozenset(names))

    def _run(self, batch: Sequence[dict[str, Any]], needed: frozenset[str] | None) -> list[Observations]:
        results: list[Observations | None] = [None] * len(batch)
        compute, skipped = kernel_flags(needed), left_out(needed)
        training = []
        for dynamics, task in ((0, _train_serially), (1, _integrate_serially)):
            for part in parts([b for b, p in enumerate(batch) if p["dynamics"] == dynamics]):
                insts = self.instances([batch[b] for b in part])
                packed = _packed([batch[b] for b in part], insts, compute)
                training.append((part, insts, dynamics, in_background(task, packed)))
        for part, insts, dynamics, trained in training:
            out, steps = trained.result()
            for k, (b, inst) in enumerate(zip(part, insts)):
                results[b] = self._observations(inst, out[k, : steps[k] + 1], steps[k], gf=bool(dynamics),
                                                left_out=skipped)
        return results  # type: ignore[return-value]

    def _observations(self, inst: dict[str, Any], table: np.ndarray, steps: int, gf: bool = False,
                      left_out: frozenset[str] = frozenset()) -> Observations:
        """The observations of a run's table; ``left_out``: STATE observables not computed (NaN in
        the table), which are left out of the observations and do not count against ``finite_run``."""
        obs: Observations = {name: table[:, j] for j, name in enumerate(STATE) if name not in left_out}
        obs.update({name: table[:steps, N_STATE + j] for j, name in enumerate(TRANSITION)})
        obs.update(inst["scalars"])
        computed = [j for j, name in enumerate(STATE) if name not in left_out]
        obs["finite_run"] = int(bool(np.isfinite(table[:, computed]).all()
                                     and (gf or np.isfinite(table[:steps, N_STATE:I_MAG]).all()
                                          or np.isnan(table[:steps, N_STATE:I_MAG]).all())))
        mag = np.nanmax(table[:, I_MAG]) if np.isfinite(table[:, I_MAG]).any() else np.inf
        obs["gap_floor"] = _gap_floor(inst, mag, gf)
        # resid = ||G||_F is accurate to the absolute floor ||fl(G) - G||_F <= delta, not relatively
        # (near convergence it is rounding noise): the checker's tolerance takes it from here
        delta = _g_error(inst, mag, gf)
        with np.errstate(all="ignore"):  # gap = ||G||^2 / 2 with ||fl(G) - G||_F <= delta (see _gap_floor)
            gap_error = squared_norm_error(obs["resid"], delta) / 2 + 2 * EPS * obs["gap"]
        spectral = _spectral_errors(inst, obs, gf, self.observable_floor) if "XU_norm" in obs else {}  # none read
        obs[ERROR_KEY] = {"resid": delta, "gap": gap_error, **spectral, **_identity_errors(inst, obs)}
        return obs

    # -------------------------------------------------------------- gradient flow
    def _gradient_flow(self, params: dict[str, Any], inst: dict[str, Any]) -> Observations:
        """Gradient flow by scipy's DOP853 (error-controlled), observables at the times t * eta:
        the reference of :func:`gf_linear_two_layer` (its samples come from the dense output)."""
        from scipy.integrate import solve_ivp

        X, Y = inst["X"], inst["Y"]
        d, h = inst["U0"].shape
        m = Y.shape[1]
        state0 = np.concatenate([inst["U0"].ravel(), inst["V0"].ravel()])

        def field(_, z):
            U, V = z[: d * h].reshape(d, h), z[d * h:].reshape(m, h)
            XU = X @ U
            E = Y - XU @ V.T
            return np.concatenate([(X.T @ E @ V).ravel(), (E.T @ XU).ravel()])

        eta, steps = inst["scalars"]["eta"], params["steps"]
        times = eta * np.arange(steps + 1)
        scale = max(float(np.abs(state0).max()), 1.0)
        if times[-1] > 0:
            with np.errstate(all="ignore"):
                samples = solve_ivp(field, (0.0, times[-1]), state0, method="DOP853", t_eval=times,
                                    rtol=GF_RTOL, atol=GF_ATOL_REL * scale).y
        else:  # no flow time (no step, or a step of 0): solve_ivp has no interval to integrate
            samples = np.repeat(state0[:, None], times.size, axis=1)
        table = np.full((steps + 1, I_MAG + 1), np.nan)
        D0 = inst["U0"].T @ inst["U0"] - inst["V0"].T @ inst["V0"]
        for k in range(samples.shape[1]):
            U, V = samples[: d * h, k].reshape(d, h), samples[d * h:, k].reshape(m, h)
            table[k, :N_STATE] = [float(v) for v in state_observables(inst, U, V, D0, FLOAT64)]
            table[k, I_MAG] = np.linalg.norm(U) * np.linalg.norm(V)
        return self._observations(inst, table, steps, gf=True)

    # -------------------------------------------------------------- reference
    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """The plain reference (GD), in float64 NumPy or (``backend.dps``) in mpmath.

        Dense eigensolvers on the h x h imbalance (``eigvalsh`` or ``mpmath.eigsy``), no
        congruence trick: the kernel is tested against it. A gradient flow is integrated by
        scipy's ``solve_ivp`` in float64, whatever the backend.
        """
        inst = self.instance(params)
        if params["dynamics"] == 1:
            return self._gradient_flow(params, inst)
        xp = backend
        mp = xp.dps is not None
        steps = params["steps"]
        if mp:  # the bases, projections and scalars at the replay precision, not float64 ones
            import mpmath

            inst = exact_instance(inst, xp)
            # the loop in MPFR at mpmath's precision: the same numbers as mpmath's, 5x faster
            with mpfr_arithmetic(mpmath.mp.prec) as (to_mpfr, to_mpf):
                table = to_mpf(gd_reference(mpfr_instance(inst, to_mpfr), steps, params["diagnostics"],
                                            mpfr_backend(xp, to_mpfr)))
        else:
            table = gd_reference(inst, steps, params["diagnostics"], xp)
        obs = self._observations(inst["float64"] if mp else inst, table.astype(np.float64), steps,
                                 left_out=left_out(xp.needed))
        if mp:
            obs.update({k: v for k, v in inst["scalars"].items() if k != "finite_run"})
            obs.update({name: table[:, j] for j, name in enumerate(STATE) if name in obs})
            obs.update({name: table[:steps, N_STATE + j] for j, name in enumerate(TRANSITION)})
        return obs


def gd_reference(inst: dict[str, Any], steps: int, diagnostics: int, xp) -> np.ndarray:
    """The reference's gradient descent on the numbers ``inst`` holds, by the backend ``xp``
    (float64, mpmath, or MPFR: :func:`~boundcheck.verifiers.models.precision.mpfr_backend`):
    the table of STATE and TRANSITION observables and ||U||_F ||V||_F, as the kernel's."""
    X, Y, U, V = (xp.asarray(inst[k]) for k in ("X", "Y", "U0", "V0"))
    eta = xp.scalar(inst["scalars"]["eta"])
    table = np.full((steps + 1, I_MAG + 1), np.nan, dtype=np.float64 if xp.dps is None else object)
    D0 = U.T.dot(U) - V.T.dot(V)
    D = D0
    x_fro = _norm(X, xp)
    y_fro = _norm(Y, xp)
    for k in range(steps + 1):
        row = state_observables(inst, U, V, D0, xp, xp.needed)
        table[k, :N_STATE] = row
        u_fro, v_fro = _norm(U, xp), _norm(V, xp)
        table[k, I_MAG] = u_fro * v_fro
        if not _finite(row[0]) or k == steps:
            break
        XU = X.dot(U)
        E = Y - XU.dot(V.T)
        gradU = X.T.dot(E).dot(V)
        EtXU = E.T.dot(XU)
        Un, Vn = U + eta * gradU, V + eta * EtXU
        if diagnostics:
            Dn = Un.T.dot(Un) - Vn.T.dot(Vn)
            En = Y - X.dot(Un).dot(Vn.T)
            XXtE = X.dot(X.T.dot(E))
            T1 = XU.dot(XU.T.dot(E)) + XXtE.dot(V.dot(V.T))
            Bq = XXtE.dot(V.dot(XU.T.dot(E)))
            RE = En - E + eta * T1 + eta * eta * Bq
            e_fro, un_fro, vn_fro = _norm(E, xp), _norm(Un, xp), _norm(Vn, xp)
            M = gradU.T.dot(gradU) - EtXU.T.dot(EtXU)
            RD = Dn - D - eta * eta * M
            table[k, N_STATE:I_MAG] = [
                (RE * RE).sum(), (RE * Bq).sum(), (Bq * Bq).sum(),
                y_fro + x_fro * (u_fro * v_fro + un_fro * vn_fro) + eta * x_fro**2 * e_fro * (u_fro**2 + v_fro**2)
                + eta * eta * x_fro**3 * e_fro**2 * u_fro * v_fro,
                (RD * RD).sum(), (RD * M).sum(), (M * M).sum(),
                u_fro**2 + v_fro**2 + un_fro**2 + vn_fro**2 + eta * eta * x_fro**2 * e_fro**2 * (u_fro**2 + v_fro**2),
            ]
            D = Dn
        U, V = Un, Vn
    return table


def mpfr_instance(inst: dict[str, Any], to_mpfr) -> dict[str, Any]:
    """The arrays and the step :func:`gd_reference` reads from ``inst``, converted to MPFR."""
    arrays = {key: to_mpfr(np.asarray(inst[key], dtype=object)) for key in ("X", "Y", "Zs", "AtX", "B", "s", "U0", "V0")}
    return {**inst, **arrays, "scalars": {**inst["scalars"], "eta": to_mpfr(inst["scalars"]["eta"])}}


def exact_instance(inst: dict[str, Any], xp) -> dict[str, Any]:
    """``inst`` with every derived quantity recomputed by the high-precision backend ``xp``.

    The data X, Y and the initial factors U_0, V_0 are the instance's inputs: float64
    numbers, exact. Everything derived from them in float64 is not: X = A diag(s) B^T was
    *built* from A, s, B in float64, so those are not X's singular triplets to more than
    about 1e-16, and a residual G = A^T Y - (A^T X) U V^T formed with them stalls near 1e-17
    instead of converging (issue 12, item 9). Here A, s, B come from an SVD of X in mpmath
    (the rank r stays that of the float64 instance, whose scalars were drawn with it), and
    A^T Y, A^T X and the scalar observables are recomputed from them. The step eta is an
    input (the step the run takes) and stays; ``eta_cap`` and ``K_ref``, which only choose
    it, stay float64 too. The float64 instance is kept under ``"float64"``.
    """
    import mpmath

    X, Y, U, V = (xp.asarray(inst[k]) for k in ("X", "Y", "U0", "V0"))
    r = inst["s"].size
    left, sing, right = mpmath.svd_r(mpmath.matrix(X.tolist()), full_matrices=False, compute_uv=True)
    order = sorted(range(len(sing)), key=lambda i: -sing[i])[:r]
    s = np.array([sing[i] for i in order], dtype=object)
    A = np.array([[left[i, j] for j in order] for i in range(left.rows)], dtype=object)
    B = np.array([[right[j, i] for j in order] for i in range(right.cols)], dtype=object)
    Zs, AtX = A.T.dot(Y), A.T.dot(X)
    m = Y.shape[1]
    k = min(r, m)
    U1 = B.T.dot(U)
    zero = 0 * s[0]
    lam = sorted(list(_eigvalsh(U1.T.dot(U1) - V.T.dot(V), xp)) + [zero] * (r + m))
    c0 = max(lam[len(lam) - r], zero) + max(-lam[m - 1], zero)
    W = np.vstack([U1, V])
    gw = sorted(_eigvalsh(W.dot(W.T), xp), reverse=True)
    h = U.shape[1]
    sqrt = mpmath.sqrt
    target_norm = sqrt((Zs * Zs).sum())
    G0 = Zs - AtX.dot(U).dot(V.T)
    R0 = sqrt((G0 * G0).sum())
    sig_target = sorted((sqrt(max(v, zero)) for v in _eigvalsh(Zs.T.dot(Zs), xp)), reverse=True)
    XU = X.dot(U)
    K0 = max(max(_eigvalsh(XU.T.dot(XU), xp)), zero) + s[0] ** 2 * max(max(_eigvalsh(V.T.dot(V), xp)), zero)
    scalars = dict(inst["scalars"])
    scalars.update({
        "lambda_r_X": s[-1] ** 2, "lambda_1_X": s[0] ** 2, "sigma_min_X": s[-1], "sigma_max_X": s[0], "c0": c0,
        "imb0_norm": max(abs(lam[0]), abs(lam[-1])), "sigma_W_sq": max(gw[min(h, r + m) - 1], zero),
        "target_norm": target_norm, "target_sigma_min": sig_target[k - 1], "R0": R0, "K0": K0,
        "margin": sig_target[k - 1] - R0, "eta": mpmath.mpf(inst["scalars"]["eta"]),
    })
    return {**inst, "X": X, "Y": Y, "U0": U, "V0": V, "A": A, "s": s, "B": B, "Zs": Zs, "AtX": AtX,
            "scalars": scalars, "float64": inst}


#: the per-step quantities a run may leave out, each with the STATE observables it gives: the
#: spectra of (A^T X U)(A^T X U)^T and V V^T (together), of U_1 U_1^T, of the imbalance
#: Lambda, and the norm of the drift D_t - D_0
PER_STEP = {
    "XU_V": frozenset({"c_step", "K_step", "XU_norm", "V_norm", "sigma_m_V_sq"}),
    "U1": frozenset({"sigma_r_U1_sq"}),
    "imbalance": frozenset({"imb_lambda_r", "imb_lambda_m_neg", "c_imb", "imbalance_norm"}),
    "drift": frozenset({"imbalance_drift"}),
}


def _per_step(needed: frozenset[str] | None) -> set[str]:
    """The PER_STEP quantities a caller that reads ``needed`` needs: those giving what it reads,
    and XU_V with any other (their error bounds read XU_norm and V_norm)."""
    if needed is None:
        return set(PER_STEP)
    wanted = {name for name, gives in PER_STEP.items() if not gives.isdisjoint(needed)}
    return wanted | {"XU_V"} if wanted else wanted


def left_out(needed: frozenset[str] | None) -> frozenset[str]:
    """The STATE observables :func:`state_observables` and the kernel leave out for a caller
    that reads ``needed``."""
    return frozenset(STATE).difference(*(PER_STEP[name] for name in _per_step(needed))) \
        - {"loss", "gap", "resid"}


def kernel_flags(needed: frozenset[str] | None) -> np.ndarray:
    """:func:`gd_linear_two_layer`'s ``compute`` flags (PER_STEP's order) for a caller that reads ``needed``."""
    wanted = _per_step(needed)
    return np.array([name in wanted for name in PER_STEP], dtype=np.int64)


def state_observables(inst: dict[str, Any], U, V, D0, xp, needed: frozenset[str] | None = None) -> list:
    """The STATE observables of one state (U, V), by the backend ``xp`` (NumPy or mpmath).

    With ``needed``, the PER_STEP quantities no needed observable reads are not computed
    (:func:`left_out`): what they give is NaN (a replay at 50 digits spent two thirds of its
    time in ``mpmath.eigsy``, four per step)."""
    X, Y, Zs, AtX, Bm, s = (xp.asarray(inst[k]) for k in ("X", "Y", "Zs", "AtX", "B", "s"))
    r, m = s.size, Y.shape[1]
    XU = X.dot(U)
    AU = AtX.dot(U)
    E = Y - XU.dot(V.T)
    G = Zs - AU.dot(V.T)
    loss = (E * E).sum() / 2
    resid_sq = (G * G).sum()
    if not _finite(loss) or not _finite(resid_sq):
        return [loss, resid_sq / 2, xp.sqrt(xp.asarray([resid_sq]))[0]] + [np.nan] * (N_STATE - 3)
    zero = 0 * loss
    sqrt = lambda v: xp.sqrt(xp.asarray([v]))[0]  # noqa: E731
    wanted = _per_step(needed)
    row = [loss, resid_sq / 2, sqrt(resid_sq)] + [np.nan] * (N_STATE - 3)
    s_r2, s_12 = s[-1] ** 2, s[0] ** 2
    if "XU_V" in wanted:
        gu, gv = _eigvalsh(AU.dot(AU.T), xp), _eigvalsh(V.dot(V.T), xp)
        sr_xu, s1_xu, sm_v, s1_v = (max(v, zero) for v in (gu[0], gu[-1], gv[0], gv[-1]))
        row[3:7] = [sr_xu + s_r2 * sm_v, s1_xu + s_12 * s1_v, sqrt(s1_xu), sqrt(s1_v)]
        row[8] = sm_v
    if wanted & {"U1", "imbalance"}:
        U1 = Bm.T.dot(U)
    if "U1" in wanted:
        row[7] = max(_eigvalsh(U1.dot(U1.T), xp)[0], zero)
    if "imbalance" in wanted:
        ev = sorted(list(_eigvalsh(U1.T.dot(U1) - V.T.dot(V), xp)) + [zero] * (r + m))
        lam_r, lam_m_neg = ev[len(ev) - r], -ev[m - 1]
        row[9:13] = [lam_r, lam_m_neg, max(lam_r, zero) + max(lam_m_neg, zero), max(abs(ev[0]), abs(ev[-1]))]
    if "drift" in wanted:
        row[13] = _norm(U.T.dot(U) - V.T.dot(V) - D0, xp)
    return row


def _g_error(inst: dict[str, Any], mag: float, gf: bool) -> float:
    """delta, a bound on ||fl(G_t) - G_t||_F over the run (see :func:`_gap_floor`)."""
    d, h, m = inst["X"].shape[1], inst["U0"].shape[1], inst["Y"].shape[1]
    size = inst["scalars"]["target_norm"] + inst["s"][0] * mag
    return float(8 * (d + h + m) * EPS * size + (GF_ACCURACY * size if gf else 0.0))


def _spectral_errors(inst: dict[str, Any], obs: Observations, gf: bool, floor: float) -> dict[str, np.ndarray]:
    """Per-iteration bounds on the error of the spectral observables: the eigenvalues of the
    Gram matrices (c_step, K_step, XU_norm, V_norm, sigma_r_U1_sq, sigma_m_V_sq) and of the
    imbalance, which are rounding noise where they are 0 in exact arithmetic (Lambda = 0:
    1e-21 computed for 1e-32; sigma_r(U_1)^2 with h < r: 1e-21 for 0).

    * Rounding. A product M M^T (or Lambda = U_1^T U_1 - V^T V) is formed with
      ||fl - exact||_2 <= ||fl - exact||_F <= gamma_k ||M||_F^2 (Higham, *Accuracy and
      Stability of Numerical Algorithms*, 2nd ed., 3.5), and a backward-stable symmetric
      eigensolver adds c n u ||.||_2 to each eigenvalue (Weyl); the factor 8 (d + h + m)
      covers the products, the subtraction and the eigensolver. With A^T X U = diag(s) U_1:
      ||A^T X U||_F^2 <= min(r, h) sigma_1(X U)^2, ||U_1||_F <= ||A^T X U||_F / s_r,
      ||V||_F^2 <= min(h, m) sigma_1(V)^2. D = U^T U - V^T V adds the null-space part of U,
      which never moves (||U_0||_F^2 bounds it).
    * A gradient flow's sample also carries the integrator's error in the state,
      ||dz|| <= delta = GF_ACCURACY max(1, max_t ||z_t||) (tested against rtol 1e-13); an
      eigenvalue of M M^T then moves by at most 2 ||M||_F ||dM|| + ||dM||^2 (Weyl), with
      ||d(A^T X U)|| <= s_1 delta and ||dU_1||, ||dV|| <= delta.
    * The square roots XU_norm and V_norm: |sqrt(a') - sqrt(a)| <= min(sqrt(e), e / sqrt(a')).

    The Gram observables' bounds never go below ``floor`` times their largest value so far,
    the accuracy the checker assumed for them before they stated one (and which they met in
    every test): the bound adds protection where a Gram matrix is rank-deficient, and takes
    nothing away elsewhere.
    """
    X, s, U0 = inst["X"], inst["s"], inst["U0"]
    d, h, m, r = X.shape[1], U0.shape[1], inst["Y"].shape[1], s.size
    rounding = 8 * (d + h + m) * EPS
    with np.errstate(all="ignore"):
        au_fro = np.sqrt(min(r, h)) * obs["XU_norm"]
        u1_fro = au_fro / s[-1]
        v_fro = np.sqrt(min(h, m)) * obs["V_norm"]
        u0_fro = float(np.sqrt((U0 * U0).sum()))
        delta = GF_ACCURACY * max(1.0, float(np.nanmax(u1_fro + u0_fro + v_fro, initial=0.0))) if gf else 0.0

        def moved(norm, change):
            return 2 * norm * change + change**2

        xu = rounding * au_fro**2 + moved(au_fro, s[0] * delta)
        v = rounding * v_fro**2 + moved(v_fro, delta)
        u1 = rounding * u1_fro**2 + moved(u1_fro, delta)
        lam = rounding * (u1_fro**2 + v_fro**2) + moved(u1_fro, delta) + moved(v_fro, delta)
        drift = rounding * (u1_fro**2 + v_fro**2 + u0_fro**2) + moved(u1_fro + u0_fro, delta) + moved(v_fro, delta)
        gram = {"c_step": xu + s[-1] ** 2 * v, "K_step": xu + s[0] ** 2 * v, "sigma_r_U1_sq": u1, "sigma_m_V_sq": v,
                "XU_norm": np.fmin(np.sqrt(xu), xu / obs["XU_norm"]),
                "V_norm": np.fmin(np.sqrt(v), v / obs["V_norm"])}
        gram = {name: np.fmax(bound, floor * np.fmax.accumulate(np.abs(obs[name]))) for name, bound in gram.items()
                if name in obs}
    imbalance = {"imb_lambda_r": lam, "imb_lambda_m_neg": lam, "c_imb": 2 * lam, "imbalance_norm": lam,
                 "imbalance_drift": drift + drift[0]}
    return {**gram, **{name: bound for name, bound in imbalance.items() if name in obs}}


def _identity_errors(inst: dict[str, Any], obs: Observations) -> dict[str, np.ndarray]:
    """Per-step bounds on the float64 error of the residuals of the exact one-step identities
    (``rec_*``, ``drift_*``, ``diagnostics = 1``): each residual R is 0 in exact arithmetic and
    computed from terms of size ``*_scale`` with error at most delta = 16 (n + d + h + m) eps
    scale (chained products of inner dimension at most 2 (n + d + h + m), 8 k eps each, as in
    the statements' tol_identity), and Q (of the same terms) to delta ||Q|| / scale; then
    :func:`~boundcheck.verifiers.models.base.squared_norm_error` and
    :func:`~boundcheck.verifiers.models.base.inner_product_error`."""
    n, d = inst["X"].shape
    h, m = inst["U0"].shape[1], inst["Y"].shape[1]
    out = {}
    with np.errstate(all="ignore"):
        for prefix, quad in (("rec", "rec_quad_sq"), ("drift", "drift_sq")):
            delta = 16 * (n + d + h + m) * EPS * obs[f"{prefix}_scale"]
            resid = np.sqrt(obs[f"{prefix}_resid_sq"])
            q = np.sqrt(obs[quad])
            out[f"{prefix}_resid_sq"] = squared_norm_error(resid, delta)
            out[f"{prefix}_dot"] = inner_product_error(resid, q, delta, delta * q / obs[f"{prefix}_scale"])
    return out


def _gap_floor(inst: dict[str, Any], mag: float, gf: bool) -> float:
    """The float64 resolution of ``gap`` (added to rate bounds, which decay below it).

    gap = ||G||^2 / 2 with G = A^T Y - (A^T X U) V^T computed in float64: by the standard
    forward-error bound of matrix products (gamma_k = k eps / (1 - k eps), k the inner
    dimension), |fl(G) - G| <= delta := 8 (d + h + m) eps (||A^T Y||_F + ||A^T X||_2 max_t
    ||U_t||_F ||V_t||_F), the factor 8 covering the three chained products and the
    subtraction. Then fl(gap) <= gap + delta R + delta^2 / 2 whenever ||G_t|| <= R = ||G_0||
    (the monotone runs the rate statements are about). For gradient flow, delta also
    carries the integrator's accuracy GF_ACCURACY relative to the same magnitude (the
    tests compare rtol 1e-12 with 1e-13 runs).
    """
    delta = np.float64(_g_error(inst, mag, gf))  # NumPy: a run that blew up gives inf, not OverflowError
    R = inst["scalars"]["R0"]
    with np.errstate(over="ignore"):  # a run that blew up has no resolution: inf, said once by the verdict
        return float(delta * R + delta**2 / 2)


def _norm(A, xp):
    return xp.sqrt(xp.asarray([(A * A).sum()]))[0]


def _finite(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (OverflowError, ValueError, TypeError):
        return False


def _eigvalsh(M, xp) -> list:
    """Ascending eigenvalues of a symmetric matrix (float64, mpmath, or MPFR: ``mpmath.eigsy``'s
    numbers, computed in MPFR by :mod:`~boundcheck.verifiers.models.mpfr_eigen`, and given back in
    the matrix's arithmetic)."""
    if xp.dps is None:
        return list(np.linalg.eigvalsh(0.5 * (M + M.T)))
    to_mpfr = getattr(xp, "to_mpfr", None)
    values = list(mpfr_eigen.eigvalsh(0.5 * (M + M.T)))
    return [to_mpfr(v) for v in values] if to_mpfr else values


MODEL = LinearTwoLayer()
