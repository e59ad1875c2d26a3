"""Classical rates of gradient descent on smooth functions: PL (Karimi, Nutini, Schmidt 2016), smooth
non-convex (Nesterov; Abbaszadehpeivasti, de Klerk, Zamani 2022), smooth convex (Drori, Teboulle 2014;
Taylor, Hendrickx, Glineur 2017) and strongly convex (PEPit), with exact worst cases by performance estimation.

Notation: f has an L-Lipschitz gradient; gradient descent x_{k+1} = x_k - eta grad f(x_k);
normalised step h = L eta; f* = inf f; R^2 = ||x_0 - x*||^2. Every statement here
is deterministic (``for_all``): one violation on one instance refutes it.
"""

import sympy as sp

from boundcheck.theorems.statement import Constant, Hypothesis, Source, Statement, mutant, register, t, worst_case
from boundcheck.theorems.symbols import L, R_sq, dist_sq, eta, f, gap, min_grad_sq, mu

NESTEROV = Source(
    "Y. Nesterov", "Introductory Lectures on Convex Optimization", "Kluwer", 2004,
    result="Section 1.2.3, eq. (1.2.13); as quoted by Abbaszadehpeivasti, de Klerk, Zamani (2022)",
)
AKZ_EXACT = Source(
    "H. Abbaszadehpeivasti, E. de Klerk, M. Zamani",
    "The exact worst-case convergence rate of the gradient method with fixed step lengths for L-smooth functions",
    "Optimization Letters 16:1649-1661", 2022, arxiv="2104.05468",
    result="Theorem 2 (rate as recalled; the constant 4 is reproduced here by performance estimation)",
)
KARIMI = Source(
    "H. Karimi, J. Nutini, M. Schmidt",
    "Linear Convergence of Gradient and Proximal-Gradient Methods Under the Polyak-Lojasiewicz Condition",
    "ECML-PKDD", 2016, arxiv="1608.04636", result="Theorem 1",
)
DRORI_TEBOULLE = Source(
    "Y. Drori, M. Teboulle", "Performance of first-order methods for smooth convex minimization: a novel approach",
    "Mathematical Programming 145:451-482", 2014, arxiv="1206.3209", result="Theorem 3.1",
)
PEPIT_STRONGLY_CONVEX = Source(
    "B. Goujaud, C. Moucer, F. Glineur, J. Hendrickx, A. Taylor, A. Dieuleveut",
    "PEPit: computer-assisted worst-case analyses of first-order optimization methods in Python",
    "Mathematical Programming Computation", 2024, arxiv="2201.04040",
    result="example gradient_descent_contraction (tight on quadratics)",
)

h = L * eta  # the normalised step


def _step_below(limit: sp.Expr, strict: bool = False) -> Hypothesis:
    relation = sp.Lt(eta, limit / L) if strict else sp.Le(eta, limit / L)
    return Hypothesis("step", relation)


# ------------------------------------------------------------------ nonconvex


@register
def nonconvex_textbook_min_grad() -> Statement:
    """The textbook stationarity bound for gradient descent on L-smooth functions.

    For eta in (0, 2/L), summing the descent lemma
    f(x_{k+1}) <= f(x_k) - eta (1 - L eta / 2) ||grad f(x_k)||^2 over k = 0..t-1 gives
    min_{k < t} ||grad f(x_k)||^2 <= (f(x_0) - f(x_t)) / (t eta (1 - L eta / 2)).
    Nesterov states it with f* in place of f(x_t); since f(x_t) >= f* the form checked
    here is the stronger one the same proof gives. Upper bound, not tight.
    """
    return Statement(
        id="classical.nonconvex.textbook_min_grad",
        kind="theorem",
        claim="upper bound",
        model="smooth.nonconvex",
        title="Gradient descent on an L-smooth function: min ||grad f||^2 after t steps",
        source=NESTEROV,
        hypotheses=(_step_below(2, strict=True),),
        conclusion=sp.Le(min_grad_sq[t - 1], (f[0] - f[t]) / (t * eta * (1 - L * eta / 2))),
        t_min=1,
    )


@register
def nonconvex_textbook_min_grad_step_past_limit() -> Statement:
    """Mutant: the textbook stationarity bound claimed for steps up to 3/L.

    Past eta = 2/L the factor 1 - L eta / 2 is negative and the descent lemma no
    longer gives descent; the claimed bound is negative wherever f decreased. The
    hypotheses keep 2/L < eta < 3/L, where the claim says something (at 2/L it divides
    by zero) and is false.
    """
    return mutant(
        of=nonconvex_textbook_min_grad,
        id="classical.nonconvex.textbook_min_grad_step_past_limit",
        hypotheses=(Hypothesis("step_past_2_over_L", sp.Gt(eta, 2 / L)), _step_below(3, strict=True)),
    )


def _tight_min_grad_bound(constant: sp.Expr) -> sp.Expr:
    return sp.Max(constant * L / (t * h * (4 - h)), constant * L / (t * h * (4 - h**2))) * (f[0] - f[t])


@register
def nonconvex_tight_min_grad() -> Statement:
    """The exact worst case of min ||grad f||^2 for constant steps h = L eta in (0, sqrt(3)].

    min_{0<=k<=t} ||grad f(x_k)||^2 <= 4 L (f(x_0) - f(x_t)) / (t h (4 - h)) for h in (0, 1],
    and 4 L (f(x_0) - f(x_t)) / (t h (4 - h^2)) for h in [1, sqrt(3)]; the larger of the two
    expressions is the right branch on all of (0, sqrt(3)], which is how it is written.
    Tight: reproduced numerically by performance estimation for t in {1, 3, 6};
    at h = 1 it is PEPit's (4/3) L / t.
    """
    return Statement(
        id="classical.nonconvex.tight_min_grad",
        kind="theorem",
        claim="tight",
        model="smooth.nonconvex",
        title="Exact worst-case stationarity of gradient descent with constant step",
        source=AKZ_EXACT,
        hypotheses=(_step_below(sp.sqrt(3)),),
        constants=(Constant(sp.Symbol("C_tight", positive=True), 4, "derived",
                            "4 L / (t h (4 - h)): reproduced by performance estimation (PEP SDPs, t in {1, 3, 6}); "
                            "the form follows AKZ 2022, Theorem 2, whose text was not checked for this constant"),),
        conclusion=sp.Le(min_grad_sq[t], _tight_min_grad_bound(sp.Symbol("C_tight", positive=True))),
        t_min=1,
    )


@register
def nonconvex_tight_min_grad_step_past_limit() -> Statement:
    """Mutant: the exact-worst-case stationarity bound claimed for every step below 2/L.

    Past h = sqrt(3) the worst case exceeds the second branch (PEP: t = 1, h = 1.8 gives
    3.556 L against 2.924 L); a single cosine started at the right phase attains that
    worst case. The violating region is small (h in (1.75, 2), one term, about a tenth
    of the phases): the default budget is 1000 examples, which caught it under every seed
    from 0 to 5 (at 300, under half of them).
    """
    return mutant(
        of=nonconvex_tight_min_grad,
        id="classical.nonconvex.tight_min_grad_step_past_limit",
        hypotheses=(_step_below(2, strict=True),),
        constants=(),
        conclusion=sp.Le(min_grad_sq[t], _tight_min_grad_bound(4)),
        budget=1000,
    )


# ------------------------------------------------------------------ PL


@register
def pl_linear_rate() -> Statement:
    """Linear convergence of gradient descent with step 1/L under the PL inequality.

    If (1/2)||grad f(x)||^2 >= mu (f(x) - f*) and f is L-smooth, gradient descent with
    eta = 1/L gives f(x_t) - f* <= (1 - mu/L)^t (f(x_0) - f*). Upper bound (valid, not
    tight: Abbaszadehpeivasti, de Klerk, Zamani, Optim. Lett. 2023, arXiv:2204.00647, Theorem 3,
    give the sharper 2(L - mu)/(2L + mu) per step).
    """
    return Statement(
        id="classical.pl.linear_rate",
        kind="theorem",
        claim="upper bound",
        model="smooth.pl",
        title="Polyak-Lojasiewicz: linear convergence of f - f* at step 1/L",
        source=KARIMI,
        hypotheses=(Hypothesis("step", sp.Eq(eta, 1 / L)),),
        conclusion=sp.Le(gap[t], (1 - mu / L) ** t * gap[0]),
    )


@register
def pl_linear_rate_any_step() -> Statement:
    """Linear convergence under PL for any step eta in (0, 2/L).

    The descent lemma f(x+) <= f(x) - eta (1 - L eta / 2) ||grad f||^2 and the PL
    inequality give f(x_{k+1}) - f* <= (1 - mu eta (2 - L eta)) (f(x_k) - f*)
    (derived here from those two inequalities). At eta = 1/L it is Karimi et al.'s Theorem 1.
    """
    return Statement(
        id="classical.pl.linear_rate_any_step",
        kind="theorem",
        claim="upper bound",
        model="smooth.pl",
        title="Polyak-Lojasiewicz: linear convergence for any step below 2/L",
        source=KARIMI,
        hypotheses=(_step_below(2, strict=True),),
        conclusion=sp.Le(gap[t], (1 - mu * eta * (2 - L * eta)) ** t * gap[0]),
    )


@register
def pl_linear_rate_tightened() -> Statement:
    """Mutant: the PL rate at step 1/L claimed with mu replaced by 3 mu.

    Quadratic coordinates of curvature mu contract f - f* by (1 - mu/L)^2 per step,
    slower than 1 - 3 mu/L: the mutant fails once that direction dominates. The
    hypothesis 3 mu <= L keeps the claimed factor in [0, 1).
    """
    return mutant(
        of=pl_linear_rate,
        id="classical.pl.linear_rate_tightened",
        hypotheses=(Hypothesis("step", sp.Eq(eta, 1 / L)), Hypothesis("rate_in_unit_interval", sp.Le(3 * mu, L))),
        conclusion=sp.Le(gap[t], (1 - 3 * mu / L) ** t * gap[0]),
    )


@register
def pl_linear_rate_step_past_limit() -> Statement:
    """Mutant: the any-step PL rate claimed for steps up to 3/L.

    Past eta = 2/L the minimiser is unstable along the direction of curvature L, so
    f - f* stops decreasing while the claimed bound (1 - mu eta (2 - L eta))^t grows
    only slowly; below 2/L it is the theorem.
    """
    return mutant(
        of=pl_linear_rate_any_step,
        id="classical.pl.linear_rate_step_past_limit",
        hypotheses=(_step_below(3),),
    )


# ------------------------------------------------------------------ convex


@register
def convex_drori_teboulle() -> Statement:
    """Tight rate of gradient descent on L-smooth convex functions, steps h = L eta in (0, 1].

    f(x_t) - f* <= L R^2 / (4 t h + 2), attained by a one-dimensional Huber function with
    threshold R / (2 t h + 1) started at x_0 = R (Drori, Teboulle, Math. Program. 2014, Theorem 3.1; the
    extremal Huber instance derived here). At eta = 1/L: L R^2 / (4t + 2).
    """
    return Statement(
        id="classical.convex.drori_teboulle",
        kind="theorem",
        claim="tight",
        model="smooth.convex",
        title="Smooth convex gradient descent: f(x_t) - f* <= L R^2 / (4 t L eta + 2)",
        source=DRORI_TEBOULLE,
        hypotheses=(_step_below(1),),
        conclusion=sp.Le(gap[t], L * R_sq / (4 * t * h + 2)),
    )


@register
def convex_drori_teboulle_tightened() -> Statement:
    """Mutant: the Drori-Teboulle bound with its constant 2 tightened to 3.

    The Huber function with threshold R / (2 t h + 1) attains L R^2 / (4 t h + 2) at
    iteration t, which exceeds L R^2 / (4 t h + 3).
    """
    return mutant(
        of=convex_drori_teboulle,
        id="classical.convex.drori_teboulle_tightened",
        conclusion=sp.Le(gap[t], L * R_sq / (4 * t * h + 3)),
        t_min=1,
    )


@register
def convex_drori_teboulle_step_past_limit() -> Statement:
    """Mutant: the Drori-Teboulle bound claimed for steps up to 1.9/L.

    For h > 1 the quadratic (L/2) x^2 gives (L/2)(1 - h)^{2t} R^2, larger than
    L R^2 / (4 t h + 2) (the all-steps worst case (L R^2 / 2) max{1/(2th + 1), (1 - h)^{2t}}, conjectured
    by Taylor, Hendrickx, Glineur, Math. Program. 2017, and reproduced by performance estimation).
    """
    return mutant(
        of=convex_drori_teboulle,
        id="classical.convex.drori_teboulle_step_past_limit",
        hypotheses=(_step_below(sp.Rational(19, 10)),),
    )


# ------------------------------------------------------------------ strongly convex


def _contraction(rate: sp.Expr) -> sp.Expr:
    return rate**t * dist_sq[0]


@register
def strongly_convex_distance() -> Statement:
    """Linear convergence of the distance to the minimiser, mu-strongly convex and L-smooth.

    For eta in (0, 2/L): ||x_t - x*||^2 <= max{(1 - eta mu)^2, (1 - eta L)^2}^t ||x_0 - x*||^2,
    tight on quadratics with eigenvalues {mu, L} (PEPit, Goujaud et al. 2024, example
    gradient_descent_contraction; reproduced by performance estimation).
    """
    return Statement(
        id="classical.strongly_convex.distance",
        kind="theorem",
        claim="tight",
        model="smooth.quadratic",
        title="Strongly convex gradient descent: contraction of ||x_t - x*||^2",
        source=PEPIT_STRONGLY_CONVEX,
        hypotheses=(_step_below(2, strict=True), Hypothesis("strong_convexity", sp.Gt(mu, 0))),
        conclusion=sp.Le(dist_sq[t], _contraction(sp.Max((1 - eta * mu) ** 2, (1 - eta * L) ** 2))),
    )


@register
def strongly_convex_distance_nonquadratic() -> Statement:
    """The strongly convex contraction on non-quadratic functions (Huber, log-cosh terms).

    Same claim as ``classical.strongly_convex.distance`` on the convex family with a
    mu/2 ||x - x*||^2 term: separable sums whose curvature ranges over [mu, L].
    """
    return Statement(
        id="classical.strongly_convex.distance_nonquadratic",
        kind="theorem",
        claim="upper bound",
        model="smooth.convex",
        title="Strongly convex gradient descent on non-quadratic functions",
        source=PEPIT_STRONGLY_CONVEX,
        hypotheses=(_step_below(2, strict=True), Hypothesis("strong_convexity", sp.Gt(mu, 0))),
        conclusion=sp.Le(dist_sq[t], _contraction(sp.Max((1 - eta * mu) ** 2, (1 - eta * L) ** 2))),
    )


@register
def strongly_convex_distance_small_step_rate() -> Statement:
    """Mutant: the small-step rate (1 - eta mu)^2 claimed for every step below 2/L.

    For eta > 2/(L + mu) the direction of curvature L contracts by (1 - eta L)^2, which
    is larger: a quadratic with eigenvalues {mu, L} breaks the claim.
    """
    return mutant(
        of=strongly_convex_distance,
        id="classical.strongly_convex.distance_small_step_rate",
        conclusion=sp.Le(dist_sq[t], _contraction((1 - eta * mu) ** 2)),
    )


@register
def strongly_convex_distance_rate_one_percent_fast() -> Statement:
    """Mutant: the strongly convex contraction claimed 1% faster per step than it is.

    ||x_t - x*||^2 <= (0.99 max{(1 - eta mu)^2, (1 - eta L)^2})^t ||x_0 - x*||^2. The true
    factor is attained on a quadratic whose start has a component along the eigenvector
    of the slower of the two eigenvalues {mu, L} (PEPit's tight example), so after a
    step or two the claim is below the iterate: a near-boundary mutant, 1% from the truth,
    caught where the claimed bound is positive.
    """
    return mutant(
        of=strongly_convex_distance,
        id="classical.strongly_convex.distance_rate_one_percent_fast",
        conclusion=sp.Le(dist_sq[t], _contraction(sp.Rational(99, 100) * sp.Max((1 - eta * mu) ** 2,
                                                                              (1 - eta * L) ** 2))),
    )


@register
def strongly_convex_distance_nonquadratic_small_step_rate() -> Statement:
    """Mutant: the small-step rate (1 - eta mu)^2 claimed on the non-quadratic family.

    Near the minimiser every coordinate has curvature up to L (quadratic, log-cosh and
    Huber terms all have phi''(0) = 1), so for eta > 2/(L + mu) the contraction factor
    (1 - eta L)^2 exceeds (1 - eta mu)^2.
    """
    return mutant(
        of=strongly_convex_distance_nonquadratic,
        id="classical.strongly_convex.distance_nonquadratic_small_step_rate",
        conclusion=sp.Le(dist_sq[t], _contraction((1 - eta * mu) ** 2)),
    )


# ------------------------------------------------------------------ exact worst cases (performance estimation)

THG_ALL_STEPS = Source(
    "A. Taylor, J. Hendrickx, F. Glineur",
    "Smooth strongly convex interpolation and exact worst-case performance of first-order methods",
    "Mathematical Programming 161:307-345", 2017, arxiv="1502.05666",
    result="conjecture for all constant steps; exact analysis claimed by Rotaru, Glineur, Patrinos, arXiv:2406.17506",
    note="reproduced by performance estimation for N in {1, 2, 5}; attribution partly not confirmed",
)


def _all_steps_bound(branches: tuple[sp.Expr, ...]) -> sp.Expr:
    return L * R_sq / 2 * sp.Max(*branches) if len(branches) > 1 else L * R_sq / 2 * branches[0]


@register
def convex_all_steps_worst_case() -> Statement:
    """Exact worst case of gradient descent on L-smooth convex functions for every step h in (0, 2).

    f(x_N) - f* <= (L R^2 / 2) max{1 / (2 N h + 1), (1 - h)^{2N}}: the Huber branch for
    small steps, the quadratic (L/2) x^2 for large ones. A claim about the worst function
    of the class, decided by performance estimation (``worst_case`` quantifier), not by
    sampling; the budget is the largest N solved.
    """
    return Statement(
        id="classical.convex.all_steps_worst_case",
        kind="theorem",
        claim="tight",
        model="smooth.convex",
        title="Smooth convex gradient descent, every step below 2/L: exact worst case",
        source=THG_ALL_STEPS,
        hypotheses=(_step_below(2, strict=True),),
        conclusion=sp.Le(gap[t], _all_steps_bound((1 / (2 * t * h + 1), (1 - h) ** (2 * t)))),
        quantifier=worst_case("smooth_convex"),
        t_min=1,
        budget=4,
    )


@register
def convex_all_steps_worst_case_huber_branch_only() -> Statement:
    """Mutant: the all-steps worst case without its quadratic branch (L R^2 / (4 N h + 2) for h < 2).

    For h near 2 the quadratic (L/2) x^2 gives (L/2)(1 - h)^{2N} R^2, above the Huber branch.
    """
    return mutant(
        of=convex_all_steps_worst_case,
        id="classical.convex.all_steps_worst_case_huber_branch_only",
        conclusion=sp.Le(gap[t], _all_steps_bound((1 / (2 * t * h + 1),))),
        budget=2,
    )
