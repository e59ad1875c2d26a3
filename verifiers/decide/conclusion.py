"""A statement's conclusion compiled against a model: slack, tightness and a decision at every cell.

The relation is put as ``observed <= bound`` (a ``>=`` relation is turned around). A
*cell* is one iteration ``t >= t_min`` of one run at which ``t`` itself and every index
lie inside the run. At each cell:

* ``slack = bound - observed`` (signed; negative means the conclusion fails),
* ``tightness = observed / bound`` (1 means the bound is attained),
* ``tolerance``: the float64 error of the slack, derived per expression
  (:mod:`boundcheck.verifiers.decide.rounding`): the rounding error of evaluating both sides, plus each
  observable's own accuracy (carried through the expression's sensitivity to it): relative
  ``model.observable_rtol``, plus the absolute error bound the model states for the run in
  ``obs[ERROR_KEY][name]`` where it states one (an observable computed by a subtraction
  that cancels, e.g. a residual near convergence, is accurate to an absolute floor, not
  relatively), else, for an indexed observable, ``model.observable_floor`` times the
  largest magnitude it has had up to that iteration; times a safety factor of 2 for
  second-order terms.

Soundness (a float tolerance may delay a verdict, never decide it): a cell is *decided*
only when ``|slack| > tolerance``. A cell with ``slack < -tolerance`` is a violation
candidate, to be confirmed in high precision before it is reported; a cell inside its
tolerance is *undecided* and contributes nothing to slack or tightness until it is
re-evaluated in high precision
(:func:`~boundcheck.verifiers.decide.replay.replay_high_precision`). A cell undecided because
float64 cannot tell which branch of a ``Piecewise`` the exact values take holds if the
relation holds, beyond its tolerance, on every branch (:func:`branch_cases`). Cells that
hold with equality by construction (``t = 0`` of ``gap[t] <= rate**t * gap[0]``) are
*trivial*: they carry no evidence and are left out.

A NaN or infinite value (a diverging run) is an observation: it violates the
conclusion at that iteration (a candidate like any other).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.theorems.statement import Statement, StatementError, t
from boundcheck.verifiers.decide.compiled import compile_expression
from boundcheck.verifiers.decide.rounding import SAFETY, U, forward_error
from boundcheck.verifiers.models.base import ERROR_KEY, Model

_MAX, _MIN = sp.Function("elementwise_max"), sp.Function("elementwise_min")
_NUMPY = [{"elementwise_max": lambda *a: functools.reduce(np.maximum, a),
           "elementwise_min": lambda *a: functools.reduce(np.minimum, a)}, "numpy"]
_MPMATH = [{"elementwise_max": max, "elementwise_min": min}, "mpmath"]

HOLDS, FAILS, UNDECIDED = 1, -1, 0


def _elementwise(expr: sp.Expr) -> sp.Expr:
    """Max/Min replaced by functions that broadcast over arrays of instances and iterations."""
    return expr.replace(sp.Max, lambda *a: _MAX(*a)).replace(sp.Min, lambda *a: _MIN(*a))


@dataclass
class Evaluation:
    """The conclusion along one run: one entry per cell."""

    t: np.ndarray
    observed: np.ndarray
    bound: np.ndarray
    slack: np.ndarray
    tightness: np.ndarray
    tolerance: np.ndarray

    #: a non-strict relation: an exact tie (slack 0 with a zero error bound) holds
    ties_hold: bool = True

    @property
    def status(self) -> np.ndarray:
        """HOLDS (1), FAILS (-1: a violation candidate) or UNDECIDED (0) per cell."""
        with np.errstate(invalid="ignore"):
            holds = _holds(self.slack, self.tolerance, self.ties_hold)
            return np.where(holds, HOLDS, np.where(self.slack >= -self.tolerance, UNDECIDED, FAILS)).astype(np.int8)

    @property
    def bad(self) -> np.ndarray:
        """Cells where the conclusion fails beyond the floating-point tolerance (NaN included)."""
        with np.errstate(invalid="ignore"):
            return ~(self.slack >= -self.tolerance)

    @property
    def undecided(self) -> np.ndarray:
        return self.status == UNDECIDED

    @property
    def violated(self) -> bool:
        return bool(self.bad.any())

    @property
    def first_violation(self) -> int | None:
        bad = np.flatnonzero(self.bad)
        return int(self.t[bad[0]]) if bad.size else None

    @property
    def decided(self) -> int:
        """Cells decided to hold."""
        return int((self.status == HOLDS).sum())

    @property
    def min_slack(self) -> float:
        """Over decided cells only (inf when none)."""
        s = np.where(np.isnan(self.slack), -np.inf, self.slack)[self.status != UNDECIDED]
        return float(s.min()) if s.size else math.inf

    @property
    def max_tightness(self) -> float:
        """Over cells decided to hold (0 when none); a violation shows in the slack."""
        tt = self.tightness[(self.status == HOLDS) & ~np.isnan(self.tightness)]
        return float(tt.max()) if tt.size else 0.0

    def at(self, index_t: int) -> dict[str, float]:
        k = int(np.flatnonzero(self.t == index_t)[0])
        return {"t": index_t, "observed": float(self.observed[k]), "bound": float(self.bound[k]),
                "slack": float(self.slack[k]), "tightness": float(self.tightness[k])}


def _holds(slack: np.ndarray, tolerance: np.ndarray, ties_hold: bool) -> np.ndarray:
    """Cells decided to hold: slack beyond the error bound, or an exact tie of a non-strict relation."""
    with np.errstate(invalid="ignore"):
        holds = slack > tolerance
        return holds | ((slack == 0) & (tolerance == 0)) if ties_hold else holds


@dataclass
class BatchSummary:
    """What the search needs from many runs: per instance, over its cells."""

    min_slack: np.ndarray  # over cells decided to hold
    max_tightness: np.ndarray  # over cells decided to hold
    violated: np.ndarray  # any violation candidate
    decided: np.ndarray  # number of cells decided to hold
    undecided: np.ndarray  # number of undecided cells
    cells: np.ndarray  # number of (non-trivial) cells evaluated


class Conclusion:
    """``statement.conclusion`` lambdified for ``model``'s observables, with its error bounds."""

    def __init__(self, statement: Statement, model: Model):
        relation = statement.substituted(statement.conclusion)
        if isinstance(relation, (sp.Le, sp.Lt)):
            observed, bound = relation.lhs, relation.rhs
        elif isinstance(relation, (sp.Ge, sp.Gt)):
            observed, bound = relation.rhs, relation.lhs
        else:
            raise StatementError(f"{statement.id}: conclusion {relation} is not an inequality")
        self.ties_hold = isinstance(relation, (sp.Le, sp.Ge))
        self.statement = statement
        self.t_min = statement.t_min
        self.observable_rtol = float(model.observable_rtol)
        self.observable_floor = float(model.observable_floor)
        self.index_args: list[tuple[sp.Symbol, str, Any]] = []
        replacements = {}
        indexed = sorted(relation.atoms(sp.Indexed), key=sp.default_sort_key)
        for k, ix in enumerate(indexed):
            name = ix.base.label.name
            if name not in model.indexed_names:
                raise StatementError(f"{statement.id}: model {model.name} has no indexed observable {name!r}")
            index = ix.indices[0]
            if index.is_integer is not True:
                raise StatementError(f"{statement.id}: index {ix} is not an integer for every integer t "
                                     f"(write an integer expression of t, e.g. {name}[t] or {name}[2*t])")
            if index.is_Number and index < 0:
                raise StatementError(f"{statement.id}: index {ix} is negative; iterations start at {name}[0]")
            placeholder = sp.Symbol(f"_obs{k}", real=True)
            replacements[ix] = placeholder
            self.index_args.append((placeholder, name, compile_expression(t, index, "numpy")))
        self._check_reachable(statement, model, indexed)
        self.trivial_t = _trivial_iterations(observed, bound, indexed, self.t_min)
        observed, bound = observed.xreplace(replacements), bound.xreplace(replacements)
        scalars = sorted({s for s in (observed.free_symbols | bound.free_symbols)
                          if s != t and not s.name.startswith("_obs")}, key=lambda s: s.name)
        for s in scalars:
            if s.name not in model.param_names and s.name not in model.scalar_names:
                known = model.indexed_names if s.name in model.indexed_names else None
                hint = f" (it varies along the run: write {s.name}[t])" if known else ""
                raise StatementError(f"{statement.id}: model {model.name} has no observable {s.name!r}{hint}")
        self.scalar_names = [s.name for s in scalars]
        #: every observable and parameter name the conclusion reads
        self.reads = frozenset([a[1] for a in self.index_args] + self.scalar_names)
        inexact = frozenset([a[0] for a in self.index_args] + [s for s in scalars if s.name in model.scalar_names])
        args = [t] + [a[0] for a in self.index_args] + list(scalars)
        # first-order error of both sides from each observable's own error, rtol |x| + err_x (err_x
        # the run's absolute error bound for x where the model states one, 0 otherwise)
        # an error source is (observable name, position in index_args or None for a scalar): a
        # model may state an indexed observable's error per iteration, read at the same index
        sources = ({a[0]: (a[1], k) for k, a in enumerate(self.index_args)}
                   | {symbol: (symbol.name, None) for symbol in scalars})
        rtol = sp.Symbol("_rtol", nonnegative=True)
        self.error_sources: list[tuple[str, int | None]] = []
        error_args = [rtol]
        accuracy = {}
        for k, symbol in enumerate(sorted(inexact, key=lambda s: s.name)):
            error = sp.Symbol(f"_err{k}", nonnegative=True)
            self.error_sources.append(sources[symbol])
            error_args.append(error)
            accuracy[symbol] = rtol * sp.Abs(symbol) + error
        self._sides_of = _FloatSides(args, error_args, accuracy, observed, bound)
        self._propagated = self._sides_of.propagated
        #: the relation with each combination of Piecewise branches in place of the Piecewise
        #: (:func:`branch_cases`): a cell whose branch float64 cannot tell is decided on these
        self._cases = [_FloatSides(args, error_args, accuracy, o, b) for o, b in branch_cases(observed, bound)]
        self._high_precision_sides = (args, observed, bound)  # compiled on the first replay (most runs have none)

    # ------------------------------------------------------------ where cells exist
    def _check_reachable(self, statement: Statement, model: Model, indexed: list[sp.Indexed]) -> None:
        """Refuse at load a conclusion no admissible run can evaluate (an index past every run)."""
        if not indexed or "steps" not in model.param_names:
            return
        steps_hi = int(min(model.param("steps").hi, statement.domain.get("steps", (0, math.inf))[1]))
        ts = np.arange(self.t_min, steps_hi + 1)
        reachable = np.ones(ts.size, dtype=bool)
        for _, _, index_fn in self.index_args:
            idx = np.broadcast_to(np.asarray(index_fn(ts), dtype=np.int64), ts.shape)
            reachable &= (idx >= 0) & (idx <= steps_hi)
        if not reachable.any():
            demanded = ", ".join(sp.sstr(ix) for ix in indexed)
            raise StatementError(f"{statement.id}: no run of {model.name} reaches {demanded} at any t >= {self.t_min} "
                                 f"(runs have at most steps = {steps_hi} iterations)")

    def _cells(self, ts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Which (instance, t) cells exist — ``t`` and every index inside the run, not trivial —
        and the index arrays; ``lengths`` is each run's number of recorded iterations."""
        valid = (ts[None, :] < lengths[:, None]) & ~np.isin(ts, list(self.trivial_t))[None, :]
        indices = []
        for _, _, index_fn in self.index_args:
            idx = np.broadcast_to(np.asarray(index_fn(ts), dtype=np.int64), ts.shape)
            valid &= ((idx >= 0)[None, :]) & (idx[None, :] < lengths[:, None])
            indices.append(idx)
        return valid, indices

    def _length(self, obs: dict) -> int:
        return min((len(obs[name]) for _, name, _ in self.index_args), default=self.t_min + 1)

    def _arguments(self, params: dict, obs: dict) -> tuple[np.ndarray, list, list[np.ndarray]]:
        length = self._length(obs)
        ts = np.arange(self.t_min, max(length, self.t_min))
        valid, indices = self._cells(ts, np.array([length]))
        keep = valid[0]
        columns = [np.asarray(obs[name])[idx[keep]] for (_, name, _), idx in zip(self.index_args, indices)]
        # numpy scalars, so that a division by zero in a side or its error bound gives inf, not an exception
        scalars = [_as_number(obs[name] if name in obs else params[name]) for name in self.scalar_names]
        return ts[keep], columns + scalars, [idx[keep] for idx in indices]

    # ------------------------------------------------------------ float64
    def _grids(self, observations: list[dict], width: int) -> dict[str, np.ndarray]:
        """Each indexed observable of the runs on a (runs, width + 1) grid, NaN past a run's end."""
        grids = {}
        for _, name, _ in self.index_args:
            if name not in grids:
                padded = np.full((len(observations), width + 1), np.nan)
                for i, o in enumerate(observations):
                    values = np.asarray(o[name], dtype=np.float64)[: width + 1]
                    padded[i, : values.size] = values
                grids[name] = padded
        return grids

    def _errors(self, observations: list[dict], grids: dict[str, np.ndarray],
                indices: list[np.ndarray]) -> list[np.ndarray]:
        """The absolute error bound of each inexact observable, on the (runs, cells) grid of
        ``indices``: the bound the run states for it (``obs[ERROR_KEY][name]``, a scalar or
        one per iteration, read at the observable's index as the observable itself is);
        where none is stated, a scalar observable has none (its relative accuracy alone) and
        an indexed one the floor ``model.observable_floor`` times its largest magnitude up
        to that iteration (``grids``, :meth:`_grids`)."""
        stated = [o.get(ERROR_KEY) or {} for o in observations]
        columns = []
        for name, position in self.error_sources:
            if position is None:
                columns.append(np.array([float(e.get(name, 0.0)) for e in stated], dtype=np.float64)[:, None])
                continue
            bounds = self.observable_floor * largest_so_far(grids[name])
            for i, e in enumerate(stated):
                if name not in e:
                    continue
                v = np.asarray(e[name], dtype=np.float64)
                if v.ndim:  # one bound per iteration; past the stated array: unknown, not 0
                    bounds[i, :] = np.inf
                    bounds[i, : v.size] = v[: bounds.shape[1]]
                else:  # one bound for the whole run
                    bounds[i, :] = v
            columns.append(bounds[:, np.clip(indices[position], 0, bounds.shape[1] - 1)])
        return columns

    def _sides(self, ts: np.ndarray, args: list, errors: list) -> tuple[np.ndarray, ...]:
        """observed, bound, slack, tightness, tolerance; arrays broadcast to ``ts``'s shape.

        Where float64 cannot tell which branch of a Piecewise the exact values take (the cell
        is undecided), the cell is decided to hold when the relation holds, beyond its own
        tolerance, on every branch: the exact value is one of them. It is then reported as
        its weakest branch (the least margin of slack over tolerance)."""
        sides = self._sides_of(ts, args, self.observable_rtol, errors)
        if not self._cases:
            return sides
        _, _, slack, _, tolerance = sides
        with np.errstate(invalid="ignore"):
            undecided = np.nonzero(~_holds(slack, tolerance, self.ties_hold) & (slack >= -tolerance))
        if not undecided[0].size:
            return sides
        # the branches at the undecided cells alone
        at = [np.broadcast_to(np.asarray(a), ts.shape)[undecided] for a in (*args, *errors)]
        cases = [case(ts[undecided], at[:len(args)], self.observable_rtol, at[len(args):]) for case in self._cases]
        with np.errstate(invalid="ignore"):
            every_branch_holds = np.logical_and.reduce([_holds(c[2], c[4], self.ties_hold) for c in cases])
            margins = np.stack([np.where(np.isnan(c[2] - c[4]), -np.inf, c[2] - c[4]) for c in cases])
        weakest = np.argmin(margins, axis=0)
        out = [np.array(side, dtype=np.float64) for side in sides]
        for k in range(5):
            out[k][undecided] = np.where(every_branch_holds, np.choose(weakest, [c[k] for c in cases]),
                                         out[k][undecided])
        return tuple(out)

    def evaluate(self, params: dict, obs: dict) -> Evaluation:
        """The conclusion at every cell of one float64 run."""
        ts, args, indices = self._arguments(params, obs)
        grids = self._grids([obs], max(self._length(obs), 1))
        errors = [column[0] for column in self._errors([obs], grids, indices)]
        return Evaluation(ts, *self._sides(ts, args, errors), ties_hold=self.ties_hold)

    def last_bound(self, params: dict, obs: dict) -> tuple[int, float] | None:
        """(t, bound) at the last cell of one float64 run (None when it has none), without
        evaluating the other cells: what :meth:`evaluate` gives at ``t[-1]``, except at a cell
        decided on its Piecewise branches, which :meth:`evaluate` reports as its weakest."""
        ts, args, _ = self._arguments(params, obs)
        if not ts.size:
            return None
        last = [a[-1:] if isinstance(a, np.ndarray) else a for a in args]
        with np.errstate(all="ignore"):
            bound = np.broadcast_to(np.asarray(self._sides_of.sides[1](ts[-1:].astype(np.float64), *last),
                                               dtype=np.float64), (1,))
        return int(ts[-1]), float(bound[0])

    def summarize(self, batch: list[dict], observations: list[dict]) -> BatchSummary:
        """Per-instance decided min slack and max tightness, violation flag and cell counts.

        Trajectories of different lengths are padded with NaN to a (instances, iterations)
        grid; every lambdified side broadcasts over it; cells past a run's end are masked
        by the same rule as :meth:`evaluate` uses.
        """
        if not self.index_args:
            evaluations = [self.evaluate(p, o) for p, o in zip(batch, observations)]
            return BatchSummary(np.array([e.min_slack for e in evaluations]),
                                np.array([e.max_tightness for e in evaluations]),
                                np.array([e.violated for e in evaluations], dtype=bool),
                                np.array([e.decided for e in evaluations]),
                                np.array([int(e.undecided.sum()) for e in evaluations]),
                                np.array([e.t.size for e in evaluations]))
        count = len(batch)
        lengths = np.array([self._length(o) for o in observations])
        width = int(lengths.max())
        ts = np.arange(self.t_min, max(width, self.t_min))
        grid_t = np.broadcast_to(ts, (count, ts.size))
        valid, indices = self._cells(ts, lengths)
        grids = self._grids(observations, width)
        columns = [grids[name][:, np.clip(idx, 0, width)] for (_, name, _), idx in zip(self.index_args, indices)]
        scalars = [np.array([o[n] if n in o else p[n] for p, o in zip(batch, observations)],
                            dtype=np.float64)[:, None] for n in self.scalar_names]
        errors = self._errors(observations, grids, indices)
        _, _, slack, tightness, tolerance = self._sides(grid_t, columns + scalars, errors)
        with np.errstate(invalid="ignore"):
            bad = valid & ~(slack >= -tolerance)
            holds = valid & _holds(slack, tolerance, self.ties_hold)
        tight = np.where(holds & ~np.isnan(tightness), tightness, -np.inf).max(axis=1, initial=-np.inf)
        return BatchSummary(np.where(holds, slack, np.inf).min(axis=1, initial=np.inf),
                            np.where(tight == -np.inf, 0.0, tight), bad.any(axis=1),
                            holds.sum(axis=1), (valid & ~holds & ~bad).sum(axis=1), valid.sum(axis=1))

    # ------------------------------------------------------------ high precision
    @functools.cached_property
    def _mpmath(self) -> list:
        args, observed, bound = self._high_precision_sides
        return [compile_expression(args, _elementwise(e), _MPMATH) for e in (observed, bound)]

    def evaluate_high_precision(self, params: dict, obs: dict, dps: int) -> list[tuple[int, Any, Any]]:
        """(t, observed, bound) in mpmath at every cell; ``obs`` may be mpmath (a replayed run)
        or float64 (recorded values, taken as exact inputs)."""
        import mpmath

        mpmath.mp.dps = dps
        ts, args, _ = self._arguments(params, obs)
        rows = []
        if not ts.size:
            return rows
        for k, tk in enumerate(ts):
            at_k = [mpmath.mpf(a[k]) if isinstance(a, np.ndarray) else mpmath.mpf(a) for a in args]
            rows.append((int(tk), *(_undefined_as_nan(fn, mpmath.mpf(int(tk)), *at_k) for fn in self._mpmath)))
        return rows


    def high_precision_error(self, params: dict, obs: dict, digits: int) -> np.ndarray:
        """Per cell of a replayed run, the error its observables carry, propagated through the
        conclusion as in float64 (:meth:`_sides`): each indexed observable at iteration k is
        taken accurate to 10**-(digits/2) times its largest magnitude up to k, each scalar to
        10**-(digits/2) relative. A quantity that decays from O(1) to 1e-58 carries an error
        relative to its start, not to its current value, and ``log`` of it carries that error
        divided by the value: the margin of ``log(resid_sq[t]) <= ...`` at resid_sq = 1e-58
        in a 50-digit replay is noise, whatever the size of the logarithm. A quantity that
        grows carries an error relative to its current value (gap[0] of a diverging run is
        not blurred by gap[90] = 1e62)."""
        ts, args, indices = self._arguments(params, obs)
        relative = 10.0 ** -(digits // 2)
        with np.errstate(all="ignore"):
            floats = [np.asarray(a, dtype=np.float64) if isinstance(a, np.ndarray) else np.float64(float(a))
                      for a in args]
            errors = [0.0 if position is None
                      else relative * largest_so_far(np.asarray(obs[name], dtype=np.float64))[indices[position]]
                      for name, position in self.error_sources]
            propagated = np.broadcast_to(np.asarray(self._propagated(ts.astype(np.float64), *floats, relative,
                                                                      *errors), dtype=np.float64), ts.shape)
        return np.where(np.isnan(propagated), np.inf, SAFETY * propagated)


class _FloatSides:
    """One relation ``observed <= bound`` compiled for float64 with its error bound: the rounding
    of both sides and of their difference (observables taken as exact inputs), plus each
    observable's own error (``accuracy``: symbol -> ``rtol |x| + err``) carried through the
    relation's first-order sensitivity to it."""

    def __init__(self, args: list, error_args: list, accuracy: dict, observed: sp.Expr, bound: sp.Expr):
        rounding = forward_error(observed) + forward_error(bound) + U * (sp.Abs(observed) + sp.Abs(bound))
        propagated = forward_error(observed, accuracy, u=0) + forward_error(bound, accuracy, u=0)
        self.sides = [compile_expression(args, _elementwise(e), _NUMPY) for e in (observed, bound, rounding)]
        self.propagated = compile_expression(args + error_args, _elementwise(propagated), _NUMPY)

    def __call__(self, ts: np.ndarray, args: list, rtol: float, errors: list) -> tuple[np.ndarray, ...]:
        """observed, bound, slack, tightness, tolerance at the cells ``ts``."""
        tf = ts.astype(np.float64)
        with np.errstate(all="ignore"):
            observed, bound, rounding = (
                np.broadcast_to(np.asarray(fn(tf, *args), dtype=np.float64), ts.shape) for fn in self.sides)
            propagated = np.broadcast_to(np.asarray(self.propagated(tf, *args, rtol, *errors), dtype=np.float64),
                                         ts.shape)
            slack = bound - observed
            tolerance = SAFETY * (rounding + propagated)
            tolerance = np.where(np.isnan(tolerance), np.inf, tolerance)
            tightness = np.where(bound > 0, observed / bound, np.where(slack >= 0, np.nan, np.inf))
        # non-finite sides: NaN, observed = +inf or bound = -inf are violation candidates (a diverging
        # run); observed = -inf or bound = +inf may be an underflow or overflow of a finite value,
        # so float64 cannot decide them (slack NaN with an infinite tolerance: undecided)
        finite = np.isfinite(observed) & np.isfinite(bound)
        fails = np.isnan(observed) | np.isnan(bound) | (observed == np.inf) | (bound == -np.inf)
        slack = np.where(finite, slack, np.where(fails, -np.inf, 0.0))
        tolerance = np.where(finite, tolerance, np.where(fails, 0.0, np.inf))
        return observed, bound, slack, np.where(finite, tightness, np.where(fails, np.inf, np.nan)), tolerance


#: at most this many branch combinations are tried on a cell float64 leaves undecided
MAX_BRANCH_CASES = 8


def branch_cases(observed: sp.Expr, bound: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """The relation with each outermost ``Piecewise`` replaced by one of its branches, for
    every combination of branches (none when there is no Piecewise, or more than
    :data:`MAX_BRANCH_CASES` combinations).

    The exact value of a Piecewise whose last condition is ``True`` is the exact value of one
    of its branches (the first whose exact condition holds), so a relation that holds on every
    combination holds, whichever branch the exact values select. A Piecewise without a
    default branch may have no value at all; it is left in place (its own error rule,
    :func:`~boundcheck.verifiers.decide.rounding.forward_error`, still applies).
    """
    relation = sp.Tuple(observed, bound)
    pieces = relation.atoms(sp.Piecewise)
    outermost = sorted((p for p in pieces if not any(q != p and q.has(p) for q in pieces)), key=sp.default_sort_key)
    nodes = [p for p in outermost if p.args[-1].cond == sp.true]
    if not nodes or math.prod(len(node.args) for node in nodes) > MAX_BRANCH_CASES:
        return []
    cases = []
    for branches in itertools.product(*(node.args for node in nodes)):
        replaced = relation.xreplace({node: branch.expr for node, branch in zip(nodes, branches)})
        cases.append((replaced[0], replaced[1]))
    return cases


def observables_read(conclusion: Conclusion, observed: Any = None) -> frozenset[str]:
    """The names a decision reads from a run: the conclusion's, and those of the hypotheses on
    observables ``observed`` (a plan's ``observed``, or ``None``). A model may compute these
    alone (:meth:`~boundcheck.verifiers.models.base.Model.run_only`)."""
    return conclusion.reads | (frozenset(observed.names) if observed else frozenset())


def largest_so_far(values: np.ndarray) -> np.ndarray:
    """max_{k <= t} |values[k]| along the last axis (a NaN from the start on: inf, unknown):
    the scale of the absolute error an iterated computation leaves in a quantity that
    decays from it."""
    with np.errstate(invalid="ignore"):
        reached = np.fmax.accumulate(np.abs(values), axis=-1)
    return np.where(np.isnan(reached), np.inf, reached)


def high_precision_status(observed: Any, bound: Any, dps: int, propagated: Any = 0) -> int:
    """HOLDS, FAILS or UNDECIDED for one cell evaluated at ``dps`` digits.

    Decided only beyond 10**-(dps/2) times the sides' size plus ``propagated`` (the error the
    replay's observables carry into this cell, :meth:`Conclusion.high_precision_error`): the
    precision the replay reached is stated, and nothing below it is confirmed (inputs such
    as ``eta = 1/L`` are exact only to the working precision, so a cell ``0 <= 0`` can come
    out ``1e-100 <= 0``).
    """
    import mpmath

    if mpmath.isnan(observed) or mpmath.isnan(bound):
        return UNDECIDED  # a side undefined at this cell (0/0, inf - inf): neither confirms
    if mpmath.isinf(observed) or mpmath.isinf(bound):
        # log 0 in the replay: a quantity that is 0 to the replay's precision, whose true size
        # (0, or rounding noise such as 1e-102 at 50 digits) the replay cannot resolve
        return UNDECIDED
    slack = bound - observed
    if not propagated < mpmath.inf:
        return UNDECIDED
    threshold = mpmath.mpf(10) ** (-(dps // 2)) * (abs(observed) + abs(bound)) + mpmath.mpf(float(propagated))
    if slack > threshold or (slack == 0 and observed == bound and threshold == 0):
        return HOLDS
    if slack < -threshold:
        return FAILS
    return UNDECIDED


def _trivial_iterations(observed: sp.Expr, bound: sp.Expr, indexed: list[sp.Indexed], t_min: int) -> frozenset[int]:
    """Iterations at which the relation holds with equality whatever the run: where an
    index of t meets a constant index (``gap[t]`` and ``gap[0]`` at t = 0) and the slack
    then simplifies to 0. Such cells are true by construction and carry no evidence."""
    constants = {ix.indices[0] for ix in indexed if ix.indices[0].is_Number}
    candidates = set()
    for ix in indexed:
        index = ix.indices[0]
        if index.is_Number:
            continue
        for c in constants:
            for root in sp.solve(sp.Eq(index, c), t):
                if root.is_Integer and int(root) >= t_min:
                    candidates.add(int(root))
    trivial = set()
    for tk in candidates:
        slack = (bound - observed).subs(t, tk)
        if sp.expand(slack) == 0:
            trivial.add(tk)
    return frozenset(trivial)


def _as_number(value: Any) -> Any:
    """A float64 numpy scalar for plain numbers; mpmath numbers (a replayed run) unchanged."""
    return np.float64(value) if isinstance(value, (int, float, np.number)) else value


def _undefined_as_nan(fn, *args):
    """A side of the relation in mpmath; NaN where it is undefined (a division by zero)."""
    import mpmath

    try:
        return fn(*args)
    except ZeroDivisionError:
        return mpmath.nan
