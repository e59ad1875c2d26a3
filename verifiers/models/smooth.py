"""Declarations shared by the smooth test-function families."""

import sympy as sp

from boundcheck.verifiers.models.base import Observable, Param

D = Param("d", "int", 1, 20, "dimension")
L = Param("L", "float", 0.1, 10.0, "smoothness constant (certified: the sup of the curvature)", {"positive": True})
MU = Param("mu", "float", 0.0, 10.0, "curvature lower bound (strong convexity or PL constant)", {"nonnegative": True})
ETA = Param("eta", "float", 1e-3, 40.0, "step size", {"positive": True})
STEPS = Param("steps", "int", 1, 100, "number of gradient steps")
SEED = Param("seed", "seed", 0, 2**32 - 1, "seed of the instance's arrays")

#: conjectures' default domain (Model.default_domain): a run is microseconds at the declared
#: sizes, so the declared ranges of d and steps stand
DEFAULT_DOMAIN = {"d": (1, 20), "steps": (1, 100)}

MU_BELOW_L = ("mu_below_L", sp.Le(MU.symbol(), L.symbol()))
STEP_CAP = ("step_cap", sp.Le(ETA.symbol(), 4 / L.symbol()))

TRAJECTORY = (
    Observable("f", True, "f(x_t)"),
    Observable("gap", True, "f(x_t) - f*"),
    Observable("grad_sq", True, "||grad f(x_t)||^2"),
    Observable("min_grad_sq", True, "min_{k <= t} ||grad f(x_k)||^2"),
)
SCALARS = (
    Observable("L", False, "smoothness constant"),
    Observable("mu", False, "curvature lower bound"),
    Observable("eta", False, "step size"),
)
DISTANCE = (
    Observable("dist_sq", True, "||x_t - x*||^2"),
    Observable("R_sq", False, "||x_0 - x*||^2"),
    Observable("f0_gap", False, "f(x_0) - f*"),
)
