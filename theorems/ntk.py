"""The NTK regime: two-layer ReLU networks trained by gradient descent (Du, Zhai, Poczos, Singh, ICLR 2019;
Arora, Du, Hu, Li, Wang, ICML 2019; the empirical NTK around its limit; Cohen, Kaur, Li, Kolter, Talwalkar,
ICLR 2021).

Model ``ntk.two_layer_relu``: f(W, a, x) = m^(-1/2) sum_r a_r relu(w_r^T x), a_r = +-1
fixed, only W trained, squared loss summed over the n unit inputs, gradient descent
with step eta. H(t) is the Gram matrix J(t) J(t)^T, H^inf its infinite-width limit
(closed form in :mod:`boundcheck.theorems.ntk_kernel`), lambda0 = lambda_min(H^inf).

Families here:

* Du et al. 2019: linear convergence (VACUOUS at every runnable size: its width is
  astronomical), the weight-movement bound (deterministic, checked exactly at every
  width), the initial Gram concentration (a frequency over initialisations);
* the empirical NTK's concentration around H^inf (matrix Bernstein, m^(-1/2));
* Arora et al. 2019: the residual follows the eigen-decomposition of H^inf;
* conjectures: linear convergence at practical widths and near 2/lambda_max;
* Cohen et al. 2021 (edge of stability) as conjectures, with the exact quadratic
  companion (the linearised network) as theorems;

each with mutants the checker must catch. Probabilities are over ``init_seed`` (the
initialisation) with the data fixed by ``seed``, as in the papers.
"""

import sympy as sp

from boundcheck.theorems.statement import (
    Constant,
    Hypothesis,
    Source,
    Statement,
    for_all,
    mutant,
    observable,
    register,
    scalar,
    t,
    with_probability,
)
from boundcheck.theorems.symbols import eta, m, n

DU = Source(
    "S. S. Du, X. Zhai, B. Poczos, A. Singh",
    "Gradient Descent Provably Optimizes Over-parameterized Neural Networks",
    "ICLR", 2019, arxiv="1810.02054", result="Theorem 4.1",
    note="theorem and lemma statements recalled from the paper (numbering in Section 4 not confirmed); "
         "explicit constants derived here by following the paper's proof",
)
ARORA = Source(
    "S. Arora, S. S. Du, W. Hu, Z. Li, R. Wang",
    "Fine-Grained Analysis of Optimization and Generalization for Overparameterized Two-Layer Neural Networks",
    "ICML (PMLR 97)", 2019, arxiv="1901.08584", result="Theorem 4.1",
    note="recalled from the paper, not confirmed against its text",
)
TROPP = Source(
    "J. A. Tropp", "User-friendly tail bounds for sums of random matrices",
    "Foundations of Computational Mathematics 12:389-434", 2012, arxiv="1004.4389",
    result="Theorem 1.4 (matrix Bernstein)",
)
COHEN = Source(
    "J. M. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar",
    "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability",
    "ICLR", 2021, arxiv="2103.00065", result="Section 3 and footnote on convex quadratics",
)

# observables of ntk.two_layer_relu
resid_sq = observable("resid_sq")
dist = observable("dist")
sharpness = observable("sharpness")
du_condition = observable("du_condition")
resid_pred = observable("resid_pred")
lambda0 = scalar("lambda0", positive=True)
lambda_max_inf = scalar("lambda_max_inf", positive=True)
ntk_gap = scalar("ntk_gap", nonnegative=True)
ntk_gap_max = scalar("ntk_gap_max", nonnegative=True)
y_sq = scalar("y_sq", nonnegative=True)
top_proj_sq = scalar("top_proj_sq", nonnegative=True)
sharpness_0 = scalar("sharpness_0", positive=True)
lambda_min_H_0 = scalar("lambda_min_H_0")
kappa = scalar("kappa", positive=True)
init = sp.Symbol("init", integer=True)
linearized = sp.Symbol("linearized", integer=True)

# constants
delta = sp.Symbol("delta", positive=True)
delta_1, delta_2, delta_3 = sp.symbols("delta_1 delta_2 delta_3", positive=True)
C_width_gd = sp.Symbol("C_width_gd", positive=True)
c_eta = sp.Symbol("c_eta", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)

DELTA = Constant(delta, sp.Rational(1, 10), "assumed",
                 "a choice, not a guess: the result holds for every delta in (0, 1); instantiated at 1/10")
DELTA_SPLIT = (
    Constant(delta_2, sp.Rational(1, 30), "derived", "delta split evenly, delta = delta_1 + delta_2 + delta_3 "
             "(derived here, following the paper's proof); delta_2 pays for the pattern flips of Lemma 3.2"),
    Constant(delta_3, sp.Rational(1, 30), "derived", "delta_3 pays for Markov's bound on ||y - u(0)||^2"),
)
WIDTH_GD = Constant(C_width_gd, 2048, "derived",
                    "R' < R with R' = 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0) (Corollary 4.1), "
                    "R = sqrt(2 pi) delta_2 lambda0 / (16 n^2) (Lemma 3.2 by anti-concentration and Markov), "
                    "||y - u(0)||^2 <= (||y||^2 + n/2) / delta_3 (Markov): m > 2048 n^5 (||y||^2 + n/2) / "
                    "(pi delta_2^2 delta_3 lambda0^4), derived here by following the paper's proof")
C_radius = sp.Symbol("C_radius", positive=True)
RADIUS = Constant(C_radius, 4, "derived",
                  "Du et al. 2019, Corollary 4.1's R' = 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0): the 4 is "
                  "1 / (1 - sqrt(1 - x)) <= 2 / x applied to the geometric sum of the step lengths (docstring)")
C_ETA = Constant(c_eta, sp.Rational(1, 4), "assumed",
                 "the paper says eta = O(lambda0 / n^2); 1/4 is consistent with the proof's bookkeeping "
                 "(a derived sketch) but the paper's exact constant is not confirmed")

DU_RATE = 1 - eta * lambda0 / 2
DU_CONCLUSION = sp.Le(resid_sq[t], DU_RATE**t * resid_sq[0])
DU_WIDTH = Hypothesis("width", sp.Gt(m, C_width_gd * n**5 * (y_sq + n / 2) / (sp.pi * delta_2**2 * delta_3 * lambda0**4)))
DU_STEP = Hypothesis("step", sp.Le(eta, c_eta * lambda0 / n**2))
GAUSSIAN_INIT = (Hypothesis("gaussian_init", sp.Eq(init, 0)), Hypothesis("unit_variance_init", sp.Eq(kappa, 1)))
TRAINED = Hypothesis("network_trained", sp.Eq(linearized, 0))

#: sizes small enough that a whole statement runs in a few seconds
SMALL = {"n": (2, 8), "d": (2, 8), "labels": (0, 1), "spectrum_every": (-1, -1), "linearized": (0, 0)}


def _with(base: dict, **extra: tuple) -> dict:
    return {**base, **extra}


# ------------------------------------------------------------------ Du et al. 2019


@register
def du2019_linear_convergence() -> Statement:
    """Du, Zhai, Poczos, Singh 2019, Theorem 4.1: gradient descent converges linearly.

    If lambda0 = lambda_min(H^inf) > 0, ||x_i|| = 1, |y_i| <= 1, w_r(0) ~ N(0, I),
    m = Omega(n^6 / (lambda0^4 delta^3)) and eta = O(lambda0 / n^2), then with probability
    at least 1 - delta over the initialisation, for all k >= 0,
    ||u(k) - y||^2 <= (1 - eta lambda0 / 2)^k ||u(0) - y||^2.

    The Omega is made explicit by following the paper's proof (derived here):
    m > 2048 n^5 (||y||^2 + n/2) / (pi delta_2^2 delta_3 lambda0^4), delta split evenly; the
    step constant 1/4 is ASSUMED. Both hypotheses name lambda0 and ||y||^2, observables of
    the instance, so they are checked after the run: no runnable width meets the first
    (it demands about 1e11 neurons for n = 2), and the verdict is VACUOUS with the width
    demanded. ``boundcheck explore ntk.du2019.linear_convergence --relax m`` measures how
    far below that width the conclusion still holds.
    """
    return Statement(
        id="ntk.du2019.linear_convergence",
        kind="theorem",
        claim="upper bound",
        model="ntk.two_layer_relu",
        title="Du et al. 2019: ||u(k) - y||^2 <= (1 - eta lambda0/2)^k ||u(0) - y||^2 w.p. 1 - delta",
        source=DU,
        hypotheses=(DU_WIDTH, DU_STEP, *GAUSSIAN_INIT, TRAINED),
        constants=(DELTA, *DELTA_SPLIT, WIDTH_GD, C_ETA),
        conclusion=DU_CONCLUSION,
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed", settings=8),
        domain=_with(SMALL, m=(8, 4096), steps=(20, 60), step_unit=(2, 2), step=(0.05, 0.249)),
        budget=16,
    )


@register
def du2019_linear_convergence_rate_too_fast() -> Statement:
    """Mutant: Du et al.'s linear rate claimed with 3 eta lambda0 in place of eta lambda0 / 2.

    In the kernel regime the residual is sum_i (1 - eta lambda_i)^k (v_i^T r0) v_i, so its
    component along the smallest eigen-direction of H^inf decays like (1 - eta lambda0)^(2k)
    ~ (1 - 2 eta lambda0)^k: no rate faster than that can hold once that component
    dominates. Checked at practical sizes (width 32 n to 64 n, antisymmetric init, step
    up to 1/lambda_max(H^inf)), where the true rate is close to the kernel prediction.
    """
    return mutant(
        of=du2019_linear_convergence,
        id="ntk.du2019.linear_convergence_rate_too_fast",
        hypotheses=(Hypothesis("practical_width", sp.Ge(m, 32 * n)), Hypothesis("width_cap", sp.Le(m, 64 * n)),
                    Hypothesis("step", sp.Le(eta * lambda_max_inf, 1)), TRAINED),
        constants=(),
        conclusion=sp.Le(resid_sq[t], (1 - 3 * eta * lambda0) ** t * resid_sq[0]),
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_with(SMALL, n=(4, 8), d=(3, 6), kappa=(1, 1), init=(1, 1), steps=(150, 200), step_unit=(1, 1),
                     step=(0.5, 1.0)),
        budget=32,
    )


@register
def du2019_weight_movement() -> Statement:
    """Du et al. 2019, Condition 4.1 / Corollary 4.1: how far each neuron moves.

    If ||y - u(k')||^2 <= (1 - eta lambda0/2)^k' ||y - u(0)||^2 for k' = 0..k, then for every
    r, ||w_r(k+1) - w_r(0)|| <= R' = 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0).
    Deterministic, at every width: ||dL/dw_r|| <= sqrt(n/m) ||y - u|| (|a_r| = 1,
    ||x_i|| = 1, Cauchy-Schwarz), so the movement is at most
    eta sqrt(n/m) ||y - u(0)|| sum_k' (1 - eta lambda0/2)^(k'/2)
    <= eta sqrt(n/m) ||y - u(0)|| / (1 - sqrt(1 - eta lambda0/2)), and
    1 - sqrt(1 - x) >= x/2 on [0, 1] gives the factor 4 (derived here; it is the 4 of Corollary 4.1
    as recalled from the paper).
    ``du_condition[t - 1] <= 1`` is the condition up to k = t - 1; where it fails the claim
    says nothing (the left side is multiplied by 0). eta lambda0 <= 2 keeps the rate in [0, 1].
    """
    condition = sp.Piecewise((1, sp.Le(du_condition[t - 1], 1)), (0, True))
    return Statement(
        id="ntk.du2019.weight_movement",
        kind="theorem",
        claim="upper bound",
        model="ntk.two_layer_relu",
        title="Du et al. 2019: max_r ||w_r(k) - w_r(0)|| <= 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0)",
        source=Source(DU.authors, DU.title, DU.venue, DU.year, DU.arxiv, "Corollary 4.1", DU.note),
        hypotheses=(Hypothesis("rate_in_unit_interval", sp.Le(eta * lambda0, 2)),),
        constants=(RADIUS,),
        conclusion=sp.Le(dist[t] * condition, C_radius * sp.sqrt(n) * sp.sqrt(resid_sq[0]) / (sp.sqrt(m) * lambda0)),
        t_min=1,
        domain={"n": (2, 6), "d": (2, 4), "m": (1, 64), "kappa": (0.1, 3.0), "steps": (1, 60),
                "spectrum_every": (-1, -1), "step_unit": (1, 1), "step": (0.01, 1.9)},
        budget=40,
    )


@register
def du2019_weight_movement_radius_over_m() -> Statement:
    """Mutant: the weight-movement radius claimed to shrink like 1/m instead of m^(-1/2).

    Each step moves w_r by eta m^(-1/2) ||sum_i r_i 1{w_r.x_i >= 0} x_i||, which is of
    order m^(-1/2): for m > 1 the 1/m radius is too small once training moves the weights.
    """
    condition = sp.Piecewise((1, sp.Le(du_condition[t - 1], 1)), (0, True))
    return mutant(
        of=du2019_weight_movement,
        id="ntk.du2019.weight_movement_radius_over_m",
        conclusion=sp.Le(dist[t] * condition, C_radius * sp.sqrt(n) * sp.sqrt(resid_sq[0]) / (m * lambda0)),
    )


def _gram_domain(**extra: tuple) -> dict:
    return {"n": (2, 16), "d": (2, 16), "steps": (0, 0), "spectrum_every": (-1, -1), "step_unit": (0, 0),
            "step": (1, 1), "linearized": (0, 0), **extra}


@register
def du2019_initial_gram_concentration() -> Statement:
    """Du et al. 2019, Lemma 3.1 with the derived constant: H(0) is close to H^inf.

    With w_r(0) ~ N(0, kappa^2 I) independent, each entry H(0)_ij is a mean of m
    independent terms in [-1, 1] with mean H^inf_ij; Hoeffding, a union bound over the
    n^2 entries and ||.||_2 <= ||.||_F give, with probability at least 1 - delta_1,
    ||H(0) - H^inf||_2 <= n sqrt(2 ln(2 n^2 / delta_1) / m) (derived here).
    The Gram is scale invariant, so any kappa will do. Checked as a frequency over
    initialisations, four data sets at a time (Clopper-Pearson, Bonferroni split).
    """
    return Statement(
        id="ntk.du2019.initial_gram_concentration",
        kind="theorem",
        claim="upper bound",
        model="ntk.two_layer_relu",
        title="Du et al. 2019, Lemma 3.1: ||H(0) - H^inf||_2 <= n sqrt(2 ln(2n^2/delta_1)/m) w.p. 1 - delta_1",
        source=Source(DU.authors, DU.title, DU.venue, DU.year, DU.arxiv, "Lemma 3.1", DU.note),
        hypotheses=(Hypothesis("gaussian_init", sp.Eq(init, 0)),),
        constants=(Constant(delta_1, sp.Rational(1, 10), "assumed", "a choice: the lemma holds for every delta_1"),),
        conclusion=sp.Le(ntk_gap, n * sp.sqrt(2 * sp.log(2 * n**2 / delta_1) / m)),
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_gram_domain(m=(16, 1024)),
        budget=256,
    )


@register
def du2019_initial_gram_concentration_radius_over_m() -> Statement:
    """Mutant: Lemma 3.1's radius claimed to shrink like 1/m instead of m^(-1/2).

    ||H(0) - H^inf|| is a mean of m independent centred matrices: it is of order m^(-1/2)
    and cannot follow n sqrt(2 ln(2 n^2/delta_1)) / m at large widths.
    """
    return mutant(
        of=du2019_initial_gram_concentration,
        id="ntk.du2019.initial_gram_concentration_radius_over_m",
        conclusion=sp.Le(ntk_gap, n * sp.sqrt(2 * sp.log(2 * n**2 / delta_1)) / m),
        domain=_gram_domain(m=(1024, 4096)),
        budget=32,
    )


# ------------------------------------------------------------------ empirical NTK


def _bernstein_radius(width: sp.Expr) -> sp.Expr:
    log_term = sp.log(2 * n / delta)
    lead = n * log_term / (3 * width)
    return lead + sp.sqrt(lead**2 + 2 * n * lambda_max_inf * log_term / width)


@register
def empirical_ntk_matrix_bernstein() -> Statement:
    """The empirical NTK at initialisation concentrates around H^inf at rate m^(-1/2).

    H(0) - H^inf = sum_r Z_r with Z_r = (A_r - H^inf)/m, A_r = D_r X X^T D_r (D_r the
    activation pattern of neuron r) i.i.d., centred. A_r and H^inf are PSD with trace at
    most n, so ||Z_r|| <= n/m =: R, and E Z_r^2 <= E A_r^2 / m^2 <= n H^inf / m^2, so
    sigma^2 = ||sum_r E Z_r^2|| <= n lambda_max(H^inf) / m. Matrix Bernstein (Tropp 2012,
    Theorem 1.4, both tails): P(||sum Z_r|| >= s) <= 2n exp(-(s^2/2) / (sigma^2 + R s/3)),
    so with probability at least 1 - delta, with L = ln(2n/delta),
    ||H(0) - H^inf||_2 <= n L/(3m) + sqrt((n L/(3m))^2 + 2 n lambda_max(H^inf) L / m)
    (DERIVED here). Sharper than Lemma 3.1 by a factor of about sqrt(n).
    """
    return Statement(
        id="ntk.empirical_ntk.matrix_bernstein",
        kind="theorem",
        claim="upper bound",
        model="ntk.two_layer_relu",
        title="Empirical NTK concentration: ||H(0) - H^inf||_2 = O(sqrt(n lambda_max log(n/delta) / m))",
        source=TROPP,
        hypotheses=(Hypothesis("gaussian_init", sp.Eq(init, 0)),),
        constants=(DELTA,),
        conclusion=sp.Le(ntk_gap, _bernstein_radius(m)),
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_gram_domain(m=(16, 1024)),
        budget=256,
    )


@register
def empirical_ntk_matrix_bernstein_radius_over_m() -> Statement:
    """Mutant: the matrix-Bernstein radius with m^(-1/2) replaced by 1/m (m^2 in place of m).

    The fluctuation of a mean of m independent matrices is of order m^(-1/2); a radius
    of order 1/m is broken at large widths.
    """
    return mutant(
        of=empirical_ntk_matrix_bernstein,
        id="ntk.empirical_ntk.matrix_bernstein_radius_over_m",
        conclusion=sp.Le(ntk_gap, _bernstein_radius(m**2)),
        domain=_gram_domain(m=(256, 2048)),
        budget=32,
    )


# ------------------------------------------------------------------ Arora et al. 2019

ARORA_CONCLUSION = sp.Le(sp.Abs(sp.sqrt(resid_sq[t]) - resid_pred[t]), epsilon)


@register
def arora2019_trajectory() -> Statement:
    """Arora, Du, Hu, Li, Wang 2019, Theorem 4.1: the residual follows H^inf's eigen-decomposition.

    If lambda0 > 0, kappa = O(eps delta / sqrt(n)), m = Omega(n^7 / (lambda0^4 kappa^2
    delta^4 eps^2)) and eta = O(lambda0 / n^2), then with probability at least 1 - delta
    over the initialisation, for all k >= 0,
    | ||y - u(k)|| - sqrt(sum_i (1 - eta lambda_i)^(2k) (v_i^T y)^2) | <= eps,
    (lambda_i, v_i) the eigenpairs of H^inf. The paper does not give the constants in its
    O and Omega: the three are ASSUMED to be 1 (a guess, shown as such; the verdict does
    not hinge on it: any constant above 1e-8 leaves the width out of reach).
    """
    C_kappa, C_m, C_eta_arora = sp.symbols("C_kappa_arora C_width_arora C_eta_arora", positive=True)
    guess = "the paper writes O()/Omega() without a constant; 1 is a guess (ASSUMED)"
    return Statement(
        id="ntk.arora2019.trajectory",
        kind="theorem",
        claim="upper bound",
        model="ntk.two_layer_relu",
        title="Arora et al. 2019: ||y - u(k)|| = sqrt(sum (1 - eta lambda_i)^(2k) (v_i^T y)^2) +- eps",
        source=ARORA,
        hypotheses=(
            Hypothesis("init_scale", sp.Le(kappa, C_kappa * epsilon * delta / sp.sqrt(n))),
            Hypothesis("width", sp.Ge(m, C_m * n**7 / (lambda0**4 * kappa**2 * delta**4 * epsilon**2))),
            Hypothesis("step", sp.Le(eta, C_eta_arora * lambda0 / n**2)),
            Hypothesis("gaussian_init", sp.Eq(init, 0)), TRAINED,
        ),
        constants=(DELTA, Constant(epsilon, sp.Rational(1, 10), "assumed",
                                   "a choice: the theorem holds for every eps > 0; instantiated at 0.1"),
                   Constant(C_kappa, 1, "assumed", guess), Constant(C_m, 1, "assumed", guess),
                   Constant(C_eta_arora, 1, "assumed", guess)),
        conclusion=ARORA_CONCLUSION,
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_with(SMALL, m=(8, 4096), steps=(20, 60), step_unit=(2, 2), step=(0.1, 0.99)),
        budget=8,
    )


def _arora_practical(tolerance_scale: sp.Expr) -> sp.Expr:
    return sp.Le(sp.Abs(sp.sqrt(resid_sq[t]) - resid_pred[t]), tolerance_scale * sp.sqrt(y_sq * n / m))


@register
def arora2019_trajectory_practical_width() -> Statement:
    """Conjecture: Arora et al.'s trajectory formula at practical widths, to within ||y|| sqrt(n/m).

    Antisymmetric initialisation with kappa = 1 (u(0) = 0 exactly; in simulations it made the
    formula accurate to about 1e-3 at m = 1e5), width 64 n to 128 n, step up to
    1/lambda_max(H^inf) (far outside eta = O(lambda0/n^2)).
    Claim: | ||y - u(k)|| - prediction | <= ||y|| sqrt(n/m) for all k.
    The constant 1 in front of ||y|| sqrt(n/m) is ASSUMED; the m^(-1/2) form is what
    simulations at n = 10, m = 1e3 to 1e5 suggest.
    """
    return Statement(
        id="ntk.arora2019.trajectory_practical_width",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=ARORA,
        hypotheses=(Hypothesis("practical_width", sp.Ge(m, 64 * n)), Hypothesis("width_cap", sp.Le(m, 128 * n)),
                    Hypothesis("step", sp.Le(eta * lambda_max_inf, 1)), TRAINED),
        conclusion=_arora_practical(1),
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_with(SMALL, kappa=(1, 1), init=(1, 1), steps=(50, 100), step_unit=(1, 1), step=(0.1, 1.0)),
        budget=200,
    )


@register
def arora2019_trajectory_ignoring_u0() -> Statement:
    """Mutant: Arora et al.'s trajectory formula (which uses y, not y - u(0)) at kappa = 1.

    The theorem needs kappa small so that u(0) ~ 0. With w_r(0) ~ N(0, I), u(0) has entries
    of size about 0.7 and the formula misses them (in simulations at n = 10: errors 0.2 to 1.2),
    far beyond ||y|| sqrt(n/m) at widths 64 n to 128 n.
    """
    return mutant(
        of=arora2019_trajectory,
        id="ntk.arora2019.trajectory_ignoring_u0",
        hypotheses=(Hypothesis("practical_width", sp.Ge(m, 64 * n)), Hypothesis("width_cap", sp.Le(m, 128 * n)),
                    Hypothesis("step", sp.Le(eta * lambda_max_inf, 1)), *GAUSSIAN_INIT, TRAINED),
        constants=(),
        conclusion=_arora_practical(1),
        domain=_with(SMALL, steps=(20, 50), step_unit=(1, 1), step=(0.1, 1.0)),
        budget=32,
    )


# ------------------------------------------------------------------ conjectures beyond the proven regime


@register
def du2019_linear_convergence_practical_width() -> Statement:
    """Conjecture: Du et al.'s conclusion at practical widths, m between 2n and 8n, at its step.

    Everything as in Theorem 4.1 (Gaussian init, kappa = 1, eta <= lambda0/(4 n^2)) except
    the width, which is a small multiple of n instead of ~1e11. At this step size the
    residual moves slowly, so within the budgeted steps the check is weak evidence.
    """
    return Statement(
        id="ntk.du2019.linear_convergence_practical_width",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=DU,
        hypotheses=(Hypothesis("practical_width", sp.Ge(m, 2 * n)), Hypothesis("width_cap", sp.Le(m, 8 * n)),
                    DU_STEP, *GAUSSIAN_INIT, TRAINED),
        constants=(C_ETA,),
        conclusion=DU_CONCLUSION,
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_with(SMALL, steps=(50, 100), step_unit=(2, 2), step=(0.05, 0.249)),
        budget=200,
    )


@register
def du2019_linear_convergence_large_step() -> Statement:
    """Conjecture: Du et al.'s conclusion with steps near 2/lambda_max(H^inf) at widths 32 n to 64 n.

    eta lambda_max(H^inf) in [1, 1.9]: far outside eta = O(lambda0/n^2). At finite width
    lambda_max(H(0)) fluctuates around lambda_max(H^inf), so steps near the edge can
    exceed 2/lambda_max(H(0)) and oscillate; this conjecture asks whether the rate
    (1 - eta lambda0/2)^k survives anyway.
    """
    return Statement(
        id="ntk.du2019.linear_convergence_large_step",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=DU,
        hypotheses=(Hypothesis("practical_width", sp.Ge(m, 32 * n)), Hypothesis("width_cap", sp.Le(m, 64 * n)),
                    Hypothesis("large_step", sp.Ge(eta * lambda_max_inf, 1)),
                    Hypothesis("below_edge", sp.Le(eta * lambda_max_inf, sp.Rational(19, 10))),
                    *GAUSSIAN_INIT, TRAINED),
        conclusion=DU_CONCLUSION,
        quantifier=with_probability(1 - sp.Rational(1, 10), over="init_seed"),
        domain=_with(SMALL, m=(1, 4096), steps=(50, 100), step_unit=(1, 1), step=(1.0, 1.9)),
        budget=200,
    )


# ------------------------------------------------------------------ edge of stability (Cohen et al. 2021)

EOS_DOMAIN = {"n": (4, 8), "d": (2, 6), "m": (16, 64), "kappa": (1, 1), "labels": (0, 1), "linearized": (0, 0),
              "spectrum_every": (1, 1), "step_unit": (3, 3)}
EDGE = 2 / eta
#: started above the edge (eta lambda_max(H(0)) in [2.05, 3]) and trained long enough to come back
ABOVE_EDGE_DOMAIN = _with(EOS_DOMAIN, steps=(150, 200), step=(2.05, 3.0))
#: "typically" (Cohen et al.'s word): a frequency over initialisations, not every instance. Past the
#: edge the dynamics are chaotic: float64 and 50-digit runs part ways after tens of unstable steps (a
#: float64 violation of the hovering band vanished on mpmath replay), so these conjectures are about
#: the float64 dynamics, decided by Monte Carlo without replay.
EOS_TYPICALLY = with_probability(1 - sp.Rational(1, 10), over="init_seed")


@register
def cohen2021_progressive_sharpening() -> Statement:
    """Conjecture (Cohen et al. 2021): below the edge, the sharpness does not fall during training.

    "Progressive sharpening": while sharpness < 2/eta, it tends to rise. Encoded as
    sharpness[t] >= sharpness[0] for every t, for steps with eta lambda_max(H(0)) in
    [0.2, 1]. In the kernel regime H(t) barely moves, so this is a sharp test of whether
    this network sharpens at all.
    """
    return Statement(
        id="ntk.cohen2021.progressive_sharpening",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=COHEN,
        hypotheses=(TRAINED,),
        conclusion=sp.Ge(sharpness[t], sharpness[0]),
        domain=_with(EOS_DOMAIN, steps=(20, 100), step=(0.2, 1.0)),
        quantifier=EOS_TYPICALLY,
        budget=32,
    )


@register
def cohen2021_sharpness_returns_below_edge() -> Statement:
    """Conjecture (Cohen et al. 2021): started above the edge, the sharpness comes back to about 2/eta.

    With eta lambda_max(H(0)) in [2.05, 3] gradient descent is unstable along the top
    eigenvector; Cohen et al. report that the sharpness drops back and then "hovers right
    at, or just above" 2/eta, with the loss still decreasing in the long run. Encoded as
    sharpness[t] <= 1.1 * 2/eta for t >= 100 (the 10% band is ASSUMED: our tolerance for "hovers").
    """
    return Statement(
        id="ntk.cohen2021.sharpness_returns_below_edge",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=COHEN,
        hypotheses=(TRAINED,),
        conclusion=sp.Le(sharpness[t], sp.Rational(11, 10) * EDGE),
        t_min=100,
        domain=ABOVE_EDGE_DOMAIN,
        quantifier=EOS_TYPICALLY,
        budget=32,
    )


@register
def cohen2021_hovers_at_edge() -> Statement:
    """Conjecture (Cohen et al. 2021): after the return, the sharpness hovers within 10% of 2/eta.

    Same instances as ``ntk.cohen2021.sharpness_returns_below_edge``; the lower side:
    sharpness[t] >= 0.9 * 2/eta for t >= 100 (the band is ASSUMED: our tolerance for "hovers").
    """
    return Statement(
        id="ntk.cohen2021.hovers_at_edge",
        kind="conjecture",
        claim="upper bound",
        model="ntk.two_layer_relu",
        source=COHEN,
        hypotheses=(TRAINED,),
        conclusion=sp.Ge(sharpness[t], sp.Rational(9, 10) * EDGE),
        t_min=100,
        domain=ABOVE_EDGE_DOMAIN,
        quantifier=EOS_TYPICALLY,
        budget=32,
    )


@register
def cohen2021_never_above_edge() -> Statement:
    """Mutant: "gradient descent never operates above the edge": sharpness[t] <= 2/eta from t = 0.

    Known false on the instances drawn: they start with eta lambda_max(H(0)) > 2.05, i.e.
    sharpness[0] > 2/eta, by construction of the step. Kept to show that the sharpness
    observable (power iteration) and the step units agree.
    """
    return mutant(
        of=cohen2021_sharpness_returns_below_edge,
        id="ntk.cohen2021.never_above_edge",
        conclusion=sp.Le(sharpness[t], EDGE),
        quantifier=for_all(),
        t_min=0,
        domain=_with(EOS_DOMAIN, m=(2, 16), n=(2, 4), steps=(1, 10), spectrum_every=(0, 0), step=(2.05, 3.0)),
        budget=10,
    )


QUADRATIC_DOMAIN = {"n": (2, 6), "d": (2, 4), "m": (1, 32), "kappa": (0.1, 3.0), "linearized": (1, 1),
                    "steps": (1, 60), "spectrum_every": (0, 0), "step_unit": (3, 3)}
LINEARIZED = Hypothesis("linearized_network", sp.Eq(linearized, 1))


@register
def cohen2021_quadratic_stable_below_edge() -> Statement:
    """The exact companion (Cohen et al. 2021, footnote on convex quadratics): below 2/lambda_max GD converges.

    The linearised network is the convex quadratic (1/2)||u0 + J0 (W - W0) - y||^2 with
    Hessian J0^T J0, whose top eigenvalue is the sharpness lambda_max(H(0)). The residual
    obeys r(k+1) = (I - eta H(0)) r(k) exactly, so
    ||r(k)||^2 <= max((1 - eta lambda_min(H(0)))^2, (1 - eta lambda_max(H(0)))^2)^k ||r(0)||^2,
    which contracts iff eta < 2/lambda_max (given lambda_min(H(0)) > 0). Checked in logarithms
    (log ||r(k)||^2 <= k log(rate) + log ||r(0)||^2), which keeps the rounding tolerance relative.
    """
    rate = sp.Max((1 - eta * lambda_min_H_0) ** 2, (1 - eta * sharpness_0) ** 2)
    # in logarithms: at t = 60 the residual falls by factors up to 1e40, and log(.) keeps the
    # comparison (and its rounding error bound) on the scale of the exponent
    return Statement(
        id="ntk.cohen2021.quadratic_stable_below_edge",
        kind="theorem",
        claim="tight",
        model="ntk.two_layer_relu",
        title="Quadratic: ||r(k)||^2 <= max(1 - eta lambda_min, eta lambda_max - 1)^(2k) ||r(0)||^2",
        source=COHEN,
        hypotheses=(LINEARIZED, Hypothesis("below_edge", sp.Lt(eta * sharpness_0, 2))),
        conclusion=sp.Le(sp.log(resid_sq[t]), t * sp.log(rate) + sp.log(resid_sq[0])),
        domain=_with(QUADRATIC_DOMAIN, step=(0.01, 1.99)),
        budget=40,
    )


@register
def cohen2021_quadratic_diverges_above_edge() -> Statement:
    """The exact companion, other direction: above 2/lambda_max GD on the quadratic diverges.

    ||r(k)||^2 = sum_i (1 - eta lambda_i)^(2k) (v_i^T r(0))^2 >= (eta lambda_max - 1)^(2k)
    (v_1^T r(0))^2, which grows geometrically when eta lambda_max > 2 and v_1^T r(0) != 0.
    Checked in logarithms, like the other direction.
    """
    return Statement(
        id="ntk.cohen2021.quadratic_diverges_above_edge",
        kind="theorem",
        claim="tight",
        model="ntk.two_layer_relu",
        title="Quadratic: ||r(k)||^2 >= (eta lambda_max - 1)^(2k) (v_1^T r(0))^2",
        source=COHEN,
        hypotheses=(LINEARIZED, Hypothesis("above_edge", sp.Gt(eta * sharpness_0, 2)),
                    Hypothesis("top_direction_present", sp.Gt(top_proj_sq, 0))),
        conclusion=sp.Ge(sp.log(resid_sq[t]), 2 * t * sp.log(eta * sharpness_0 - 1) + sp.log(top_proj_sq)),
        domain=_with(QUADRATIC_DOMAIN, step=(2.01, 3.0)),
        budget=40,
    )


@register
def cohen2021_quadratic_threshold_too_large() -> Statement:
    """Mutant: the stability threshold claimed at 2.5/lambda_max: ||r(k)|| <= ||r(0)|| for eta lambda_max < 2.5.

    Between 2/lambda_max and 2.5/lambda_max the top direction grows like (eta lambda_max - 1)^(2k).
    """
    return mutant(
        of=cohen2021_quadratic_stable_below_edge,
        id="ntk.cohen2021.quadratic_threshold_too_large",
        hypotheses=(LINEARIZED, Hypothesis("below_claimed_edge", sp.Lt(eta * sharpness_0, sp.Rational(5, 2)))),
        conclusion=sp.Le(resid_sq[t], resid_sq[0]),
        domain=_with(QUADRATIC_DOMAIN, step=(0.01, 2.49)),
    )


@register
def cohen2021_quadratic_diverges_early() -> Statement:
    """Mutant: divergence claimed from eta lambda_max > 1.8: ||r(k)|| >= ||r(0)|| for all k.

    Below 2/lambda_max every direction contracts, so the residual shrinks.
    """
    return mutant(
        of=cohen2021_quadratic_diverges_above_edge,
        id="ntk.cohen2021.quadratic_diverges_early",
        hypotheses=(LINEARIZED, Hypothesis("above_claimed_edge", sp.Gt(eta * sharpness_0, sp.Rational(9, 5)))),
        conclusion=sp.Ge(resid_sq[t], resid_sq[0]),
        domain=_with(QUADRATIC_DOMAIN, step=(1.81, 3.0)),
    )


@register
def cohen2021_quadratic_rate_slightly_faster() -> Statement:
    """Mutant: the quadratic's contraction claimed 0.1% per step faster than max |1 - eta lambda_i|^2.

    The bound of ``ntk.cohen2021.quadratic_stable_below_edge`` is attained (two inputs,
    one neuron: the residual lies along one eigenvector), so any faster rate fails: this
    mutant shows the check is sharp, not merely valid.
    """
    rate = sp.Max((1 - eta * lambda_min_H_0) ** 2, (1 - eta * sharpness_0) ** 2)
    return mutant(
        of=cohen2021_quadratic_stable_below_edge,
        id="ntk.cohen2021.quadratic_rate_slightly_faster",
        conclusion=sp.Le(sp.log(resid_sq[t]),
                         t * sp.log(sp.Rational(999, 1000) * rate) + sp.log(resid_sq[0])),
    )


@register
def cohen2021_quadratic_growth_slightly_faster() -> Statement:
    """Mutant: the divergence above the edge claimed 0.1% per step faster than (eta lambda_max - 1)^2.

    Attained when the residual starts along the top eigenvector (one neuron), so the
    faster growth fails.
    """
    return mutant(
        of=cohen2021_quadratic_diverges_above_edge,
        id="ntk.cohen2021.quadratic_growth_slightly_faster",
        conclusion=sp.Ge(sp.log(resid_sq[t]), 2 * t * sp.log(eta * sharpness_0 - 1)
                         + t * sp.log(sp.Rational(1001, 1000)) + sp.log(top_proj_sq)),
    )
