"""Polynomial proof steps of the classical rates (:mod:`boundcheck.theorems.classical`), the two-layer
linear-network results (Min, Tarmoun, Vidal, Mallada 2021) and the NTK results (Du, Zhai, Poczos, Singh 2019).

Each statement claims p >= 0 on the set where its hypotheses hold, for polynomials in a
few real scalars; the quantifier ``sum_of_squares(degree, serves)`` names the degree of
the certificate searched for and the statement (or the paper's result) the step serves.
They are decided by :mod:`boundcheck.verifiers.certificates.sos`: an SOS identity checked exactly in sympy
(HOLDS), a sampled point of the set where p < 0 (VIOLATED), or neither (INCONCLUSIVE).

Scale: the gradient-descent steps are written in the normalised step h = L eta and the
inverse condition number q = mu / L (the classes are invariant under f -> f / L), so the
variables are dimensionless.
"""

import sympy as sp

from boundcheck.theorems.classical import DRORI_TEBOULLE, KARIMI, NESTEROV, PEPIT_STRONGLY_CONVEX
from boundcheck.theorems.statement import Hypothesis, Source, Statement, mutant, register, sum_of_squares

h = sp.Symbol("h", real=True)  # L * eta
q = sp.Symbol("q", real=True)  # mu / L
eta = sp.Symbol("eta", real=True)
c = sp.Symbol("c", real=True)
K = sp.Symbol("K", real=True)
lam = sp.Symbol("lam", real=True)
n = sp.Symbol("n", real=True)
a, b, p = sp.symbols("a b p", real=True)

DU = Source("S. S. Du, X. Zhai, B. Poczos, A. Singh",
            "Gradient Descent Provably Optimizes Over-parameterized Neural Networks", "ICLR", 2019,
            arxiv="1810.02054",
            result="Theorem 4.1 (step-size bookkeeping, derived here from the paper's proof; the paper's exact "
                   "constant is not confirmed)")
MIN = Source("H. Min, S. Tarmoun, R. Vidal, E. Mallada",
             "On the Explicit Role of Initialization on the Convergence and Implicit Bias of Overparametrized "
             "Linear Networks", "ICML", 2021, arxiv="2105.06351",
             result="scalar case and GD contraction (derived here in the paper's setting)")


def _nonneg(name: str, expr: sp.Expr) -> Hypothesis:
    return Hypothesis(name, sp.Ge(expr, 0))


STEP_UNIT = (_nonneg("h_nonnegative", h), _nonneg("h_at_most_2", 2 - h))
Q_UNIT = (_nonneg("q_nonnegative", q), _nonneg("q_at_most_1", 1 - q))
BOX = {"h": (0.0, 3.0), "q": (0.0, 1.0)}


@register
def descent_coefficient() -> Statement:
    """Descent lemma: the coefficient h (1 - h/2) of ||grad f||^2 / L is >= 0 for h in [0, 2].

    f(x - eta g) <= f(x) - eta (1 - L eta / 2) ||g||^2 gives descent exactly when
    h (2 - h) >= 0; the textbook stationarity bound divides by it.
    """
    return Statement(
        id="proof_steps.descent_coefficient", kind="proof_step", claim="tight", model="polynomial", source=NESTEROV,
        hypotheses=STEP_UNIT, conclusion=sp.Ge(h * (2 - h), 0), domain=BOX,
        quantifier=sum_of_squares(2, "classical.nonconvex.textbook_min_grad"),
    )


@register
def descent_coefficient_past_limit() -> Statement:
    """Mutant: the descent coefficient claimed nonnegative for h up to 3 (false for h > 2)."""
    return mutant(
        of=descent_coefficient, id="proof_steps.descent_coefficient_past_limit",
        hypotheses=(_nonneg("h_nonnegative", h), _nonneg("h_at_most_3", 3 - h)),
        quantifier=sum_of_squares(2, "classical.nonconvex.textbook_min_grad_step_past_limit"),
    )


@register
def pl_factor_nonnegative() -> Statement:
    """PL step: the contraction factor 1 - q h (2 - h) is >= 0 for q in [0, 1], h in [0, 2].

    Certificate: 1 - q h (2 - h) = (1 - q h)^2 + q (1 - q) h^2. With the descent lemma and
    PL it gives f(x_{k+1}) - f* <= (1 - q h (2 - h)) (f(x_k) - f*), a factor in [0, 1].
    Kept as a conjecture (reported, not judged): p vanishes on the set at (h, q) = (1, 1),
    so every Gram matrix of s_0 is singular, and rounding the solver's (irrational)
    solution does not land on an exact certificate; boundcheck.verifiers.certificates.sos reports INCONCLUSIVE.
    """
    return Statement(
        id="proof_steps.pl_factor_nonnegative", kind="conjecture", claim="tight", model="polynomial", source=KARIMI,
        hypotheses=STEP_UNIT + Q_UNIT, conclusion=sp.Ge(1 - q * h * (2 - h), 0), domain=BOX,
        quantifier=sum_of_squares(4, "classical.pl.linear_rate_any_step"),
    )


@register
def pl_factor_at_most_one() -> Statement:
    """PL step: the contraction factor 1 - q h (2 - h) is <= 1, i.e. q h (2 - h) >= 0."""
    return Statement(
        id="proof_steps.pl_factor_at_most_one", kind="proof_step", claim="tight", model="polynomial", source=KARIMI,
        hypotheses=STEP_UNIT + Q_UNIT, conclusion=sp.Le(1 - q * h * (2 - h), 1), domain=BOX,
        quantifier=sum_of_squares(4, "classical.pl.linear_rate_any_step"),
    )


@register
def strongly_convex_factor() -> Statement:
    """Strongly convex GD: the small-step factor (1 - q h)^2 is <= 1 for q in [0, 1], h in [0, 2].

    1 - (1 - q h)^2 = q h (2 - q h), and 2 - q h = (2 - h) + h (1 - q) >= 0; with
    (1 - h)^2 <= 1 (the descent coefficient) the contraction max{(1 - q h)^2, (1 - h)^2}
    is at most 1.
    """
    return Statement(
        id="proof_steps.strongly_convex_factor", kind="proof_step", claim="tight", model="polynomial",
        source=PEPIT_STRONGLY_CONVEX,
        hypotheses=STEP_UNIT + Q_UNIT, conclusion=sp.Le((1 - q * h) ** 2, 1), domain=BOX,
        quantifier=sum_of_squares(4, "classical.strongly_convex.distance"),
    )


@register
def drori_teboulle_huber_threshold() -> Statement:
    """Drori-Teboulle tightness: the Huber threshold tau = R / (2 N h + 1) keeps x_N >= tau.

    With R = 1, x_k = 1 - k h tau while in the linear part; x_N - tau >= 0 reads
    (2 N h + 1) - N h - 1 = N h >= 0 after multiplying by 2 N h + 1 > 0 (N >= 1, h >= 0).
    """
    N = sp.Symbol("N", real=True)
    return Statement(
        id="proof_steps.drori_teboulle_huber_threshold", kind="proof_step", claim="tight", model="polynomial",
        source=DRORI_TEBOULLE,
        hypotheses=(_nonneg("h_nonnegative", h), _nonneg("N_at_least_1", N - 1)),
        conclusion=sp.Ge((2 * N * h + 1) - N * h - 1, 0), domain={"h": (0.0, 1.0), "N": (1.0, 20.0)},
        quantifier=sum_of_squares(2, "classical.convex.drori_teboulle"),
    )


@register
def linear_network_contraction() -> Statement:
    """Two-layer linear network GD: |1 - eta c| <= 1 when 0 <= c <= K and 0 <= eta K <= 2.

    Derived here (whitened case X = I): the operator E -> U U^T E + E V V^T has eigenvalues in
    [c, K]; the linear part of the one-step contraction is max(|1 - eta c|, |1 - eta K|),
    at most 1 under the step condition. In the products x = eta c, y = eta K (eta >= 0) the
    hypotheses read 0 <= x <= y <= 2 and the claim 1 - (1 - x)^2 >= 0.
    """
    x, y = sp.symbols("x y", real=True)
    return Statement(
        id="proof_steps.linear_network_contraction", kind="proof_step", claim="tight", model="polynomial", source=MIN,
        hypotheses=(_nonneg("x_nonnegative", x), _nonneg("c_at_most_K", y - x), _nonneg("step", 2 - y)),
        conclusion=sp.Ge(1 - (1 - x) ** 2, 0), domain={"x": (0.0, 3.0), "y": (0.0, 3.0)},
        quantifier=sum_of_squares(2, "linear.gd.one_step_contraction"),
    )


@register
def linear_network_scalar_rate() -> Statement:
    """Scalar linear network: (||u||^2 + ||v||^2)^2 >= d^2 + 4 p^2 when ||u||^2 ||v||^2 >= p^2.

    The scalar case n = m = 1, derived here as a reconstruction of how imbalance and margin
    combine (the papers' matrix version is not confirmed), with a = ||u||^2, b = ||v||^2,
    d = a - b, p = u.v (Cauchy-Schwarz
    gives a b >= p^2): (a + b)^2 - (a - b)^2 - 4 p^2 = 4 (a b - p^2).
    """
    return Statement(
        id="proof_steps.linear_network_scalar_rate", kind="proof_step", claim="tight", model="polynomial", source=MIN,
        hypotheses=(_nonneg("cauchy_schwarz", a * b - p**2),),
        conclusion=sp.Ge((a + b) ** 2, (a - b) ** 2 + 4 * p**2),
        domain={"a": (0.0, 5.0), "b": (0.0, 5.0), "p": (-5.0, 5.0)},
        quantifier=sum_of_squares(4, "linear.min2021.gradient_flow_rate (its scalar case: imbalance and margin)"),
    )


@register
def du_step_size_quadratic_term() -> Statement:
    """Du et al. GD: with eta <= lam0 / (4 n^2) the eta^2 n^2 term is at most a quarter of eta lam0.

    Derived here from the paper's proof, which needs eta^2 n^2 ||y - u||^2 <= (eta lam0 / 4) ||y - u||^2;
    eta lam0 / 4 - eta^2 n^2 = eta (lam0 - 4 n^2 eta) / 4, a product of two hypotheses.
    """
    return Statement(
        id="proof_steps.du_step_size_quadratic_term", kind="proof_step", claim="tight", model="polynomial", source=DU,
        hypotheses=(_nonneg("eta_nonnegative", eta), _nonneg("step", lam - 4 * n**2 * eta)),
        conclusion=sp.Ge(eta * lam / 4 - eta**2 * n**2, 0),
        domain={"eta": (0.0, 0.1), "lam": (0.0, 1.0), "n": (1.0, 10.0)},
        quantifier=sum_of_squares(4, "ntk.du2019.linear_convergence"),
    )


@register
def du_step_size_quadratic_term_step_five_percent_large() -> Statement:
    """Mutant: the quadratic-term step claimed with the step cap 5% larger, eta <= lam0 / (3.8 n^2).

    eta lam0 / 4 - eta^2 n^2 = eta n^2 (lam0 / (4 n^2) - eta) < 0 for eta in (lam0 / (4 n^2),
    lam0 / (3.8 n^2)]: the constant 4 of the step condition is exact, and a cap 5% looser is
    refuted by a sampled point where the claimed right side eta lam0 / 4 is positive.
    """
    return mutant(
        of=du_step_size_quadratic_term, id="proof_steps.du_step_size_quadratic_term_step_five_percent_large",
        hypotheses=(_nonneg("eta_nonnegative", eta),
                    _nonneg("step", lam - sp.Rational(38, 10) * n**2 * eta)),
    )


@register
def du_rate_factor() -> Statement:
    """Du et al. GD: the rate factor 1 - eta lam0 / 2 is >= 0 under the step condition.

    lam0 = lambda_min(H^inf) <= H^inf_11 = 1/2 (the diagonal of H^inf is 1/2 for unit
    inputs) and, since n >= 1, eta <= lam0 / (4 n^2) <= lam0 / 4: then
    eta lam0 / 2 <= lam0^2 / 8 <= 1/32. The hypotheses are those two consequences.
    """
    return Statement(
        id="proof_steps.du_rate_factor", kind="proof_step", claim="upper bound", model="polynomial", source=DU,
        hypotheses=(_nonneg("eta_nonnegative", eta), _nonneg("lam_nonnegative", lam),
                    _nonneg("lam_at_most_half", sp.Rational(1, 2) - lam),
                    _nonneg("step_with_n_at_least_1", lam - 4 * eta)),
        conclusion=sp.Ge(1 - eta * lam / 2, 0),
        domain={"eta": (0.0, 0.2), "lam": (0.0, 0.5)},
        quantifier=sum_of_squares(2, "ntk.du2019.linear_convergence"),
    )
