"""What a model is: declared parameters and observables, a fast batched run, a reference.

An instance is its parameters and a seed: arrays are generated from the seed inside
the model, so a counterexample is a handful of numbers that replays bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from boundcheck.verifiers.models.precision import FLOAT64

SEED_MAX = 2**32 - 1


@dataclass(frozen=True)
class Param:
    """One parameter of an instance: ``int``, ``float`` or ``seed`` in [lo, hi]."""

    name: str
    kind: str
    lo: float
    hi: float
    doc: str = ""
    assumptions: dict[str, bool] = field(default_factory=dict)

    def symbol(self) -> sp.Symbol:
        if self.kind in ("int", "seed"):
            return sp.Symbol(self.name, integer=True, **self.assumptions)
        return sp.Symbol(self.name, real=True, **self.assumptions)


def param(name: str, kind: str, lo: float, hi: float, doc: str = "", **assumptions: bool) -> Param:
    """A :class:`Param` with its sympy assumptions as keywords, e.g.
    ``param("n", "int", 1, 512, "number of samples", positive=True)``."""
    return Param(name, kind, lo, hi, doc, assumptions)


@dataclass(frozen=True)
class Observable:
    """A quantity a run computes: ``indexed`` ones vary along the iterations."""

    name: str
    indexed: bool
    doc: str = ""


Observations = dict[str, Any]

#: key of an observation dict that holds absolute error bounds of some of its scalar
#: observables (name -> bound on |computed - exact|), where a relative accuracy does not
#: describe them: a quantity that is zero in exact arithmetic and rounding noise in float64
#: (``top_proj_sq`` of ``ntk.two_layer_relu``) has an absolute error, not a relative one
ERROR_KEY = "_error"
#: float64 machine epsilon, 2u (the rounding floors models state are written in it)
EPS = float(np.finfo(np.float64).eps)


def squared_norm_error(norm, delta):
    """|fl(||x||^2) - ||x||^2| <= 2 ||x|| delta + delta^2 when ||fl(x) - x|| <= delta (the triangle
    inequality; the rounding of the sum itself is the caller's)."""
    return 2 * norm * delta + delta * delta


def inner_product_error(r_norm, q_norm, r_delta, q_delta):
    """|<fl r, fl q> - <r, q>| <= ||dr|| ||q|| + ||r|| ||dq|| + ||dr|| ||dq|| (Cauchy-Schwarz)."""
    return r_delta * q_norm + r_norm * q_delta + r_delta * q_delta


class Model:
    """Base class of an instance family. Subclasses fill the declarations and ``run``."""

    name: str = ""
    doc: str = ""
    params: tuple[Param, ...] = ()
    observables: tuple[Observable, ...] = ()
    #: relations among parameters the family itself needs (named, like hypotheses)
    constraints: tuple[tuple[str, sp.Basic], ...] = ()
    #: parameter sets per Hypothesis example (one batched kernel call) ...
    batch_size: int = 8
    #: ... each run with up to this many seeds (cheap models raise it: the draw is paid once)
    replicas: int = 1
    #: instances per example of the budget that a seeded Monte Carlo sweep checks after a
    #: ``for_all`` search without a violation (:mod:`boundcheck.verifiers.quantifiers.sweep`):
    #: uniform draws at the kernel's speed, where the search's draws lean on the edges
    monte_carlo: int = 8
    #: observables a high-precision reference leaves in float64 on purpose (each model says
    #: why); every other one it recomputes at the replay precision
    #: (:func:`boundcheck.verifiers.models.precision.precision_reached` checks it)
    float64_in_replay: tuple[str, ...] = ()

    # -------------------------------------------------------------- what is probed today
    # Every attribute other modules read off a model is declared here, with its default, so
    # that a model's whole vocabulary is in one place.

    #: a small parameter domain for users' conjectures, name -> (lo, hi): a TOML conjecture
    #: that gives no ``domain`` is drawn from it (a domain it gives wins, parameter by
    #: parameter; see :func:`boundcheck.verifiers.loading.statement_from_table`), small
    #: enough that a conjecture gets a verdict in seconds. ``None``: not declared (every
    #: registered model declares one; ``{}`` says the declared ranges are small already)
    default_domain: dict[str, tuple[float, float]] | None = None
    #: the function class (a key of :data:`boundcheck.verifiers.certificates.pep.CLASSES`) a
    #: ``for_all`` statement over this model is a claim about, where the model's instances
    #: stand for the whole class, so that a PEP certifies it; ``None``: no such class
    function_class: str | None = None
    #: population observable -> its empirical counterpart (``test_err`` -> ``train_err``):
    #: a generalization bound on a population observable gets an informativeness report
    #: (:mod:`boundcheck.verifiers.draw.vacuity`); empty: none
    empirical: dict[str, str] = {}
    #: an optional vectorised run for campaigns, ``sweep(**params, seeds=[...])`` ->
    #: {observable: array over the seeds} (:mod:`boundcheck.verifiers.commands.campaign`
    #: uses it when it gives the observables asked for, ``run`` otherwise); ``None``: none
    sweep: Callable[..., dict[str, Any]] | None = None
    #: relative accuracy of a recorded observable where :meth:`observable_errors` states no
    #: absolute bound (read by :mod:`boundcheck.verifiers.decide.conclusion` and
    #: :mod:`boundcheck.verifiers.decide.observed`)
    observable_rtol: float = 1e-9
    #: the absolute accuracy of an indexed observable where the run states none, relative to
    #: the largest magnitude it has had up to that iteration: a quantity computed from
    #: numbers of size 1 that gradient descent drives to 1e-30 is rounding noise there, not
    #: accurate to observable_rtol of itself (a gradient norm squared at 1.5e-21 from 2.5 was
    #: measured 3e-5 off, relatively). Cells below it are undecided, not decided.
    observable_floor: float = 1e-9

    # -------------------------------------------------------------- declarations
    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    @property
    def indexed_names(self) -> list[str]:
        return [o.name for o in self.observables if o.indexed]

    @property
    def scalar_names(self) -> list[str]:
        return [o.name for o in self.observables if not o.indexed]

    def knows(self, name: str) -> bool:
        return name in self.param_names or any(o.name == name for o in self.observables)

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` checked against the declaration; returns them with numeric types."""
        unknown = set(params) - set(self.param_names)
        if unknown:
            raise ValueError(f"model {self.name} has no parameter {sorted(unknown)[0]!r}")
        missing = [p.name for p in self.params if p.name not in params]
        if missing:
            raise ValueError(f"model {self.name} needs parameter {missing[0]!r}")
        clean = {}
        for p in self.params:
            value = params[p.name]
            value = int(value) if p.kind in ("int", "seed") else float(value)
            if not (p.lo <= value <= p.hi):
                raise ValueError(f"{self.name}: {p.name} = {value} outside [{p.lo}, {p.hi}]")
            clean[p.name] = value
        return clean

    # -------------------------------------------------------------- numerics
    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        """Observations for every instance of ``batch`` (the fast, batched path)."""
        raise NotImplementedError

    def run_only(self, batch: Sequence[dict[str, Any]], names: frozenset[str]) -> list[Observations]:
        """:meth:`run` for a caller that reads only the observables ``names``: a model may skip
        the costly others; every value it returns must be the one :meth:`run` returns (an
        instance decided here is re-evaluated by :meth:`run`). By default it computes all.
        The ``for_all`` search, its Monte Carlo sweep and shrinker, the probability and the
        expectation runners call it with the names their decision reads."""
        return self.run(batch)

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """Observations of one instance by the plain reference implementation.

        With a high-precision ``backend`` every quantity the observations depend on is
        recomputed at that precision (the parameters and the data drawn from the seed are
        exact inputs; eigenvectors, projections, spectral initialisations are not), so that
        a replay is high precision throughout. It may leave out observables not in
        ``backend.needed`` (when that is not ``None``).
        """
        raise NotImplementedError

    def observable_errors(self, params: dict[str, Any], obs: Observations) -> dict[str, Any]:
        """Absolute error bounds of scalar observables of ``obs``, where the model derives
        them (``obs[ERROR_KEY]``); the others are taken to be accurate to a relative
        ``observable_rtol`` (see :mod:`boundcheck.verifiers.decide.observed`)."""
        return dict(obs.get(ERROR_KEY) or {})

    def __repr__(self) -> str:
        return f"<model {self.name}>"


def at_most_exactly(value: float, fits) -> float:
    """``value`` moved down ulp by ulp until ``fits(Fraction(value))`` holds in exact rational
    arithmetic: a float64 instance must meet its declared constants exactly (as the real
    numbers its floats are), not up to rounding. ``L - mu`` rounded to nearest can make
    c_0 + mu exceed L by half an ulp, and the instance then is not L-smooth: its replay, exact,
    breaks a tight bound (``classical.convex.drori_teboulle`` at t = 0 by 5.5e-17 relative,
    seed 12 of the false-alarm sweep)."""
    from fractions import Fraction

    for _ in range(64):
        if fits(Fraction(float(value))):
            return float(value)
        value = float(np.nextafter(value, -np.inf))
    raise ValueError(f"no float64 value near {value} meets the model's constant exactly")


def trajectory_observables(f: np.ndarray, grad_sq: np.ndarray, f_star: Any = 0.0) -> Observations:
    """The observables every gradient-descent model derives from f and ||grad f||^2."""
    gap = f - f_star
    min_grad_sq = np.minimum.accumulate(grad_sq) if grad_sq.dtype != object else _running_min(grad_sq)
    return {"f": f, "gap": gap, "grad_sq": grad_sq, "min_grad_sq": min_grad_sq}


def _running_min(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    for k in range(1, len(out)):
        out[k] = min(out[k - 1], out[k])
    return out
