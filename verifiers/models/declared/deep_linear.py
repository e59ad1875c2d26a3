"""``linear.deep``: a deep linear network x -> W_N ... W_1 x on whitened data, declared by its loss.

The setting of Arora, Cohen, Golowich, Hu, "A convergence analysis of gradient descent for
deep linear neural networks" (ICLR 2019, arXiv 1810.02281): with whitened inputs the l2 loss
is, up to a constant, (1/2) ||W_{1:N} - Phi||_F^2, W_{1:N} = W_N ... W_1 the end-to-end matrix;
``loss`` here is that excess loss (its minimum is 0). Sizes: input and hidden width d,
output k <= d (hidden widths >= min(d_0, d_N), the paper's condition), W_1..W_{N-1} d x d,
W_N k x d. Phi = P diag(s) Q^T with s uniform in [0.5, 1.5].

**Initialisation** (``init``): 0 balanced with a prescribed deficiency margin: the end-to-end
matrix starts at A = Phi + Delta, ||Delta||_F = (1 - margin_frac) sigma_min(Phi) (Delta Gaussian,
or with ``delta_dir`` = 1 orthogonal to the row space of Phi, which needs d > k), factored as
W_1 = O_1 S V^T, W_j = O_j S O_{j-1}^T, W_N = U S O_{N-1}^T (A = U diag(s_A) V^T, S = diag(s_A)^{1/N},
O_j Haar d x k), so W_{j+1}^T W_{j+1} = W_j W_j^T exactly; then every layer is perturbed by a
Gaussian of Frobenius norm ``imbalance`` * delta_cap / (4 max_j ||W_j||_F), so the initial
imbalance is about ``imbalance`` times Arora et al.'s cap; 1 Gaussian, entries N(0, init_scale^2 / d).

**Step**: eta_t = eta (``step_unit`` 0) or eta * eta_cap (``step_unit`` 1), eta_cap the step cap of
Arora et al.'s Theorem 1 as recalled (constants 6144 and 256 UNCONFIRMED; the statements carry
them as assumed constants): eta_cap = c^{(4N-2)/N} / (6144 N^3 ||Phi||_F^{(6N-4)/N}),
delta_cap = c^2 / (256 N^3 ||Phi||_F^{2(N-1)/N}).

Extra observables, with D_j = W_{j+1}^T W_{j+1} - W_j W_j^T (j = 1..N-1) and G_j the gradient of
layer j: ``balancedness_drift[t]`` = sum_j ||D_j(t) - D_j(0)||_F; ``imbalance_sq[t]`` =
max_j ||D_j(t)||_F^2; for the step t -> t+1, with M_j = G_{j+1}^T G_{j+1} - G_j G_j^T and
R_j = D_j(t+1) - D_j(t) - eta_t^2 M_j (the exact drift identity's residual): ``drift_resid_sq`` =
sum ||R_j||^2, ``drift_dot`` = sum <R_j, M_j>, ``drift_sq`` = sum ||M_j||^2, ``drift_scale`` =
sum_j (||W_j||^2 + ||W_{j+1}||^2 + ||W_j^+||^2 + ||W_{j+1}^+||^2) (Frobenius; entrywise magnitude
of the terms). Scalars (float64, t = 0): ``margin`` = sigma_min(Phi) - ||W_{1:N}(0) - Phi||_F,
``delta0`` = max_j ||D_j(0)||_F, ``phi_norm`` = ||Phi||_F, ``phi_sigma_min``, ``eta_cap``, ``delta_cap``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from boundcheck.verifiers.models.base import EPS, inner_product_error, squared_norm_error
from boundcheck.verifiers.models.declared import DeclaredModel, helper, param

ETA_CAP_CONSTANT, DELTA_CAP_CONSTANT = 6144.0, 256.0


def _orthonormal(rng, rows, cols):
    q, r = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q * np.sign(np.diag(r))


@helper
def _layers(w, k, d, N):
    """The layers W_1 .. W_N of the flat weight vector (views; W_N is k x d)."""
    out = []
    for j in range(N - 1):
        out.append(w[j * d * d:(j + 1) * d * d].reshape(d, d))
    out.append(w[(N - 1) * d * d:].reshape(k, d))
    return out


@helper
def _gradients(w, Phi, depth):
    """(E = W_{1:N} - Phi, [G_1 .. G_N]) with G_j = (W_N..W_{j+1})^T E (W_{j-1}..W_1)^T."""
    k, d = Phi.shape
    N = int(depth)
    Ws = _layers(w, k, d, N)
    pre = [np.eye(d) + 0 * w[0]]  # pre[j] = W_j .. W_1 (pre[0] = I), in w's number type
    for j in range(N - 1):
        pre.append(Ws[j] @ pre[j])
    E = Ws[N - 1] @ pre[N - 1] - Phi
    grads = [E @ pre[N - 1].T]  # G_N, then G_{N-1} .. G_1
    suffix = Ws[N - 1]  # W_N .. W_{j+1}
    for j in range(N - 2, -1, -1):
        grads.append(suffix.T @ E @ pre[j].T)
        suffix = suffix @ Ws[j]
    grads.reverse()
    return E, grads


class DeepLinear(DeclaredModel):
    name = "linear.deep"
    doc = __doc__
    params = (
        param("N", "int", 2, 6, "depth (number of layers)"),
        param("d", "int", 1, 5, "input dimension = hidden width"),
        param("k", "int", 1, 5, "output dimension (k <= d)"),
        param("init", "int", 0, 1, "0 balanced with a prescribed margin, 1 Gaussian"),
        param("margin_frac", "float", 0.0, 1.0, "initial deficiency margin / sigma_min(Phi) (init 0)"),
        param("delta_dir", "int", 0, 1, "direction of the initial error: 0 Gaussian, 1 orthogonal to Phi's rows"),
        param("imbalance", "float", 0.0, 100.0, "initial imbalance in units of delta_cap (init 0)", nonnegative=True),
        param("init_scale", "float", 0.01, 3.0, "scale of a Gaussian initialisation (init 1)", positive=True),
        param("step_unit", "int", 0, 1, "0: eta_t = eta; 1: eta_t = eta * eta_cap"),
    )
    default_domain = {"N": (3, 4), "d": (1, 3), "k": (1, 2), "init": (0, 0), "margin_frac": (0.1, 0.9),
                      "delta_dir": (0, 0), "imbalance": (0.0, 1.0), "step_unit": (0, 0), "eta": (1e-3, 0.05),
                      "steps": (1, 40)}
    noise_observables = ("drift_resid_sq", "drift_dot", "imbalance_sq")  # identity residuals; 0 at balance
    #: seeds per drawn parameter set (up to): over this model's statements at budget 100 (mutants
    #: at theirs), 4,363 distinct instances in 6.0 s with 16 against 1,364 in 3.9 s with 4, in one run
    replicas = 16
    #: Monte Carlo sweep instances per example of the budget: over this model's four theorems at
    #: budget 100, 601-1,020 distinct instances in 0.84-0.99 s by the search alone, 2,201-2,597
    #: in 1.44-2.40 s with a sweep of 16
    monte_carlo = 16
    constraints = (("output_below_width", sp.Le(sp.Symbol("k", integer=True), sp.Symbol("d", integer=True))),)
    #: eta_cap**step_unit is eta_cap or 1 exactly; step_unit * eta_cap + 1 - step_unit (sympy flattens any
    #: parentheses) rounded eta_cap = 2e-9 through 1 + eta_cap: a step 2.4e-8 off the one the replay takes
    step = "eta * eta_cap**step_unit"
    extra_observables = (
        ("balancedness_drift", "sum_j ||D_j(t) - D_j(0)||_F, D_j = W_{j+1}^T W_{j+1} - W_j W_j^T"),
        ("imbalance_sq", "max_j ||D_j(t)||_F^2"),
        ("drift_resid_sq", "sum_j ||D_j(t+1) - D_j(t) - eta_t^2 M_j||_F^2"),
        ("drift_dot", "sum_j <R_j, M_j>"),
        ("drift_sq", "sum_j ||M_j||_F^2, M_j = G_{j+1}^T G_{j+1} - G_j G_j^T"),
        ("drift_scale", "sum_j ||W_j||^2 + ||W_{j+1}||^2 + ||W_j^+||^2 + ||W_{j+1}^+||^2"),
    )
    scalar_observables = (
        ("margin", "deficiency margin sigma_min(Phi) - ||W_{1:N}(0) - Phi||_F"),
        ("delta0", "initial imbalance max_j ||D_j(0)||_F"),
        ("phi_norm", "||Phi||_F"),
        ("phi_sigma_min", "sigma_min(Phi)"),
        ("eta_cap", "c^{(4N-2)/N} / (6144 N^3 ||Phi||_F^{(6N-4)/N}) (0 when c <= 0)"),
        ("delta_cap", "c^2 / (256 N^3 ||Phi||_F^{2(N-1)/N}) (0 when c <= 0)"),
    )

    def rounding_floors(self, params, obs):
        """Float64 error bounds of the balancedness observables, which are 0, or nearly, in
        exact arithmetic from a balanced start (a drift of 1e-15 computed where 1e-21 was
        assumed). D_j = W_{j+1}^T W_{j+1} - W_j W_j^T is formed with
        ||fl(D_j) - D_j||_F <= gamma_{d+2} (||W_j||_F^2 + ||W_{j+1}||_F^2) (Higham, *Accuracy and
        Stability of Numerical Algorithms*, 2nd ed., 3.5), and ``drift_scale`` bounds the sum
        of those norms over j, so delta = gamma_{d+2} drift_scale bounds the error of the
        sum of the D_j; the drift's residual R_j is formed from terms of that magnitude with
        the gradients' chained products (16 (N + d) eps, as in the statements' tol_identity).
        M_j = G_{j+1}^T G_{j+1} - G_j G_j^T likewise carries gamma_{d+2} times the gradients'
        squared norms (their sum is ``grad_sq``). Squares and inner products then carry
        :func:`~boundcheck.verifiers.models.base.squared_norm_error` and
        :func:`~boundcheck.verifiers.models.base.inner_product_error`."""
        d, N = int(params["d"]), int(params["N"])
        gamma = (d + 2) * EPS / (1 - (d + 2) * EPS)
        with np.errstate(all="ignore"):
            scale = obs["drift_scale"]
            delta = gamma * scale
            identity = 16 * (N + d) * EPS * scale
            resid = np.sqrt(obs["drift_resid_sq"])
            quad = np.sqrt(obs["drift_sq"])
            gradients = 2 * gamma * obs["grad_sq"]  # M_j from the gradients, sum_j ||G_j||^2 = grad_sq
            return {**super().rounding_floors(params, obs), "balancedness_drift": delta + delta[0],
                    "imbalance_sq": squared_norm_error(np.sqrt(obs["imbalance_sq"]), delta),
                    "drift_sq": squared_norm_error(quad, gradients),
                    "drift_resid_sq": squared_norm_error(resid, identity),
                    "drift_dot": inner_product_error(resid, quad, identity, gradients)}

    def validate(self, params):
        clean = super().validate(params)
        if clean["k"] > clean["d"]:
            raise ValueError(f"{self.name}: k = {clean['k']} > d = {clean['d']} (hidden width d must be >= k)")
        return clean

    def draw(self, p, rng):
        N, d, k = int(p["N"]), int(p["d"]), min(int(p["k"]), int(p["d"]))
        s = rng.uniform(0.5, 1.5, size=k)
        Phi = (_orthonormal(rng, k, k) * s) @ _orthonormal(rng, d, k).T
        if p["init"] == 1:
            w0 = p["init_scale"] / np.sqrt(d) * rng.standard_normal((N - 1) * d * d + k * d)
            return w0, {"Phi": Phi, "depth": float(N)}
        Delta = rng.standard_normal((k, d))
        if p["delta_dir"] == 1 and d > k:
            _, _, Vt = np.linalg.svd(Phi)
            Delta = Delta @ (np.eye(d) - Vt[:k].T @ Vt[:k])
        sig_min = float(np.linalg.svd(Phi, compute_uv=False)[-1])
        A = Phi + Delta * ((1 - p["margin_frac"]) * sig_min / np.linalg.norm(Delta))
        U, sA, Vt = np.linalg.svd(A, full_matrices=False)
        root = sA ** (1.0 / N)
        O = [_orthonormal(rng, d, k) for _ in range(N - 1)]
        Ws = [(O[0] * root) @ Vt] + [(O[j] * root) @ O[j - 1].T for j in range(1, N - 1)] + [(U * root) @ O[-1].T]
        cap = _caps(sig_min - np.linalg.norm(A - Phi), float(np.linalg.norm(Phi)), N)[1]
        size = p["imbalance"] * cap / (4 * max(np.linalg.norm(W) for W in Ws) + 1e-300)
        for W in Ws:
            G = rng.standard_normal(W.shape)
            W += G * (size / np.linalg.norm(G))
        return np.concatenate([W.ravel() for W in Ws]), {"Phi": Phi, "depth": float(N)}

    def scalars(self, p, w0, data):
        Phi, N = data["Phi"], int(data["depth"])
        k, d = Phi.shape
        Ws = _layers(w0, k, d, N)
        end = Ws[0]
        for W in Ws[1:]:
            end = W @ end
        sig_min = float(np.linalg.svd(Phi, compute_uv=False)[-1])
        phi_norm = float(np.linalg.norm(Phi))
        margin = sig_min - float(np.linalg.norm(end - Phi))
        D = [Ws[j + 1].T @ Ws[j + 1] - Ws[j] @ Ws[j].T for j in range(N - 1)]
        eta_cap, delta_cap = _caps(margin, phi_norm, N)
        return {"margin": margin, "delta0": max(float(np.linalg.norm(Dj)) for Dj in D), "phi_norm": phi_norm,
                "phi_sigma_min": sig_min, "eta_cap": eta_cap, "delta_cap": delta_cap}

    @staticmethod
    def loss(w, Phi, depth):
        E, _ = _gradients(w, Phi, depth)
        return 0.5 * np.sum(E * E)

    @staticmethod
    def grad(w, Phi, depth):
        _, grads = _gradients(w, Phi, depth)
        out = w * 0.0
        start = 0
        for G in grads:
            out[start:start + G.size] = G.ravel()
            start += G.size
        return out

    @staticmethod
    def extras(w, w0, g, eta, Phi, depth):
        k, d = Phi.shape
        N = int(depth)
        Ws, W0s = _layers(w, k, d, N), _layers(w0, k, d, N)
        Gs = _layers(g, k, d, N)
        drift, imb, resid, dot, sq, scale = 0 * eta, 0 * eta, 0 * eta, 0 * eta, 0 * eta, 0 * eta
        for j in range(N - 1):
            A, B, GA, GB = Ws[j], Ws[j + 1], Gs[j], Gs[j + 1]
            Dj = B.T @ B - A @ A.T
            D0 = W0s[j + 1].T @ W0s[j + 1] - W0s[j] @ W0s[j].T
            An, Bn = A - eta * GA, B - eta * GB
            M = GB.T @ GB - GA @ GA.T
            R = (Bn.T @ Bn - An @ An.T) - Dj - eta * eta * M
            diff = Dj - D0
            drift = drift + np.sum(diff * diff) ** 0.5
            imb = max(imb, np.sum(Dj * Dj))
            resid = resid + np.sum(R * R)
            dot = dot + np.sum(R * M)
            sq = sq + np.sum(M * M)
            scale = scale + np.sum(A * A) + np.sum(B * B) + np.sum(An * An) + np.sum(Bn * Bn)
        return np.array([drift, imb, resid, dot, sq, scale])


def _caps(margin: float, phi_norm: float, N: int) -> tuple[float, float]:
    """(eta_cap, delta_cap) of Arora et al.'s Theorem 1 (recalled constants; 0 when the margin is not positive)."""
    if not margin > 0:
        return 0.0, 0.0
    eta_cap = margin ** ((4 * N - 2) / N) / (ETA_CAP_CONSTANT * N**3 * phi_norm ** ((6 * N - 4) / N))
    delta_cap = margin**2 / (DELTA_CAP_CONSTANT * N**3 * phi_norm ** (2 * (N - 1) / N))
    return float(eta_cap), float(delta_cap)


MODEL = DeepLinear()


class DeepLinearAdaptive(DeepLinear):
    """``linear.deep_adaptive``: ``linear.deep`` with an adaptive step that grows as the loss falls,
    eta_t = eta_0 (2 - sqrt(l_t / l_0)), eta_0 the constant step of ``linear.deep`` (a stand-in for
    the time-varying step of Xu, Min, Tarmoun, Mallada, Vidal, AISTATS 2023, whose form is unverified)."""

    name = "linear.deep_adaptive"
    doc = __doc__
    step = "eta * eta_cap**step_unit * (2 - sqrt(loss / loss0))"


ADAPTIVE = DeepLinearAdaptive()
