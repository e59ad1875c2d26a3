"""Real phase retrieval, f(w) = (1/(4n)) sum_i ((a_i^T w)^2 - y_i)^2, y_i = (a_i^T w_star)^2.

The nonconvex loss of Wirtinger flow (Candes, Li, Soltanolkotabi, "Phase retrieval via
Wirtinger flow: theory and algorithms", IEEE Trans. Inf. Theory 61(4), 2015, eq. (1.3) in
the real case). Gaussian a_i, a planted unit w_star, w_0 = w_star + init_dist * N(0, I/d).
Start a model of your own from this file: declare the parameters, draw the data and w_0
from the seed, write the loss and its gradient with NumPy; `boundcheck check-model FILE`
compares the generated kernel with the reference and the mpmath replay.
"""

import numpy as np

from boundcheck.verifiers.models.declared import DeclaredModel, param


class PhaseRetrieval(DeclaredModel):
    name = "example.phase_retrieval"
    params = (
        param("d", "int", 1, 20, "signal dimension"),
        param("n", "int", 1, 200, "number of measurements"),
        param("init_dist", "float", 0.0, 2.0, "scale of the initial error", nonnegative=True),
    )
    default_domain = {"d": (2, 6), "n": (20, 60), "init_dist": (0.0, 0.5), "eta": (0.01, 0.1), "steps": (1, 40)}
    extra_observables = (("err_sq", "||w_t - w_star||^2 (up to the global sign)"),)

    def draw(self, p, rng):
        d, n = p["d"], p["n"]
        A = rng.standard_normal((n, d))
        w_star = rng.standard_normal(d)
        w_star /= np.linalg.norm(w_star)
        w0 = w_star + p["init_dist"] * rng.standard_normal(d) / np.sqrt(d)
        return w0, {"A": A, "y": (A @ w_star) ** 2, "w_star": w_star}

    @staticmethod
    def loss(w, A, y, w_star):
        r = (A @ w) ** 2 - y
        return (r * r).sum() / (4 * y.size)

    @staticmethod
    def grad(w, A, y, w_star):
        Aw = A @ w
        return A.T @ (((Aw * Aw) - y) * Aw) / y.size

    @staticmethod
    def extras(w, w0, g, eta, A, y, w_star):
        plus, minus = w - w_star, w + w_star
        return np.array([min((plus * plus).sum(), (minus * minus).sum())])
