"""Array backends for the reference implementations: float64 NumPy, or mpmath.

A model's reference implementation is written once against a small namespace
(``xp.sin``, ``xp.asarray`` ...). With :data:`FLOAT64` it is the NumPy reference the
numba kernels are tested against; with :func:`high_precision` the same code runs in
mpmath on object arrays, which is how a violation is replayed before it is reported.
Instance data are generated in float64 from the seed and converted exactly, so both
runs start from the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import mpmath
import numpy as np

FLOAT64 = SimpleNamespace(
    name="float64", dps=None, needed=None,
    asarray=lambda a: np.asarray(a, dtype=np.float64),
    scalar=float,
    sin=np.sin, cos=np.cos, tanh=np.tanh, exp=np.exp, log=np.log, log1p=np.log1p,
    sqrt=np.sqrt, abs=np.abs, clip=np.clip, cosh=np.cosh, sinh=np.sinh,
    maximum=np.maximum, minimum=np.minimum, where=np.where,
)


def _vectorised(fn):
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda a: ufunc(a)


def high_precision(dps: int = 50, needed: frozenset[str] | None = None) -> SimpleNamespace:
    """An mpmath backend at ``dps`` decimal digits (object arrays of ``mpf``).

    ``needed``: the observables the caller reads (a replay: its conclusion's and its
    hypotheses'), which a reference may compute alone, skipping costly ones nobody reads;
    ``None``, every observable."""
    mpmath.mp.dps = dps
    to_mpf = np.frompyfunc(lambda v: mpmath.mpf(float(v)) if not isinstance(v, mpmath.mpf) else v, 1, 1)

    def asarray(a):
        arr = np.asarray(a)
        return to_mpf(arr) if arr.dtype != object else arr

    def clip(a, lo, hi):
        return np.frompyfunc(lambda v, l, u: min(max(v, l), u), 3, 1)(a, lo, hi)

    def where(c, a, b):
        return np.where(c, a, b).astype(object)

    return SimpleNamespace(
        name=f"mpmath/{dps}", dps=dps, needed=needed, asarray=asarray, scalar=mpmath.mpf,
        sin=_vectorised(mpmath.sin), cos=_vectorised(mpmath.cos), tanh=_vectorised(mpmath.tanh),
        exp=_vectorised(mpmath.exp), log=_vectorised(mpmath.log), log1p=_vectorised(mpmath.log1p),
        sqrt=_vectorised(mpmath.sqrt), abs=_vectorised(abs), cosh=_vectorised(mpmath.cosh),
        sinh=_vectorised(mpmath.sinh),
        clip=clip, maximum=np.frompyfunc(max, 2, 1), minimum=np.frompyfunc(min, 2, 1), where=where,
    )


@contextmanager
def mpfr_arithmetic(prec: int) -> Iterator[tuple[Callable[[Any], Any], Callable[[Any], Any]]]:
    """MPFR numbers (gmpy2) at ``prec`` bits, for a reference's hot loop: ``(to_mpfr, to_mpf)``,
    converters of scalars and object arrays, inside a gmpy2 context at that precision.

    MPFR rounds every operation correctly to ``prec`` bits, to nearest, as mpmath does at
    ``mpmath.mp.prec``: the same operations in the same order give the same numbers (the
    NTK test holds a training run equal in both), and on object arrays MPFR's C arithmetic
    is 7x faster (a 16 x 4 by 4 x 32 product: 0.20 ms against 1.52 ms). The conversions
    are exact for values of at most ``prec`` bits (mantissa and exponent are carried over;
    floats have 53, mpmath's numbers at ``mpmath.mp.prec`` as many). The special functions
    stay in mpmath; the symmetric eigensolver runs mpmath's algorithm in MPFR
    (:mod:`~boundcheck.verifiers.models.mpfr_eigen`).
    """
    import gmpy2

    def one_to_mpfr(value):
        if isinstance(value, gmpy2.mpfr):
            return value
        if isinstance(value, mpmath.mpf):
            sign, mantissa, exponent, _ = value._mpf_
            if not mantissa:  # 0, inf or nan
                return gmpy2.mpfr(float(value))
            return gmpy2.mul_2exp(gmpy2.mpfr(-mantissa if sign else mantissa), exponent)
        return gmpy2.mpfr(value)

    def one_to_mpf(value):
        if not isinstance(value, gmpy2.mpfr):
            return value
        if value == 0 or not gmpy2.is_finite(value):
            return mpmath.mpf(float(value))
        mantissa, exponent = value.as_mantissa_exp()
        return mpmath.mpf((int(mantissa), int(exponent)))

    def converter(one):
        elementwise = np.frompyfunc(one, 1, 1)
        return lambda value: elementwise(value) if isinstance(value, np.ndarray) else one(value)

    with gmpy2.context(precision=prec):
        yield converter(one_to_mpfr), converter(one_to_mpf)


def mpfr_backend(backend: SimpleNamespace, to_mpfr: Callable[[Any], Any]) -> SimpleNamespace:
    """The namespace of ``backend`` (:func:`high_precision`) for a reference's hot loop run in
    MPFR inside :func:`mpfr_arithmetic` (whose ``to_mpfr`` this is): arrays and scalars
    converted to MPFR, square roots by MPFR, and ``to_mpfr`` for the values a step computes
    in mpmath (an eigensolver's)."""

    def asarray(a):
        return to_mpfr(np.asarray(a, dtype=object))

    return SimpleNamespace(name=f"mpfr/{backend.dps}", dps=backend.dps, needed=backend.needed, asarray=asarray,
                           scalar=to_mpfr, sqrt=np.frompyfunc(mpfr_sqrt, 1, 1), to_mpfr=to_mpfr)


def mpfr_sqrt(value):
    """The square root of an MPFR number, correctly rounded (as ``mpmath.sqrt``)."""
    import gmpy2

    return gmpy2.sqrt(value)


FLOAT64_DIGITS = 15


def precision_reached(obs: dict, names, dps: int, params: dict | None = None) -> int:
    """The digits a high-precision replay really reached for the observables ``names``.

    A replay is high precision only where the model's reference recomputed a value in
    mpmath: an ``mpf`` (or an object array of them) counts ``dps`` digits; an integer, or a
    float equal to an instance parameter of the same name, is exact (an input); any other
    float (a float64 value the reference passed through) caps the replay at float64's 15
    digits. NaN entries of object arrays (values the run does not compute) are skipped.
    A replay that reached fewer digits than it was asked for must say so and confirm
    nothing below that precision: floating point may delay a verdict, never decide it in
    favour of the claim.
    """
    params = params or {}
    reached = dps
    for name in names:
        if name not in obs:
            continue
        value = obs[name]
        values = value.ravel() if isinstance(value, np.ndarray) else [value]
        for v in values:
            if isinstance(v, (mpmath.mpf, int, np.integer, bool)):
                continue
            if isinstance(v, (float, np.floating)):
                if v != v or (name in params and float(params[name]) == float(v)):
                    continue
                reached = min(reached, FLOAT64_DIGITS)
                break
    return reached
