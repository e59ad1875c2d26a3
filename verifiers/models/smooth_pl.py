"""``smooth.pl``: nonconvex Polyak-Lojasiewicz functions with certified mu and L.

f(x) = sum_j c_j phi_j(x_j) with phi either u^2/2 (PL constant 1, smoothness 1) or
u^2 + 3 sin^2 u, the nonconvex PL example of Karimi et al. (2016). For the latter,
phi'' = 2 + 6 cos 2u <= 8 and inf_u phi'(u)^2 / (2 phi(u)) = 0.1755309858... (attained
near u = 2.2017; computed in mpmath: ``MU_TRIG`` uses 0.1755, a certified lower bound;
Karimi et al. quote the looser 1/32). For a separable sum the PL constant is the
smallest coordinate's and the smoothness constant the largest's: coordinate 0 attains
L and coordinate 1 attains mu (when d >= 2); every other coefficient lies between.
x* = 0, f* = 0 exactly.
"""

import numpy as np

from boundcheck.verifiers.models import smooth
from boundcheck.verifiers.models.separable import PL_TRIG, QUADRATIC, SeparableModel

MU_TRIG = 0.1755
L_TRIG = 8.0


class SmoothPL(SeparableModel):
    name = "smooth.pl"
    doc = __doc__
    params = (smooth.D, smooth.L,
              smooth.Param("mu", "float", 1e-3, 10.0, "PL constant", {"positive": True}),
              smooth.ETA, smooth.STEPS, smooth.SEED)
    observables = smooth.TRAJECTORY + smooth.DISTANCE + smooth.SCALARS
    constraints = (smooth.MU_BELOW_L, smooth.STEP_CAP)
    default_domain = smooth.DEFAULT_DOMAIN

    def coordinates(self, params):
        rng = np.random.default_rng(params["seed"])
        d, L, mu = params["d"], params["L"], params["mu"]
        trig_allowed = mu / MU_TRIG <= L / L_TRIG
        kinds = np.where(trig_allowed & (rng.uniform(size=d) < 0.5), PL_TRIG, QUADRATIC)
        # admissible coefficient interval per kind: PL constant >= mu, smoothness <= L
        low = np.where(kinds == PL_TRIG, mu / MU_TRIG, mu)
        high = np.where(kinds == PL_TRIG, L / L_TRIG, L)
        coef = rng.uniform(low, high)
        coef[0] = high[0]
        if d >= 2:
            coef[1] = low[1]
        x0 = rng.standard_normal(d) * 3.0
        return {"kinds": kinds, "coef": coef, "tau": np.ones(d), "x0": x0, "mu0": 0.0}


MODEL = SmoothPL()
