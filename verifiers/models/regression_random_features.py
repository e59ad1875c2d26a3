"""``regression.random_features``: ridge regression on random features of spherical inputs.

Setting of Mei and Montanari (Comm. Pure Appl. Math. 2022, arXiv:1908.05355): x_i ~ Unif(S^{d-1}(sqrt d)),
i = 1..n; theta_j ~ Unif(S^{d-1}(sqrt d)), j = 1..N; f(x; a) = sum_j a_j act(<theta_j, x> / sqrt d);
a = argmin (1/n) sum_i (y_i - f(x_i; a))^2 + (N lam / d) ||a||^2, i.e.
a = (Z^T Z / n + (N lam / d) I)^{-1} Z^T y / n with Z_ij = act(<theta_j, x_i> / sqrt d).
Target: y = <beta_1, x> + eps, ||beta_1|| = F1, Var eps = tau^2 (a linear target: F_* = 0).

Activations (``act``): 0 = ReLU, 1 = tanh. Their constants with G ~ N(0, 1):
mu_1 = E[G act(G)], mu_*^2 = E[act(G)^2] - mu_0^2 - mu_1^2, zeta = mu_1 / mu_* (Gauss-Hermite
quadrature with 200 nodes; ReLU in closed form: mu_1 = 1/2, mu_*^2 = 1/4 - 1/(2 pi)).

Observables:

* ``risk`` = E_x[(<beta_1, x> - f(x; a))^2], estimated on a fresh test sample of
  ``test_ratio * d`` points (noiseless target), ``risk_se`` its standard error;
* ``train_loss`` = (1/n) ||y - Z a||^2;
* ``zeta``, ``lam_bar`` = lam / mu_*^2, ``chi``: the scalars Mei and Montanari's formula is
  written in; chi = nu_1 nu_2 at xi = i sqrt(psi_1 psi_2 lam_bar) solves their fixed-point
  equations (solved here by damped iteration from nu_i = i psi_i / |xi|, which converged in every case tried),
  with psi_1 = N / d, psi_2 = n / d.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np

from boundcheck.verifiers.models.base import Model, Observable, Observations, Param
from boundcheck.verifiers.models.blas import single_threaded_blas
from boundcheck.verifiers.models.precision import FLOAT64

PARAMS = (
    Param("d", "int", 4, 2000, "input dimension", {"positive": True}),
    Param("N", "int", 1, 8000, "number of random features", {"positive": True}),
    Param("n", "int", 1, 8000, "training-set size", {"positive": True}),
    Param("lam", "float", 1e-9, 100.0, "ridge lambda (penalty N lam / d)", {"positive": True}),
    Param("tau", "float", 0.0, 10.0, "noise standard deviation", {"nonnegative": True}),
    Param("F1", "float", 0.0, 10.0, "norm of the linear target", {"nonnegative": True}),
    Param("act", "int", 0, 1, "activation: 0 ReLU, 1 tanh", {"nonnegative": True}),
    Param("test_ratio", "int", 1, 200, "test-sample size / d", {"positive": True}),
    Param("seed", "seed", 0, 2**32 - 1, "seed of inputs, features, target direction, noise and test sample"),
)

OBSERVABLES = (
    Observable("risk", False, "test risk E_x (f_d(x) - f(x; a))^2, estimated on a fresh sample"),
    Observable("risk_se", False, "standard error of risk"),
    Observable("train_loss", False, "(1/n) ||y - Z a||^2"),
    Observable("zeta", False, "mu_1 / mu_* of the activation"),
    Observable("lam_bar", False, "lam / mu_*^2"),
    Observable("chi", False, "nu_1 nu_2 at xi = i sqrt(psi_1 psi_2 lam_bar) (Mei-Montanari fixed point)"),
)


def activation(kind: int, z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) if kind == 0 else np.tanh(z)


@cache
def activation_constants(kind: int) -> tuple[float, float, float]:
    """(mu_0, mu_1, mu_*^2) of an activation."""
    if kind == 0:
        return 1.0 / math.sqrt(2 * math.pi), 0.5, 0.25 - 1.0 / (2 * math.pi)
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    f = activation(kind, x)
    mu0, mu1, second = float(w @ f), float(w @ (x * f)), float(w @ (f * f))
    return mu0, mu1, second - mu0**2 - mu1**2


@lru_cache(maxsize=4096)
def fixed_point_chi(psi1: float, psi2: float, lam_bar: float, zeta: float, iterations: int = 200000,
                    tol: float = 1e-13) -> float:
    """chi = nu_1 nu_2 at xi = i sqrt(psi_1 psi_2 lam_bar), by damped fixed-point iteration."""
    xi = 1j * math.sqrt(psi1 * psi2 * lam_bar)
    nu1, nu2 = 1j * psi1 / abs(xi), 1j * psi2 / abs(xi)
    z2 = zeta * zeta
    for _ in range(iterations):
        den = 1 - z2 * nu1 * nu2
        new1 = psi1 / (-xi - nu2 - z2 * nu2 / den)
        new2 = psi2 / (-xi - nu1 - z2 * nu1 / den)
        step = abs(new1 - nu1) + abs(new2 - nu2)
        nu1, nu2 = 0.5 * nu1 + 0.5 * new1, 0.5 * nu2 + 0.5 * new2
        if step < tol:
            break
    return float((nu1 * nu2).real)


def sphere(rng: np.random.Generator, count: int, d: int) -> np.ndarray:
    g = rng.standard_normal((count, d))
    return g * (math.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True))


class RandomFeaturesRegression(Model):
    name = "regression.random_features"
    doc = __doc__
    params = PARAMS
    observables = OBSERVABLES
    batch_size = 4
    #: conjectures' default domain: d <= 32, at most 128 features and samples, test sets of <= 10 d
    default_domain = {"d": (4, 32), "N": (1, 128), "n": (1, 128), "test_ratio": (1, 10)}

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        with single_threaded_blas():
            return [self.reference(p) for p in batch]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """NumPy: features, the ridge solve, the test sample (the one implementation; no GD here)."""
        params = self.validate(params)
        d, N, n, lam, tau, F1, act = (params[k] for k in ("d", "N", "n", "lam", "tau", "F1", "act"))
        rng = np.random.default_rng(params["seed"])
        X, Theta = sphere(rng, n, d), sphere(rng, N, d)
        direction = rng.standard_normal(d)
        beta = F1 * direction / np.linalg.norm(direction)
        y = X @ beta + tau * rng.standard_normal(n)
        Z = activation(act, X @ Theta.T / math.sqrt(d))
        a = np.linalg.solve(Z.T @ Z / n + (N * lam / d) * np.eye(N), Z.T @ y / n)
        Xt = sphere(rng, params["test_ratio"] * d, d)
        err = (Xt @ beta - activation(act, Xt @ Theta.T / math.sqrt(d)) @ a) ** 2
        _, mu1, mu_star_sq = activation_constants(act)
        zeta = mu1 / math.sqrt(mu_star_sq)
        lam_bar = lam / mu_star_sq
        return {"risk": float(err.mean()), "risk_se": float(err.std(ddof=1) / math.sqrt(err.size)),
                "train_loss": float(np.mean((y - Z @ a) ** 2)), "zeta": zeta, "lam_bar": lam_bar,
                "chi": fixed_point_chi(N / d, n / d, lam_bar, zeta)}


MODEL = RandomFeaturesRegression()
