"""The symmetric eigensolver of the high-precision replays (verifiers/models/mpfr_eigen.py):
``mpmath.eigsy``'s algorithm in MPFR, held to ``eigsy``'s numbers digit for digit."""

from __future__ import annotations

import gmpy2
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcheck.verifiers.models import mpfr_eigen
from boundcheck.verifiers.models.precision import mpfr_arithmetic


def _eigsy(H, vectors):
    n = H.shape[0]
    if not vectors:
        E = mpmath.eigsy(mpmath.matrix(H.tolist()), eigvals_only=True)
        return np.array([E[i] for i in range(n)], dtype=object)
    E, Q = mpmath.eigsy(mpmath.matrix(H.tolist()))
    return (np.array([E[i] for i in range(n)], dtype=object),
            np.array([[Q[i, j] for j in range(n)] for i in range(n)], dtype=object))


def _matrix(rng, n, kind):
    M = rng.standard_normal((n, n))
    M = M + M.T
    if kind == "psd":
        M = M @ M.T
    elif kind == "rank-deficient":
        M[:, 0] = M[0, :] = 0.0
    elif kind == "clustered":  # n - 1 equal eigenvalues
        v = rng.standard_normal(n)
        M = np.outer(v, v) + np.eye(n)
    H = np.array([[mpmath.mpf(x) / 3 for x in row] for row in M], dtype=object)  # not float64 numbers
    return (H + H.T) / 2


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12),
       kind=st.sampled_from(["symmetric", "psd", "rank-deficient", "clustered"]),
       dps=st.sampled_from([15, 30, 50, 80]))
def test_the_eigenpairs_are_eigsys_digit_for_digit(seed, n, kind, dps):
    with mpmath.workdps(dps):
        H = _matrix(np.random.default_rng(seed), n, kind)
        assert np.array_equal(mpfr_eigen.eigvalsh(H), _eigsy(H, False))
        values, vectors = mpfr_eigen.eigh(H)
        expected_values, expected_vectors = _eigsy(H, True)
        assert np.array_equal(values, expected_values)
        assert np.array_equal(vectors, expected_vectors)
        assert all(a <= b for a, b in zip(values, values[1:]))  # ascending, as eigsy gives them


def test_mpfr_numbers_in_give_the_same_eigenvalues():
    """The linear networks' replay passes MPFR numbers (its gradient steps run in MPFR)."""
    with mpmath.workdps(50):
        H = _matrix(np.random.default_rng(4), 16, "psd")
        with mpfr_arithmetic(mpmath.mp.prec) as (to_mpfr, _):
            as_mpfr = to_mpfr(H)  # exact
        assert isinstance(as_mpfr[0, 0], type(gmpy2.mpfr(1)))
        assert np.array_equal(mpfr_eigen.eigvalsh(as_mpfr), _eigsy(H, False))


@pytest.mark.parametrize("dps", [15, 20, 30, 40, 50, 60, 80, 100])
def test_the_first_use_check_catches_a_hypot_rounded_otherwise(dps, monkeypatch):
    """mpmath rounds hypot's sum of squares toward zero at prec + 4 bits; MPFR's hypot is
    correctly rounded. The first-use check must tell the two apart at every precision a
    replay uses, and then fall back to eigsy's own numbers."""
    own_context = mpfr_eigen._context

    def correctly_rounded_hypot(prec, dps_, to_mpfr):
        ctx = own_context(prec, dps_, to_mpfr)
        ctx.hypot = gmpy2.hypot
        return ctx

    with mpmath.workdps(dps):
        mpfr_eigen._agrees_with_mpmath.cache_clear()
        assert mpfr_eigen._agrees_with_mpmath(mpmath.mp.prec)
        monkeypatch.setattr(mpfr_eigen, "_context", correctly_rounded_hypot)
        mpfr_eigen._agrees_with_mpmath.cache_clear()
        try:
            assert not mpfr_eigen._agrees_with_mpmath(mpmath.mp.prec)
            H = _matrix(np.random.default_rng(dps), 6, "symmetric")
            assert np.array_equal(mpfr_eigen.eigvalsh(H), _eigsy(H, False))  # eigsy's own, by the fallback
        finally:
            mpfr_eigen._agrees_with_mpmath.cache_clear()
