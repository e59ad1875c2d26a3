"""Two-layer linear networks at finite width, finite step and general initialisation (Min, Tarmoun, Vidal,
Mallada, ICML 2021, arXiv:2105.06351; Xu, Min, Tarmoun, Mallada, Vidal, AISTATS 2023).

Model ``linear.two_layer``: predictions X U V^T, L = (1/2)||X U V^T - Y||_F^2 (no 1/n),
X in R^{n x d} of rank r = min(n, d) with thin SVD A diag(s) B^T, U in R^{d x h}
(input side), V in R^{m x h} (output side), E = Y - X U V^T, U_1 = B^T U, and

* Lambda = U_1^T U_1 - V^T V, the row-space imbalance (conserved by gradient flow);
* c(Lambda) = [lambda_r(Lambda)]_+ + [lambda_m(-Lambda)]_+ (spectra zero-padded);
* lambda_r(Sigma_x) = s_r^2, lambda_1(Sigma_x) = s_1^2; L - L* = (1/2)||A^T E||_F^2 =: gap.

Families here: Min et al. 2021 Theorem 1 (gradient flow, and its gradient-descent
version with the O(eta) drift carried by an explicit, derived correction of the
exponent); the exact gradient-descent identities (error recursion, imbalance drift);
the Weyl bound from the imbalance and the Sylvester-Ostrowski inertia bound behind
"c(Lambda) > 0 when h >= r + m"; the one-step contraction of gradient descent derived here
(with X); a linear rate of gradient descent in c(Lambda_0) under a derived step cap
(our proof; Xu et al. 2023's constants could not be read), and Xu et al.'s claim in
its own words as conjectures with assumed constants. Each theorem has mutants.
"""

import sympy as sp

from boundcheck.theorems.closed_forms import linear_rates as rates
from boundcheck.theorems.statement import Constant, Hypothesis, Source, Statement, mutant, observable, register, t

MIN2021 = Source(
    "H. Min, S. Tarmoun, R. Vidal, E. Mallada",
    "On the Explicit Role of Initialization on the Convergence and Implicit Bias of Overparametrized "
    "Linear Networks", "ICML (PMLR 139:7760-7768)", 2021, arxiv="2105.06351", result="Theorem 1",
    note="statement as quoted by a third-party note from the ICML PDF (page 4), not read in the paper itself; "
         "its structure derived here and reproduced numerically",
)
XU2023 = Source(
    "Z. Xu, H. Min, S. Tarmoun, E. Mallada, R. Vidal",
    "Linear Convergence of Gradient Descent for Finite Width Over-parametrized Linear Networks with "
    "General Initialization", "AISTATS (PMLR 206:2262-2284)", 2023, result="main theorem (constants UNVERIFIED)",
    note="arXiv id not found; the paper's rate constants, margin definition and step cap could not be read",
)
XU2023_DERIVED = Source(
    "boundcheck (derived), following Z. Xu, H. Min, S. Tarmoun, E. Mallada, R. Vidal (AISTATS 2023)",
    "A linear rate of gradient descent for two-layer linear networks under a derived step cap",
    "boundcheck", 2026, result="derivation in the statement's docstring (every constant derived)",
    note="the mechanism of Xu et al. 2023 (imbalance keeps the rate away from 0 along the run); "
         "the paper's own constants could not be read",
)
DERIVED_HERE = Source(
    "boundcheck (derived)", "Exact identities and bounds for two-layer linear networks",
    "boundcheck", 2026,
    result="Weyl and Sylvester bounds from the imbalance, the exact GD error recursion and imbalance drift, "
           "the one-step GD contraction: derived here for X = I, generalised to a data matrix X",
)
OSTROWSKI = Source(
    "A. M. Ostrowski", "A quantitative formulation of Sylvester's law of inertia",
    "Proceedings of the National Academy of Sciences 45(5):740-744", 1959,
    result="Theorem 1 (eigenvalues of S^T A S lie between sigma_min(S)^2 and sigma_max(S)^2 times those of A)",
)

MODEL = "linear.two_layer"

# indexed observables
gap, resid = observable("gap"), observable("resid")
c_step, K_step = observable("c_step"), observable("K_step")
XU_norm, V_norm = observable("XU_norm"), observable("V_norm")
sigma_r_U1_sq, sigma_m_V_sq = observable("sigma_r_U1_sq"), observable("sigma_m_V_sq")
imb_lambda_r, imb_lambda_m_neg, c_imb = observable("imb_lambda_r"), observable("imb_lambda_m_neg"), observable("c_imb")
rec_resid_sq, rec_dot, rec_quad_sq, rec_scale = (observable(x) for x in (
    "rec_resid_sq", "rec_dot", "rec_quad_sq", "rec_scale"))
drift_resid_sq, drift_dot, drift_sq, drift_scale = (observable(x) for x in (
    "drift_resid_sq", "drift_dot", "drift_sq", "drift_scale"))

# scalars (observables of the model, or its parameters, matched by name)
lambda_r_X, lambda_1_X, c0, eta = rates.lambda_r_X, rates.lambda_1_X, rates.c0, rates.eta
sigma_max_X = sp.Symbol("sigma_max_X", positive=True)
gap_floor = sp.Symbol("gap_floor", nonnegative=True)
sigma_W_sq = sp.Symbol("sigma_W_sq", nonnegative=True)
target_sigma_min = sp.Symbol("target_sigma_min", nonnegative=True)
margin = sp.Symbol("margin", real=True)
K0 = sp.Symbol("K0", positive=True)
n, d, m, h = (sp.Symbol(x, integer=True, positive=True) for x in "ndmh")
init = sp.Symbol("init", integer=True)
step = sp.Symbol("step", positive=True)

#: relative float64 tolerance of the exact identities (derivation in _identity_conclusion)
TOL = sp.Symbol("tol_identity", positive=True)
TOL_CONSTANT = Constant(
    TOL, sp.Float(1e-10), "derived",
    "float64 forward error of the chained products is <= 8 k eps times the magnitude `*_scale` "
    "(k <= 2 (n + d + h + m) <= 2700 inner dimensions): below 5e-12; 1e-10 leaves a factor 20",
)

SMALL = {"n": (2, 6), "d": (2, 6), "m": (1, 3), "h": (1, 10), "x_cond": (1.0, 30.0), "steps": (1, 40),
         "dynamics": (0, 0), "diagnostics": (0, 0)}
NOT_BALANCED = (0, 3)  # init codes 0-3: Gaussian, spectral, small, prescribed (4 is balanced, c = 0)
GAUSSIAN_INIT = 0


def _with(base: dict, **overrides) -> dict:
    return {**base, **overrides}


GF_DOMAIN = _with(SMALL, dynamics=(1, 1), init=NOT_BALANCED, init_scale=(1e-3, 2.0), imbalance_scale=(0.2, 5.0),
                  step_unit=(0, 0), step=(1e-3, 0.2), steps=(1, 15))


#: where the flow makes real progress (measured: median L(T) - L* about 0.002 of L(0) - L*, the bound's
#: median 0.5): spectral, small and prescribed initialisations, X conditioned to at most 3, flow time
#: eta T up to 20
GF_PROGRESS_DOMAIN = _with(GF_DOMAIN, init=(1, 3), imbalance_scale=(0.5, 3.0), x_cond=(1.0, 3.0), step=(0.05, 0.5),
                           steps=(10, 40))
#: where gradient descent under the derived cap makes real progress: X conditioned to at most 2 and
#: 100 to 400 steps (measured on 40 draws: L - L* falls to a median 0.03 of its start at steps of
#: 0.1 to 1 cap, 1.5e-5 at 0.5 to 1 cap)
GD_PROGRESS = {"x_cond": (1.0, 2.0), "steps": (100, 400)}


def _rate_bound(per_step: sp.Expr) -> sp.Expr:
    return per_step ** (2 * t) * gap[0] + gap_floor


POSITIVE_IMBALANCE = Hypothesis("imbalance", sp.Gt(c0, 0))
#: the pointwise identities and bounds are about finite iterates (a run that overflowed is left out)
FINITE = Hypothesis("finite_run", sp.Ge(sp.Symbol("finite_run", integer=True), 1))


# ------------------------------------------------------------------ Min et al. 2021, gradient flow


@register
def min2021_gradient_flow_rate() -> Statement:
    """Min et al. 2021, Theorem 1: the gradient-flow rate set by the imbalance.

    Under gradient flow, L(t) - L* <= exp(-2 lambda_r(Sigma_x) c(Lambda_0) t) (L(0) - L*).
    Proof (derived here, with X): dL/dt = -||X^T E V||^2 - ||E^T X U||^2
    <= -2 s_r^2 (sigma_m(V)^2 + sigma_r(U_1)^2)(L - L*), Weyl gives sigma_r(U_1)^2 + sigma_m(V)^2
    >= c(Lambda_t), and Lambda_t = Lambda_0 under the flow. Checked on the error-controlled
    DOP853 integration (rtol 1e-12) sampled at times t * eta; the bound carries the
    model's ``gap_floor`` (float64 and integrator resolution of the gap, about 1e-9 of
    the scale of the problem times R0), below which no float64 run can resolve it.
    """
    return Statement(
        id="linear.min2021.gradient_flow_rate", kind="theorem", claim="upper bound", model=MODEL, source=MIN2021,
        title="Gradient flow: L - L* <= exp(-2 lambda_r(Sigma_x) c(Lambda_0) t) (L(0) - L*)",
        conclusion=sp.Le(gap[t], sp.exp(-2 * lambda_r_X * c0 * eta * t) * gap[0] + gap_floor),
        domain=GF_PROGRESS_DOMAIN, budget=12,
    )


@register
def min2021_gradient_flow_rate_doubled() -> Statement:
    """Mutant: Min et al.'s gradient-flow rate with the exponent doubled, exp(-4 lambda_r c t).

    The rate 2 lambda_r(Sigma_x) c is attained to first order when the smaller factor
    starts near zero along the slow direction (e.g. spectral or prescribed
    initialisations with a small end-to-end matrix), so twice it is false there.
    """
    return mutant(
        of=min2021_gradient_flow_rate, id="linear.min2021.gradient_flow_rate_doubled",
        conclusion=sp.Le(gap[t], sp.exp(-4 * lambda_r_X * c0 * eta * t) * gap[0] + gap_floor),
        domain=GF_DOMAIN, budget=6,
    )


@register
def min2021_gd_small_step_rate() -> Statement:
    """Min et al. 2021, Theorem 1 for gradient descent at small steps, the O(eta) drift accounted for.

    Gradient descent does not conserve Lambda (see ``linear.gd.imbalance_drift``), so the
    flow's bound is checked with its exponent reduced by an explicit factor:

        L_t - L* <= exp(-2 lambda_r(Sigma_x) c(Lambda_0) (1 - 2 theta_eta) eta t) (L_0 - L*),

    theta_eta = max(eta s_1^3 B R0 / (s_r^2 c0), (1 - sqrt(1 - 8 a)) / 4), a = eta K R0^2 / (s_r^2 c0^2),
    with B, K the bounds of ``linear.xu2023.gd_rate_derived`` (at theta = 1/4). theta_eta = O(eta),
    so the exponent tends to the flow's as eta -> 0 (the flow time is eta t). This is the
    derived theorem of ``linear.xu2023.gd_rate_derived`` run with the smallest theta its
    proof admits at this eta, plus (1 - x)^{2t} <= exp(-2 x t). Hypotheses: c0 > 0 and eta at
    most the derived cap (which makes theta_eta <= 1/4); steps drawn down to 1/10 of it, over
    100 to 400 iterations with X conditioned to at most 2, from the Gaussian initialisation,
    so that the loss really falls. (Check restriction: from the small initialisation the run
    sits at the saddle and from the spectral one the step cap is tiny; there loss and bound
    both stay at about 1 x L(0) - a check that cannot fail. Measured at seed 0 over 110 runs:
    median L(T)/L(0) 1.0 for those inits, 0.0015 for the Gaussian one.)
    """
    theta = rates.theta_of_step()
    return Statement(
        id="linear.min2021.gd_small_step_rate", kind="theorem", claim="upper bound", model=MODEL,
        source=Source(MIN2021.authors, MIN2021.title, MIN2021.venue, MIN2021.year, MIN2021.arxiv,
                      "Theorem 1 for gradient flow; the gradient-descent correction theta_eta is derived here "
                      "(docstring), from the derivation of linear.xu2023.gd_rate_derived"),
        title="Gradient descent at small steps: Min et al.'s exponent times (1 - 2 theta_eta), theta_eta = O(eta)",
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, rates.step_cap()))),
        conclusion=sp.Le(gap[t], sp.exp(-2 * lambda_r_X * c0 * (1 - 2 * theta) * eta * t) * gap[0] + gap_floor),
        domain=_with(SMALL, init=(GAUSSIAN_INIT, GAUSSIAN_INIT), step_unit=(1, 1), step=(0.1, 1.0), **GD_PROGRESS),
        budget=30,
    )


# ------------------------------------------------------------------ exact identities


def _identity_conclusion(resid_sq, dot, quad_sq, scale, coefficient, exact):
    """||R + (exact - coefficient) Q||^2 <= (tol * scale)^2, R the residual of the exact identity.

    The claimed identity "next = this + coefficient * Q" is checked through the model's
    residual R of the true one (next - this - exact * Q, computed directly, so no
    cancellation of large terms): next - this - coefficient * Q = R + (exact - coefficient) Q.
    For the theorem coefficient = exact and the extra terms vanish symbolically.
    """
    gap_ = exact - coefficient
    return sp.Le(resid_sq[t] + 2 * gap_ * dot[t] + gap_**2 * quad_sq[t], (TOL * scale[t]) ** 2)


C_ETA_SQ = sp.Symbol("C_eta_sq", positive=True)
C_ETA_SQ_CONSTANT = Constant(C_ETA_SQ, 1, "derived",
                             "the coefficient of eta^2 in the identity: exactly 1 (the expansion above)")

IDENTITY_DOMAIN = _with(SMALL, diagnostics=(1, 1), step_unit=(2, 2), step=(1e-3, 2.0), steps=(1, 20),
                        x_cond=(1.0, 1e3))
PER_STEP_DOMAIN = _with(SMALL, step_unit=(2, 2), step=(1e-3, 1.0), steps=(1, 40), x_cond=(1.0, 1e3))


@register
def gd_error_recursion() -> Statement:
    """The exact error recursion of one gradient-descent step (derived here, with X).

    With U+ = U + eta X^T E V and V+ = V + eta E^T X U:
    E+ = E - eta (X U U^T X^T E + X X^T E V V^T) - eta^2 X X^T E V U^T X^T E.
    Expand E+ = Y - X U+ V+^T. Checked to float64 precision: ||R_E||_F <= tol * rec_scale,
    rec_scale = ||Y|| + ||X|| (||U|| ||V|| + ||U+|| ||V+||) + eta ||X||^2 ||E|| (||U||^2 + ||V||^2)
    + eta^2 ||X||^3 ||E||^2 ||U|| ||V|| (Frobenius norms: upper bounds on the entrywise
    magnitudes |A||B| that the forward error of each product is proportional to).
    Any failure is a bug in the gradient-descent kernel.
    """
    return Statement(
        # the identity is exact, checked as a residual within a float64 error bound: its power moves
        # the coefficient of eta^2 (tightening the tolerance could never be caught)
        id="linear.gd.error_recursion", kind="theorem", claim="tight", power_constant="C_eta_sq", model=MODEL,
        source=DERIVED_HERE,
        title="GD error recursion E+ = E - eta T(E) - eta^2 X X^T E V U^T X^T E, to float64 precision",
        constants=(TOL_CONSTANT, C_ETA_SQ_CONSTANT), hypotheses=(FINITE,),
        conclusion=_identity_conclusion(rec_resid_sq, rec_dot, rec_quad_sq, rec_scale, C_ETA_SQ * eta**2, eta**2),
        domain=IDENTITY_DOMAIN, budget=20,
    )


@register
def gd_error_recursion_first_order() -> Statement:
    """Mutant: the error recursion without its eta^2 term (the gradient-flow linearisation)."""
    return mutant(
        of=gd_error_recursion, id="linear.gd.error_recursion_first_order",
        conclusion=_identity_conclusion(rec_resid_sq, rec_dot, rec_quad_sq, rec_scale, 0, eta**2),
    )


@register
def gd_imbalance_drift() -> Statement:
    """The exact imbalance drift of one gradient-descent step (derived here, with X).

    D_{t+1} = D_t + eta^2 (V^T E^T X X^T E V - U^T X^T E E^T X U), D = U^T U - V^T V; the
    first-order terms cancel, which is why gradient flow conserves D (and Lambda: the
    null-space part of U never moves). Checked to float64 precision: ||R_D||_F <= tol *
    drift_scale, drift_scale = ||U||^2 + ||V||^2 + ||U+||^2 + ||V+||^2 + eta^2 ||X||^2 ||E||^2
    (||U||^2 + ||V||^2) (Frobenius).
    """
    return Statement(
        # the identity is exact, checked as a residual within a float64 error bound: its power moves
        # the coefficient of eta^2 (tightening the tolerance could never be caught)
        id="linear.gd.imbalance_drift", kind="theorem", claim="tight", power_constant="C_eta_sq", model=MODEL,
        source=DERIVED_HERE,
        title="GD imbalance drift D+ = D + eta^2 (V^T E^T X X^T E V - U^T X^T E E^T X U), to float64 precision",
        constants=(TOL_CONSTANT, C_ETA_SQ_CONSTANT), hypotheses=(FINITE,),
        conclusion=_identity_conclusion(drift_resid_sq, drift_dot, drift_sq, drift_scale, C_ETA_SQ * eta**2, eta**2),
        domain=IDENTITY_DOMAIN, budget=20,
    )


@register
def gd_imbalance_drift_wrong_power() -> Statement:
    """Mutant: the imbalance drift with eta in place of eta^2."""
    return mutant(
        of=gd_imbalance_drift, id="linear.gd.imbalance_drift_wrong_power",
        conclusion=_identity_conclusion(drift_resid_sq, drift_dot, drift_sq, drift_scale, eta, eta**2),
    )


# ------------------------------------------------------------------ Weyl and Sylvester


@register
def weyl_imbalance_bound() -> Statement:
    """Weyl's bound from the imbalance: sigma_r(U_1)^2 + sigma_m(V)^2 >= c(Lambda), any U, V.

    U_1^T U_1 = Lambda + V^T V >= Lambda, so lambda_r(U_1^T U_1) >= lambda_r(Lambda) (Weyl);
    likewise lambda_m(V^T V) >= lambda_m(-Lambda); and both left sides are >= 0 (derived
    here). Checked at every iterate of gradient-descent runs from every
    initialisation family, so on random and on trained factors.
    """
    return Statement(
        id="linear.weyl_imbalance_bound", kind="theorem", claim="upper bound", model=MODEL, source=DERIVED_HERE,
        title="sigma_r(U_1)^2 + sigma_m(V)^2 >= [lambda_r(Lambda)]_+ + [lambda_m(-Lambda)]_+",
        hypotheses=(FINITE,),
        conclusion=sp.Le(c_imb[t], sigma_r_U1_sq[t] + sigma_m_V_sq[t]),
        domain=_with(PER_STEP_DOMAIN, steps=(0, 10), h=(1, 12), init=NOT_BALANCED),
        budget=25,
    )


@register
def weyl_imbalance_bound_doubled() -> Statement:
    """Mutant: the Weyl bound with 2 c(Lambda) (as if each term were at least c).

    False when one factor is small: V = 0 makes sigma_r(U_1)^2 = lambda_r(Lambda) = c exactly.
    """
    return mutant(
        of=weyl_imbalance_bound, id="linear.weyl_imbalance_bound_doubled",
        conclusion=sp.Le(2 * c_imb[t], sigma_r_U1_sq[t] + sigma_m_V_sq[t]),
    )


@register
def weyl_imbalance_bound_five_percent_high() -> Statement:
    """Mutant: the Weyl bound with 1.05 c(Lambda), a constant 5% too large.

    The bound is attained when one factor vanishes along the relevant directions
    (sigma_m(V) = 0 gives sigma_r(U_1)^2 >= lambda_r(Lambda) with near equality once
    V^T V is small against U_1^T U_1), so 5% more than c(Lambda) fails on such factors.
    """
    return mutant(
        of=weyl_imbalance_bound, id="linear.weyl_imbalance_bound_five_percent_high",
        conclusion=sp.Le(sp.Rational(105, 100) * c_imb[t], sigma_r_U1_sq[t] + sigma_m_V_sq[t]),
    )


FULL_RANK_X = Hypothesis("full_rank_X", sp.Ge(d, n))


@register
def sylvester_inertia() -> Statement:
    """Sylvester's law of inertia, quantitatively: c(Lambda) > 0 when h >= r + m (derived here).

    Lambda = W^T J W with W = [U_1; V] ((r + m) x h) and J = diag(I_r, -I_m). If h >= r + m,
    W^T = Q R (thin QR, R square) gives Lambda = Q (R J R^T) Q^T, and by Ostrowski's theorem
    the eigenvalues of R J R^T are theta_k lambda_k(J) with theta_k in [sigma_min(R)^2,
    sigma_max(R)^2] = [sigma_{r+m}(W)^2, sigma_1(W)^2]. So Lambda has r eigenvalues >=
    sigma_{r+m}(W)^2 and m <= -sigma_{r+m}(W)^2: min(lambda_r(Lambda), lambda_m(-Lambda)) >=
    sigma_{r+m}(W)^2, which is > 0 when W has full row rank (almost surely for Gaussian
    factors), hence c(Lambda) >= 2 sigma_{r+m}(W)^2 > 0. Checked at t = 0 over random factors
    (Gaussian, spectral, small); d >= n keeps r = n so that the width condition is on parameters.
    """
    return Statement(
        id="linear.sylvester_inertia", kind="theorem", claim="upper bound", model=MODEL, source=OSTROWSKI,
        title="Sylvester-Ostrowski: lambda_r(Lambda), lambda_m(-Lambda) >= sigma_{r+m}([U_1; V])^2",
        hypotheses=(FULL_RANK_X, Hypothesis("width", sp.Ge(h, n + m))),
        conclusion=sp.Le(sigma_W_sq, sp.Min(imb_lambda_r[0], imb_lambda_m_neg[0])),
        domain=_with(SMALL, h=(1, 16), steps=(0, 0), step_unit=(0, 0), init=(0, 0)),
        budget=25,
    )


@register
def sylvester_inertia_narrow() -> Statement:
    """Mutant: the inertia bound claimed for every width h >= max(r, m), with sigma_{min(h, r+m)}(W)^2.

    If h < r + m, Lambda (h x h) cannot have r positive and m negative eigenvalues, so one
    of lambda_r(Lambda), lambda_m(-Lambda) is <= 0, while sigma_h(W)^2 > 0 almost surely.
    """
    return mutant(
        of=sylvester_inertia, id="linear.sylvester_inertia_narrow",
        hypotheses=(FULL_RANK_X, Hypothesis("width_r", sp.Ge(h, n)), Hypothesis("width_m", sp.Ge(h, m)),
                    Hypothesis("narrow", sp.Lt(h, n + m))),
    )


@register
def sylvester_inertia_five_percent_high() -> Statement:
    """Mutant: the Sylvester-Ostrowski bound with sigma_{r+m}(W)^2 raised by 5%.

    Ostrowski's factor theta_k lies in [sigma_min(R)^2, sigma_max(R)^2]; when the rows of
    W = [U_1; V] are nearly orthogonal with nearly equal norms (wide factors, h >> r + m) the
    interval is narrow and the bound is nearly attained, so 1.05 sigma_{r+m}(W)^2 exceeds
    min(lambda_r(Lambda), lambda_m(-Lambda)), a positive number there.
    """
    return mutant(
        of=sylvester_inertia, id="linear.sylvester_inertia_five_percent_high",
        conclusion=sp.Le(sp.Rational(105, 100) * sigma_W_sq, sp.Min(imb_lambda_r[0], imb_lambda_m_neg[0])),
    )


# ------------------------------------------------------------------ one-step contraction


def _contraction(first_order: sp.Expr) -> sp.Expr:
    return sp.Le(resid[t + 1], (first_order + eta**2 * sigma_max_X**2 * V_norm[t] * XU_norm[t] * resid[t]) * resid[t])


@register
def gd_one_step_contraction() -> Statement:
    """The one-step contraction of gradient descent (derived here, with X), at every step.

    With F = A A^T E (the reducible error, ||F|| = resid) and c_t = sigma_r(X U)^2 + s_r^2
    sigma_m(V)^2, K_t = sigma_1(X U)^2 + s_1^2 sigma_1(V)^2:

        ||F_{t+1}|| <= [max(|1 - eta c_t|, |1 - eta K_t|) + eta^2 s_1^2 ||V||_2 ||X U||_2 ||F_t||] ||F_t||.

    Proof: project the error recursion onto col(X): F+ = (I - eta T) F - eta^2 X X^T F V U^T X^T F
    with T F = X U U^T X^T F + X X^T F V V^T self-adjoint on col(X)-valued matrices and
    <F, T F> = ||U^T X^T F||^2 + ||X^T F V||^2 in [c_t, K_t] ||F||^2; the last term is at most
    s_1^2 ||V|| ||X U|| ||F||^2. Holds for every step size; steps up to 1/K_ref (model docstring) keep runs finite.
    """
    return Statement(
        id="linear.gd.one_step_contraction", kind="theorem", claim="upper bound", model=MODEL, source=DERIVED_HERE,
        title="||F+|| <= [max(|1 - eta c_t|, |1 - eta K_t|) + eta^2 s_1^2 ||V|| ||XU|| ||F||] ||F||",
        hypotheses=(FINITE,),
        conclusion=_contraction(sp.Max(sp.Abs(1 - eta * c_step[t]), sp.Abs(1 - eta * K_step[t]))),
        domain=PER_STEP_DOMAIN,
        budget=30,
    )


@register
def gd_one_step_contraction_slow_branch_only() -> Statement:
    """Mutant: the one-step contraction with only the slow branch |1 - eta c_t|.

    Past eta = 2 / (c_t + K_t) the fast direction overshoots and |1 - eta K_t| is the larger
    factor; steps up to 3 / K_ref reach it.
    """
    return mutant(
        of=gd_one_step_contraction, id="linear.gd.one_step_contraction_slow_branch_only",
        conclusion=_contraction(sp.Abs(1 - eta * c_step[t])),
        domain=_with(PER_STEP_DOMAIN, step=(1.0, 3.0), steps=(1, 10)),
    )


# ------------------------------------------------------------------ linear rate of GD (derived)


#: ``explore --relax eta`` (which scales the hypothesis on eta) draws steps up to this many derived
#: caps (the statement's ``explore_domain``), so it can map relaxations up to this factor. The
#: statement's own domain stops at the cap: drawn up to 1024 caps, 91% of its log-uniform steps were
#: run only to be rejected by the hypothesis
EXPLORE_REACH = 1024.0


@register
def xu2023_gd_rate_derived() -> Statement:
    """Linear convergence of gradient descent at finite step, finite width, general initialisation.

    Our derivation (every constant derived; the mechanism of Xu et al. 2023, whose constants
    could not be read). Notation: s_1^2 = lambda_1(Sigma_x), s_r^2 = lambda_r(Sigma_x),
    c0 = c(Lambda_0) > 0, R0 = ||A^T E_0||_F, ||Lambda_0||_2, ||A^T Y||_F, and theta = 1/4:

        B = ||Lambda_0|| + theta c0 + (||A^T Y|| + R0) / s_r,   K = 2 s_1^2 B,
        eta <= eta_max = min(1/K, theta s_r^2 c0 / (s_1^3 B R0), theta (1 - 2 theta) s_r^2 c0^2 / (K R0^2))

    implies L_t - L* <= (1 - eta s_r^2 c0 (1 - 2 theta))^{2t} (L_0 - L*) = (1 - eta s_r^2 c0 / 2)^{2t} (L_0 - L*).

    Proof, by induction on t with the claims (a) ||F_k|| <= (1 - eta q)^k R0, q = s_r^2 c0 (1 - 2 theta),
    (b) c(Lambda_k) >= (1 - theta) c0 and ||Lambda_k|| <= ||Lambda_0|| + theta c0, (c) sigma_1(U_1)^2,
    sigma_1(V)^2 <= B for k <= t:
    (c) from (a), (b): with M = U_1^T U_1, N = V^T V, M - N = Lambda, the top eigenvector x of M gives
    ||U_1 V^T||^2 = lambda_max(M^2 - M^{1/2} Lambda M^{1/2}) >= mu^2 - mu ||Lambda||, mu = lambda_max(M),
    so mu <= ||Lambda|| + ||U_1 V^T|| (same for N), and ||U_1 V^T|| <= ||A^T X U V^T|| / s_r <=
    (||A^T Y|| + ||F||) / s_r. Hence K_t = sigma_1(XU)^2 + s_1^2 sigma_1(V)^2 <= 2 s_1^2 B = K.
    Step (one-step contraction, ``linear.gd.one_step_contraction``): eta K_t <= 1 makes the first
    factor 1 - eta c_t, c_t >= s_r^2 (sigma_r(U_1)^2 + sigma_m(V)^2) >= s_r^2 c(Lambda_t) >=
    s_r^2 (1 - theta) c0 (Weyl); the second-order term is <= eta^2 s_1^3 B R0 <= eta theta s_r^2 c0.
    Drift (``linear.gd.imbalance_drift``): Lambda_{k+1} - Lambda_k = eta^2 (P_k - Q_k), P, Q >= 0 with
    ||P|| + ||Q|| <= K ||F_k||^2, and [.]_+ is monotone and 1-Lipschitz, so c and ||Lambda|| move by
    at most eta^2 K sum_k ||F_k||^2 <= eta^2 K R0^2 / (1 - (1 - eta q)^2) <= eta K R0^2 / q <= theta c0.
    Conclusion: ||F||^2 = 2 (L - L*). The step is drawn in units of eta_max (``step_unit`` 1);
    the hypothesis names eta so that ``explore --relax eta`` scales the cap (drawing steps up to
    ``EXPLORE_REACH`` caps, the statement's ``explore_domain``).

    Checked where it can fail: the prescribed initialisation (c0 in [0.5, 3], margin 0.3 to 0.9 of
    sigma_k(A^T Y): at 1 the run starts at the target, R0 = 0, and the cap divides by it),
    X conditioned to at most 1.5, steps of 0.5 to 1 cap over 250 to 400 iterations. From
    Gaussian, spectral or small initialisations the cap is so small that the loss barely
    moves in any affordable run (median decrease 4e-7 measured), and a bound that is nearly
    L_0 - L* there is nearly never tested; here the median run ends at about 1e-3 of its
    start against a claimed 0.3 (measured at seed 0; the verdict reports both).
    """
    return Statement(
        id="linear.xu2023.gd_rate_derived", kind="theorem", claim="upper bound", model=MODEL, source=XU2023_DERIVED,
        title="GD converges linearly at rate 1 - eta lambda_r(Sigma_x) c(Lambda_0) / 2 under a derived step cap",
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, rates.step_cap()))),
        conclusion=sp.Le(gap[t], _rate_bound(1 - eta * lambda_r_X * c0 * (1 - 2 * rates.THETA))),
        domain=_with(SMALL, init=(3, 3), imbalance_scale=(0.5, 3.0), margin_frac=(0.3, 0.9), step_unit=(1, 1),
                     step=(0.5, 1.0), **{**GD_PROGRESS, "x_cond": (1.0, 1.5), "steps": (250, 400)}),
        explore_domain={"step": (0.5, EXPLORE_REACH)},
        budget=80,
    )


@register
def xu2023_gd_rate_without_imbalance() -> Statement:
    """Mutant: the rate with c(Lambda_0) replaced by the target's sigma_min (no imbalance in it).

    Near a balanced global minimum sigma_r(U_1)^2 + sigma_m(V)^2 is about 2 sigma_k(U_1 V^T), so
    a rate 1 - eta s_r^2 sigma_k(A^T Y) / 2 looks natural; but a small balanced initialisation
    (c = 0) sits on a plateau where the loss barely moves for many steps. Steps up to 1/(2 K_0)
    (the derived cap is 0 when c = 0).
    """
    return mutant(
        of=xu2023_gd_rate_derived, id="linear.xu2023.gd_rate_without_imbalance",
        hypotheses=(),
        conclusion=sp.Le(gap[t], _rate_bound(1 - eta * lambda_r_X * target_sigma_min / 2)),
        domain=_with(SMALL, init=(4, 4), init_scale=(1e-3, 0.05), x_cond=(1.0, 3.0), step_unit=(2, 2),
                     step=(0.05, 0.5), steps=(10, 60)),
        budget=30,
    )


CAP_RELAXATION = 1000


@register
def xu2023_gd_rate_cap_relaxed() -> Statement:
    """Mutant: the derived rate with its step cap relaxed by a factor 1000.

    The cap is conservative, but not by three orders of magnitude everywhere: past
    about 2 / K_t gradient descent diverges, and some drawn instances have eta_max within
    a factor 1000 of it.
    """
    return mutant(
        of=xu2023_gd_rate_derived, id="linear.xu2023.gd_rate_cap_relaxed",
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, CAP_RELAXATION * rates.step_cap()))),
        domain=_with(SMALL, init=NOT_BALANCED, step_unit=(1, 1), step=(1.0, CAP_RELAXATION), steps=(1, 60)),
        budget=30,
    )


# ------------------------------------------------------------------ Xu et al. 2023 in its own words


C_RATE = sp.Symbol("C_rate", positive=True)
C_STEP = sp.Symbol("C_step", positive=True)
C_MARGIN = sp.Symbol("C_margin", positive=True)
XU_CONSTANTS = (
    Constant(C_RATE, 1, "assumed", "guess: the gradient-flow exponent of Min et al. survives at finite step"),
    Constant(C_STEP, 1, "assumed", "guess: a step cap of the form C / K_0, K_0 = sigma_1(XU_0)^2 + s_1^2 sigma_1(V_0)^2"),
    Constant(C_MARGIN, 2, "assumed", "guess: the scalar case (n = m = 1, derived here) lifted, "
                                     "rate sqrt(c0^2 + (C_margin [margin]_+ / s_1)^2)"),
)


def _claimed_rate() -> sp.Expr:
    margin_term = C_MARGIN * sp.Max(margin, 0) / sigma_max_X
    return 1 - C_RATE * eta * lambda_r_X * sp.sqrt(c0**2 + margin_term**2)


@register
def xu2023_claimed_rate() -> Statement:
    """Xu et al. 2023, in its own words: "a linear convergence rate for two-layer linear networks
    trained using GD on the squared loss in the case of finite step size, finite width and
    general initialization", with a rate that depends on the imbalance and the margin of the
    initialisation (Min et al.'s abstract) and a step-size cap.

    Conjecture with ASSUMED constants (the paper's could not be read): for eta <= C_step / K_0,
    L_t - L* <= (1 - C_rate eta lambda_r(Sigma_x) sqrt(c0^2 + (C_margin [margin]_+ / s_1)^2))^{2t} (L_0 - L*),
    margin = the deficiency margin sigma_k(A^T Y) - ||A^T X U_0 V_0^T - A^T Y||_F (named in the
    model; the paper's definition is UNVERIFIED). The sqrt form is the scalar case n = m = 1
    derived here (rate sqrt(d^2 + 4 mu^2)) lifted to matrices by guess.
    """
    return Statement(
        id="linear.xu2023.claimed_rate", kind="conjecture", claim="upper bound", model=MODEL, source=XU2023,
        constants=XU_CONSTANTS,
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, C_STEP / K0))),
        conclusion=sp.Le(gap[t], _rate_bound(_claimed_rate())),
        domain=_with(SMALL, init=(3, 3), margin_frac=(-0.5, 1.0), imbalance_scale=(0.05, 3.0), step_unit=(2, 2),
                     step=(0.05, 1.0), steps=(1, 60)),
        budget=30,
    )


@register
def xu2023_claimed_rate_zero_margin() -> Statement:
    """Conjecture: the claimed rate at initialisations with zero margin (it reduces to c0 alone).

    Initialisation 3 with margin_frac = 0: the end-to-end matrix starts exactly sigma_k(A^T Y)
    away from the target, the boundary of Arora et al.'s deficiency-margin condition.
    """
    return Statement(
        id="linear.xu2023.claimed_rate_zero_margin", kind="conjecture", claim="upper bound", model=MODEL, source=XU2023,
        constants=XU_CONSTANTS,
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, C_STEP / K0))),
        conclusion=sp.Le(gap[t], _rate_bound(_claimed_rate())),
        domain=_with(SMALL, init=(3, 3), margin_frac=(0.0, 0.0), imbalance_scale=(0.05, 3.0), step_unit=(2, 2),
                     step=(0.05, 1.0), steps=(1, 60)),
        budget=30,
    )


@register
def xu2023_rate_beyond_cap() -> Statement:
    """Conjecture: the derived rate (1 - eta s_r^2 c0 / 2)^{2t} still holds for steps up to 10 eta_max.

    The cap of ``linear.xu2023.gd_rate_derived`` is a sufficient condition from a worst-case
    proof; ``boundcheck explore linear.xu2023.gd_rate_derived --relax eta`` maps how far past
    it the rate survives.
    """
    return Statement(
        id="linear.xu2023.rate_beyond_cap", kind="conjecture", claim="upper bound", model=MODEL, source=XU2023,
        hypotheses=(POSITIVE_IMBALANCE, Hypothesis("eta", sp.Le(eta, 10 * rates.step_cap()))),
        conclusion=sp.Le(gap[t], _rate_bound(1 - eta * lambda_r_X * c0 * (1 - 2 * rates.THETA))),
        domain=_with(SMALL, init=NOT_BALANCED, step_unit=(1, 1), step=(1.0, 10.0), steps=(1, 60)),
        budget=30,
    )
