"""``boundcheck explore ID --relax NAME``: the validity region of one hypothesis.

A theorem's hypotheses are often far stronger than its conclusion needs (Du et al.
demand ~1e17 neurons for eight inputs). ``explore`` relaxes the hypotheses that name
NAME and maps where the conclusion still holds empirically:

* NAME an integer parameter (a width ``m``): every hypothesis naming it is dropped and
  NAME is pinned to each value of a grid (powers of two inside the statement's domain),
  then refined by bisection between the largest grid value with a violation and the
  smallest above it without one;
* NAME a float parameter or an observable (a step ``eta``): every hypothesis naming it
  is scaled, NAME -> NAME / s, i.e. its bound on NAME is multiplied by s (s > 1 loosens
  an upper bound, s < 1 a lower bound), s on a geometric grid, refined by bisection
  (in log s) the same way.

At each point: seeded Monte Carlo draws of the statement's instances (``--instances``)
plus a short targeted Hypothesis search (``--search`` examples, ``target()`` on
tightness) look for a violation of the conclusion. The table (value, instances tried,
violations, worst tightness) is printed and stored (table ``explore`` of the evidence
store); the ratio "what the theorem demands / the smallest value (largest scale) at
which no violation was found" summarises the gap; the map is saved as a PNG next to
the evidence store. Violations here are float64 observations (not replayed in mpmath):
the region is an empirical map, not a verdict. Other parameters can be pinned with
``--set NAME=VALUE`` (e.g. ``--set n=16``).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from boundcheck.verifiers.commands import arguments
from boundcheck.verifiers.errors import BoundcheckError

#: the largest pinned value of the default grid (a wider one: --values)
PIN_MAX = 4096

@dataclass
class Point:
    """What was found at one value of the relaxed quantity."""

    value: float
    instances: int = 0
    outside: int = 0
    violations: int = 0  # runs violated in float64, beyond their error bounds
    worst_tightness: float = 0.0
    demanded: list[float] = field(default_factory=list)
    example: dict[str, Any] | None = None
    #: the most violated run, replayed at REPLAY_DPS digits: a point fails only when it is confirmed
    violating: dict[str, Any] | None = None
    confirmed: bool = False

    @property
    def fails(self) -> bool:
        """A violation here survived the high-precision replay (as ``verify`` demands of a counterexample)."""
        return self.violations > 0 and self.confirmed

    @property
    def clean(self) -> bool:
        return self.instances > 0 and self.violations == 0


@dataclass
class Exploration:
    statement_id: str
    relax: str
    mode: str  # "pin" or "scale"
    points: list[Point]
    demanded: float | None  # what the theorem demands of the relaxed quantity (min over instances)
    boundary: float | None  # smallest pinned value / largest scale with no violation found
    first_failure: float | None

    @property
    def ratio(self) -> float | None:
        if self.mode == "pin":
            if self.demanded is None or not self.boundary:
                return None
            return self.demanded / self.boundary
        return self.boundary  # scale mode: s at the boundary is the ratio itself

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["ratio"] = self.ratio
        return out


# ------------------------------------------------------------------ relaxing a statement


def relaxed(statement, name: str, mode: str, value: float, pinned: dict[str, float]):
    """``statement`` with its hypotheses on ``name`` dropped (pin) or scaled by ``value`` (scale),
    drawn from its ``explore_domain`` where it declares one."""
    symbol_names = lambda rel: {s.name for s in rel.free_symbols}  # noqa: E731
    hypotheses = []
    for h in statement.hypotheses:
        relation = statement.substituted(h.relation)
        if name not in symbol_names(relation):
            hypotheses.append(h)
        elif mode == "scale":
            x = next(s for s in relation.free_symbols if s.name == name)
            hypotheses.append(dataclasses.replace(h, relation=relation.xreplace({x: x / sp.Float(value)})))
    domain = {**statement.domain, **statement.explore_domain}
    for key, v in pinned.items():
        domain[key] = (v, v)
    if mode == "pin":
        domain[name] = (value, value)
    return dataclasses.replace(statement, hypotheses=tuple(hypotheses), domain=domain, kind="conjecture",
                               id=f"{statement.id}.explore-{name}-" + f"{value:g}".replace(".", "_").replace("+", ""))


def _recorded(name: str, params: dict, obs: dict) -> sp.Float:
    """A run's value of ``name`` (an observable, else a parameter) as a sympy number."""
    value = float(obs[name] if name in obs else params[name])
    return sp.nan if math.isnan(value) else sp.Float(value)


def demanded_values(statement, name: str, model) -> list:
    """For each hypothesis naming ``name``: a function (params, obs) -> the value it demands of name."""
    from boundcheck.theorems.symbolic import solve_for

    out = []
    for h in statement.hypotheses:
        relation = statement.substituted(h.relation)
        matches = [s for s in relation.free_symbols if s.name == name]
        if not matches:
            continue
        bound = solve_for(h.name, relation, matches[0])
        if bound.direction not in ("upper", "lower", "equal"):
            continue

        def evaluate(params, obs, expr=bound.expr):
            env = {s: _recorded(s.name, params, obs) for s in expr.free_symbols}
            try:
                return float(expr.xreplace(env))
            except (TypeError, ValueError):
                return math.nan

        out.append((h.name, bound.direction, evaluate))
    return out


# ------------------------------------------------------------------ searching one point


def search_point(statement, value: float, instances: int, search: int, seed: int, demand_fns) -> Point:
    """Monte Carlo draws, then a short targeted Hypothesis search, at one relaxed statement."""
    import numpy as np
    from hypothesis import HealthCheck, Phase, given, settings, target
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st
    from hypothesis.errors import Unsatisfiable

    from boundcheck.verifiers.decide.conclusion import Conclusion
    from boundcheck.verifiers.draw.plan import DrawPlan, instance_key
    from boundcheck.verifiers.draw.sampler import sample
    from boundcheck.verifiers.draw.strategy import instances as admissible
    from boundcheck.verifiers.draw.strategy import process_independent_draws
    from boundcheck.verifiers.models import get_model

    model = get_model(statement.model)
    plan, conclusion = DrawPlan(statement, model), Conclusion(statement, model)
    point = Point(value)
    most_violated = [math.inf]
    seen: dict[str, float] = {}  # each distinct instance run and counted once (Hypothesis redraws many)

    def consider(batch):
        keys = [instance_key(params) for params in batch]
        tight = max((seen[key] for key in keys if key in seen), default=0.0)
        fresh = {key: params for key, params in zip(keys, batch) if key not in seen}
        for (key, params), obs in zip(fresh.items(), model.run(list(fresh.values())) if fresh else []):
            seen[key] = 0.0
            for _, _, fn in demand_fns:
                point.demanded.append(fn(params, obs))
            if not plan.observed.hold(params, obs):
                point.outside += 1
                continue
            evaluation = conclusion.evaluate(params, obs)
            point.instances += 1
            tightness = _worst_ratio(evaluation)
            seen[key] = tightness
            tight = max(tight, tightness)
            if tightness > point.worst_tightness or point.example is None:
                point.worst_tightness = max(point.worst_tightness, tightness)
                point.example = dict(params)
            if evaluation.violated:
                point.violations += 1
                if evaluation.min_slack < most_violated[0]:
                    most_violated[0], point.violating = evaluation.min_slack, dict(params)
        return tight

    rng = np.random.default_rng(seed)
    draws = [d for d in (sample(plan, rng) for _ in range(instances)) if d is not None]
    for start in range(0, len(draws), model.batch_size):
        consider(draws[start:start + model.batch_size])
    if search <= 0:
        return _confirmed(point, model, plan, conclusion)

    @settings(max_examples=search, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate, Phase.target], print_blob=False)
    @hypothesis_seed(seed)
    @given(st.lists(admissible(plan), min_size=1, max_size=model.batch_size))
    def targeted(batch):
        tight = consider(batch)
        target(min(tight, 1e6) if math.isfinite(tight) else 1e6, label="tightness")

    try:
        with process_independent_draws():
            targeted()
    except Unsatisfiable:
        pass
    return _confirmed(point, model, plan, conclusion)


def _confirmed(point: Point, model, plan, conclusion) -> Point:
    """Replay the point's most violated run in high precision (the run :mod:`for_all
    <boundcheck.verifiers.quantifiers.for_all>` would report): the point fails only if it is
    confirmed, never on float64 alone."""
    from boundcheck.verifiers.decide.replay import replay_high_precision

    if point.violating is not None:
        point.confirmed = replay_high_precision(model, conclusion, point.violating, plan=plan).confirmed
    return point


def _worst_ratio(evaluation) -> float:
    """max over t of observed / bound (inf where the bound is <= 0 or a side is not finite),
    over the cells the conclusion evaluates (cells true by construction, such as t = 0 of a
    rate bound, are not among them).

    The plain ratio, violations included (above 1), where the checker's tightness counts
    decided cells that hold only: the map shows how far past the bound a relaxation goes.
    """
    import numpy as np

    observed, bound = evaluation.observed, evaluation.bound
    if not observed.size:
        return 0.0
    with np.errstate(all="ignore"):
        ratio = np.where(bound > 0, observed / bound, np.where(observed <= bound, 0.0, np.inf))
    ratio = np.where(np.isfinite(observed) & np.isfinite(bound), ratio, np.inf)
    return float(np.max(np.where(np.isnan(ratio), np.inf, ratio)))


# ------------------------------------------------------------------ the sweep


def grid_for(statement, model, name: str, mode: str, values: list[float] | None) -> list[float]:
    if values:
        return sorted(values)
    if mode == "pin":  # from the model's smallest value (the hypothesis is dropped) to the statement's largest
        lo = max(1, int(model.param(name).lo))
        hi = min(statement.domain.get(name, (lo, PIN_MAX))[1], model.param(name).hi, PIN_MAX)
        grid, v = [], 1
        while v <= hi:
            if v >= lo:
                grid.append(float(v))
            v *= 2
        return grid or [float(lo)]
    return [2.0**k for k in range(0, 11)]


def explore(statement, name: str, values: list[float] | None = None, pinned: dict[str, float] | None = None,
            instances: int = 16, search: int = 6, seed: int = 0, bisections: int = 4, time_limit: float = 540.0,
            progress=None) -> Exploration:
    """Map where ``statement``'s conclusion holds as the hypotheses on ``name`` are relaxed."""
    from boundcheck.verifiers.models import get_model

    model = get_model(statement.model)
    pinned = dict(pinned or {})
    mentioned = any(name in {s.name for s in statement.substituted(h.relation).free_symbols}
                    for h in statement.hypotheses)
    if not mentioned:
        raise BoundcheckError(f"{statement.id}: no hypothesis names {name!r}; nothing to relax "
                              f"(hypotheses: {', '.join(str(h) for h in statement.hypotheses) or 'none'})")
    for key in pinned:
        if key not in model.param_names:
            raise BoundcheckError(f"--set {key}: {model.name} has no parameter {key!r}")
    is_int_param = name in model.param_names and model.param(name).kind == "int"
    mode = "pin" if is_int_param else "scale"
    demand_fns = demanded_values(statement, name, model)
    started = time.perf_counter()
    points: dict[float, Point] = {}

    def at(value: float) -> Point:
        if value not in points:
            if progress:
                progress(value)
            points[value] = search_point(relaxed(statement, name, mode, value, pinned), value,
                                         instances, search, seed, demand_fns)
        return points[value]

    grid = grid_for(statement, model, name, mode, values)
    # "safe" end of the sweep: large widths (pin) or small scales (scale) are closest to the theorem
    safe_first = sorted(grid, reverse=(mode == "pin"))
    for value in safe_first:
        if time.perf_counter() - started > time_limit:
            break
        at(value)
    boundary, failure = _boundary(points, mode)
    for _ in range(bisections):
        if boundary is None or failure is None or time.perf_counter() - started > time_limit:
            break
        if mode == "pin":
            mid = float(math.floor((boundary + failure) / 2))
            if mid in (boundary, failure):
                break
        else:
            mid = math.sqrt(boundary * failure)
            if abs(math.log(failure / boundary)) < 0.05:
                break
        at(mid)
        boundary, failure = _boundary(points, mode)
    demanded_all = [d for p in points.values() for d in p.demanded if math.isfinite(d)]
    demanded = None
    if demanded_all:
        demanded = min(demanded_all) if mode == "pin" else 1.0
    ordered = [points[v] for v in sorted(points)]
    return Exploration(statement.id, name, mode, ordered, demanded, boundary, failure)


def _boundary(points: dict[float, Point], mode: str) -> tuple[float | None, float | None]:
    """(boundary, first failure): the last clean value reached from the safe end, and the failing one after it."""
    order = sorted(points, reverse=(mode == "pin"))
    boundary = failure = None
    for value in order:
        point = points[value]
        if point.instances == 0:
            continue
        if point.fails:
            failure = value
            break
        boundary = value
    return boundary, failure


# ------------------------------------------------------------------ output


def format_table(result: Exploration) -> str:
    head = "value" if result.mode == "pin" else "scale s"
    lines = [f"{head:>12}  {'instances':>9}  {'outside':>7}  {'violations':>10}  {'confirmed':>9}  "
             f"{'worst tightness':>15}   (tightness = observed / bound, worst over t and instances; "
             "confirmed: the worst violation replayed at 50 digits)"]
    for p in result.points:
        confirmed = ("yes" if p.confirmed else "NO") if p.violations else "-"
        lines.append(f"{p.value:>12.6g}  {p.instances:>9}  {p.outside:>7}  {p.violations:>10}  {confirmed:>9}  "
                     f"{p.worst_tightness:>15.9g}")
    return "\n".join(lines)


def summary(result: Exploration) -> str:
    name = result.relax
    if result.mode == "pin":
        demanded = f"{result.demanded:.3g}" if result.demanded is not None else "(not computable)"
        lines = [f"the theorem demands {name} >= {demanded} (smallest demand over the instances run)"]
        if result.boundary is not None:
            lines.append(f"no violation found at {name} = {result.boundary:g} or above (on the grid)"
                         + (f"; first failure at {name} = {result.first_failure:g}" if result.first_failure else
                            "; no failure anywhere on the grid"))
        else:
            lines.append(f"violations at every {name} tried")
        if result.ratio is not None:
            lines.append(f"ratio demanded / smallest {name} with no violation found: {result.ratio:.3g}")
        return "\n".join(lines)
    lines = [f"hypotheses on {name} scaled by s (s = 1: as stated)"]
    if result.boundary is not None:
        lines.append(f"no violation found up to s = {result.boundary:g}"
                     + (f"; first failure at s = {result.first_failure:g}" if result.first_failure else
                        "; no failure anywhere on the grid"))
        lines.append(f"ratio (largest relaxation with no violation found / what the theorem allows): "
                     f"{result.boundary:.3g}")
    else:
        lines.append("violations already at the smallest scale tried")
    return "\n".join(lines)


def save_plot(result: Exploration, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    xs = [p.value for p in result.points if p.instances]
    ys = [p.worst_tightness if math.isfinite(p.worst_tightness) else 1e6 for p in result.points if p.instances]
    colors = ["tab:red" if p.fails else "tab:orange" if p.violations else "tab:green" for p in result.points
              if p.instances]
    ax.scatter(xs, ys, c=colors, zorder=3)
    ax.plot(xs, ys, color="0.6", zorder=2)
    ax.axhline(1.0, color="k", linestyle="--", linewidth=1, label="tightness 1 (bound attained)")
    ax.set_xscale("log", base=2)
    if ys and min(ys) > 0:
        ax.set_yscale("log")
    ax.set_xlabel(result.relax if result.mode == "pin" else f"scale of the bound on {result.relax}")
    ax.set_ylabel("worst tightness (observed / bound)")
    title = f"{result.statement_id}: relax {result.relax}"
    if result.demanded is not None and result.mode == "pin":
        title += f"\n(theorem demands {result.relax} >= {result.demanded:.2g}; red: violation found)"
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def record(result: Exploration, statement, store_path: str | None, pinned: dict[str, float]) -> Path:
    from boundcheck.verifiers.evidence.store import Store

    with Store(store_path) as store:
        store.record_explore(statement.id, statement.hash(), result.relax, result.mode, result.points,
                             result.demanded, pinned)
        return store.path


# ------------------------------------------------------------------ command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="statement id or conjecture file")
    parser.add_argument("--relax", required=True, help="the parameter or observable whose hypotheses are relaxed")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="pin another parameter (repeatable), e.g. --set n=16")
    parser.add_argument("--values", help="comma-separated grid (values when pinning, scales when scaling)")
    parser.add_argument("--instances", type=arguments.count, default=16, help="Monte Carlo instances per point")
    parser.add_argument("--search", type=arguments.count, default=6, help="targeted Hypothesis examples per point")
    parser.add_argument("--bisections", type=int, default=4,
                        help="bisection steps that refine the boundary between two grid points where the verdict changes")
    parser.add_argument("--seed", type=arguments.seed, default=0, help="random seed of the sweep (same seed, same map)")
    parser.add_argument("--time-limit", type=float, default=540.0, help="seconds before the sweep stops refining")
    parser.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")
    parser.add_argument("--plot", help="PNG path (default: next to the evidence store)")
    parser.add_argument("--json", action="store_true", help="the map as JSON (schema boundcheck/1) on stdout")


def _parse_pins(items: list[str]) -> dict[str, float]:
    pins = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            pins[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise BoundcheckError(f"--set {item!r}: expected NAME=NUMBER")
    return pins


def main(args: argparse.Namespace) -> int:
    import sys

    from boundcheck.verifiers.loading import load, validate

    statements = load(args.id)
    if len(statements) != 1:
        raise BoundcheckError(f"{args.id} holds {len(statements)} statements; name one by its id")
    statement = validate(statements[0])
    pins = _parse_pins(args.set)
    try:
        values = [float(v) for v in args.values.split(",")] if args.values else None
    except ValueError:
        raise BoundcheckError(f"--values {args.values!r}: expected comma-separated numbers") from None
    interactive = sys.stderr.isatty() and not args.json

    def progress(value):
        if interactive:
            sys.stderr.write(f"\r{statement.id}: {args.relax} = {value:g} ...{' ' * 20}")
            sys.stderr.flush()

    result = explore(statement, args.relax, values, pins, args.instances, args.search, args.seed, args.bisections,
                     args.time_limit, progress)
    if interactive:
        sys.stderr.write("\r" + " " * 80 + "\r")
    store_path = record(result, statement, args.store, pins)
    suffix = "_".join(f"{k}{v:g}" for k, v in sorted(pins.items()))
    plot = Path(args.plot) if args.plot else store_path.parent / (
        f"explore_{statement.id}_{args.relax}{'_' + suffix if suffix else ''}.png")
    save_plot(result, plot)
    from boundcheck.verifiers.evidence.store import Store

    with Store(store_path) as store:  # the store keeps the map; `boundcheck docs` shows it on the statement's page
        store.record_picture(statement.id, f"explore-{args.relax}{'-' + suffix if suffix else ''}.png",
                             plot.read_bytes(), "explore", statement.hash())
    if args.json:
        from boundcheck.verifiers.commands.output import dumps

        print(dumps("explore", [{**result.to_dict(), "plot": str(plot)}]))
        return 0
    pinned = ", ".join(f"{k} = {v:g}" for k, v in pins.items())
    print(f"{statement.id}: relax {args.relax}" + (f" ({pinned})" if pinned else ""))
    print(format_table(result))
    print(summary(result))
    print(f"stored in {store_path} (table explore); plot {plot}")
    return 0
