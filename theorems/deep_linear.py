"""Deep linear networks x -> W_N ... W_1 x on whitened data (model ``linear.deep``, a declared model).

Loss (1/2) ||W_{1:N} - Phi||_F^2 (the excess l2 loss on whitened data), gradient descent
W_j <- W_j - eta G_j, G_j = (W_N..W_{j+1})^T E (W_{j-1}..W_1)^T, E = W_{1:N} - Phi;
D_j = W_{j+1}^T W_{j+1} - W_j W_j^T (the balancedness of layers j, j+1).

Families here: the linear-rate theorem of Arora, Cohen, Golowich, Hu (ICLR 2019) under
approximate balancedness and a deficiency margin (its constants 256 and 6144 as recalled,
UNCONFIRMED: carried as assumed constants), a mutant 5% past the rate scalar-output runs
attain, and a conjecture with the exponent doubled (the gradient-flow rate); the exact
drift of D_j under gradient descent (eta^2 (G_{j+1}^T G_{j+1} - G_j G_j^T)), whose vanishing
as eta -> 0 at fixed flow time is the conservation of D_j by gradient flow (Arora, Cohen,
Hazan, ICML 2018; Du, Hu, Lee, NeurIPS 2018), with mutants; and, on the adaptive-step
variant ``linear.deep_adaptive`` at depth 2, Xu et al. (AISTATS 2023)'s time-varying step as
a conjecture beside the constant-step rate.
"""

import sympy as sp

from boundcheck.theorems.statement import Constant, Hypothesis, Source, Statement, mutant, observable, register, t

ARORA2019 = Source(
    "S. Arora, N. Cohen, N. Golowich, W. Hu",
    "A Convergence Analysis of Gradient Descent for Deep Linear Neural Networks", "ICLR", 2019,
    arxiv="1810.02281", result="Theorem 1 (linear rate under approximate balancedness and a deficiency margin)",
    note="constants 256 (balancedness) and 6144 (step) as recalled, not confirmed against the paper: assumed",
)
CONSERVATION = Source(
    "S. Arora, N. Cohen, E. Hazan",
    "On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization", "ICML", 2018,
    arxiv="1802.06509", result="Theorem 1 (W_{j+1}^T W_{j+1} - W_j W_j^T is constant under gradient flow)",
    note="also Du, Hu, Lee, NeurIPS 2018 (arXiv 1806.00900); the gradient-descent drift is derived here "
         "by expanding the update",
)
XU2023 = Source(
    "Z. Xu, H. Min, S. Tarmoun, E. Mallada, R. Vidal",
    "Linear Convergence of Gradient Descent for Finite Width Over-parametrized Linear Networks with "
    "General Initialization", "AISTATS (PMLR 206:2262-2284)", 2023,
    result="time-varying step (form and constants UNVERIFIED)",
    note="the paper's adaptive step could not be read; the rule here is a stand-in with the stated property "
         "(the step grows as the loss falls)",
)

MODEL = "linear.deep"
ADAPTIVE_MODEL = "linear.deep_adaptive"

loss, path_sq, step_size = observable("loss"), observable("path_sq"), observable("step_size")
drift, imbalance_sq = observable("balancedness_drift"), observable("imbalance_sq")
drift_resid_sq, drift_dot, drift_sq, drift_scale = (observable(x) for x in (
    "drift_resid_sq", "drift_dot", "drift_sq", "drift_scale"))

N = sp.Symbol("N", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)
step_unit = sp.Symbol("step_unit", integer=True)
margin = sp.Symbol("margin", real=True)
delta0 = sp.Symbol("delta0", nonnegative=True)
phi_norm = sp.Symbol("phi_norm", positive=True)
eta_cap = sp.Symbol("eta_cap", nonnegative=True)

C_DELTA, C_ETA = sp.Symbol("C_delta", positive=True), sp.Symbol("C_eta", positive=True)
ARORA_CONSTANTS = (
    Constant(C_DELTA, 256, "assumed", "recalled: delta <= c^2 / (256 N^3 ||Phi||_F^{2(N-1)/N}); not confirmed"),
    Constant(C_ETA, 6144, "assumed", "recalled: eta <= c^{(4N-2)/N} / (6144 N^3 ||Phi||_F^{(6N-4)/N}); not confirmed"),
)

#: the step the run takes (the model's rule eta * (step_unit * eta_cap + 1 - step_unit))
ETA_EFF = eta * (step_unit * eta_cap + 1 - step_unit)
#: c^{2(N-1)/N}, the rate's curvature
CURVATURE = margin ** (2 * (N - 1) / N)

ARORA_HYPOTHESES = (
    Hypothesis("margin", sp.Gt(margin, 0)),
    Hypothesis("balanced", sp.Le(delta0, margin**2 / (C_DELTA * N**3 * phi_norm ** (2 * (N - 1) / N)))),
    Hypothesis("step", sp.Le(ETA_EFF, margin ** ((4 * N - 2) / N) / (C_ETA * N**3 * phi_norm ** ((6 * N - 4) / N)))),
)
RATE_DOMAIN = {"N": (3, 5), "d": (1, 4), "k": (1, 2), "init": (0, 0), "margin_frac": (0.05, 0.995),
               "delta_dir": (0, 1), "imbalance": (0.0, 0.9), "step_unit": (1, 1), "eta": (0.05, 0.99),
               "steps": (1, 100)}


def _rate(exponent) -> sp.Rel:
    return sp.Le(loss[t], sp.exp(-exponent * ETA_EFF * CURVATURE * t) * loss[0])


# ------------------------------------------------------------------ Arora et al. 2019, Theorem 1


@register
def arora2019_linear_rate() -> Statement:
    """Arora, Cohen, Golowich, Hu (ICLR 2019), Theorem 1: linear convergence of deep linear networks.

    Setting: whitened data, loss l = (1/2) ||W_{1:N} - Phi||_F^2, hidden widths >= min(d_0, d_N).
    If the initialisation is delta-balanced (||W_{j+1}^T W_{j+1} - W_j W_j^T||_F <= delta for all j)
    with delta <= c^2 / (256 N^3 ||Phi||_F^{2(N-1)/N}), the end-to-end matrix has deficiency margin
    c > 0 (||W_{1:N}(0) - Phi||_F <= sigma_min(Phi) - c) and eta <= c^{(4N-2)/N} / (6144 N^3
    ||Phi||_F^{(6N-4)/N}), then l(T) <= eps for T >= ln(l(0)/eps) / (eta c^{2(N-1)/N}); taking
    eps = l(0) exp(-eta c^{2(N-1)/N} t) that is l(t) <= exp(-eta c^{2(N-1)/N} t) l(0) for every t.
    The constants 256 and 6144 are recalled, not confirmed (assumed). Claim: an upper bound.
    Steps are drawn in units of the cap (``step_unit`` 1), balanced initialisations with a
    prescribed margin and imbalance below the cap (``init`` 0).
    """
    return Statement(
        id="deep_linear.arora2019.linear_rate", kind="theorem", claim="upper bound", model=MODEL, source=ARORA2019,
        title="Deep linear GD: l(t) <= exp(-eta c^{2(N-1)/N} t) l(0) under approximate balance and margin c",
        constants=ARORA_CONSTANTS, hypotheses=ARORA_HYPOTHESES, conclusion=_rate(1), domain=RATE_DOMAIN, budget=40,
    )


@register
def arora2019_rate_past_attained() -> Statement:
    """Mutant: the rate exponent 2.1 eta c^{2(N-1)/N}, 5% past what scalar-output runs attain.

    For output dimension 1 and an initial error orthogonal to Phi (``delta_dir`` 1), the error
    component orthogonal to the end-to-end vector a contracts by (1 - eta ||a||^{2(N-1)/N}) per
    step (only the last layer's term of the end-to-end preconditioner acts on it), so the loss
    by about (1 - eta ||a||^{2(N-1)/N})^2 ~ exp(-2 eta ||a||^{2(N-1)/N}); with the margin close to
    sigma_min(Phi), ||a|| is within 1.5% of c and the rate is within 5% of 2 eta c^{2(N-1)/N}.
    """
    return mutant(
        of=arora2019_linear_rate, id="deep_linear.arora2019.rate_past_attained", conclusion=_rate(sp.Rational(21, 10)),
        domain={**RATE_DOMAIN, "d": (3, 4), "k": (1, 1), "delta_dir": (1, 1), "margin_frac": (0.985, 0.995),
                "imbalance": (0.0, 0.5), "eta": (0.5, 0.99), "steps": (20, 100)},
    )


@register
def arora2019_rate_doubled() -> Statement:
    """Conjecture: Arora et al.'s rate with the exponent doubled, l(t) <= exp(-2 eta c^{2(N-1)/N} t) l(0).

    Under gradient flow dl/dt = -<grad l, P grad l> with the end-to-end preconditioner P >=
    sigma_min(W_{1:N})^{2(N-1)/N} I at exact balance (its last-layer term), and sigma_min(W_{1:N}(t))
    >= c while ||W_{1:N}(t) - Phi|| does not grow, so l(t) <= exp(-2 c^{2(N-1)/N} t) l(0) for the
    flow; the theorem's factor 1 leaves room for the discretisation and the imbalance. Whether
    that room is needed at its step cap is the question (same hypotheses, same domain).
    """
    return Statement(
        id="deep_linear.arora2019.rate_doubled", kind="conjecture", claim="upper bound", model=MODEL,
        source=ARORA2019, title="Deep linear GD at Arora et al.'s cap: l(t) <= exp(-2 eta c^{2(N-1)/N} t) l(0)",
        constants=ARORA_CONSTANTS, hypotheses=ARORA_HYPOTHESES, conclusion=_rate(2), domain=RATE_DOMAIN, budget=40,
    )


@register
def arora2019_rate_beyond_cap() -> Statement:
    """Conjecture: Arora et al.'s rate survives steps 1000 times its cap (the cap is a worst-case artefact)."""
    return Statement(
        id="deep_linear.arora2019.rate_beyond_cap", kind="conjecture", claim="upper bound", model=MODEL,
        source=ARORA2019, title="Deep linear GD: the rate exp(-eta c^{2(N-1)/N} t) at steps up to 1000 caps",
        constants=ARORA_CONSTANTS, hypotheses=(
            *ARORA_HYPOTHESES[:2],
            Hypothesis("step", sp.Le(ETA_EFF, 1000 * margin ** ((4 * N - 2) / N)
                                     / (C_ETA * N**3 * phi_norm ** ((6 * N - 4) / N))))),
        conclusion=_rate(1), domain={**RATE_DOMAIN, "eta": (1.0, 999.0)}, budget=40,
    )


# ------------------------------------------------------------------ balancedness under GD

TOL = sp.Symbol("tol_identity", positive=True)
TOL_CONSTANT = Constant(
    TOL, sp.Float(1e-10), "derived",
    "float64 forward error of the products and the subtraction forming R_j is <= 8 k eps times the magnitude "
    "`drift_scale` (inner dimension k <= 5): below 1e-14; 1e-10 leaves four orders of magnitude",
)
C_DRIFT = sp.Symbol("C_drift", positive=True)
C_DRIFT_CONSTANT = Constant(C_DRIFT, 1, "derived", "the coefficient of eta^2 in the drift: exactly 1 (the proof above)")
DRIFT_DOMAIN = {"N": (2, 5), "d": (1, 4), "k": (1, 3), "init": (0, 1), "margin_frac": (0.0, 0.9),
                "delta_dir": (0, 0), "imbalance": (0.0, 50.0), "init_scale": (0.3, 1.5), "step_unit": (0, 0),
                "eta": (0.01, 0.1), "steps": (1, 30)}
FINITE = Hypothesis("finite_run", sp.Ge(sp.Symbol("finite_run", integer=True), 1))


def _identity(coefficient) -> sp.Rel:
    """||R + (eta^2 - coefficient) M||^2 <= (tol * scale)^2, summed over j (R: the exact identity's residual)."""
    gap = step_size[t] ** 2 - coefficient
    return sp.Le(drift_resid_sq[t] + 2 * gap * drift_dot[t] + gap**2 * drift_sq[t], (TOL * drift_scale[t]) ** 2)


@register
def gd_balancedness_drift() -> Statement:
    """The exact drift of the balancedness under one gradient-descent step (derived).

    With W_j^+ = W_j - eta G_j: D_j^+ = D_j + eta^2 (G_{j+1}^T G_{j+1} - G_j G_j^T). Proof: expand
    W_{j+1}^{+T} W_{j+1}^+ - W_j^+ W_j^{+T}; the first-order terms cancel because
    G_{j+1}^T W_{j+1} = W_j G_j^T (both equal (W_j..W_1) E^T (W_N..W_{j+1})). Under gradient flow the
    same cancellation gives dD_j/dt = 0, the conservation law of Arora, Cohen, Hazan (2018).
    Checked to float64 precision through the residual R_j computed directly (no cancellation of
    large terms): sum_j ||R_j||^2 <= (tol * drift_scale)^2. Any failure is a bug in the kernel.
    The coefficient C_drift = 1 of eta^2 is the constant its power moves (``power_constant``).
    """
    return Statement(
        id="deep_linear.gd.balancedness_drift", kind="theorem", claim="tight", model=MODEL, source=CONSERVATION,
        title="GD balancedness drift D_j+ = D_j + eta^2 (G_{j+1}^T G_{j+1} - G_j G_j^T), to float64 precision",
        constants=(TOL_CONSTANT, C_DRIFT_CONSTANT), hypotheses=(FINITE,),
        conclusion=_identity(C_DRIFT * step_size[t] ** 2), domain=DRIFT_DOMAIN, budget=20, power_constant="C_drift",
    )


@register
def gd_balancedness_drift_5pc() -> Statement:
    """Mutant: the drift identity with its coefficient 5% too large, 1.05 eta^2."""
    return mutant(of=gd_balancedness_drift, id="deep_linear.gd.balancedness_drift_5pc",
                  constants=(TOL_CONSTANT, Constant(C_DRIFT, sp.Rational(105, 100), "assumed", "5% too large")))


@register
def gd_balancedness_drift_bound() -> Statement:
    """Balancedness moves by at most twice the squared path: sum_j ||D_j(t) - D_j(0)||_F <= 2 path_sq[t].

    From the exact drift (``deep_linear.gd.balancedness_drift``): ||D_j(k+1) - D_j(k)||_F <=
    eta_k^2 (||G_{j+1}||_F^2 + ||G_j||_F^2), and each layer's gradient appears in at most two j,
    so the sum over j and k is <= 2 sum_k eta_k^2 ||grad||^2 = 2 path_sq[t]. At fixed flow time
    T = eta t, path_sq = O(eta), so the drift vanishes as eta -> 0: gradient flow conserves D_j
    (Arora, Cohen, Hazan 2018). Upper bound; float rounding of the drift (about 1e-16 of the
    layers' norms) can exceed a tiny path_sq, and such a cell is replayed in mpmath.
    """
    return Statement(
        id="deep_linear.gd.balancedness_drift_bound", kind="theorem", claim="upper bound", model=MODEL,
        source=CONSERVATION, title="sum_j ||D_j(t) - D_j(0)||_F <= 2 sum_{k<t} eta_k^2 ||grad l(W(k))||^2",
        hypotheses=(FINITE,), conclusion=sp.Le(drift[t], 2 * path_sq[t]), domain=DRIFT_DOMAIN, budget=20,
    )


@register
def gd_balancedness_conserved() -> Statement:
    """Mutant: gradient descent conserves balancedness as the flow does, up to eta^3 (drift <= 2 eta path_sq)."""
    return mutant(of=gd_balancedness_drift_bound, id="deep_linear.gd.balancedness_conserved",
                  conclusion=sp.Le(drift[t], 2 * eta * path_sq[t]),
                  domain={**DRIFT_DOMAIN, "init": (1, 1)})


# ------------------------------------------------------------------ Xu et al. 2023, time-varying step


@register
def xu2023_adaptive_step_rate() -> Statement:
    """Conjecture (Xu et al., AISTATS 2023, form and constants UNVERIFIED): a step that grows as the
    loss falls keeps at least the constant step's rate.

    Model ``linear.deep_adaptive``: the deep linear network with eta_t = eta_0 (2 - sqrt(l_t / l_0))
    (eta_0 = eta, or eta times the cap), which rises from eta_0 to 2 eta_0 as the loss falls. At depth
    N = 2 (the two-layer network of Xu et al., whitened), under Arora et al.'s hypotheses at eta_0:
    l(t) <= exp(-eta_0 c^{2(N-1)/N} t) l(0), the constant-step rate of
    ``deep_linear.arora2019.linear_rate``, so the two are compared on the same instances.
    """
    return Statement(
        id="deep_linear.xu2023.adaptive_step_rate", kind="conjecture", claim="upper bound", model=ADAPTIVE_MODEL,
        source=XU2023, title="Adaptive step eta_t = eta_0 (2 - sqrt(l_t/l_0)): l(t) <= exp(-eta_0 c^{2(N-1)/N} t) l(0)",
        constants=ARORA_CONSTANTS, hypotheses=ARORA_HYPOTHESES, conclusion=_rate(1),
        domain={**RATE_DOMAIN, "N": (2, 2)}, budget=30,
    )


@register
def arora2019_linear_rate_depth2() -> Statement:
    """Arora et al.'s Theorem 1 at depth N = 2 with the constant step, on the domain of
    ``deep_linear.xu2023.adaptive_step_rate``: the same instances (same parameters, same seeds
    draw the same Phi and W(0)) under the constant step eta_0, so that the two rates compare."""
    return Statement(
        id="deep_linear.arora2019.linear_rate_depth2", kind="theorem", claim="upper bound", model=MODEL,
        source=ARORA2019, title="Depth 2, constant step eta_0: l(t) <= exp(-eta_0 c t) l(0) (beside the adaptive step)",
        constants=ARORA_CONSTANTS, hypotheses=ARORA_HYPOTHESES, conclusion=_rate(1),
        domain={**RATE_DOMAIN, "N": (2, 2)}, budget=30,
    )


@register
def xu2023_adaptive_step_rate_tripled() -> Statement:
    """Mutant: the adaptive step's rate claimed at three times the constant step's exponent.

    The step is at most 2 eta_0, and the loss contracts by about (1 - eta_t ||a||^{2(N-1)/N})^2 along
    the slow direction, so an exponent 3 eta_0 c^{2(N-1)/N} is out of reach near the start, where
    eta_t ~ eta_0 (margins close to sigma_min(Phi), error orthogonal to Phi).
    """
    return mutant(of=xu2023_adaptive_step_rate, id="deep_linear.xu2023.adaptive_step_rate_tripled",
                  conclusion=_rate(3),
                  domain={**RATE_DOMAIN, "N": (2, 2), "d": (3, 4), "k": (1, 1), "delta_dir": (1, 1),
                          "margin_frac": (0.985, 0.995), "imbalance": (0.0, 0.5), "eta": (0.5, 0.99),
                          "steps": (20, 100)})
