"""``polynomial``: the scalar variables of a polynomial proof step (no instance family).

A ``proof_step`` statement claims p(x) >= 0 on {x : g_i(x) >= 0} for polynomials in a
few real variables; its variables are its own, not parameters of a gradient-descent
run, so this model knows every scalar name and runs nothing. Such statements are
decided by :mod:`boundcheck.verifiers.certificates.sos` (a sum-of-squares certificate checked exactly, or a
sampled counterexample), never by the sampling checker's kernels.
"""

from __future__ import annotations

from boundcheck.verifiers.models.base import Model


class Polynomial(Model):
    name = "polynomial"
    doc = __doc__
    #: no parameters, nothing drawn: a proof step's variables are its own
    default_domain: dict[str, tuple[float, float]] = {}

    def knows(self, name: str) -> bool:
        return True


MODEL = Polynomial()
