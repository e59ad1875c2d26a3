"""The gradient flow of a two-layer linear network, integrated in numba by DOP853.

The flow of L(U, V) = (1/2) ||X U V^T - Y||_F^2 is

    dU/dt = X^T E V,    dV/dt = E^T X U,    E = Y - X U V^T,

on the state z = (vec U, vec V) (row-major). It is integrated by the explicit Runge-Kutta
pair of order 8 (error estimators of orders 5 and 3) of Dormand and Prince, as in Hairer's
DOP853 (Hairer, Norsett, Wanner, *Solving Ordinary Differential Equations I*, 2nd ed.,
Springer 1993, II.10), with the step-size control of ``scipy.integrate.DOP853``: its
tableau (read from it), its error norm, safety factor 0.9, step factors within [0.2, 10],
its initial step. It differs from scipy in one place: a step that would pass the next
sample time ends on it, where scipy evaluates its dense-output interpolant; each sample
then carries the error of the controlled steps alone. The step after one cut short resumes
from the size the controller had proposed (as codes with a stopping time do), not from the
shortened one: 16% fewer evaluations of the field on 30 samples.

Division follows IEEE (numba's ``error_model="numpy"``), as scipy's NumPy arithmetic does:
a state that overflows makes the step fail, not the process. scipy's
``solve_ivp(method="DOP853")`` is the reference (``LinearTwoLayer.reference``); the
tests hold the two together, and both against a run at a tenth of the tolerance, within
the accuracy the model's gap floor assumes. It is the same algorithm at about a tenth of the
cost (30 samples of a flow at (n, d, m, h) = (6, 5, 3, 4): 2.3 ms against 25 ms):
``solve_ivp`` spends its time in Python per stage.

Caching: numba keys a cached kernel on its own source file only, so ``linear_two_layer``'s flow
kernel, which calls these functions, keeps its cached code when only this file changes. After editing it,
clear the numba cache (the ``__pycache__`` folders, or ``NUMBA_CACHE_DIR``); an install or an
upgrade rewrites every file, and a fresh clone has no cache.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit

from boundcheck.verifiers.models.small_products import product, product_nt, product_tn

SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 10.0
#: -1 / (order of the error estimator + 1)
ERROR_EXPONENT = -1.0 / 8.0
STAGES = 12


@functools.cache
def tableau() -> tuple[np.ndarray, ...]:
    """(A, B, C, E3, E5) of DOP853, from scipy (imported on the first flow, not with the model)."""
    from scipy.integrate import DOP853

    return tuple(np.ascontiguousarray(v, dtype=np.float64) for v in (DOP853.A[:STAGES, :STAGES], DOP853.B,
                                                                     DOP853.C[:STAGES], DOP853.E3, DOP853.E5))


@njit(cache=True, nogil=True, error_model="numpy")
def _field(X, XT, Y, z, d, h, m, XU, E, XtE, out):
    """out = dz/dt at z (see the module docstring); XU (n x h), E (n x m) and XtE (d x m) are
    workspaces."""
    U = z[: d * h].reshape((d, h))
    V = z[d * h:].reshape((m, h))
    product(X, U, XU)
    product_nt(XU, V, E)
    for i in range(E.shape[0]):
        for j in range(m):
            E[i, j] = Y[i, j] - E[i, j]
    product(XT, E, XtE)
    product(XtE, V, out[: d * h].reshape((d, h)))
    product_tn(E, XU, out[d * h:].reshape((m, h)))


@njit(cache=True, nogil=True, error_model="numpy")
def _rms(x):
    return np.sqrt(np.sum(x * x) / x.size)


@njit(cache=True, nogil=True, error_model="numpy")
def _initial_step(X, XT, Y, d, h, m, work, y0, f0, interval, rtol, atol):
    """scipy's ``select_initial_step`` (Hairer, Norsett, Wanner II.4) for an error estimator of order 7."""
    if interval == 0:
        return 0.0
    scale = atol + np.abs(y0) * rtol
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, interval)
    f1 = np.empty_like(y0)
    _field(X, XT, Y, y0 + h0 * f0, d, h, m, *work, f1)
    d2 = _rms((f1 - f0) / scale) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 8.0)
    return min(100 * h0, h1, interval)


@njit(cache=True, nogil=True, error_model="numpy")
def integrate(X, Y, U0, V0, times, rtol, atol, A, B, C, E3, E5, states):
    """states[k] = z(times[k]) from z(times[0]) = (U0, V0), times ascending. Returns how many
    samples were reached: fewer when the step size falls below ten ulps of t (scipy's
    failure; a state that left the finite numbers gets there), and only the start where a
    time is not finite; the rows past them untouched."""
    d, h = U0.shape
    m = V0.shape[0]
    size = d * h + m * h
    XT = np.ascontiguousarray(X.T)
    n = X.shape[0]
    work = (np.empty((n, h)), np.empty((n, m)), np.empty((d, m)))
    y = np.empty(size)
    y[: d * h] = U0.ravel()
    y[d * h:] = V0.ravel()
    states[0] = y
    if times.size == 1 or not np.isfinite(times).all():
        return 1  # nothing to integrate, or no time to integrate to (a step of NaN or inf)
    f = np.empty(size)
    _field(X, XT, Y, y, d, h, m, *work, f)
    t = times[0]
    h_abs = _initial_step(X, XT, Y, d, h, m, work, y, f, times[-1] - t, rtol, atol)
    K = np.empty((STAGES + 1, size))
    stage, y_new = np.empty(size), np.empty(size)
    reached = 1
    while reached < times.size:
        target = times[reached]
        if target <= t:  # a sample at the time of the last (a step eta of 0)
            states[reached] = y
            reached += 1
            continue
        min_step = 10 * abs(np.nextafter(t, np.inf) - t)
        h_abs = max(h_abs, min_step)
        rejected = False
        while True:
            if h_abs < min_step:
                return reached
            proposed, truncated = h_abs, t + h_abs > target
            t_new = target if truncated else t + h_abs
            step = t_new - t
            h_abs = abs(step)
            K[0] = f
            for s in range(1, STAGES):
                _combine(y, K, A[s], s, step, stage)
                _field(X, XT, Y, stage, d, h, m, *work, K[s])
            _combine(y, K, B, STAGES, step, y_new)
            _field(X, XT, Y, y_new, d, h, m, *work, K[STAGES])
            error_norm = _error_norm(K, E3, E5, y, y_new, h_abs, rtol, atol)
            if error_norm < 1:
                factor = MAX_FACTOR if error_norm == 0 else min(MAX_FACTOR, SAFETY * error_norm ** ERROR_EXPONENT)
                h_abs *= min(1.0, factor) if rejected else factor
                if truncated and not rejected:  # cut short to land on a sample: resume from the proposal
                    h_abs = max(h_abs, proposed)
                break
            shrink = SAFETY * error_norm ** ERROR_EXPONENT  # NaN where the step left the finite numbers
            h_abs *= max(MIN_FACTOR, shrink) if shrink == shrink else MIN_FACTOR
            rejected = True
        t = t_new
        y[:] = y_new
        f[:] = K[STAGES]
        if t == target:
            states[reached] = y
            reached += 1
    return reached


@njit(cache=True, nogil=True, error_model="numpy")
def _combine(y, K, weights, stages, step, out):
    """out = y + step * sum_{j < stages} weights[j] K[j]."""
    for i in range(y.size):
        increment = 0.0
        for j in range(stages):
            increment += K[j, i] * weights[j]
        out[i] = y[i] + increment * step


@njit(cache=True, nogil=True, error_model="numpy")
def _error_norm(K, E3, E5, y, y_new, h_abs, rtol, atol):
    """scipy's DOP853 error norm: |h| ||e5||^2 / sqrt((||e5||^2 + ||e3||^2 / 100) size), each
    estimate divided componentwise by atol + rtol max(|y|, |y_new|)."""
    err5_sq, err3_sq = 0.0, 0.0
    for i in range(y.size):
        e5, e3 = 0.0, 0.0
        for j in range(K.shape[0]):
            e5 += K[j, i] * E5[j]
            e3 += K[j, i] * E3[j]
        scale = atol + max(abs(y[i]), abs(y_new[i])) * rtol
        err5_sq += (e5 / scale) ** 2
        err3_sq += (e3 / scale) ** 2
    if err5_sq == 0 and err3_sq == 0:
        return 0.0
    return h_abs * err5_sq / np.sqrt((err5_sq + 0.01 * err3_sq) * y.size)
