"""The real symmetric eigenproblem at mpmath's working precision, in MPFR: the numbers of
``mpmath.eigsy``, digit for digit, in a fifth of its time.

A 50-digit replay of a network calls ``mpmath.eigsy`` on its Grams (16 x 16: 13 ms for the
eigenvalues, 48 ms with the eigenvectors; a hundred MPFR gradient steps take 76 ms), the linear
networks' on four matrices a step where their spectra are read. ``eigsy`` is EISPACK's
tred2 (Householder tridiagonalisation; Martin, Reinsch and Wilkinson, Numer. Math. 11, 1968)
followed by the implicit QL iteration tql2 (Bowdler, Martin, Reinsch and Wilkinson, Numer.
Math. 11, 1968), written in Python over an arithmetic context. This module runs mpmath's own
two routines (``r_sy_tridiag`` and ``tridiag_eigen``) on gmpy2's MPFR numbers, through a
context that rounds as mpmath's does:

- ``+ - * /`` and ``sqrt``: correctly rounded to nearest at ``mpmath.mp.prec`` bits, in MPFR as
  in mpmath;
- ``hypot(x, y)``: mpmath's is *not* MPFR's correctly rounded one: it rounds x^2 + y^2 toward
  zero at ``prec + 4`` bits and then takes the square root to nearest (``mpf_hypot``); that is
  written out here (:func:`_hypot`).

The same operations in the same order on the same numbers give the same numbers, so the
eigenvalues (and eigenvectors) are exactly ``eigsy``'s: the tests hold them equal on random,
positive semidefinite, rank-deficient and clustered matrices. Should an mpmath release change
either routine, the first call at a precision finds out on an 8 x 8 matrix
(:func:`_agrees_with_mpmath`) and every later call is ``eigsy``'s own. (16 x 16 at 50 digits:
eigenvalues 2.4 ms, eigenpairs 8.2 ms.)
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np

from boundcheck.verifiers.models.precision import mpfr_arithmetic


class _Square:
    """An object array seen as mpmath's routines index a matrix: ``A[i, j]`` and ``A.rows``."""

    def __init__(self, entries: np.ndarray):
        self.entries, self.rows = entries, entries.shape[0]

    def __getitem__(self, ij):
        return self.entries[ij]

    def __setitem__(self, ij, value):
        self.entries[ij] = value


def _context(prec: int, dps: int, to_mpfr) -> SimpleNamespace:
    """The names ``r_sy_tridiag`` and ``tridiag_eigen`` read from mpmath's context, in MPFR."""
    import gmpy2
    import mpmath

    sum_context = gmpy2.context(precision=prec + 4, round=gmpy2.RoundToZero)
    exact_context = gmpy2.context(precision=2 * prec + 2)

    def _hypot(x, y):
        """mpmath's ``mpf_hypot``: sqrt(round_toward_zero_{prec+4}(x^2 + y^2)), rounded to nearest."""
        if y == 0:
            return abs(x)
        if x == 0:
            return abs(y)
        with exact_context:
            y_sq = y * y  # exact: y has at most prec bits
        with sum_context:
            sum_sq = gmpy2.fma(x, x, y_sq)  # x^2 + y^2, rounded once
        return gmpy2.sqrt(sum_sq)

    return SimpleNamespace(dps=dps, eps=to_mpfr(+mpmath.mp.eps), sqrt=gmpy2.sqrt, hypot=_hypot,
                           isinf=gmpy2.is_infinite)


def _solve(H: np.ndarray, vectors: bool):
    """mpmath's ``eigsy`` on the square object array ``H`` (mpmath or MPFR numbers), in MPFR;
    returns (eigenvalues, eigenvectors or None) as mpmath numbers, in ``eigsy``'s order."""
    import mpmath
    from mpmath.matrices.eigen_symmetric import r_sy_tridiag, tridiag_eigen

    n = H.shape[0]
    with mpfr_arithmetic(mpmath.mp.prec) as (to_mpfr, to_mpf):
        ctx = _context(mpmath.mp.prec, mpmath.mp.dps, to_mpfr)
        A = _Square(to_mpfr(np.array(H, dtype=object)))
        zero = to_mpfr(mpmath.mpf(0))
        d, e = [zero] * n, [zero] * n
        r_sy_tridiag(ctx, A, d, e, calc_ev=vectors)
        tridiag_eigen(ctx, d, e, A if vectors else False)
        values = to_mpf(np.array(d, dtype=object))
        return values, (to_mpf(A.entries) if vectors else None)


def _by_mpmath(H: np.ndarray, vectors: bool):
    import mpmath

    n = H.shape[0]
    if vectors:
        E, Q = mpmath.eigsy(mpmath.matrix(H.tolist()))
        return (np.array([E[i] for i in range(n)], dtype=object),
                np.array([[Q[i, j] for j in range(n)] for i in range(n)], dtype=object))
    E = mpmath.eigsy(mpmath.matrix(H.tolist()), eigvals_only=True)
    return np.array([E[i] for i in range(n)], dtype=object), None


#: a matrix (entries /7) on which a ``hypot`` rounded otherwise than mpmath's (MPFR's own, correctly
#: rounded) changes the eigenpairs at 15, 20, 30, 40, 50, 60, 80 and 100 digits (found by a search;
#: the test holds it so)
_CHECK_MATRIX = ((6, -11, 1, 1, 1, -9, 3, -11), (-11, -12, -2, -2, -2, -7, 5, -1), (1, -2, 12, 8, -1, 8, -3, 7),
                 (1, -2, 8, 8, -4, 3, 7, -4), (1, -2, -1, -4, -10, -2, -1, -3), (-9, -7, 8, 3, -2, -6, 3, -9),
                 (3, 5, -3, 7, -1, 3, -2, -9), (-11, -1, 7, -4, -3, -9, -9, -2))


@cache
def _agrees_with_mpmath(prec: int) -> bool:
    """Whether :func:`_solve` gives ``eigsy``'s numbers at ``prec`` bits on :data:`_CHECK_MATRIX`."""
    import mpmath

    H = np.array([[mpmath.mpf(v) / 7 for v in row] for row in _CHECK_MATRIX], dtype=object)
    try:
        ours = _solve(H, True)
    except (ImportError, AttributeError, TypeError):  # an mpmath whose routines moved or changed signature
        return False
    return all(np.array_equal(a, b) for a, b in zip(ours, _by_mpmath(H, True)))


def eigh(H: np.ndarray):
    """Eigenvalues (an object array) and eigenvectors (the columns of one) of the symmetric
    object array ``H`` at ``mpmath.mp.prec``: ``mpmath.eigsy``'s numbers, in its ascending order."""
    import mpmath

    return (_solve if _agrees_with_mpmath(mpmath.mp.prec) else _by_mpmath)(H, True)


def eigvalsh(H: np.ndarray) -> np.ndarray:
    """The eigenvalues alone (ascending, an object array): ``mpmath.eigsy(..., eigvals_only=True)``'s
    numbers (mpmath then skips accumulating the eigenvectors: a third of the cost)."""
    import mpmath

    return (_solve if _agrees_with_mpmath(mpmath.mp.prec) else _by_mpmath)(H, False)[0]
