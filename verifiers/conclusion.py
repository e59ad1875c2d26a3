"""A statement's conclusion compiled against a model: slack and tightness at every t.

The relation is put as ``observed <= bound`` (a ``>=`` relation is turned around).
For each iteration t >= t_min where every index is in range:

* ``slack = bound - observed`` (signed; negative means the conclusion fails),
* ``tightness = observed / bound`` (1 means the bound is attained),
* ``tolerance = RTOL * (|observed|_M + |bound|_M)`` where ``|.|_M`` is the magnitude of
  the expression with every sum replaced by the sum of absolute values of its terms,
  the standard forward-error bound of floating-point evaluation. The observables
  themselves come out of at most ``steps * d <= 2000`` accumulated roundings of
  relative size eps = 1.1e-16 (in the built-in models), i.e. below 2.2e-13 relative;
  ``RTOL = 1e-9`` leaves a factor of several thousand. A violation beyond it is
  replayed in high precision (mpmath) before it is reported.

A NaN or infinite value (a diverging run) is an observation: it violates the
conclusion at that iteration.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from theorems.statement import Statement, StatementError, t
from verifiers.models.base import Model

RTOL = 1e-9

_MAX, _MIN = sp.Function("elementwise_max"), sp.Function("elementwise_min")
_NUMPY = [{"elementwise_max": lambda *a: functools.reduce(np.maximum, a),
           "elementwise_min": lambda *a: functools.reduce(np.minimum, a)}, "numpy"]
_MPMATH = [{"elementwise_max": max, "elementwise_min": min}, "mpmath"]


def _elementwise(expr: sp.Expr) -> sp.Expr:
    """Max/Min replaced by functions that broadcast over arrays of instances and iterations."""
    return expr.replace(sp.Max, lambda *a: _MAX(*a)).replace(sp.Min, lambda *a: _MIN(*a))


def magnitude(expr: sp.Expr) -> sp.Expr:
    """An upper bound on the size of the terms that make up ``expr`` (for error bounds)."""
    if expr.is_Add:
        return sp.Add(*(magnitude(a) for a in expr.args))
    if expr.is_Mul:
        return sp.Mul(*(magnitude(a) for a in expr.args))
    if expr.is_Pow:
        return sp.Pow(magnitude(expr.base), expr.exp)
    if isinstance(expr, (sp.Max, sp.Min)):
        return sp.Max(*(magnitude(a) for a in expr.args))
    if expr.is_Number:
        return abs(expr)
    return sp.Abs(expr)


@dataclass
class Evaluation:
    """The conclusion along one run."""

    t: np.ndarray
    observed: np.ndarray
    bound: np.ndarray
    slack: np.ndarray
    tightness: np.ndarray
    tolerance: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        """Iterations where the conclusion fails beyond the floating-point tolerance."""
        with np.errstate(invalid="ignore"):
            return ~(self.slack >= -self.tolerance)

    @property
    def violated(self) -> bool:
        return bool(self.bad.any())

    @property
    def first_violation(self) -> int | None:
        bad = np.flatnonzero(self.bad)
        return int(self.t[bad[0]]) if bad.size else None

    @property
    def min_slack(self) -> float:
        if self.slack.size == 0:
            return math.inf
        s = np.where(np.isnan(self.slack), -np.inf, self.slack)
        return float(s.min())

    @property
    def max_tightness(self) -> float:
        if self.tightness.size == 0:
            return 0.0
        tt = np.where(np.isnan(self.tightness), np.inf, self.tightness)
        return float(tt.max())

    def at(self, index_t: int) -> dict[str, float]:
        k = int(np.flatnonzero(self.t == index_t)[0])
        return {"t": index_t, "observed": float(self.observed[k]), "bound": float(self.bound[k]),
                "slack": float(self.slack[k]), "tightness": float(self.tightness[k])}


@dataclass
class BatchSummary:
    """What the search needs from many runs: one number of each kind per instance."""

    min_slack: np.ndarray
    max_tightness: np.ndarray
    violated: np.ndarray

    @classmethod
    def from_evaluations(cls, evaluations: list[Evaluation]) -> BatchSummary:
        return cls(np.array([e.min_slack for e in evaluations]), np.array([e.max_tightness for e in evaluations]),
                   np.array([e.violated for e in evaluations], dtype=bool))


class Conclusion:
    """``statement.conclusion`` lambdified for ``model``'s observables."""

    def __init__(self, statement: Statement, model: Model):
        relation = statement.substituted(statement.conclusion)
        if isinstance(relation, (sp.Le, sp.Lt)):
            observed, bound = relation.lhs, relation.rhs
        elif isinstance(relation, (sp.Ge, sp.Gt)):
            observed, bound = relation.rhs, relation.lhs
        else:
            raise StatementError(f"{statement.id}: conclusion {relation} is not an inequality")
        self.statement = statement
        self.t_min = statement.t_min
        self.index_args: list[tuple[sp.Symbol, str, Any]] = []
        replacements = {}
        for k, ix in enumerate(sorted(relation.atoms(sp.Indexed), key=sp.default_sort_key)):
            name = ix.base.label.name
            if name not in model.indexed_names:
                raise StatementError(f"{statement.id}: model {model.name} has no indexed observable {name!r}")
            placeholder = sp.Symbol(f"_obs{k}", real=True)
            replacements[ix] = placeholder
            self.index_args.append((placeholder, name, sp.lambdify(t, ix.indices[0], "numpy")))
        observed, bound = observed.xreplace(replacements), bound.xreplace(replacements)
        scalars = sorted({s for s in (observed.free_symbols | bound.free_symbols)
                          if s != t and not s.name.startswith("_obs")}, key=lambda s: s.name)
        for s in scalars:
            if s.name not in model.param_names and s.name not in model.scalar_names:
                known = model.indexed_names if s.name in model.indexed_names else None
                hint = f" (it varies along the run: write {s.name}[t])" if known else ""
                raise StatementError(f"{statement.id}: model {model.name} has no observable {s.name!r}{hint}")
        self.scalar_names = [s.name for s in scalars]
        args = [t] + [a[0] for a in self.index_args] + list(scalars)
        sides = (observed, bound, magnitude(observed), magnitude(bound))
        self._numpy = [sp.lambdify(args, _elementwise(e), _NUMPY) for e in sides]
        self._mpmath = [sp.lambdify(args, _elementwise(e), _MPMATH) for e in sides[:2]]

    def _arguments(self, params: dict, obs: dict) -> tuple[np.ndarray, list]:
        length = min((len(obs[name]) for _, name, _ in self.index_args), default=self.t_min + 1)
        ts = np.arange(self.t_min, max(length, self.t_min))
        columns = []
        keep = np.ones(ts.size, dtype=bool)
        indices = []
        for _, _, index_fn in self.index_args:
            idx = np.broadcast_to(np.asarray(index_fn(ts), dtype=np.int64), ts.shape)
            keep &= (idx >= 0) & (idx < length)
            indices.append(idx)
        ts = ts[keep]
        for (_, name, _), idx in zip(self.index_args, indices):
            columns.append(np.asarray(obs[name])[idx[keep]])
        scalars = [obs[name] if name in obs else params[name] for name in self.scalar_names]
        return ts, columns + scalars

    def _sides(self, ts: np.ndarray, args: list) -> tuple[np.ndarray, ...]:
        """observed, bound, slack, tightness, tolerance; arrays broadcast to ``ts``'s shape."""
        tf = ts.astype(np.float64)
        with np.errstate(all="ignore"):
            observed, bound, m_obs, m_bound = (np.broadcast_to(np.asarray(fn(tf, *args), dtype=np.float64), ts.shape)
                                               for fn in self._numpy)
            slack = bound - observed
            tolerance = np.nan_to_num(RTOL * (m_obs + m_bound), posinf=0.0)
            # a bound that is zero to within the tolerance is attained (1) or broken (inf)
            tightness = np.where(bound > tolerance, observed / bound, np.where(slack >= -tolerance, 1.0, np.inf))
        finite = np.isfinite(observed) & np.isfinite(bound)
        return (observed, bound, np.where(finite, slack, -np.inf), np.where(finite, tightness, np.inf), tolerance)

    def evaluate(self, params: dict, obs: dict) -> Evaluation:
        """The conclusion at every admissible iteration of one float64 run."""
        ts, args = self._arguments(params, obs)
        return Evaluation(ts, *self._sides(ts, args))

    def summarize(self, batch: list[dict], observations: list[dict]) -> BatchSummary:
        """Per-instance min slack, max tightness and violation flag for many runs at once.

        Trajectories of different lengths are padded with NaN to a (instances, iterations)
        grid; every lambdified side broadcasts over it; padded cells are masked out.
        """
        count = len(batch)
        if not self.index_args:
            evaluations = [self.evaluate(p, o) for p, o in zip(batch, observations)]
            return BatchSummary.from_evaluations(evaluations)
        lengths = np.array([min(len(o[name]) for _, name, _ in self.index_args) for o in observations])
        width = int(lengths.max())
        ts = np.arange(self.t_min, max(width, self.t_min))
        grid_t = np.broadcast_to(ts, (count, ts.size))
        valid = np.ones((count, ts.size), dtype=bool)
        columns = []
        for _, name, index_fn in self.index_args:
            idx = np.broadcast_to(np.asarray(index_fn(ts), dtype=np.int64), ts.shape)
            valid &= ((idx >= 0)[None, :]) & (idx[None, :] < lengths[:, None])
            padded = np.full((count, width + 1), np.nan)
            for i, o in enumerate(observations):
                values = np.asarray(o[name], dtype=np.float64)
                padded[i, : values.size] = values
            columns.append(padded[:, np.clip(idx, 0, width)])
        scalars = [np.array([o[n] if n in o else p[n] for p, o in zip(batch, observations)],
                            dtype=np.float64)[:, None] for n in self.scalar_names]
        _, _, slack, tightness, tolerance = self._sides(grid_t, columns + scalars)
        with np.errstate(invalid="ignore"):
            bad = valid & ~(slack >= -tolerance)
        min_slack = np.where(valid, slack, np.inf).min(axis=1, initial=np.inf)
        max_tightness = np.where(valid, tightness, -np.inf).max(axis=1, initial=0.0)
        return BatchSummary(min_slack, max_tightness, bad.any(axis=1))

    def evaluate_high_precision(self, params: dict, obs: dict, dps: int) -> list[tuple[int, Any, Any]]:
        """(t, observed, bound) in mpmath at every admissible iteration."""
        import mpmath

        mpmath.mp.dps = dps
        ts, args = self._arguments(params, obs)
        rows = []
        for k, tk in enumerate(ts):
            at_k = [a[k] if isinstance(a, np.ndarray) else mpmath.mpf(a) for a in args]
            rows.append((int(tk), *(_undefined_as_nan(fn, mpmath.mpf(int(tk)), *at_k) for fn in self._mpmath)))
        return rows


def _undefined_as_nan(fn, *args):
    """A side of the relation in mpmath; NaN where it is undefined (a division by zero)."""
    import mpmath

    try:
        return fn(*args)
    except ZeroDivisionError:
        return mpmath.nan
