"""The same gradient-descent loop on the two-layer ReLU network in NumPy, PyTorch and JAX.

Each function runs ``steps`` full-batch GD steps inside the peer's own loop and
returns (W_final, resid_sq[0..steps]) so the benchmark can check that every
implementation computed the same thing before it compares their speed. Formulas as in
:mod:`boundcheck.verifiers.models.relu_gd` (relu'(z) = 1{z >= 0}).
"""

from __future__ import annotations

import numpy as np


def numpy_gd(X, y, W, a, eta, steps):
    W = W.copy()
    scale = 1.0 / np.sqrt(W.shape[0])
    resid_sq = np.empty(steps + 1)
    for k in range(steps + 1):
        Z = X @ W.T
        r = scale * (np.maximum(Z, 0.0) @ a) - y
        resid_sq[k] = r @ r
        if k < steps:
            W -= (eta * scale) * (((r[:, None] * a[None, :]) * (Z >= 0)).T @ X)
    return W, resid_sq


def torch_gd(X, y, W, a, eta, steps, threads=None):
    import torch

    if threads:
        torch.set_num_threads(threads)
    Xt, yt, Wt, at = (torch.from_numpy(np.ascontiguousarray(v)) for v in (X, y, W.copy(), a))
    scale = 1.0 / np.sqrt(W.shape[0])
    resid_sq = torch.empty(steps + 1, dtype=torch.float64)
    with torch.no_grad():
        for k in range(steps + 1):
            Z = Xt @ Wt.T
            r = scale * (torch.clamp_min(Z, 0.0) @ at) - yt
            resid_sq[k] = r @ r
            if k < steps:
                Wt -= (eta * scale) * (((r[:, None] * at[None, :]) * (Z >= 0)).T @ Xt)
    return Wt.numpy(), resid_sq.numpy()


def jax_gd_factory():
    """A jitted JAX loop (lax.fori_loop) and its vmap over instances."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def run(X, y, W, a, eta, steps):
        scale = 1.0 / jnp.sqrt(W.shape[0])

        def residual(W):
            Z = X @ W.T
            return Z, scale * (jnp.maximum(Z, 0.0) @ a) - y

        def body(k, state):
            W, resid_sq = state
            Z, r = residual(W)
            resid_sq = resid_sq.at[k].set(r @ r)
            W = W - (eta * scale) * (((r[:, None] * a[None, :]) * (Z >= 0)).T @ X)
            return W, resid_sq

        W, resid_sq = jax.lax.fori_loop(0, steps, body, (W, jnp.zeros(steps + 1)))
        _, r = residual(W)
        return W, resid_sq.at[steps].set(r @ r)

    single = jax.jit(run, static_argnums=(5,))
    batched = jax.jit(jax.vmap(run, in_axes=(0, 0, 0, 0, 0, None)), static_argnums=(5,))

    def call(fn, *args):
        W, resid_sq = fn(*args)
        return np.asarray(W.block_until_ready()), np.asarray(resid_sq)

    return (lambda *args: call(single, *args)), (lambda *args: call(batched, *args))
