"""Symmetric low-rank matrix factorisation (Burer-Monteiro), model ``factorisation.symmetric`` (declared).

f(U) = (1/4) ||U U^T - M||_F^2, M PSD of rank r_true, U in R^{n x r}, gradient descent
U <- U - eta (U U^T - M) U. Local linear convergence of gradient descent near the solution set
is the result of Tu, Boczar, Simchowitz, Soltanolkotabi, Recht (ICML 2016, "Procrustes flow")
and of the survey of Chi, Lu, Chen (IEEE TSP 2019); their constants are not confirmed here,
so the statement is a conjecture at the rate the linearisation gives (derived in the
docstring), with a mutant 5% faster.
"""

import sympy as sp

from boundcheck.theorems.statement import Constant, Hypothesis, Source, Statement, mutant, observable, register, t

CHI2019 = Source(
    "Y. Chi, Y. M. Lu, Y. Chen",
    "Nonconvex Optimization Meets Low-Rank Matrix Factorization: An Overview",
    "IEEE Transactions on Signal Processing 67(20):5239-5269", 2019, arxiv="1809.09573",
    result="local linear convergence of gradient descent for f(U) = (1/4) ||U U^T - M||_F^2 (constants UNCONFIRMED)",
    note="same structure as Tu, Boczar, Simchowitz, Soltanolkotabi, Recht, ICML 2016 (arXiv 1507.03566); the rate "
         "constant here is the linearisation's (derived), the basin and step constants are assumed",
)

MODEL = "factorisation.symmetric"

loss = observable("loss")
eta, step_unit = sp.Symbol("eta", positive=True), sp.Symbol("step_unit", integer=True)
sigma_1, sigma_r = sp.Symbol("sigma_1", positive=True), sp.Symbol("sigma_r", positive=True)
recon0 = sp.Symbol("recon0", nonnegative=True)
loss_floor = sp.Symbol("loss_floor", nonnegative=True)
ETA_EFF = eta * (step_unit / sigma_1 + 1 - step_unit)

C_BASIN, C_STEP = sp.Symbol("C_basin", positive=True), sp.Symbol("C_step", positive=True)
CONSTANTS = (
    Constant(C_BASIN, sp.Rational(1, 10), "assumed", "basin ||U_0 U_0^T - M||_F <= C_basin sigma_r(M) (a guess)"),
    Constant(C_STEP, sp.Rational(1, 4), "assumed", "step eta <= C_step / sigma_1(M) (a guess)"),
)
r, r_true = sp.Symbol("r", integer=True), sp.Symbol("r_true", integer=True)
HYPOTHESES = (Hypothesis("exact_rank", sp.Le(r, r_true)),  # with the model's r_true <= r: r = r_true
              Hypothesis("basin", sp.Le(recon0, C_BASIN * sigma_r)),
              Hypothesis("step", sp.Le(ETA_EFF, C_STEP / sigma_1)))
DOMAIN = {"n": (2, 5), "r": (1, 3), "r_true": (1, 3), "init": (0, 0), "init_dist": (0.0, 0.1), "step_unit": (1, 1),
          "eta": (0.01, 0.25), "steps": (1, 60)}


def _rate(factor) -> sp.Rel:
    """f(U_t) <= rate^t f(U_0) + loss_floor: if f - f* contracts, f(U_t) <= rate^t f(U_0) + f*, f* <= loss_floor."""
    return sp.Le(loss[t], (1 - factor * ETA_EFF * sigma_r) ** (2 * t) * loss[0] + loss_floor)


@register
def bm_local_linear_rate() -> Statement:
    """Conjecture: near the solution set, f(U_t) <= (1 - eta sigma_r(M) / 2)^{2t} f(U_0).

    Linearisation (derived): with E = U U^T - M and U = U* + Delta, one step gives, to first order,
    E+ = E - eta (E M + M E) on the tangent space of the rank-r_true manifold at M; in M's eigenbasis
    the entry e_ij contracts by 1 - eta (sigma_i + sigma_j), and the slowest tangent entries pair the
    smallest nonzero eigenvalue sigma_r with the null space (sigma = 0) when r_true < n, so ||E|| decays
    like (1 - eta sigma_r)^t and f = ||E||^2 / 4 like (1 - eta sigma_r)^{2t} asymptotically. The
    literature (Tu et al. 2016; Chi, Lu, Chen 2019) proves a linear rate of this form with a smaller
    constant inside a basin, at exact rank r = r_true; the conjecture takes half the linearised rate
    from the first step. Basin and step constants assumed. Without the exact-rank hypothesis it is
    false, as the checker found: over-parametrised (n = 5, r = 3, r_true = 1, eta = 0.24 / sigma_1,
    seed 2) the loss at t = 19 is 12% above the bound, the columns beyond r_true carrying an error
    that decays sublinearly.
    """
    return Statement(
        id="factorisation.bm.local_linear_rate", kind="conjecture", claim="upper bound", model=MODEL, source=CHI2019,
        title="Burer-Monteiro GD near the solution: f(U_t) <= (1 - eta sigma_r(M) / 2)^{2t} f(U_0)",
        constants=CONSTANTS, hypotheses=HYPOTHESES, conclusion=_rate(sp.Rational(1, 2)), domain=DOMAIN, budget=40,
    )


@register
def bm_linearised_rate() -> Statement:
    """Mutant: 5% faster than the linearised rate, (1 - 1.05 eta sigma_r(M))^{2t}.

    The linearised rate (1 - eta sigma_r)^{2t} is attained asymptotically along the range-null
    tangent directions (see the conjecture's derivation), so a rate 5% faster falls below the
    loss by a factor that grows geometrically with t; it is also exceeded from the first step,
    where the second-order part of the error (Delta Delta^T) contracts more slowly (the
    linearised rate itself fails by 0.19% at t = 1 on n = 3, r = r_true = 1,
    eta = 0.125 / sigma_1, init_dist = 0.0625, seed 2, confirmed in mpmath, but only on a few
    draws: too weak a mutant to be caught at every seed).
    """
    return mutant(of=bm_local_linear_rate, id="factorisation.bm.linearised_rate",
                  conclusion=_rate(sp.Rational(21, 20)))
