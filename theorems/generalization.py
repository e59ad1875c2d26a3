"""Generalization bounds as probability statements over the draw of the data (THEOREMS.md 9, 3).

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

import sympy as sp

from theorems._kl import kl_inv
from theorems.statement import Constant, Hypothesis, Quantifier, Source, Statement, register, with_probability
from theorems.symbols import n

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
ARORA = Source(
    "S. Arora, S. S. Du, W. Hu, Z. Li, R. Wang",
    "Fine-Grained Analysis of Optimization and Generalization for Overparameterized Two-Layer Neural Networks",
    "ICML", 2019, arxiv="1901.08584", result="Theorem 5.1 (RECALLED, THEOREMS.md 3.2)",
)

# ------------------------------------------------------------------ symbols

DELTA = sp.Rational(1, 20)
delta = sp.Symbol("delta", positive=True)


def _s(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


train_err, test_err, train_ramp, test_ramp = _s("train_err"), _s("test_err"), _s("train_ramp"), _s("test_ramp")
train_err_Q, test_err_Q, kl = _s("train_err_Q"), _s("test_err_Q"), _s("kl")
B, x_rms, rho = _s("B"), _s("x_rms"), _s("rho")

C_rad = sp.Symbol("C_rad", positive=True)
C_conf = sp.Symbol("C_conf", positive=True)

DELTA_CONSTANT = Constant(delta, DELTA, "stated", "the failure probability of the statement; the binomial test uses it")


def over_data(settings: int) -> Quantifier:
    """with_probability(1 - delta, over the training-set seed), ``settings`` drawn settings of the rest."""
    q = with_probability(1 - DELTA, over="seed")
    return Quantifier(q.kind, q.params + (("settings", settings),))


# ------------------------------------------------------------------ Rademacher: linear class


def _rademacher_margin_bound(power: sp.Expr) -> sp.Expr:
    return train_ramp + C_rad * B * x_rms / (rho * n**power) + C_conf * sp.sqrt(sp.log(1 / delta) / (2 * n))


RADEMACHER_CONSTANTS = (
    Constant(C_rad, 2, "stated", "2 R_n(Phi_rho o H) <= (2/rho) R_n(H) (Mohri Thm 3.3 and Lemma 5.7)"),
    Constant(C_conf, 1, "stated", "sqrt(ln(1/delta)/(2n)) with the expected Rademacher complexity, Mohri Thm 3.3"),
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
        id="generalization.rademacher.linear_margin", kind="theorem", model="data.teacher",
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
    return Statement(
        id="generalization.rademacher.linear_margin_wrong_power", kind="mutant",
        mutant_of="generalization.rademacher.linear_margin", model="data.teacher",
        source=MOHRI, constants=RADEMACHER_CONSTANTS,
        conclusion=sp.Le(test_ramp, _rademacher_margin_bound(1)),
        quantifier=over_data(1), budget=24,
        domain={"d": (150, 250), "n": (300, 500), "noise": (0.0, 0.0), "rho": (1.0, 1.0), "sigma": (1.0, 1.0),
                "steps": (60, 60)},
    )


@register
def rademacher_test_below_train() -> Statement:
    """Mutant: "the test error is at most the training error" (no complexity term at all).

    False whenever the trained classifier fits its sample better than the population,
    which is almost always when d/n is not small (here d = 20..50, n = 20..60).
    """
    return Statement(
        id="generalization.rademacher.test_below_train", kind="mutant",
        mutant_of="generalization.rademacher.linear_margin", model="data.teacher",
        source=MOHRI, conclusion=sp.Le(test_err, train_err), quantifier=over_data(1), budget=24,
        domain={"d": (20, 50), "n": (20, 60), "noise": (0.0, 0.2), "rho": (0.5, 1.0), "steps": (30, 60)},
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
    """PAC-Bayes bound, McAllester's square-root form with Maurer's constants (THEOREMS.md 9.3).

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
        id="generalization.pac_bayes.mcallester", kind="theorem", model="data.teacher",
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
    return Statement(
        id="generalization.pac_bayes.mcallester_no_confidence_term", kind="mutant",
        mutant_of="generalization.pac_bayes.mcallester", model="data.teacher",
        source=MAURER_MCALLESTER, hypotheses=PAC_BAYES_HYPOTHESES,
        conclusion=sp.Le(test_err_Q, _mcallester_bound(0)),
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
    sup {p >= q : kl(q || p) <= c} computed by bisection to 1e-15 (:mod:`theorems._kl`).
    This is the Langford-Seeger bound as written in the authors' code (THEOREMS.md 9.3);
    it is implied by Langford-Seeger's (KL + ln((n+1)/delta)) / n since
    n ln(n/delta) >= (n-1) ln((n+1)/delta) once n/delta > e. Single prior here (no union
    bound over a prior grid), same prior, posterior and loss as the McAllester statement.
    Never looser than the square-root form at equal confidence terms (Pinsker).
    """
    return Statement(
        id="generalization.pac_bayes.kl_inverse", kind="theorem", model="data.teacher",
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
    return Statement(
        id="generalization.pac_bayes.kl_inverse_no_confidence_term", kind="mutant",
        mutant_of="generalization.pac_bayes.kl_inverse", model="data.teacher",
        source=DZIUGAITE_ROY, hypotheses=(Hypothesis("two_points", sp.Ge(n, 2)),),
        conclusion=sp.Le(test_err_Q, _kl_form_bound(0)),
        quantifier=over_data(1), domain=SMALL_KL_DOMAIN, budget=60,
    )


__all__ = ["DELTA", "over_data"]
