"""Generalization bounds as probability statements over the draw of the data: Rademacher and margin bounds
(Mohri, Rostamizadeh, Talwalkar 2018), PAC-Bayes (Maurer 2004, McAllester 1999, Dziugaite and Roy 2017),
spectrally-normalized margin bounds (Bartlett, Foster, Telgarsky 2017) and the data-dependent bound of
Arora, Du, Hu, Li, Wang (ICML 2019).

A generalization bound says: with probability at least 1 - delta over the training
sample S of size n, the population loss of the learned predictor is at most its
empirical loss plus a complexity term. Each statement here is checked as exactly
that: many independent training sets are drawn from a distribution whose population
loss is known in closed form or to a stated precision, the predictor is trained on
each, and the failure count is decided by an exact (Clopper-Pearson) binomial test
against delta. Every verdict also carries a vacuity report (bound, true gap, their
ratio; a bound above 1 is marked vacuous — it still holds, it just says nothing).

Models: ``data.teacher`` (norm-constrained linear classifier on a Gaussian teacher
with label noise; population 0-1 error exact), ``data.teacher_net`` (two-layer ReLU
network trained by gradient descent on a linear or two-layer ReLU teacher; population
loss on a fresh sample of 20000 points, its standard error reported) and
``data.digits`` (scikit-learn's bundled digits, split at random per seed; held-out
error only, so the digits statements are conjectures, see their docstrings).

Conventions: 0-1 loss 1{y f(x) <= 0}; ramp loss Phi_rho(z) = min(1, max(0, 1 - z/rho));
logarithms natural; delta is the statement's failure probability (DELTA below).
"""

import dataclasses

import sympy as sp

from boundcheck.theorems import ntk
from boundcheck.theorems.closed_forms.kl import kl_inv
from boundcheck.theorems.statement import (
    Constant,
    Hypothesis,
    Source,
    Statement,
    WithProbability,
    mutant,
    register,
    with_probability,
)
from boundcheck.theorems.symbols import m, n

# ------------------------------------------------------------------ sources

MOHRI = Source(
    "M. Mohri, A. Rostamizadeh, A. Talwalkar", "Foundations of Machine Learning (2nd edition)", "MIT Press", 2018,
    result="Theorem 3.3 (uniform deviation), Lemma 5.7 (Talagrand contraction), Theorem 5.8 (margin bound), "
           "Theorem 5.10 (linear class)",
)
MAURER_MCALLESTER = Source(
    "A. Maurer; D. McAllester", "A Note on the PAC Bayesian Theorem; PAC-Bayesian model averaging",
    "arXiv cs/0411099 (2004); COLT 1999", 2004, arxiv="cs/0411099",
    result="Maurer Theorem 5 (kl form, n >= 8) with Pinsker's inequality: the McAllester square-root form",
)
DZIUGAITE_ROY = Source(
    "G. K. Dziugaite, D. M. Roy",
    "Computing Nonvacuous Generalization Bounds for Deep (Stochastic) Neural Networks with Many More "
    "Parameters than Training Data", "UAI", 2017, arxiv="1703.11008",
    result="the Langford-Seeger kl bound as used there (authors' code, gkdziugaite/pacbayes-opt)",
)
BFT = Source(
    "P. L. Bartlett, D. J. Foster, M. Telgarsky", "Spectrally-normalized margin bounds for neural networks",
    "NeurIPS", 2017, arxiv="1706.08498",
    result="Theorem 1.1; explicit Rademacher step Lemma A.8 as implemented by Graf et al. (NeurIPS 2022)",
)
#: the paper of the NTK family's trajectory theorem; its generalization result here
ARORA = dataclasses.replace(ntk.ARORA, result="Theorem 5.1")

# ------------------------------------------------------------------ symbols

DELTA = sp.Rational(1, 20)
#: every loss here (0-1 error, Gibbs error, ramp loss, min(|u - y|, 1)) lies in [0, 1]: a bound at or
#: above 1 cannot fail, and such runs are left out as uninformative (VACUOUS when no run is informative)
LOSS_RANGE = (0.0, 1.0)
delta = sp.Symbol("delta", positive=True)


def _s(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


train_err, test_err, train_ramp, test_ramp = _s("train_err"), _s("test_err"), _s("train_ramp"), _s("test_ramp")
train_err_Q, test_err_Q, kl = _s("train_err_Q"), _s("test_err_Q"), _s("kl")
B, x_rms, rho = _s("B"), _s("x_rms"), _s("rho")

C_rad = sp.Symbol("C_rad", positive=True)
C_conf = sp.Symbol("C_conf", positive=True)

DELTA_CONSTANT = Constant(delta, DELTA, "assumed", "a choice, not a guess: every bound here holds for each delta in "
                          "(0, 1); instantiated at 1/20, the failure probability the binomial test uses")


def over_data(settings: int) -> WithProbability:
    """with_probability(1 - delta, over the training-set seed), ``settings`` drawn settings of the rest."""
    return with_probability(1 - DELTA, over="seed", settings=settings)


# ------------------------------------------------------------------ Rademacher: linear class


def _rademacher_margin_bound(power: sp.Expr) -> sp.Expr:
    return train_ramp + C_rad * B * x_rms / (rho * n**power) + C_conf * sp.sqrt(sp.log(1 / delta) / (2 * n))


RADEMACHER_CONSTANTS = (
    Constant(C_rad, 2, "stated", "Mohri et al. 2018, Theorem 5.8: the term (2/rho) R_m(H), from Theorem 3.3's "
             "2 R_m and Talagrand's Lemma 5.7"),
    Constant(C_conf, 1, "stated", "Mohri et al. 2018, Theorem 3.3 (eq. 3.3): sqrt(ln(1/delta)/(2m)) with the "
             "expected Rademacher complexity"),
    DELTA_CONSTANT,
)
TEACHER_LINEAR_DOMAIN = {"d": (5, 50), "n": (100, 1000), "noise": (0.0, 0.3), "rho": (0.25, 2.0),
                         "sigma": (0.5, 4.0), "steps": (30, 60)}


@register
def rademacher_linear_margin() -> Statement:
    """Margin bound for norm-bounded linear classifiers (Mohri et al., Theorems 3.3, 5.8, 5.10).

    For H = {x -> w^T x : ||w||_2 <= B} and a margin rho > 0 fixed before the data, with
    probability at least 1 - delta over S (n i.i.d. points), every h in H satisfies

        E Phi_rho(y h(x)) <= (1/n) sum_i Phi_rho(y_i h(x_i)) + (2/rho) R_n(H) + sqrt(ln(1/delta) / (2n)),

    with R_n(H) = E_S (B/n) E_sigma ||sum_i sigma_i x_i|| <= B sqrt(E ||x||^2) / sqrt(n)
    (Jensen twice; Mohri Thm 5.10 in expectation over S). The left side is the ramp
    loss's population value, which is what the proof bounds (Thm 3.3 applied to the
    [0, 1]-valued class Phi_rho o H, then Talagrand's contraction, Lemma 5.7); the
    published 0-1 form follows from 1{z <= 0} <= Phi_rho(z). x_rms = sqrt(E ||x||^2) = sqrt(d)
    for x ~ N(0, I_d). The predictor is trained on S (projected GD), so the bound is used
    exactly as a uniform bound must be. Upper bound; typically vacuous when d/n is not small.
    """
    return Statement(
        id="generalization.rademacher.linear_margin", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher",
        title="Rademacher margin bound for ||w|| <= B linear classifiers (population ramp loss)",
        source=MOHRI, constants=RADEMACHER_CONSTANTS,
        conclusion=sp.Le(test_ramp, _rademacher_margin_bound(sp.Rational(1, 2))),
        quantifier=over_data(2), domain=TEACHER_LINEAR_DOMAIN, budget=180,
    )


@register
def rademacher_linear_margin_wrong_power() -> Statement:
    """Mutant: the Rademacher term with the wrong power of n, B x_rms / (rho n) instead of / (rho sqrt(n)).

    A complexity that decays like 1/n cannot bound an overfitting gap that decays like
    sqrt(d/n): with d = 150..250 and n = 300..500 the trained classifier's ramp-loss
    gap (about 0.2) exceeds 2 sqrt(d)/(rho n) + sqrt(ln 20 / (2n)) (about 0.13) on most draws.
    """
    return mutant(
        of=rademacher_linear_margin, id="generalization.rademacher.linear_margin_wrong_power",
        conclusion=sp.Le(test_ramp, _rademacher_margin_bound(1)),
        quantifier=over_data(1), budget=24,
        domain={"d": (150, 250), "n": (300, 500), "noise": (0.0, 0.0), "rho": (1.0, 1.0), "sigma": (1.0, 1.0),
                "steps": (60, 60)},
    )


@register
def rademacher_test_below_train() -> Statement:
    """Mutant: "the test error is at most the training error" (no complexity term at all).

    False whenever the trained classifier fits its sample better than the population,
    which is almost always when d/n is not small (here d = 20..40, n = 40..80). Label noise
    of 15-25% keeps the training error, the claimed bound, above 0: the claim is caught
    where it says something, not only where it claims a test error of 0.
    """
    return mutant(
        of=rademacher_linear_margin, id="generalization.rademacher.test_below_train",
        constants=(), conclusion=sp.Le(test_err, train_err), quantifier=over_data(1), budget=24,
        domain={"d": (20, 40), "n": (40, 80), "noise": (0.15, 0.25), "rho": (0.5, 1.0), "steps": (30, 60)},
    )


# ------------------------------------------------------------------ the Bayes error (a floor every learner meets)

DGL = Source(
    "L. Devroye, L. Gyorfi, G. Lugosi", "A Probabilistic Theory of Pattern Recognition", "Springer", 1996,
    result="Theorem 2.1 (the Bayes decision has the least error: L* <= P(g(X) != Y) for every g)",
)
noise = _s("noise")


@register
def bayes_error_floor() -> Statement:
    """No classifier beats the Bayes error (Devroye, Gyorfi, Lugosi 1996, Theorem 2.1).

    On ``data.teacher`` the labels are sign(x_1) flipped independently of x with
    probability q = ``noise``, so the Bayes classifier is sign(x_1) with error L* = q, and
    every classifier g has P(g(X) != Y) = q + (1 - 2q) P(g(X) != sign(x_1)) >= q. Checked on
    the trained linear classifier over training sets: its population 0-1 error is at
    least q. A lower bound that trained classifiers approach as n / d grows (the
    learner's excess error (1 - 2q) angle / pi shrinks): the truth a near-boundary mutant
    can be measured against.
    """
    return Statement(
        id="generalization.bayes.error_floor", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher",
        title="Bayes error floor: the population 0-1 error of any classifier is at least the label noise",
        source=DGL, conclusion=sp.Ge(test_err, noise),
        quantifier=over_data(2), budget=200,
        domain={"d": (2, 20), "n": (100, 1000), "noise": (0.05, 0.45), "rho": (1.0, 1.0), "sigma": (1.0, 1.0),
                "steps": (30, 60)},
    )


@register
def bayes_error_floor_five_percent_high() -> Statement:
    """Mutant: the Bayes floor claimed 5% higher than it is, P(g(X) != Y) >= 1.05 q.

    With n = 2000..4000 points in d = 2..3 dimensions the trained classifier's direction
    is within a few degrees of the teacher's, so its error is within 5% of q = 0.2..0.3
    on most training sets (46 of 60 in the measurement that chose this domain): a
    near-boundary mutant, 5% from the truth, caught where the claimed floor is positive.
    """
    return mutant(
        of=bayes_error_floor, id="generalization.bayes.error_floor_five_percent_high",
        conclusion=sp.Ge(test_err, sp.Rational(105, 100) * noise), quantifier=over_data(1), budget=60,
        domain={"d": (2, 3), "n": (2000, 4000), "noise": (0.2, 0.3), "rho": (1.0, 1.0), "sigma": (1.0, 1.0),
                "steps": (60, 60)},
    )


# ------------------------------------------------------------------ PAC-Bayes


def _mcallester_bound(confidence: sp.Expr) -> sp.Expr:
    return train_err_Q + sp.sqrt((kl + confidence) / (2 * n))


MAURER_CONFIDENCE = sp.log(2 * sp.sqrt(n) / delta)
PAC_BAYES_DOMAIN = {"d": (5, 50), "n": (50, 1000), "noise": (0.0, 0.3), "rho": (0.5, 2.0), "sigma": (0.5, 4.0),
                    "prior_mean": (0.0, 0.0), "anchor": (0.0, 0.0), "steps": (30, 60)}
#: small n, a prior informed by the distribution and a posterior close to it (KL <= 0.06):
#: the confidence term is nearly all of the bound
SMALL_KL_DOMAIN = {"d": (5, 10), "n": (10, 30), "noise": (0.1, 0.2), "rho": (0.5, 1.0), "sigma": (0.5, 1.0),
                   "prior_mean": (1.0, 1.0), "anchor": (0.9, 1.0), "steps": (30, 60)}
PAC_BAYES_HYPOTHESES = (Hypothesis("maurer_n", sp.Ge(n, 8)),)


@register
def pac_bayes_mcallester() -> Statement:
    """PAC-Bayes bound, McAllester's square-root form with Maurer's constants (Maurer 2004, with Pinsker).

    For a loss in [0, 1], a prior P fixed before S, and n >= 8: with probability at least
    1 - delta over S, for every posterior Q,

        L(Q) <= L-hat(Q) + sqrt( (KL(Q || P) + ln(2 sqrt(n) / delta)) / (2n) ),

    Pinsker's inequality applied to Maurer's kl bound (Maurer 2004, Theorem 5). Here the
    loss is the 0-1 error of the linear classifier x -> sign(w'^T x), the prior is
    P = N(0, s^2 I_d) and the posterior Q = N(w, s^2 I_d) around the trained weights, with
    s = sigma / sqrt(d) chosen before the data; KL(Q || P) = ||w||^2 / (2 s^2). L-hat(Q) is
    exact (mean of Phi(-y_i w^T x_i / (s ||x_i||))); L(Q) is a Monte Carlo mean over 4000
    posterior draws of each draw's exact error (standard error about 1e-3, reported).
    """
    return Statement(
        id="generalization.pac_bayes.mcallester", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher",
        title="PAC-Bayes (McAllester/Maurer square-root form), Gaussian posterior around trained weights",
        source=MAURER_MCALLESTER, constants=(DELTA_CONSTANT,), hypotheses=PAC_BAYES_HYPOTHESES,
        conclusion=sp.Le(test_err_Q, _mcallester_bound(MAURER_CONFIDENCE)),
        quantifier=over_data(2), domain=PAC_BAYES_DOMAIN, budget=180,
    )


@register
def pac_bayes_mcallester_no_confidence_term() -> Statement:
    """Mutant: the McAllester bound without its confidence term ln(2 sqrt(n)/delta), at small n.

    The prior is informed by the distribution (centred on the teacher direction, fixed
    before the data) and the posterior sits within a tenth of the way from it to the
    trained weights, so KL(Q || P) is typically below 0.1. With n = 10..30 what remains,
    L-hat(Q) + sqrt(KL / (2n)), is within a fraction of the sampling fluctuation of
    L-hat(Q) (about sqrt(q(1-q)/n) >= 0.05) of its mean: the "bound" fails on a large
    fraction of training sets. (At anchor = 1, Q = P and it claims L(P) <= L-hat(P).)
    """
    return mutant(
        of=pac_bayes_mcallester, id="generalization.pac_bayes.mcallester_no_confidence_term",
        constants=(), conclusion=sp.Le(test_err_Q, _mcallester_bound(0)),
        quantifier=over_data(1), domain=SMALL_KL_DOMAIN, budget=60,
    )


def _kl_form_bound(confidence: sp.Expr) -> sp.Expr:
    return kl_inv(train_err_Q, (kl + confidence) / (n - 1))


@register
def pac_bayes_kl_inverse() -> Statement:
    """PAC-Bayes kl bound in the form used by Dziugaite and Roy (2017), inverted exactly.

    With probability at least 1 - delta over S, for every posterior Q,

        kl( L-hat(Q) || L(Q) ) <= (KL(Q || P) + ln(n / delta)) / (n - 1),

    i.e. L(Q) <= kl^{-1}(L-hat(Q), (KL + ln(n/delta)) / (n - 1)), with kl^{-1}(q, c) =
    sup {p >= q : kl(q || p) <= c} computed by bisection to 1e-15 (:mod:`boundcheck.theorems.closed_forms.kl`).
    This is the Langford-Seeger bound as written in the authors' code (gkdziugaite/pacbayes-opt);
    it is implied by Langford-Seeger's (KL + ln((n+1)/delta)) / n since
    n ln(n/delta) >= (n-1) ln((n+1)/delta) once n/delta > e. Single prior here (no union
    bound over a prior grid), same prior, posterior and loss as the McAllester statement.
    Never looser than the square-root form at equal confidence terms (Pinsker).
    """
    return Statement(
        id="generalization.pac_bayes.kl_inverse", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher",
        title="PAC-Bayes kl bound (Langford-Seeger / Dziugaite-Roy), kl inverted by bisection",
        source=DZIUGAITE_ROY, constants=(DELTA_CONSTANT,), hypotheses=(Hypothesis("two_points", sp.Ge(n, 2)),),
        conclusion=sp.Le(test_err_Q, _kl_form_bound(sp.log(n / delta))),
        quantifier=over_data(2), domain=PAC_BAYES_DOMAIN, budget=180,
    )


@register
def pac_bayes_kl_inverse_no_confidence_term() -> Statement:
    """Mutant: the kl bound without its confidence term ln(n/delta), at small n.

    kl(L-hat(Q) || L(Q)) <= KL(Q || P) / (n - 1), with the informed prior and the
    posterior close to it (KL typically below 0.1) of the McAllester mutant and
    n = 10..30: the allowed deviation is a fraction of the sampling fluctuation.
    """
    return mutant(
        of=pac_bayes_kl_inverse, id="generalization.pac_bayes.kl_inverse_no_confidence_term",
        constants=(), conclusion=sp.Le(test_err_Q, _kl_form_bound(0)),
        quantifier=over_data(1), domain=SMALL_KL_DOMAIN, budget=60,
    )


# ------------------------------------------------------------------ two-layer ReLU networks

train_loss, test_loss, yHy, lambda0 = _s("train_loss"), _s("test_loss"), _s("yHy"), _s("lambda0")
margin_err, R_A, X_fro, width = _s("margin_err"), _s("R_A"), _s("X_fro"), _s("width")
kappa = sp.Symbol("kappa", positive=True)
gamma = sp.Symbol("gamma", positive=True)
C_arora, C_width, C_kappa = (sp.Symbol(name, positive=True) for name in ("C_arora", "C_width", "C_kappa"))
C_bft, C_bft_conf = sp.Symbol("C_bft", positive=True), sp.Symbol("C_bft_conf", positive=True)

#: n = 50 points in d = 10 on the sphere, two-layer ReLU teacher, 10% label noise, width 256,
#: antisymmetric init at kappa = 1, 200 GD steps of size 1 / lambda_max(H^inf): fits to train error 0
NET_DOMAIN = {"d": (10, 10), "n": (50, 50), "noise": (0.1, 0.1), "teacher": (1, 1), "gamma": (0.5, 0.5),
              "step": (1.0, 1.0), "steps": (200, 200), "kappa": (1.0, 1.0), "m": (256, 256)}

ARORA_CONSTANTS = (
    Constant(C_arora, 1, "assumed", "the O(sqrt(log(n/(lambda0 delta))/n)) term of Theorem 5.1; constant not given"),
    DELTA_CONSTANT,
)


HALF = sp.Rational(1, 2)


def _arora_bound(power: sp.Expr = HALF, lower_order: bool = True) -> sp.Expr:
    leading = sp.sqrt(2 * yHy) / n**power
    return leading + (C_arora * sp.sqrt(sp.log(n / (lambda0 * delta)) / n) if lower_order else 0)


@register
def arora_data_dependent() -> Statement:
    """Arora, Du, Hu, Li, Wang 2019, Theorem 5.1: the data-dependent bound sqrt(2 y^T (H^inf)^-1 y / n).

    Two-layer ReLU network f = m^{-1/2} sum_r a_r relu(w_r^T x), only W trained by GD on
    the squared loss from w_r(0) ~ N(0, kappa^2 I); data i.i.d. with ||x|| = 1, |y| <= 1,
    lambda0 = lambda_min(H^inf) > 0; loss l(u, y) = min(|u - y|, 1) (bounded,
    1-Lipschitz, l(y, y) = 0). If kappa = O(lambda0 delta / n), m >= kappa^{-2}
    poly(n, 1/lambda0, 1/delta) and k >= Omega(log(n/delta) / (eta lambda0)) steps, then
    with probability at least 1 - delta over the initialisation and the sample

        E l(f(x), y) <= sqrt(2 y^T (H^inf)^{-1} y / n) + O( sqrt( log(n / (lambda0 delta)) / n ) ).

    Recalled from the paper, not confirmed against its text. Constants: the O() of the conclusion is
    C_arora (ASSUMED 1);
    the width polynomial is not given: the hypothesis uses Theorem 4.1's
    m >= n^7 / (lambda0^4 kappa^2 delta^4) (eps = 1; C_width ASSUMED 1) and
    kappa <= C_kappa lambda0 delta / n (C_kappa ASSUMED 1). Since H^inf_ii = 1/2,
    lambda0 <= 1/2, so the hypotheses imply m >= 16 n^7 / (kappa^2 delta^4) and
    kappa <= delta / (2n) (DERIVED), which are stated too so that the demanded width is
    reported before anything runs: no runnable instance meets them (VACUOUS). The step
    hypotheses (eta = O(lambda0 / n^2), k >= Omega(log(n/delta) / (eta lambda0))) are
    not encoded: the width alone already excludes every runnable instance.
    """
    return Statement(
        id="generalization.arora.data_dependent", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher_net",
        title="Arora et al. 2019 data-dependent bound, under its width and init-scale hypotheses",
        source=ARORA,
        constants=(*ARORA_CONSTANTS,
                   Constant(C_width, 1, "assumed", "poly(n, 1/lambda0, 1/delta) taken from Theorem 4.1 with eps = 1"),
                   Constant(C_kappa, 1, "assumed", "kappa = O(lambda0 delta / n), constant not given")),
        hypotheses=(
            Hypothesis("init_scale_implied", sp.Le(kappa, C_kappa * delta / (2 * n))),
            Hypothesis("width_implied", sp.Ge(m, 16 * C_width * n**7 / (kappa**2 * delta**4))),
            Hypothesis("init_scale", sp.Le(kappa, C_kappa * lambda0 * delta / n)),
            Hypothesis("width", sp.Ge(m, C_width * n**7 / (lambda0**4 * kappa**2 * delta**4))),
        ),
        conclusion=sp.Le(test_loss, _arora_bound()),
        quantifier=over_data(1), budget=80,
        domain={**NET_DOMAIN, "kappa": (1e-6, 1.0), "m": (2, 4096)},
    )


@register
def arora_practical_width() -> Statement:
    """Conjecture: the Arora et al. bound at a practical width (m = 256, kappa = 1, antisymmetric init).

    The conclusion of Theorem 5.1 with C_arora = 1 (ASSUMED), with the width and
    init-scale hypotheses dropped: n = 50, d = 10, two-layer ReLU teacher with 10% label
    noise; the network fits the sample (training loss near 0). Antisymmetric
    initialisation makes f(0) = 0, which the bound's y^T (H^inf)^{-1} y silently assumes
    (the paper's small kappa makes f(0) nearly 0; with kappa = 1 and a random initialisation
    the formulas in y were found numerically to miss). The population loss is estimated on
    5000 fresh points (standard error about 0.005). With noisy labels y^T (H^inf)^{-1} y is large and the bound is
    about 3, above the loss's range [0, 1] on every run: such a run cannot fail, so the
    verdict is VACUOUS (uninformative, with the median bound), never HOLDS.
    """
    return Statement(
        id="generalization.arora.practical_width", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher_net",
        title="Arora et al. 2019 bound at practical width (conjecture)", source=ARORA,
        constants=ARORA_CONSTANTS, conclusion=sp.Le(test_loss, _arora_bound()),
        quantifier=over_data(1), domain=NET_DOMAIN, budget=80,
    )


@register
def arora_wrong_power() -> Statement:
    """Mutant: sqrt(2 y^T (H^inf)^-1 y) / n (the wrong power of n) and no lower-order term.

    y^T (H^inf)^{-1} y grows about linearly in n for noisy labels, so this "bound" decays
    like n^{-1/2} times the true one: at n = 50 it is about 0.35 against a population
    loss about 0.65 (practical width, as in the conjecture).
    """
    return mutant(
        of=arora_data_dependent, id="generalization.arora.wrong_power",
        constants=ARORA_CONSTANTS, hypotheses=(),
        conclusion=sp.Le(test_loss, _arora_bound(power=1, lower_order=False)),
        domain=NET_DOMAIN, budget=16,
    )


BFT_CONSTANTS = (
    Constant(C_bft, 72, "derived", "2 x 36 from the Rademacher step (Lemma A.8, Graf et al. code) in Mohri Thm 3.3"),
    Constant(C_bft_conf, 3, "stated", "stated by Mohri et al. 2018, Theorem 3.3 (eq. 3.4, the empirical-Rademacher "
             "form: 3 sqrt(ln(2/delta)/(2m))), the step the explicit version uses; not by BFT's Theorem 1.1 (O~)"),
    Constant(sp.Symbol("C_bft_uniform", positive=True), 1, "assumed",
             "uniformity over gamma and the norms: ln(2W) instead of sqrt(ln(2W)), the explicit version "
             "as recalled from Bartlett, Foster, Telgarsky 2017 (not confirmed)"),
    DELTA_CONSTANT,
)


def _bft_bound() -> sp.Expr:
    complexity = C_bft * sp.log(n) * sp.log(2 * width) * X_fro * R_A / (gamma * n)
    return margin_err + 8 / n + complexity + C_bft_conf * sp.sqrt(sp.log(2 / delta) / (2 * n))


@register
def bft_spectral_margin() -> Statement:
    """Bartlett, Foster, Telgarsky 2017, Theorem 1.1: the spectrally normalised margin bound.

    With probability at least 1 - delta over S, for every margin gamma > 0 and network
    F_A with rho_i-Lipschitz activations,

        P(y F_A(x) <= 0) <= R-hat_gamma(F_A) + 8/n + 72 ||X||_2 R_A ln(2W) ln(n) / (gamma n)
                            + 3 sqrt(ln(2/delta) / (2n)),

    R_A = (prod_i rho_i ||A_i||_sigma) (sum_i (||A_i^T - M_i^T||_{2,1} / ||A_i||_sigma)^{2/3})^{3/2}
    (references M_i: the initialisation), ||X||_2 = sqrt(sum_i ||x_i||^2), W = max width.
    The published theorem has O~(); the explicit constants are the uniform version as
    recalled from the paper, not confirmed against its text (72 = 2 x 36 DERIVED from
    Lemma A.8 as coded by Graf et al., NeurIPS 2022; ln(2W) for the uniformity over gamma
    and the norms ASSUMED, not confirmed).
    Binary adaptation: the scalar network's margin is y f(x); the two-output network
    (f/2, -f/2) has this margin and an output layer of half our spectral norm, so our R_A
    is at least the theorem's (conservative). Typically vacuous by orders of magnitude.
    """
    return Statement(
        id="generalization.bft.spectral_margin", kind="theorem", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.teacher_net",
        title="Spectrally-normalized margin bound (Bartlett-Foster-Telgarsky 2017), explicit recalled constants",
        source=BFT, constants=BFT_CONSTANTS, conclusion=sp.Le(test_err, _bft_bound()),
        quantifier=over_data(1), domain=NET_DOMAIN, budget=80,
    )


@register
def bft_margin_only() -> Statement:
    """Mutant: test error <= training margin error (the margin bound with no complexity or confidence term).

    The network interpolates its noisy sample (margin error 0 at gamma = 0.5) while its
    population error is about 0.3. (Keeping 8/n + 3 sqrt(ln(2/delta)/(2n)) = 0.74 at
    n = 50 would not be false here: the confidence term alone exceeds the true gap.)
    """
    return mutant(
        of=bft_spectral_margin, id="generalization.bft.margin_only",
        constants=(), conclusion=sp.Le(test_err, margin_err), budget=16,
    )


# ------------------------------------------------------------------ digits (held-out, conjectures)

DIGITS_DOMAIN = {"n": (500, 500), "rho": (0.25, 0.25), "sigma": (1.0, 1.0), "steps": (50, 50)}
DIGITS_NOTE = """

    On ``data.digits`` this is a conjecture, not the theorem: the data set is fixed, the
    training set is a random subset drawn without replacement, and the left-hand side is
    the error on the held-out images, not a population error. The theorem says nothing
    about that frequency; what is reported is the bound against the held-out error on
    random splits (the vacuity report), and the verdict is the frequency over splits
    with which the held-out error exceeded the bound, judged against delta for
    information only (a conjecture is reported, not judged)."""


@register
def digits_rademacher_linear_margin() -> Statement:
    return Statement(
        id="generalization.digits.rademacher_linear_margin", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.digits",
        title="Rademacher margin bound on digits (5-9 vs 0-4): bound vs HELD-OUT ramp loss over random splits",
        source=MOHRI, constants=RADEMACHER_CONSTANTS,
        doc=(rademacher_linear_margin.__doc__ or "") + DIGITS_NOTE,
        conclusion=sp.Le(test_ramp, _rademacher_margin_bound(sp.Rational(1, 2))),
        quantifier=over_data(1), domain=DIGITS_DOMAIN, budget=80,
    )


@register
def digits_pac_bayes_mcallester() -> Statement:
    return Statement(
        id="generalization.digits.pac_bayes_mcallester", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.digits",
        title="PAC-Bayes (McAllester/Maurer) on digits: bound vs HELD-OUT Gibbs error over random splits",
        source=MAURER_MCALLESTER, constants=(DELTA_CONSTANT,), hypotheses=PAC_BAYES_HYPOTHESES,
        doc=(pac_bayes_mcallester.__doc__ or "") + DIGITS_NOTE,
        conclusion=sp.Le(test_err_Q, _mcallester_bound(MAURER_CONFIDENCE)),
        quantifier=over_data(1), domain=DIGITS_DOMAIN, budget=80,
    )


@register
def digits_pac_bayes_kl_inverse() -> Statement:
    return Statement(
        id="generalization.digits.pac_bayes_kl_inverse", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.digits",
        title="PAC-Bayes kl bound (Dziugaite-Roy form) on digits: bound vs HELD-OUT Gibbs error over random splits",
        source=DZIUGAITE_ROY, constants=(DELTA_CONSTANT,), hypotheses=(Hypothesis("two_points", sp.Ge(n, 2)),),
        doc=(pac_bayes_kl_inverse.__doc__ or "") + DIGITS_NOTE,
        conclusion=sp.Le(test_err_Q, _kl_form_bound(sp.log(n / delta))),
        quantifier=over_data(1), domain=DIGITS_DOMAIN, budget=80,
    )


@register
def digits_test_below_train() -> Statement:
    """Mutant: on digits, the held-out error of the trained linear classifier is at most its
    training error — every bound above with its complexity and confidence terms dropped.

    Known false: with n = 500 training digits and d = 65 the classifier fits its sample
    better than fresh digits (measured gap in 0-1 error about 0.02): the held-out error
    exceeded the training error on 20 of 24 random splits.
    """
    return mutant(
        of=digits_rademacher_linear_margin, id="generalization.digits.test_below_train",
        constants=(), conclusion=sp.Le(test_err, train_err), budget=24,
    )


#: n = 100 random digits (unit-norm inputs, d = 65), width 64, 150 GD steps: fits its sample
DIGITS_NET_DOMAIN = {"n": (100, 100), "gamma": (0.5, 0.5), "step": (1.0, 1.0), "steps": (150, 150),
                     "kappa": (1.0, 1.0), "m": (64, 64)}
FEW_SPLITS_NOTE = """

    Few splits (24) for the cost of training: the verdict is expected INCONCLUSIVE even
    with no failure; the report is the bound against the held-out loss or error."""


@register
def digits_arora_practical_width() -> Statement:
    return Statement(
        id="generalization.digits.arora_practical_width", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.digits_net",
        title="Arora et al. bound on digits at practical width: bound vs HELD-OUT loss over random splits",
        source=ARORA, constants=ARORA_CONSTANTS,
        doc=(arora_practical_width.__doc__ or "") + DIGITS_NOTE + FEW_SPLITS_NOTE,
        conclusion=sp.Le(test_loss, _arora_bound()),
        quantifier=over_data(1), domain=DIGITS_NET_DOMAIN, budget=24,
    )


@register
def digits_bft_spectral_margin() -> Statement:
    return Statement(
        id="generalization.digits.bft_spectral_margin", kind="conjecture", claim="upper bound",
        observed_range=LOSS_RANGE, model="data.digits_net",
        title="Spectrally-normalized margin bound on digits: bound vs HELD-OUT error over random splits",
        source=BFT, constants=BFT_CONSTANTS,
        doc=(bft_spectral_margin.__doc__ or "") + DIGITS_NOTE + FEW_SPLITS_NOTE,
        conclusion=sp.Le(test_err, _bft_bound()),
        quantifier=over_data(1), domain=DIGITS_NET_DOMAIN, budget=24,
    )


__all__ = ["DELTA", "over_data"]
