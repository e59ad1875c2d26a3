"""``smooth.convex``: separable sums of quadratic, log-cosh and Huber terms plus (mu/2)||x||^2.

f(x) = sum_j c_j phi_j(x_j) + (mu/2)||x||^2 with every phi_j'' in [0, 1], so f'' ranges
over [mu, max_j c_j + mu]; coordinate 0 has c_0 = L - mu (the largest float64 with
c_0 + mu <= L exactly), so L is attained to within an ulp (phi'' = 1 at 0 for every
kind). x* = 0 and f* = 0 exactly. Huber thresholds are drawn on a log scale relative to
|x_0|, which reaches the worst case of the convex rate (the Huber function with
threshold R/(2th + 1), which attains Drori and Teboulle's L R^2 / (4th + 2) exactly).
"""

from fractions import Fraction

import numpy as np

from boundcheck.verifiers.models import smooth
from boundcheck.verifiers.models.base import at_most_exactly
from boundcheck.verifiers.models.separable import SeparableModel


class SmoothConvex(SeparableModel):
    name = "smooth.convex"
    doc = __doc__
    params = (smooth.D, smooth.L, smooth.MU, smooth.ETA, smooth.STEPS, smooth.SEED)
    observables = smooth.TRAJECTORY + smooth.DISTANCE + smooth.SCALARS
    constraints = (smooth.MU_BELOW_L, smooth.STEP_CAP)
    default_domain = smooth.DEFAULT_DOMAIN
    function_class = "smooth_strongly_convex"  # a for_all statement over it is a claim about the class (PEP)

    def coordinates(self, params):
        rng = np.random.default_rng(params["seed"])
        d, L, mu = params["d"], params["L"], params["mu"]
        kinds = rng.integers(0, 3, size=d)
        top = L - mu  # the draws below keep their stream; only c_0 is made exact
        coef = rng.uniform(0.0, top, size=d)
        # c_j + mu <= L in exact arithmetic (float64 L - mu may round up by half an ulp)
        top = at_most_exactly(top, lambda c: c + Fraction(mu) <= Fraction(L))
        coef = np.minimum(coef, top)
        coef[0] = top
        x0 = rng.standard_normal(d) * 10.0 ** rng.uniform(-1, 1)
        tau = np.abs(x0) * 10.0 ** rng.uniform(-1.5, 0.3, size=d)
        tau = np.where(tau > 0, tau, 1.0)
        return {"kinds": kinds, "coef": coef, "tau": tau, "x0": x0, "mu0": mu}


MODEL = SmoothConvex()
