"""``factorisation.symmetric``: symmetric low-rank matrix factorisation f(U) = (1/4) ||U U^T - M||_F^2.

The Burer-Monteiro factorisation (Burer, Monteiro, Math. Program. 95, 2003) of a PSD target
M = U* U*^T of rank r_true, U* = Q diag(sqrt(s)), Q Haar (n x r_true), s uniform in [0.5, 1.5]
with its ends attained (s_1 = 1.5 = sigma_1(M), s_{r_true} = 0.5 = sigma_{r_true}(M) when r_true
>= 2). The factor U is n x r (r >= r_true: exact or over-parametrised). Gradient descent
U <- U - eta (U U^T - M) U. Initialisation (``init``): 0 near the solution, U_0 = [U*, 0] +
``init_dist`` sqrt(sigma_r(M)) G / ||G||_F (G Gaussian n x r); 1 small random, U_0 ~
N(0, init_scale^2 / n). Step: eta_t = eta (``step_unit`` 0) or eta / sigma_1(M) (``step_unit`` 1).

Extra observable ``recon_sq[t]`` = ||U_t U_t^T - M||_F^2 (= 4 loss). Scalars: ``sigma_1``,
``sigma_r`` (= sigma_{r_true}(M), exact from the construction), ``recon0`` = ||U_0 U_0^T - M||_F,
``loss_floor`` (an upper bound of min f: the float64 M is U* U*^T rounded, not exactly of rank r_true).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from boundcheck.verifiers.models.declared import DeclaredModel, param

S_MIN, S_MAX = 0.5, 1.5


class SymmetricFactorisation(DeclaredModel):
    name = "factorisation.symmetric"
    doc = __doc__
    params = (
        param("n", "int", 1, 8, "matrix size"),
        param("r", "int", 1, 4, "columns of the factor U (r >= r_true)"),
        param("r_true", "int", 1, 4, "rank of the target M"),
        param("init", "int", 0, 1, "0 near the solution, 1 small random"),
        param("init_dist", "float", 0.0, 2.0, "initial distance in units of sqrt(sigma_r(M)) (init 0)",
              nonnegative=True),
        param("init_scale", "float", 1e-4, 1.0, "scale of a small random initialisation (init 1)", positive=True),
        param("step_unit", "int", 0, 1, "0: eta_t = eta; 1: eta_t = eta / sigma_1(M)"),
    )
    constraints = (("rank_below_columns", sp.Le(sp.Symbol("r_true", integer=True), sp.Symbol("r", integer=True))),
                   ("columns_below_size", sp.Le(sp.Symbol("r", integer=True), sp.Symbol("n", integer=True))))
    default_domain = {"n": (2, 5), "r": (1, 2), "r_true": (1, 2), "init": (0, 0), "init_dist": (0.0, 0.3),
                      "step_unit": (1, 1), "eta": (0.01, 0.3), "steps": (1, 60)}
    step = "eta * sigma_1**(-step_unit)"
    extra_observables = (("recon_sq", "||U_t U_t^T - M||_F^2"),)
    scalar_observables = (("sigma_1", "top eigenvalue of M"), ("sigma_r", "smallest nonzero eigenvalue of M"),
                          ("recon0", "||U_0 U_0^T - M||_F"),
                          ("loss_floor", "upper bound of f(U*) >= min f: M is U* U*^T rounded to float64"))

    def validate(self, params):
        clean = super().validate(params)
        if not clean["r_true"] <= clean["r"] <= clean["n"]:
            raise ValueError(f"{self.name}: needs r_true <= r <= n (got r_true={clean['r_true']}, r={clean['r']}, "
                             f"n={clean['n']})")
        return clean

    def draw(self, p, rng):
        n, r, k = int(p["n"]), int(p["r"]), int(p["r_true"])
        s = np.sort(rng.uniform(S_MIN, S_MAX, size=k))[::-1]
        s[0] = S_MAX
        if k >= 2:
            s[-1] = S_MIN
        q, rr = np.linalg.qr(rng.standard_normal((n, k)))
        Ustar = (q * np.sign(np.diag(rr))) * np.sqrt(s)
        M = Ustar @ Ustar.T
        if p["init"] == 1:
            U0 = p["init_scale"] / np.sqrt(n) * rng.standard_normal((n, r))
        else:
            G = rng.standard_normal((n, r))
            U0 = np.zeros((n, r))
            U0[:, :k] = Ustar
            U0 += G * (p["init_dist"] * np.sqrt(s[-1]) / np.linalg.norm(G))
        return U0.ravel(), {"M": M, "s_top": float(s[0]), "s_low": float(s[-1])}

    def scalars(self, p, w0, data):
        n = data["M"].shape[0]
        U = w0.reshape(n, -1)
        return {"sigma_1": data["s_top"], "sigma_r": data["s_low"], "recon0": float(np.linalg.norm(U @ U.T - data["M"])),
                "loss_floor": _loss_floor(p["r_true"], data["M"])}

    @staticmethod
    def loss(w, M, s_top, s_low):
        n = M.shape[0]
        U = w.reshape(n, w.size // n)
        E = U @ U.T - M
        return 0.25 * np.sum(E * E)

    @staticmethod
    def grad(w, M, s_top, s_low):
        n = M.shape[0]
        U = w.reshape(n, w.size // n)
        return ((U @ U.T - M) @ U).ravel()

    @staticmethod
    def extras(w, w0, g, eta, M, s_top, s_low):
        n = M.shape[0]
        U = w.reshape(n, w.size // n)
        E = U @ U.T - M
        return np.array([np.sum(E * E)])


def _loss_floor(r_true: int, M: np.ndarray) -> float:
    """An upper bound of f(U*) = (1/4) ||U* U*^T - fl(U* U*^T)||_F^2, hence of min f (the float64 target is
    not exactly rank r_true). Each entry of fl(U* U*^T) is a dot product of length r_true, so
    |fl - exact| <= gamma_{r_true} |U*| |U*^T| entrywise, whose Frobenius norm is <= gamma tr(M)
    (gamma_k = k eps / (1 - k eps)); doubled for the rounding of tr(M) itself."""
    eps = float(np.finfo(np.float64).eps)
    gamma = r_true * eps / (1 - r_true * eps)
    return float(0.25 * (2 * gamma * np.trace(M)) ** 2)


MODEL = SymmetricFactorisation()
