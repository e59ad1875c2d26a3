"""``smooth.quadratic``: f(x) = (1/2) sum_j lambda_j x_j^2, spectrum in [mu, L], both ends attained.

Written in the eigenbasis (gradient descent is equivariant under orthogonal maps), so
the spectrum is exact: lambda_1 = mu and lambda_d = L, the others uniform in between.
x_0 is standard Gaussian; x* = 0, f* = 0.
"""

import numpy as np

from boundcheck.verifiers.models import smooth
from boundcheck.verifiers.models.separable import QUADRATIC, SeparableModel


class SmoothQuadratic(SeparableModel):
    name = "smooth.quadratic"
    doc = __doc__
    params = (smooth.Param("d", "int", 2, 20, "dimension (two ends of the spectrum)"),
              smooth.L, smooth.MU, smooth.ETA, smooth.STEPS, smooth.SEED)
    observables = smooth.TRAJECTORY + smooth.DISTANCE + smooth.SCALARS
    constraints = (smooth.MU_BELOW_L, smooth.STEP_CAP)
    default_domain = {"d": (2, 20), "steps": (1, 100)}  # d >= 2: two ends of the spectrum
    function_class = "smooth_strongly_convex_quadratic"  # a for_all statement over it is a claim about the class (PEP)

    def coordinates(self, params):
        rng = np.random.default_rng(params["seed"])
        d, L, mu = params["d"], params["L"], params["mu"]
        spectrum = np.sort(rng.uniform(mu, L, size=d))
        spectrum[0], spectrum[-1] = mu, L
        return {"kinds": np.full(d, QUADRATIC), "coef": spectrum, "tau": np.ones(d),
                "x0": rng.standard_normal(d), "mu0": 0.0}


MODEL = SmoothQuadratic()
