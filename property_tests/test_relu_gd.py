"""The fast two-layer ReLU gradient-descent kernels against their NumPy reference.

The three numba formulations (explicit loops, BLAS, batched prange) compute the same
formulas as :func:`relu_gd_reference` with a different summation order. One step's
residual differs by a few ulps times the length of the sums (d + m <= 200 terms here,
so about 1e-13 relative). Unit inputs give trace(H) <= n for the Gram matrix H of
the step, so eta <= 1/n keeps eta lambda_max(H) <= 1: the step is a contraction on
the residual and rounding differences are not amplified over the 30 steps. The one event that
would break agreement, a pre-activation within rounding of 0 changing its gate,
has probability ~1e-13 per entry on Gaussian data, so the tests use rtol 1e-9.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcheck.verifiers.models import relu_gd

RTOL = 1e-9


def instance(n, d, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.standard_normal(n), rng.standard_normal((m, d)), rng.choice([-1.0, 1.0], size=m)


def assert_same(got_W, got_r, want_W, want_r):
    np.testing.assert_allclose(got_r, want_r, rtol=RTOL, atol=RTOL * want_r[0])
    np.testing.assert_allclose(got_W, want_W, rtol=RTOL, atol=RTOL * np.abs(want_W).max())


shapes = st.tuples(st.integers(1, 24), st.integers(1, 8), st.integers(1, 64))


@settings(max_examples=40, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), step_frac=st.floats(1e-3, 1.0), steps=st.integers(0, 30))
def test_loops_and_blas_match_reference(shape, seed, step_frac, steps):
    X, y, W, a = instance(*shape, seed)
    eta = step_frac / shape[0]
    want_W, want_r = relu_gd.relu_gd_reference(X, y, W, a, eta, steps)
    for kernel in (relu_gd.relu_gd_loops, relu_gd.relu_gd_blas):
        got_W, got_r = W.copy(), np.empty(steps + 1)
        kernel(X, y, got_W, a, eta, steps, got_r)
        assert_same(got_W, got_r, want_W, want_r)


@pytest.mark.parametrize("n, d, m", [(16, 4, 32), (96, 8, 512)])
def test_entry_point_agrees(n, d, m):
    X, y, W, a = instance(n, d, m, 5)
    assert_same(*relu_gd.relu_gd(X, y, W, a, 0.01, 10), *relu_gd.relu_gd_reference(X, y, W, a, 0.01, 10))


@settings(max_examples=10, deadline=None)
@given(shape=shapes, count=st.integers(1, 9), seed=st.integers(0, 2**32 - 1), steps=st.integers(0, 20))
def test_batched_matches_reference_instance_by_instance(shape, count, seed, steps):
    data = [instance(*shape, seed + b) for b in range(count)]
    X, y, W, a = (np.stack([inst[k] for inst in data]) for k in range(4))
    eta = np.linspace(0.01, 1.0, count) / shape[0]
    out = np.empty((count, steps + 1))
    W_batched = W.copy()
    relu_gd.relu_gd_batched(X, y, W_batched, a, eta, steps, out)
    for b in range(count):
        assert_same(W_batched[b], out[b], *relu_gd.relu_gd_reference(X[b], y[b], W[b], a[b], eta[b], steps))


def test_gd_decreases_the_loss_at_a_small_step():
    """A sanity check the reference itself must pass: the formulas are gradient descent."""
    X, y, W, a = instance(16, 4, 32, 1)
    _, resid_sq = relu_gd.relu_gd_reference(X, y, W, a, 0.01, 50)
    assert np.all(np.diff(resid_sq) < 0)
