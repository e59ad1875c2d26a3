"""``data.teacher``: a norm-constrained linear classifier trained on a Gaussian teacher task.

Distribution D (chosen so that a linear classifier's true 0-1 risk is exact): x ~ N(0, I_d);
the teacher labels y = sign(x_1) (teacher direction w* = e_1, no loss of generality by
rotation invariance), each label flipped independently with probability q = ``noise``. The
Bayes error is q (the teacher itself errs exactly on the flipped labels).

Population quantities of a trained w, all in closed form or to a stated precision:

* 0-1 error: P(y w^T x <= 0) = q + (1 - 2q) theta / pi, theta = angle(w, w*) (exact;
  (w^T x, x_1) is a bivariate normal with correlation cos theta);
* ramp loss E Phi_rho(y w^T x): a one-dimensional integral over z = w^T x / ||w||,
  computed by adaptive quadrature split at the kinks (absolute error < 1e-9);
* Gibbs error of Q = N(w, s^2 I): E_{w' ~ Q}[q + (1 - 2q) angle(w', w*) / pi], by Monte
  Carlo over POSTERIOR_DRAWS posterior draws with each term exact; its standard error
  is reported as ``test_err_Q_se`` (about 1e-3).

The predictor: :mod:`boundcheck.verifiers.models.linear_classifier` (projected GD, ||w|| <= B = 1, from
w = 0). The PAC-Bayes prior is P = N(mu_P, s^2 I) with mu_P = ``prior_mean`` * w*
(0: centred at the initialisation; a multiple of the teacher direction is a prior
informed by the distribution, still fixed before the data), the posterior
Q = N(mu_Q, s^2 I) with mu_Q = (1 - ``anchor``) w + ``anchor`` mu_P (0: around the trained
weights; 1: Q = P), s = sigma / sqrt(d); KL(Q || P) = ||mu_Q - mu_P||^2 / (2 s^2).
An instance is (d, n, noise, rho, sigma, prior_mean, anchor, steps, seed); the seed
draws the training set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.integrate import quad
from scipy.special import ndtr

from boundcheck.verifiers.models import linear_classifier
from boundcheck.verifiers.models.base import Model, Observable, Observations, Param
from boundcheck.verifiers.models.blas import single_threaded_blas
from boundcheck.verifiers.models.precision import FLOAT64

POSTERIOR_DRAWS = 4000

PARAMS = (
    Param("d", "int", 2, 400, "input dimension", {"positive": True}),
    Param("n", "int", 10, 5000, "training-set size", {"positive": True}),
    Param("noise", "float", 0.0, 0.45, "label-flip probability q (= Bayes error)", {"nonnegative": True}),
    Param("rho", "float", 0.01, 10.0, "margin of the ramp loss (and logistic temperature)", {"positive": True}),
    Param("sigma", "float", 0.05, 20.0, "posterior/prior std times sqrt(d)", {"positive": True}),
    Param("prior_mean", "float", 0.0, 1.0, "PAC-Bayes prior centre, as a multiple of the teacher direction"),
    Param("anchor", "float", 0.0, 1.0, "posterior centre (1 - anchor) w + anchor * prior centre"),
    Param("steps", "int", 0, 2000, "projected gradient steps"),
    Param("seed", "seed", 0, 2**32 - 1, "seed of the training set (the data draw)"),
)

LINEAR_OBSERVABLES = (
    Observable("train_err", False, "training 0-1 error of w"),
    Observable("test_err", False, "population (or held-out) 0-1 error of w"),
    Observable("test_err_se", False, "standard error of test_err (0 where exact)"),
    Observable("gap", False, "test_err - train_err"),
    Observable("train_ramp", False, "training ramp loss Phi_rho"),
    Observable("test_ramp", False, "population (or held-out) ramp loss"),
    Observable("w_norm", False, "||w||_2 (at most B = 1)"),
    Observable("B", False, "norm bound of the class (1)"),
    Observable("x_rms", False, "sqrt(E_D ||x||^2) of the population"),
    Observable("margin", False, "min_i y_i w^T x_i (negative if not separated)"),
    Observable("kl", False, "KL(Q || P) of the Gaussian posterior to the prior"),
    Observable("train_err_Q", False, "training error of the Gibbs classifier Q (exact)"),
    Observable("test_err_Q", False, "population (or held-out) error of Q"),
    Observable("test_err_Q_se", False, "standard error of test_err_Q"),
)

#: the empirical counterpart of each population observable (for the vacuity report)
EMPIRICAL = {"test_err": "train_err", "test_ramp": "train_ramp", "test_err_Q": "train_err_Q"}


def draw_teacher(d: int, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points of D: x ~ N(0, I_d), y = sign(x_1) flipped with probability ``noise``."""
    X = rng.standard_normal((n, d))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    flip = rng.uniform(size=n) < noise
    return X, np.where(flip, -y, y)


def angle_to_teacher(w: np.ndarray) -> float:
    norm = float(np.linalg.norm(w))
    if norm == 0.0:
        return math.pi
    return math.acos(max(-1.0, min(1.0, w[0] / norm)))


def population_error(w: np.ndarray, noise: float) -> float:
    """Exact P(y w^T x <= 0) under D: q + (1 - 2q) theta / pi (w = 0 errs everywhere)."""
    if not np.any(w):
        return 1.0
    return noise + (1.0 - 2.0 * noise) * angle_to_teacher(w) / math.pi


def sampled_error(w: np.ndarray, noise: float, size: int, rng: np.random.Generator) -> tuple[float, float]:
    """The same error estimated on a fresh sample of ``size`` points: (estimate, standard error)."""
    X, y = draw_teacher(w.size, size, noise, rng)
    p = linear_classifier.zero_one(y * (X @ w))
    return p, math.sqrt(max(p * (1 - p), 1.0 / size) / size)


def population_ramp(w: np.ndarray, noise: float, rho: float) -> float:
    """E Phi_rho(y w^T x) under D, by quadrature over z = w^T x / ||w|| ~ N(0, 1).

    With c = cos theta, P(x_1 > 0 | z) = Phi(c z / sqrt(1 - c^2)); a clean label is
    sign(x_1), so E Phi(y w^T x) = E_z[(1-q)(P+ phi(r z) + P- phi(-r z)) + q(P+ phi(-r z) + P- phi(r z))].
    """
    r = float(np.linalg.norm(w))
    if r == 0.0:
        return 1.0
    c = max(-1.0, min(1.0, w[0] / r))
    s = math.sqrt(max(1.0 - c * c, 0.0))

    def phi(u: float) -> float:
        return min(1.0, max(0.0, 1.0 - u / rho))

    def p_pos(z: float) -> float:
        if s == 0.0:
            return 1.0 if c * z > 0 else 0.0
        return float(ndtr(c * z / s))

    def integrand(z: float) -> float:
        pp = p_pos(z)
        clean = pp * phi(r * z) + (1 - pp) * phi(-r * z)
        flipped = pp * phi(-r * z) + (1 - pp) * phi(r * z)
        return ((1 - noise) * clean + noise * flipped) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    kink = rho / r
    points = sorted({0.0, kink, -kink})
    total = 0.0
    edges = [-12.0, *[p for p in points if -12 < p < 12], 12.0]
    for a, b in zip(edges[:-1], edges[1:]):
        total += quad(integrand, a, b, epsabs=1e-12, epsrel=1e-12, limit=200)[0]
    return total


def gibbs_population_error(w: np.ndarray, noise: float, s: float, rng: np.random.Generator,
                           draws: int = POSTERIOR_DRAWS) -> tuple[float, float]:
    """E_{w' ~ N(w, s^2 I)} P(y w'^T x <= 0): Monte Carlo over w', each term exact; (mean, standard error)."""
    W = w[None, :] + s * rng.standard_normal((draws, w.size))
    norms = np.linalg.norm(W, axis=1)
    theta = np.arccos(np.clip(W[:, 0] / np.maximum(norms, 1e-300), -1.0, 1.0))
    errors = noise + (1.0 - 2.0 * noise) * theta / math.pi
    return float(errors.mean()), float(errors.std(ddof=1) / math.sqrt(draws))


def posterior_std(params: dict[str, Any]) -> float:
    return params["sigma"] / math.sqrt(params["d"])


class TeacherLinear(Model):
    name = "data.teacher"
    doc = __doc__
    params = PARAMS
    observables = LINEAR_OBSERVABLES
    batch_size = 32
    empirical = EMPIRICAL
    #: conjectures' default domain: d <= 20, 200 samples, 100 projected steps
    default_domain = {"d": (2, 20), "n": (10, 200), "steps": (0, 100)}

    def data(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(params["seed"])
        return draw_teacher(params["d"], params["n"], params["noise"], rng)

    def observe(self, params: dict[str, Any], X: np.ndarray, y: np.ndarray, w: np.ndarray) -> Observations:
        rho, noise = params["rho"], params["noise"]
        s = posterior_std(params)
        margins = y * (X @ w)
        train_err = linear_classifier.zero_one(margins)
        test_err = population_error(w, noise)
        prior = np.zeros_like(w)
        prior[0] = params["prior_mean"]
        centre = (1.0 - params["anchor"]) * w + params["anchor"] * prior
        test_q, test_q_se = gibbs_population_error(centre, noise, s, np.random.default_rng([params["seed"], 1]))
        return {
            "train_err": train_err, "test_err": test_err, "test_err_se": 0.0, "gap": test_err - train_err,
            "train_ramp": linear_classifier.ramp(margins, rho), "test_ramp": population_ramp(w, noise, rho),
            "w_norm": float(np.linalg.norm(w)), "B": linear_classifier.B, "x_rms": math.sqrt(params["d"]),
            "margin": float(margins.min()),
            "kl": linear_classifier.kl_isotropic(centre, prior, s),
            "train_err_Q": linear_classifier.gibbs_error(y * (X @ centre), np.linalg.norm(X, axis=1), s),
            "test_err_Q": test_q, "test_err_Q_se": test_q_se,
        }

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        with single_threaded_blas():  # small products: BLAS threads only contend with numba's
            data = [self.data(p) for p in batch]
            weights = linear_classifier.train_batch(data, [p["rho"] for p in batch], [p["steps"] for p in batch])
            return [self.observe(p, X, y, w) for p, (X, y), w in zip(batch, data, weights)]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        X, y = self.data(params)
        w = linear_classifier.reference_train(X, y, params["rho"], params["steps"])
        return self.observe(params, X, y, w)


MODEL = TeacherLinear()
