"""A conjecture written in Python with the statement API of ``import boundcheck`` (trusted code,
like a test file).

Claim: on mu-strongly convex L-smooth functions, the function-value gap contracts like
the distance, max{(1 - eta mu)^2, (1 - eta L)^2}^t (Taylor, Hendrickx, Glineur, Math. Program. 2017: the exact
worst case of gradient descent on this class, found by performance estimation).
"""

import sympy as sp

from boundcheck import Hypothesis, Statement, t
from boundcheck.theorems.symbols import L, eta, gap, mu

function_value_contraction = Statement(
    id="mine.strongly_convex_function_values",
    kind="conjecture",
    model="smooth.convex",
    hypotheses=(Hypothesis("step", sp.Lt(eta, 2 / L)), Hypothesis("strong_convexity", sp.Gt(mu, 0))),
    conclusion=sp.Le(gap[t], sp.Max((1 - eta * mu) ** 2, (1 - eta * L) ** 2) ** t * gap[0]),
)
