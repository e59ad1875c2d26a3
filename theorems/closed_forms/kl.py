"""The binary kl divergence and its exact inverse, for kl-form PAC-Bayes bounds.

kl(q || p) = q ln(q/p) + (1 - q) ln((1 - q)/(1 - p)), with 0 ln 0 = 0.
kl^{-1}(q, c) = sup { p in [q, 1] : kl(q || p) <= c }: the largest population error
compatible with empirical error q and a kl budget c (Langford and Seeger 2001;
Dziugaite and Roy 2017 invert it numerically). kl(q || .) is continuous and strictly
increasing on [q, 1), so bisection on [q, 1] converges to it; the upper end of the
final bracket is returned, so the value is never below the true inverse.

Pure Python (``math`` only): ``theorems`` stays free of numerical libraries, and the
sympy function :data:`kl_inv` carries this implementation for ``lambdify``.
"""

from __future__ import annotations

import math

from sympy.utilities.lambdify import implemented_function

BISECTION_STEPS = 200
TOLERANCE = 1e-15


def _xlogy(x: float, y: float) -> float:
    """x ln(y), with 0 ln(anything) = 0."""
    return 0.0 if x == 0.0 else x * math.log(y)


def kl_bernoulli(q: float, p: float) -> float:
    """kl(q || p) for q, p in [0, 1]; +inf where p is 0 or 1 and q differs."""
    q, p = float(q), float(p)
    if not (0.0 <= q <= 1.0 and 0.0 <= p <= 1.0):
        raise ValueError(f"kl(q || p) needs q, p in [0, 1], got q = {q}, p = {p}")
    if (p == 0.0 and q > 0.0) or (p == 1.0 and q < 1.0):
        return math.inf
    return _xlogy(q, q) - _xlogy(q, p) + _xlogy(1.0 - q, 1.0 - q) - _xlogy(1.0 - q, 1.0 - p)


def kl_inverse(q: float, c: float) -> float:
    """sup { p in [q, 1] : kl(q || p) <= c }, by bisection to 1e-15 (upper end returned)."""
    q, c = float(q), float(c)
    if math.isnan(q) or math.isnan(c):
        return math.nan
    q = min(max(q, 0.0), 1.0)
    if c <= 0.0:
        return q
    if q >= 1.0 or kl_bernoulli(q, 1.0) <= c:
        return 1.0
    lo, hi = q, 1.0
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if kl_bernoulli(q, mid) <= c:
            lo = mid
        else:
            hi = mid
        if hi - lo <= TOLERANCE:
            break
    return hi


#: kl_inv(q, c) as a sympy function; lambdify evaluates it with :func:`kl_inverse`.
kl_inv = implemented_function("kl_inv", kl_inverse)
