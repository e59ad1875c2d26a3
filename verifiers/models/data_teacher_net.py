"""``data.teacher_net``: a two-layer ReLU network trained by gradient descent on a teacher task.

Distribution D: x uniform on the unit sphere of R^d (||x|| = 1, the setting of Arora
et al. 2019); clean label sign(g(x)) of a teacher g, flipped with probability q =
``noise`` (the Bayes error is q: the teacher is the Bayes classifier). ``teacher = 0``:
linear, g(x) = x_1. ``teacher = 1``: a two-layer ReLU teacher g(x) = sum_{j<4} b_j
relu(v_j^T x), b = (+1, -1, +1, -1), v_j ~ N(0, I_d) drawn once from the fixed seed
TEACHER_SEED (part of the distribution, never of the training draw).

Predictor: f(x) = m^{-1/2} sum_r a_r relu(w_r^T x) with a_r = +-1 fixed and only W
trained, by full-batch GD on (1/2) sum_i (f(x_i) - y_i)^2 with eta = ``step`` /
lambda_max(H^inf) — the shared numba kernels of :mod:`boundcheck.verifiers.models.relu_gd`
(reused; batched over instances of one shape with ``prange``; tested against this
model's NumPy reference here), from the antisymmetric initialisation w_r(0) ~ N(0, kappa^2 I)
in pairs (u(0) = 0 exactly, as Arora et al.'s formulas in y assume; in simulations this
set-up matched their trajectory formula best). The seed draws the training set and the
initialisation.

Population quantities are estimated on a fresh sample of FRESH points of D (its own
seed), with their standard errors: ``test_err`` (0-1, se <= 0.5/sqrt(FRESH) = 0.0071)
and ``test_loss`` = E min(|f(x) - y|, 1) (Arora et al.'s bounded 1-Lipschitz loss,
which dominates the 0-1 error for y = +-1).

Norms for the bounds: ``spectral`` ||W||_2, ``frobenius`` ||W||_F, ``dist_F``
||W - W(0)||_F, ``dist_21`` = sum_r ||w_r - w_r(0)|| (= ||W^T - W(0)^T||_{2,1} of
Bartlett et al.), ``R_A`` the spectral complexity with reference matrices the
initialisation (the output layer is fixed, so its (2,1) term vanishes and R_A =
||a/sqrt(m)||_2 ||W - W(0)||_{2,1} exactly), ``X_fro`` = sqrt(sum_i ||x_i||^2),
``width`` = max(d, m), ``margin_err`` = (1/n) #{i: y_i f(x_i) <= gamma}; and the
Arora et al. quantities ``yHy`` = y^T (H^inf)^{-1} y and ``lambda0`` = lambda_min(H^inf),
with H^inf from the NTK engineer's closed form (:func:`ntk_two_layer_relu.h_infinity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from boundcheck.verifiers.models.base import Model, Observable, Observations, Param
from boundcheck.verifiers.models.blas import single_threaded_blas
from boundcheck.verifiers.models.ntk_two_layer_relu import h_infinity, make_init
from boundcheck.verifiers.models.precision import FLOAT64
from boundcheck.verifiers.models.relu_gd import relu_gd, relu_gd_batched

TEACHER_SEED = 20190124
TEACHER_UNITS = 4
FRESH = 5000

OBSERVABLES = (
    Observable("train_err", False, "training 0-1 error"),
    Observable("test_err", False, "population 0-1 error (fresh sample)"),
    Observable("test_err_se", False, "standard error of test_err"),
    Observable("gap", False, "test_err - train_err"),
    Observable("train_loss", False, "(1/n) sum min(|f(x_i) - y_i|, 1)"),
    Observable("test_loss", False, "E min(|f(x) - y|, 1) (fresh sample)"),
    Observable("test_loss_se", False, "standard error of test_loss"),
    Observable("margin_err", False, "(1/n) #{y_i f(x_i) <= gamma}"),
    Observable("margin", False, "min_i y_i f(x_i) (negative if the sample is not fitted)"),
    Observable("spectral", False, "||W||_2"),
    Observable("frobenius", False, "||W||_F"),
    Observable("dist_F", False, "||W - W(0)||_F"),
    Observable("dist_21", False, "sum_r ||w_r - w_r(0)||"),
    Observable("R_A", False, "spectral complexity of Bartlett et al. (reference: the initialisation)"),
    Observable("X_fro", False, "sqrt(sum_i ||x_i||^2)"),
    Observable("width", False, "max layer width max(d, m)"),
    Observable("yHy", False, "y^T (H^inf)^{-1} y"),
    Observable("lambda0", False, "lambda_min(H^inf)"),
)


def teacher_weights(d: int) -> np.ndarray:
    return np.random.default_rng([TEACHER_SEED, d]).standard_normal((TEACHER_UNITS, d))


def draw(d: int, size: int, noise: float, teacher: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``size`` points of D: inputs uniform on the sphere, teacher labels flipped with probability ``noise``."""
    X = rng.standard_normal((size, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    if teacher == 0:
        g = X[:, 0]
    else:
        signs = np.array([1.0, -1.0, 1.0, -1.0])
        g = np.maximum(X @ teacher_weights(d).T, 0.0) @ signs
    y = np.where(g > 0, 1.0, -1.0)
    return X, np.where(rng.uniform(size=size) < noise, -y, y)


def network(X: np.ndarray, W: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.maximum(X @ W.T, 0.0) @ a / math.sqrt(W.shape[0])


def spectral_complexity(W: np.ndarray, W0: np.ndarray, a: np.ndarray) -> float:
    """R_A of Bartlett, Foster, Telgarsky 2017 for the layers (W, a^T/sqrt(m)), references (W0, a^T/sqrt(m)), rho_i = 1."""
    layers = [(W, W0), (a[None, :] / math.sqrt(a.size), a[None, :] / math.sqrt(a.size))]
    spectral = [float(np.linalg.norm(A, 2)) for A, _ in layers]
    norms21 = [float(np.sum(np.linalg.norm(A - M, axis=1))) for A, M in layers]
    return math.prod(spectral) * sum((b / s) ** (2 / 3) for b, s in zip(norms21, spectral)) ** 1.5


def train(insts: Sequence[dict[str, Any]], steps: Sequence[int]) -> list[np.ndarray]:
    """Final weights of each instance: one batched kernel call when the shapes agree, else one call each."""
    shapes = {(i["X"].shape, i["W0"].shape, s) for i, s in zip(insts, steps)}
    if len(shapes) == 1:
        W = np.stack([i["W0"] for i in insts]).astype(np.float64)
        resid_sq = np.empty((len(insts), steps[0] + 1))
        relu_gd_batched(np.stack([i["X"] for i in insts]), np.stack([i["y"] for i in insts]), W,
                        np.stack([i["a"] for i in insts]), np.array([i["eta"] for i in insts]), int(steps[0]), resid_sq)
        return list(W)
    return [relu_gd(i["X"], i["y"], i["W0"], i["a"], i["eta"], s)[0] for i, s in zip(insts, steps)]


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


class TeacherNet(Model):
    name = "data.teacher_net"
    doc = __doc__
    params = (
        Param("d", "int", 2, 64, "input dimension", {"positive": True}),
        Param("n", "int", 4, 400, "training-set size", {"positive": True}),
        Param("noise", "float", 0.0, 0.45, "label-flip probability q (= Bayes error)", {"nonnegative": True}),
        Param("teacher", "int", 0, 1, "0: linear teacher, 1: two-layer ReLU teacher"),
        Param("gamma", "float", 1e-4, 10.0, "margin of the margin loss", {"positive": True}),
        Param("step", "float", 1e-3, 1.9, "step size in units of 1 / lambda_max(H^inf)", {"positive": True}),
        Param("steps", "int", 0, 5000, "gradient steps"),
        Param("kappa", "float", 1e-6, 4.0, "initialisation scale", {"positive": True}),
        Param("m", "int", 2, 4096, "hidden width", {"positive": True}),
        Param("seed", "seed", 0, 2**32 - 1, "seed of the training set and of the initialisation"),
    )
    observables = OBSERVABLES
    batch_size = 16
    empirical = {"test_err": "train_err", "test_loss": "train_loss"}
    #: conjectures' default domain: d <= 8, 32 samples, width 64, 100 steps
    default_domain = {"d": (2, 8), "n": (4, 32), "m": (2, 64), "steps": (0, 100)}

    def training_data(self, params: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return draw(params["d"], params["n"], params["noise"], params["teacher"], rng)

    def held_out(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The sample the population quantities are estimated on: FRESH new points of D."""
        return draw(params["d"], FRESH, params["noise"], params["teacher"], np.random.default_rng([params["seed"], 2]))

    def instance(self, params: dict[str, Any]) -> dict[str, Any]:
        rng = np.random.default_rng([params["seed"], 0])
        X, y = self.training_data(params, rng)
        W0, a = make_init(params["m"], X.shape[1], params["kappa"], 1, int(rng.integers(0, 2**32 - 1)))
        H = h_infinity(X)
        eigenvalues = np.linalg.eigvalsh(H)
        return {"X": X, "y": y, "W0": W0, "a": a, "H": H, "lambda0": float(eigenvalues[0]),
                "eta": params["step"] / float(eigenvalues[-1])}

    def observe(self, params: dict[str, Any], inst: dict[str, Any], W: np.ndarray) -> Observations:
        X, y, W0, a = inst["X"], inst["y"], inst["W0"], inst["a"]
        u = network(X, W, a)
        Xf, yf = self.held_out(params)
        uf = network(Xf, W, a)
        train_err = float(np.mean(y * u <= 0))
        test_err, test_err_se = _mean_se((yf * uf <= 0).astype(np.float64))
        test_loss, test_loss_se = _mean_se(np.minimum(np.abs(uf - yf), 1.0))
        diff = W - W0
        return {
            "train_err": train_err, "test_err": test_err, "test_err_se": test_err_se, "gap": test_err - train_err,
            "train_loss": float(np.mean(np.minimum(np.abs(u - y), 1.0))),
            "test_loss": test_loss, "test_loss_se": test_loss_se,
            "margin_err": float(np.mean(y * u <= params["gamma"])), "margin": float(np.min(y * u)),
            "spectral": float(np.linalg.norm(W, 2)), "frobenius": float(np.linalg.norm(W)),
            "dist_F": float(np.linalg.norm(diff)), "dist_21": float(np.sum(np.linalg.norm(diff, axis=1))),
            "R_A": spectral_complexity(W, W0, a), "X_fro": float(np.linalg.norm(X)),
            "width": float(max(X.shape[1], params["m"])),
            "yHy": float(y @ np.linalg.solve(inst["H"], y)), "lambda0": inst["lambda0"],
        }

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        # one BLAS thread: the small solves here are 10x slower when OpenBLAS threads
        # compete with numba's on a loaded 2-core machine (measured: 7.0 s -> 1.0 s)
        with single_threaded_blas():
            insts = [self.instance(p) for p in batch]
            weights = train(insts, [p["steps"] for p in batch])
            return [self.observe(p, i, W) for p, i, W in zip(batch, insts, weights)]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """Training by plain NumPy gradient descent (the same updates as the kernel)."""
        inst = self.instance(params)
        X, y, W, a = inst["X"], inst["y"], inst["W0"].copy(), inst["a"]
        scale = 1.0 / math.sqrt(W.shape[0])
        for _ in range(params["steps"]):
            pre = X @ W.T
            resid = scale * (np.maximum(pre, 0.0) @ a) - y
            grad = ((pre >= 0.0) * resid[:, None]).T @ X
            W = W - inst["eta"] * scale * a[:, None] * grad
        return self.observe(params, inst, W)


MODEL = TeacherNet()
