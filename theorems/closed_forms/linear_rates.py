"""Closed forms shared by the two-layer linear network statements and their model.

Everything here is sympy over the scalar observables of ``linear.two_layer`` (the setting of Min,
Tarmoun, Vidal, Mallada, ICML 2021, arXiv:2105.06351, and Xu, Min, Tarmoun, Mallada, Vidal, AISTATS 2023;
the derivation is in :func:`boundcheck.theorems.linear_networks.xu2023_gd_rate_derived`):

* ``lambda_r_X``, ``lambda_1_X``: smallest positive and largest eigenvalue of X^T X
  (lambda_r(Sigma_x), lambda_1(Sigma_x));
* ``c0`` = c(Lambda_0) = [lambda_r(Lambda_0)]_+ + [lambda_m(-Lambda_0)]_+, Lambda_0 the
  row-space imbalance U_1^T U_1 - V^T V at t = 0; ``imb0_norm`` = ||Lambda_0||_2;
* ``target_norm`` = ||P_X Y||_F; ``R0`` = ||P_X (Y - X U_0 V_0^T)||_F = sqrt(2 (L(0) - L*)).

The model lambdifies :func:`step_cap` to offer the step unit "derived cap", so that
instances can be drawn at a given fraction of it.
"""

from __future__ import annotations

import sympy as sp

lambda_r_X = sp.Symbol("lambda_r_X", positive=True)
lambda_1_X = sp.Symbol("lambda_1_X", positive=True)
c0 = sp.Symbol("c0", nonnegative=True)
imb0_norm = sp.Symbol("imb0_norm", nonnegative=True)
target_norm = sp.Symbol("target_norm", nonnegative=True)
R0 = sp.Symbol("R0", nonnegative=True)
eta = sp.Symbol("eta", positive=True)

#: the share theta of the rate given up to the drift and the second-order term (derived: 1/4)
THETA = sp.Rational(1, 4)


def norm_bound(theta: sp.Expr = THETA) -> sp.Expr:
    """B-bar: a bound on sigma_1(U_1)^2 and sigma_1(V)^2 along the run (see the derivation)."""
    return imb0_norm + theta * c0 + (target_norm + R0) / sp.sqrt(lambda_r_X)


def curvature_bound(theta: sp.Expr = THETA) -> sp.Expr:
    """K-bar = 2 lambda_1(Sigma_x) B-bar >= sigma_1(X U_t)^2 + lambda_1(Sigma_x) sigma_1(V_t)^2."""
    return 2 * lambda_1_X * norm_bound(theta)


def step_cap(theta: sp.Expr = THETA) -> sp.Expr:
    """The derived step-size cap eta_max(theta) of the linear-rate theorem."""
    B, K = norm_bound(theta), curvature_bound(theta)
    return sp.Min(1 / K,
                  theta * lambda_r_X * c0 / (lambda_1_X ** sp.Rational(3, 2) * B * R0),
                  theta * (1 - 2 * theta) * lambda_r_X * c0**2 / (K * R0**2))


def theta_of_step() -> sp.Expr:
    """The smallest admissible theta for a given eta (<= 1/4 when eta <= step_cap(1/4)).

    theta must satisfy theta >= eta lambda_1^{3/2} B R0 / (lambda_r c0) (second-order term)
    and theta (1 - 2 theta) >= a := eta K R0^2 / (lambda_r c0^2) (drift); the smaller root
    of the second is (1 - sqrt(1 - 8 a)) / 4. B and K are taken at theta = 1/4 (upper bounds).
    """
    B, K = norm_bound(THETA), curvature_bound(THETA)
    a = eta * K * R0**2 / (lambda_r_X * c0**2)
    return sp.Max(eta * lambda_1_X ** sp.Rational(3, 2) * B * R0 / (lambda_r_X * c0),
                  (1 - sp.sqrt(1 - 8 * a)) / 4)
