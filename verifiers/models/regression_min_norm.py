"""``regression.min_norm``: least squares with isotropic Gaussian design, fitted by gradient
descent from zero or in closed form (minimum-norm / ridge).

Setting of Hastie, Montanari, Rosset, Tibshirani (Ann. Statist. 2022, arXiv:1903.08560):
x ~ N(0, I_p) (Sigma = I; the exact finite-sample identities checked here are derived for
the isotropic Gaussian case only, so no general covariance is offered), ||beta|| = r,
noise variance sigma^2. Data and closed forms: :mod:`boundcheck.verifiers.models.least_squares`.

The estimator: ``steps`` = 0 is the limit of gradient descent from zero, computed in
closed form by the SVD (the pseudo-inverse solution (X^T X)^+ X^T y when ridge = 0, the
ridge estimator (X^T X + n ridge I)^{-1} X^T y otherwise) -- the fast path for sweeps;
``steps`` > 0 is gradient descent itself, ``steps`` iterations of the normalised step
``eta`` (raw step eta / L, L = lambda_max(X^T X / n) + ridge) by the numba kernel.

Observables (the risk excludes the irreducible test noise, as in Hastie et al.):

* ``risk`` = ||b - beta||^2 = E_x0[(x0^T b - x0^T beta)^2 | X, eps], exact from the
  estimator and the population covariance (no test sample);
* ``bias``, ``variance``: its two parts averaged over the noise exactly, given X
  (E[risk | X] = bias + variance);
* ``risk_fewer``: the risk of the same estimator fitted on the same seed's draw with the
  last feature dropped (an exact draw at p - 1, coupled to this one); NaN at p = 1;
* ``lam_min``, ``lam_max``: extreme nonzero eigenvalues of X^T X / n + ridge on the row space;
* ``train_loss[t]`` = (1/n) ||y - X b_t||^2, ``norm[t]`` = ||b_t||, ``dist[t]`` =
  ||b_t - b_limit||^2 along gradient descent from b_0 = 0 (t = 0 only when steps = 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from boundcheck.verifiers.models import least_squares as ls
from boundcheck.verifiers.models.base import Model, Observable, Observations, Param
from boundcheck.verifiers.models.precision import FLOAT64

PARAMS = (
    Param("n", "int", 2, 4000, "training-set size", {"positive": True}),
    Param("p", "int", 1, 8000, "number of features (dimension)", {"positive": True}),
    Param("r", "float", 0.0, 100.0, "signal norm ||beta||", {"nonnegative": True}),
    Param("sigma", "float", 0.0, 100.0, "noise standard deviation", {"nonnegative": True}),
    Param("ridge", "float", 0.0, 100.0, "ridge penalty (penalty n * ridge * ||b||^2 / 2n scaling)",
          {"nonnegative": True}),
    Param("eta", "float", 1e-3, 1.99, "normalised GD step (raw step eta / lambda_max)", {"positive": True}),
    Param("steps", "int", 0, 5000, "GD iterations (0: the closed-form limit)", {"nonnegative": True}),
    Param("seed", "seed", 0, 2**32 - 1, "seed of X, beta's direction and the noise"),
)

OBSERVABLES = (
    Observable("risk", False, "excess risk ||b - beta||^2 (exact, Sigma = I)"),
    Observable("bias", False, "bias part of E[risk | X]"),
    Observable("variance", False, "variance part of E[risk | X]"),
    Observable("risk_fewer", False, "risk with the last feature dropped, same seed (coupled draw at p - 1)"),
    Observable("lam_min", False, "smallest nonzero eigenvalue of X^T X / n + ridge"),
    Observable("lam_max", False, "largest eigenvalue of X^T X / n + ridge"),
    Observable("train_loss", True, "(1/n) ||y - X b_t||^2 along GD"),
    Observable("norm", True, "||b_t|| along GD"),
    Observable("dist", True, "||b_t - b_limit||^2 along GD (b_limit: min-norm / ridge solution)"),
)


class MinNormRegression(Model):
    name = "regression.min_norm"
    doc = __doc__
    params = PARAMS
    observables = OBSERVABLES
    batch_size = 8
    #: seeds per drawn parameter set (up to): over this model's statements at budget 100 (mutants
    #: at theirs), 1,476 distinct instances in 0.94 s with 32 against 675 in 0.95 s with 16
    replicas = 32
    #: Monte Carlo sweep instances per example of the budget: at budget 100, 1,374 distinct
    #: instances in 0.43 s by the search alone, 4,574 in 0.76 s with a sweep of 32
    monte_carlo = 32
    #: conjectures' default domain: at most 64 samples and 128 features, 100 GD steps
    default_domain = {"n": (2, 64), "p": (1, 128), "steps": (0, 100)}

    # -------------------------------------------------------------- fast path
    def run_only(self, batch: Sequence[dict[str, Any]], names: frozenset[str]) -> list[Observations]:
        """Without ``risk_fewer`` unless it is named: the coupled draw at p - 1 is a second
        data set and eigendecomposition, half the cost of a run."""
        return self.run(batch, with_fewer="risk_fewer" in names)

    def run(self, batch: Sequence[dict[str, Any]], with_fewer: bool = True) -> list[Observations]:
        """Instances grouped by (n, p, r, sigma, ridge, eta, steps): one stacked SVD per group;
        gradient descent for the whole batch in one numba call."""
        batch = [self.validate(p) for p in batch]
        out: list[Observations | None] = [None] * len(batch)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for k, params in enumerate(batch):
            groups[tuple(params[name] for name in self.param_names if name != "seed")].append(k)
        gd_jobs, gd_where = [], []
        for key, members in groups.items():
            n, p, r, sigma, ridge, eta, steps = key
            data = [ls.draw(n, p, r, sigma, batch[k]["seed"]) for k in members]
            X = np.stack([d[0] for d in data])
            beta = np.stack([d[1] for d in data])
            y = np.stack([d[2] for d in data])
            svd = ls.svd_stack(X)
            limit = ls.closed_form_stack(X, beta, y, r, sigma, ridge, svd=svd)
            fitted = ls.closed_form_stack(X, beta, y, r, sigma, ridge, eta, steps, svd=svd) if steps else limit
            fewer = self._fewer(members, batch, key) if with_fewer else None
            for j, k in enumerate(members):
                out[k] = {
                    "risk": float(fitted["risk"][j]), "bias": float(fitted["bias"][j]),
                    "variance": float(fitted["variance"][j]),
                    "lam_min": float(limit["lam_min"][j]), "lam_max": float(limit["lam_max"][j]),
                }
                if fewer is not None:
                    out[k]["risk_fewer"] = float(fewer[j])
                if steps:
                    step = eta / limit["lam_max"][j]
                    gd_jobs.append((X[j], y[j], limit["estimator"][j], step, ridge, steps))
                    gd_where.append((k, beta[j]))
                else:
                    yj = y[j]
                    b = limit["estimator"][j]
                    out[k].update(train_loss=np.array([yj @ yj / n]), norm=np.array([0.0]), dist=np.array([b @ b]))
        if gd_jobs:
            for (k, beta), path in zip(gd_where, ls.run_gd(gd_jobs)):
                b = path.pop("estimator")
                out[k].update(path)
                out[k]["risk"] = float(np.sum((b - beta) ** 2))
        return out  # type: ignore[return-value]

    def _fewer(self, members: list[int], batch: list[dict[str, Any]], key: tuple) -> np.ndarray:
        n, p, r, sigma, ridge, eta, steps = key
        if p < 2:
            return np.full(len(members), np.nan)
        data = [ls.draw_fewer(n, p, r, sigma, batch[k]["seed"]) for k in members]
        stacked = [np.stack([d[i] for d in data]) for i in range(3)]
        return ls.closed_form_stack(*stacked, r, sigma, ridge, eta, steps)["risk"]

    def sweep(self, n: int, p: int, r: float, sigma: float, ridge: float, seeds: Sequence[int]) -> dict[str, np.ndarray]:
        """risk, bias and variance of the closed-form estimator for many seeds at one size (campaigns)."""
        data = [ls.draw(n, p, r, sigma, int(s)) for s in seeds]
        X, beta, y = (np.stack([d[i] for d in data]) for i in range(3))
        fitted = ls.closed_form_stack(X, beta, y, r, sigma, ridge)
        return {key: fitted[key] for key in ("risk", "bias", "variance")}

    # -------------------------------------------------------------- reference
    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """Plain NumPy: pseudo-inverse / linear solve for the limit, a Python loop for GD,
        bias and variance from the estimator's matrix A (b = A y): ||A X beta - beta||^2 and
        sigma^2 ||A||_F^2. With an mpmath backend the limit, eigenvalues, trajectory and risk
        are recomputed at backend.dps digits (bias and variance stay float64)."""
        params = self.validate(params)
        n, p, r, sigma, ridge = (params[k] for k in ("n", "p", "r", "sigma", "ridge"))
        eta, steps = params["eta"], params["steps"]
        X, beta, y, _ = ls.draw(n, p, r, sigma, params["seed"])
        A = self._reference_matrix(X, ridge, eta, steps)
        bias = float(np.sum((A @ X @ beta - beta) ** 2))
        variance = float(sigma**2 * np.sum(A * A))
        fewer = np.nan
        if p >= 2:
            Xf, betaf, yf = ls.draw_fewer(n, p, r, sigma, params["seed"])
            fewer = float(np.sum((self._reference_matrix(Xf, ridge, eta, steps) @ yf - betaf) ** 2))
        if backend.dps is None:
            b_limit = self._reference_matrix(X, ridge, eta, 0) @ y
            eig = np.linalg.eigvalsh(X @ X.T / n if n <= p else X.T @ X / n) + ridge
            lam_max = float(eig[-1])
            lam_min = float(eig[eig > ls.RANK_TOL * lam_max].min()) if ridge == 0 else float(eig[0])
            path = ls.gd_reference(X, y, b_limit, eta / lam_max, ridge, steps)
            b = path.pop("estimator") if steps else b_limit
            risk = float(np.sum((b - beta) ** 2))
        else:
            b_limit, lam_min, lam_max = ls.limit_high_precision(X, y, ridge, backend.dps)
            Xh, yh = backend.asarray(X), backend.asarray(y)
            path = ls.gd_reference(Xh, yh, b_limit, backend.scalar(eta) / lam_max, backend.scalar(ridge), steps,
                                   xp=backend)
            b = path.pop("estimator") if steps else b_limit
            e = b - backend.asarray(beta)
            risk = e.dot(e)
        return {"risk": risk, "bias": bias, "variance": variance, "risk_fewer": fewer,
                "lam_min": lam_min, "lam_max": lam_max, **path}

    @staticmethod
    def _reference_matrix(X: np.ndarray, ridge: float, eta: float, steps: int) -> np.ndarray:
        """A with b = A y: the pseudo-inverse / ridge solution (steps = 0), or GD's after
        ``steps`` steps by the matrix recursion A_{k+1} = A_k - step (X^T X A_k / n + ridge A_k - X^T / n)."""
        n, p = X.shape
        if steps == 0:
            if ridge == 0:
                return np.linalg.pinv(X, rcond=ls.RANK_TOL)
            return np.linalg.solve(X.T @ X + n * ridge * np.eye(p), X.T)
        step = eta / (np.linalg.eigvalsh(X.T @ X / n)[-1] + ridge) if p <= n else \
            eta / (np.linalg.eigvalsh(X @ X.T / n)[-1] + ridge)
        G = X.T @ X / n
        A = np.zeros((p, n))
        for _ in range(steps):
            A = A - step * (G @ A + ridge * A - X.T / n)
        return A


MODEL = MinNormRegression()
