"""Symbols shared by several statement families, with their sympy assumptions.

A symbol is matched to a model parameter or scalar observable by its name.
"""

import sympy as sp

from boundcheck.theorems.statement import observable

# sizes
d = sp.Symbol("d", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
h = sp.Symbol("h", integer=True, positive=True)
steps = sp.Symbol("steps", integer=True, positive=True)

# smoothness, curvature, step
L = sp.Symbol("L", positive=True)
mu = sp.Symbol("mu", nonnegative=True)
eta = sp.Symbol("eta", positive=True)

# scalar observables of the smooth models
R_sq = sp.Symbol("R_sq", nonnegative=True)
f0_gap = sp.Symbol("f0_gap", nonnegative=True)

# indexed observables of the smooth models
f = observable("f")
gap = observable("gap")
grad_sq = observable("grad_sq")
min_grad_sq = observable("min_grad_sq")
dist_sq = observable("dist_sq")
