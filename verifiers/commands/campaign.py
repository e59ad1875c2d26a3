"""``boundcheck campaign SPEC.toml [--scheduler local|tcp://HOST:PORT] [--resume]``: resumable sweeps.

A campaign is a grid of parameter settings times a number of seeds, cut in batches
(one grid point, ``batch_seeds`` consecutive seeds). Batches run in-process by default,
on a Dask ``LocalCluster`` of worker processes with ``--scheduler local``, or on an
existing Dask cluster with ``--scheduler tcp://HOST:PORT``. Each finished batch is
written to the evidence store at once, in its own transaction, by the one process that
holds the store (the client): a Ctrl-C, a killed worker or a killed client loses only
batches that had not finished. ``--resume`` skips batches already recorded; the table's
primary key (spec hash, batch key) makes a batch impossible to count twice. A spec that
changes gets a new hash, so old batches never mix with new ones.

Spec (TOML)::

    [campaign]
    name = "double_descent"
    model = "regression.min_norm"
    seeds = 200                # per grid point
    batch_seeds = 50           # seeds per batch
    observables = ["risk", "bias", "variance"]
    [params]                   # fixed parameters
    n = 200
    r = 1.0
    [grid]                     # one swept parameter, as a ratio of another (log or linear spacing)
    param = "p"
    of = "n"
    from = 0.1
    to = 10.0
    points = 40
    spacing = "log"
    [plot]
    theory = "min_norm_exact"  # or omit
    statements = ["double_descent.hastie.exact_risk_over"]  # the PNG is also kept in the
                               # store for ID (its pictures table), which `boundcheck docs` shows on ID's page

When every batch is in, the summary (mean, standard error and 95% band per grid point,
the theory value) and, for ``theory``, a PNG of the measured curve against the theory
curve are written to ``campaigns/`` next to the store and into the store's
``campaign_runs`` table (the PNG as a blob too). Dask and matplotlib are imported only here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from boundcheck.verifiers.commands import arguments
from boundcheck.verifiers.errors import BoundcheckError


class CampaignError(BoundcheckError):
    """A campaign spec that cannot be used, or a campaign that cannot go on."""


# ------------------------------------------------------------------ the spec


#: a campaign's name: a slug, so that its outputs stay in the store's folder
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: limits on one campaign spec (seeds per point, grid points)
MAX_SEEDS, MAX_POINTS = 1_000_000, 10_000


def load_spec(path: str | os.PathLike) -> dict[str, Any]:
    """The spec as a plain dict, validated; raises :class:`CampaignError` with one line naming
    the key and what it expects."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise CampaignError(f"cannot read {path}: {exc.strerror}") from None
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: TOML syntax error: {exc}") from None
    except (ValueError, RecursionError) as exc:  # an integer of over 4,300 digits; nesting too deep
        raise CampaignError(f"{path}: unreadable TOML: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    campaign = spec.get("campaign")
    if not isinstance(campaign, dict):
        raise CampaignError(f"{path}: no [campaign] table")
    for key in ("name", "model", "seeds"):
        if key not in campaign:
            raise CampaignError(f"{path}: [campaign] needs {key!r}")
    if not isinstance(campaign["name"], str) or not NAME.fullmatch(campaign["name"]):
        raise CampaignError(f"{path}: [campaign] name must be 1-64 letters, digits, '_' or '-' (a slug), "
                            f"got {str(campaign['name'])[:40]!r}")
    from boundcheck.verifiers.models import MODELS

    if not isinstance(campaign["model"], str) or campaign["model"] not in MODELS:
        raise CampaignError(f"{path}: unknown model {str(campaign['model'])[:40]!r} (known: {', '.join(sorted(MODELS))})")
    seeds = _integer(path, "[campaign] seeds", campaign["seeds"], 2, MAX_SEEDS)
    _integer(path, "[campaign] batch_seeds", campaign.get("batch_seeds", seeds), 1, MAX_SEEDS)
    observables = campaign.get("observables", ["risk"])
    if not isinstance(observables, list) or not all(isinstance(o, str) and o.isidentifier() for o in observables):
        raise CampaignError(f"{path}: [campaign] observables must be a list of names")
    grid = spec.get("grid", {})
    if not isinstance(grid, dict):
        raise CampaignError(f"{path}: [grid] must be a table")
    for key in ("param", "from", "to", "points"):
        if key not in grid:
            raise CampaignError(f"{path}: [grid] needs {key!r}")
    if not isinstance(grid["param"], str) or ("of" in grid and not isinstance(grid["of"], str)):
        raise CampaignError(f"{path}: [grid] param and of must name parameters")
    _integer(path, "[grid] points", grid["points"], 1, MAX_POINTS)
    low, high = (_finite(path, f"[grid] {key}", grid[key]) for key in ("from", "to"))
    if not 0 < low <= high:
        raise CampaignError(f"{path}: [grid] needs points >= 1 and 0 < from <= to")
    if grid.get("spacing", "log") not in ("log", "linear"):
        raise CampaignError(f"{path}: [grid] spacing must be 'log' or 'linear'")
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise CampaignError(f"{path}: [params] must be a table name = number")
    for name, value in params.items():
        _finite(path, f"[params] {name}", value)
    params = dict(params)
    if "of" in grid and grid["of"] not in params:
        raise CampaignError(f"{path}: [grid] of = {grid['of']!r} is not a fixed parameter in [params]")
    plot_spec = spec.get("plot", {})
    if not isinstance(plot_spec, dict):
        raise CampaignError(f"{path}: [plot] must be a table")
    ids = plot_spec.get("statements", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and re.fullmatch(r"[\w.]+", i) for i in ids):
        raise CampaignError(f"{path}: [plot] statements must be a list of statement ids")
    return {"campaign": campaign, "params": params, "grid": grid, "plot": plot_spec}


def _integer(path: str | os.PathLike, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise CampaignError(f"{path}: {key} must be an integer in [{lo}, {hi:,}], got {str(value)[:40]!r}")
    return value


def _finite(path: str | os.PathLike, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CampaignError(f"{path}: {key} must be a finite number, got {str(value)[:40]!r}")
    return float(value)


def spec_hash(spec: dict[str, Any]) -> str:
    body = {k: spec[k] for k in ("campaign", "params", "grid")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def grid_points(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameter settings of the grid (duplicates after rounding removed, order kept)."""
    grid, fixed = spec["grid"], spec["params"]
    lo, hi, count = float(grid["from"]), float(grid["to"]), int(grid["points"])
    values = np.geomspace(lo, hi, count) if grid.get("spacing", "log") == "log" else np.linspace(lo, hi, count)
    points, seen = [], set()
    for v in values:
        value = float(v) * float(fixed[grid["of"]]) if "of" in grid else float(v)
        if grid.get("integer", True if "of" in grid else False):
            value = max(1, int(round(value)))
        if value in seen:
            continue
        seen.add(value)
        points.append({**fixed, grid["param"]: value})
    return points


def batches(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every batch: key 'POINT:FIRST_SEED', the point's params and its seeds."""
    seeds, per = int(spec["campaign"]["seeds"]), int(spec["campaign"].get("batch_seeds", spec["campaign"]["seeds"]))
    base = int(spec["campaign"].get("seed", 0))
    out = []
    for k, params in enumerate(grid_points(spec)):
        for first in range(0, seeds, per):
            chunk = list(range(base + first, base + min(first + per, seeds)))
            out.append({"key": f"{k}:{chunk[0]}", "point": k, "params": params, "seeds": chunk})
    return out


# ------------------------------------------------------------------ one batch (runs on a worker)


def run_batch(model_name: str, params: dict[str, Any], seeds: list[int], observables: list[str]) -> dict[str, Any]:
    """Observables of ``params`` with each seed: {name: [values]}, plus wall time and worker id.

    Uses the model's vectorised ``sweep`` when it has one and it provides the observables
    asked for; its ``run`` otherwise."""
    from boundcheck.verifiers.models import get_model

    started = time.perf_counter()
    model = get_model(model_name)
    values: dict[str, list[float]] = {}
    sweep = getattr(model, "sweep", None)
    done = False
    if sweep is not None:
        try:
            out = sweep(**params, seeds=seeds)
            if all(name in out for name in observables):
                values = {name: [float(v) for v in out[name]] for name in observables}
                done = True
        except TypeError:
            done = False
    if not done:
        seed_name = next(p.name for p in model.params if p.kind == "seed")
        defaults = {p.name: p.lo for p in model.params}
        results = model.run([{**defaults, **params, seed_name: s} for s in seeds])
        values = {name: [float(o[name]) for o in results] for name in observables}
    return {"values": values, "wall_s": time.perf_counter() - started, "worker": f"{os.uname().nodename}:{os.getpid()}"}


# ------------------------------------------------------------------ the store side


class BatchLedger:
    """Finished batches of one campaign in the store (the client is the only writer)."""

    def __init__(self, store, spec: dict[str, Any]):
        self.store, self.spec, self.hash = store, spec, spec_hash(spec)

    def finished(self) -> set[str]:
        return self.store.campaign_batch_keys(self.hash)

    def record(self, batch: dict[str, Any], result: dict[str, Any]) -> bool:
        """Write one finished batch in its own transaction; False if it was already there."""
        return self.store.record_campaign_batch(self.hash, batch["key"], self.spec["campaign"]["name"], batch["point"],
                                                batch["params"], batch["seeds"], result["values"], result["wall_s"],
                                                result["worker"])

    def values(self) -> dict[int, dict[str, np.ndarray]]:
        """Per grid point, every observable over all recorded seeds (in seed order)."""
        gathered: dict[int, list[tuple[list[int], dict[str, list[float]]]]] = {}
        for batch in self.store.campaign_batches(self.hash):
            gathered.setdefault(batch.point, []).append((batch.seeds, batch.results))
        out = {}
        for point, parts in gathered.items():
            parts.sort(key=lambda part: part[0][0])
            names = parts[0][1].keys()
            out[point] = {name: np.concatenate([np.asarray(v[name], dtype=float) for _, v in parts]) for name in names}
            out[point]["seed"] = np.concatenate([np.asarray(s) for s, _ in parts])
        return out


# ------------------------------------------------------------------ schedulers


def run_in_process(pending: list[dict[str, Any]], spec: dict[str, Any], ledger: BatchLedger, report) -> int:
    model, observables = spec["campaign"]["model"], spec["campaign"].get("observables", ["risk"])
    done = 0
    for batch in pending:
        result = run_batch(model, batch["params"], batch["seeds"], observables)
        done += ledger.record(batch, result)
        report(done, len(pending))
    return done


def run_on_dask(pending: list[dict[str, Any]], spec: dict[str, Any], ledger: BatchLedger, scheduler: str,
                report, workers: int | None = None) -> int:
    """Submit every pending batch; record each as it completes (in completion order)."""
    from dask.distributed import Client, LocalCluster, as_completed

    model, observables = spec["campaign"]["model"], spec["campaign"].get("observables", ["risk"])
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise CampaignError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    done = 0
    try:
        futures = {client.submit(run_batch, model, b["params"], b["seeds"], observables, pure=False,
                                 key=f"batch-{ledger.hash}-{b['key']}"): b for b in pending}
        for future in as_completed(futures):
            batch = futures[future]
            done += ledger.record(batch, future.result())
            report(done, len(pending))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return done


# ------------------------------------------------------------------ summary and plot


def summarize(spec: dict[str, Any], ledger: BatchLedger, observable: str = "risk") -> list[dict[str, Any]]:
    """Per grid point: mean, standard error, 95% band of ``observable``; the theory value if any."""
    from scipy import stats

    points = grid_points(spec)
    theory = theory_curve(spec)
    rows = []
    recorded = sorted(ledger.values().items())
    for k, values in recorded:
        v = values[observable]
        mean, se = float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
        half = float(stats.t.ppf(0.975, v.size - 1)) * se
        # simultaneous over the grid (Bonferroni): a pointwise 95% band misses ~5% of true values
        half_all = float(stats.t.ppf(1 - 0.025 / max(len(recorded), 1), v.size - 1)) * se
        row = {"point": k, "params": points[k], "runs": int(v.size), "mean": mean, "se": se, "low": mean - half,
               "high": mean + half, "rel_half_width": half / abs(mean) if mean else math.inf}
        if theory is not None:
            value = theory(points[k])
            row["theory"] = value
            row["theory_inside_band"] = bool(row["low"] <= value <= row["high"])
            row["theory_inside_simultaneous_band"] = bool(abs(mean - value) <= half_all)
            row["z"] = (mean - value) / se if se > 0 else math.inf
            row["rel_deviation"] = abs(mean - value) / value if math.isfinite(value) and value else math.inf
        rows.append(row)
    return rows


def theory_curve(spec: dict[str, Any]):
    """The theory value as a function of a grid point's params, or None."""
    name = spec["plot"].get("theory")
    if not name:
        return None
    if name != "min_norm_exact":
        raise CampaignError(f"unknown theory curve {name!r} (known: min_norm_exact)")
    from boundcheck.theorems.double_descent import exact_expected_risk

    return lambda params: exact_expected_risk(params["n"], params["p"], params["r"], params["sigma"])


def plot(spec: dict[str, Any], rows: list[dict[str, Any]], path: Path) -> None:
    """Measured mean risk with its 95% band against the theory curve, over p/n on log axes, peak marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from boundcheck.theorems.double_descent import asymptotic_risk, exact_expected_risk

    grid, fixed = spec["grid"], spec["params"]
    of = float(fixed[grid["of"]])
    x = np.array([r["params"][grid["param"]] / of for r in rows])
    mean = np.array([r["mean"] for r in rows])
    low = np.array([max(r["low"], 1e-12) for r in rows])
    high = np.array([r["high"] for r in rows])
    n, r_, s_ = fixed["n"], fixed["r"], fixed["sigma"]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    dense = np.unique(np.round(np.geomspace(x.min(), x.max(), 800) * n).astype(int))
    exact = np.array([exact_expected_risk(n, int(p), r_, s_) for p in dense])
    keep = np.isfinite(exact)
    ax.plot(dense[keep & (dense < n)] / n, exact[keep & (dense < n)], color="black", lw=1.4,
            label=f"exact E[risk] (Hastie et al.; n = {n})")
    ax.plot(dense[keep & (dense > n)] / n, exact[keep & (dense > n)], color="black", lw=1.4)
    gammas = np.geomspace(x.min(), x.max(), 800)
    limit = np.array([asymptotic_risk(g, r_, s_) for g in gammas])
    ok = np.isfinite(limit)
    ax.plot(gammas[ok & (gammas < 1)], limit[ok & (gammas < 1)], color="gray", lw=1, ls="--",
            label="limit n, p -> inf at p/n = gamma")
    ax.plot(gammas[ok & (gammas > 1)], limit[ok & (gammas > 1)], color="gray", lw=1, ls="--")
    ax.fill_between(x, low, high, color="tab:blue", alpha=0.3, label="95% band of the mean")
    ax.plot(x, mean, "o", color="tab:blue", ms=3.5, label=f"measured mean risk ({rows[0]['runs']} seeds/point)")
    ax.axvline(1.0, color="tab:red", lw=1, ls=":")
    peak = int(np.argmax(mean))
    ax.annotate(f"peak at p/n = {x[peak]:.3g}\n(interpolation threshold p = n)", xy=(x[peak], mean[peak]),
                xytext=(x[peak] * 1.6, mean[peak]), color="tab:red", fontsize=8,
                arrowprops={"arrowstyle": "->", "color": "tab:red"})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("p / n")
    ax.set_ylabel("excess risk ||b - beta||^2")
    ax.set_title(f"Double descent of min-norm least squares (r = {r_}, sigma = {s_})")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, which="both", alpha=0.2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# ------------------------------------------------------------------ the command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="campaign spec (TOML)")
    parser.add_argument("--scheduler", default=None,
                        help="'local' for a Dask LocalCluster of worker processes, or tcp://HOST:PORT; "
                             "default: in-process")
    parser.add_argument("--workers", type=arguments.count, default=None, help="worker processes of a local cluster")
    parser.add_argument("--resume", action="store_true", help="skip batches already recorded")
    parser.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON, no progress")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.evidence.store import Store

    spec = load_spec(args.spec)
    if args.scheduler not in (None, "local") and not str(args.scheduler).startswith("tcp://"):
        raise CampaignError(f"--scheduler must be 'local' or tcp://HOST:PORT, not {args.scheduler!r}")
    store = Store(args.store)
    ledger = BatchLedger(store, spec)
    every = batches(spec)
    finished = ledger.finished()
    if finished and not args.resume:
        store.close()
        raise CampaignError(f"campaign {spec['campaign']['name']} already has {len(finished)} of {len(every)} "
                            f"batches in {store.path}; pass --resume to go on")
    pending = [b for b in every if b["key"] not in finished]
    from boundcheck.verifiers.commands.progress import Reporter, wanted

    report = Reporter(wanted(args.json), unit="batches").__enter__()
    report.step(f"campaign {spec['campaign']['name']}", total=len(pending))
    started = time.perf_counter()
    scheduler = args.scheduler or "in-process"
    try:
        if args.scheduler:
            done = run_on_dask(pending, spec, ledger, args.scheduler, report, args.workers)
        else:
            done = run_in_process(pending, spec, ledger, report)
    except KeyboardInterrupt:
        report.close()
        have = len(ledger.finished())
        store.close()
        print(f"interrupted: {have} of {len(every)} batches recorded in {store.path}; "
              "run the same command with --resume to go on", file=sys.stderr)
        return 130
    wall = time.perf_counter() - started
    report.close()
    rows = summarize(spec, ledger)
    fits = sum(len(b["seeds"]) for b in pending)
    out_dir = store.path.parent / "campaigns"
    plot_path = None
    if spec["plot"].get("theory"):
        plot_path = out_dir / f"{spec['campaign']['name']}-{ledger.hash}.png"
        plot(spec, rows, plot_path)
        for statement_id in spec["plot"].get("statements", []):  # kept by the store, shown by `boundcheck docs`
            store.record_picture(statement_id, f"campaign-{spec['campaign']['name']}.png", plot_path.read_bytes(),
                                 "campaign")
    summary = {"campaign": spec["campaign"]["name"], "spec_hash": ledger.hash, "scheduler": scheduler,
               "batches": len(every), "batches_run": done, "batches_skipped": len(every) - len(pending),
               "fits": fits, "wall_s": wall, "fits_per_s": fits / wall if wall > 0 else None,
               "plot": str(plot_path) if plot_path else None, "points": rows}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{spec['campaign']['name']}-{ledger.hash}.json").write_text(json.dumps(summary, indent=2, default=str))
    store.record_campaign_run(ledger.hash, spec["campaign"]["name"], scheduler, done, len(every) - len(pending), fits,
                              wall, summary["fits_per_s"], rows, summary["plot"],
                              plot_path.read_bytes() if plot_path else None)
    store.close()
    if args.json:
        from boundcheck.verifiers.commands.output import dumps

        print(dumps("campaign", [summary]))
        return 0
    print(f"campaign {summary['campaign']} ({ledger.hash}): {done} batches run, {summary['batches_skipped']} "
          f"skipped, {fits} fits in {wall:.1f} s ({summary['fits_per_s'] or 0:.1f} fits/s, {scheduler})")
    away = [r for r in rows if "rel_deviation" in r and _away_from_peak(r, spec)]
    if away:
        worst = max(away, key=lambda r: r["rel_deviation"])
        inside = sum(r["theory_inside_band"] for r in away)
        inside_all = sum(r["theory_inside_simultaneous_band"] for r in away)
        widest = max(r["rel_half_width"] for r in away)
        print(f"  away from the peak (|p/n - 1| > 0.1, {len(away)} points): theory inside the pointwise 95% band "
              f"at {inside}, inside the simultaneous 95% band (Bonferroni over the grid) at {inside_all}; "
              f"band half-width at most {widest:.2%} of the mean; largest relative deviation "
              f"{worst['rel_deviation']:.2%} ({worst['z']:+.2f} se) at "
              f"{spec['grid']['param']} = {worst['params'][spec['grid']['param']]}")
    if plot_path:
        print(f"  plot: {plot_path}")
    return 0


def _away_from_peak(row: dict[str, Any], spec: dict[str, Any], margin: float = 0.1) -> bool:
    grid = spec["grid"]
    if "of" not in grid:
        return True
    ratio = row["params"][grid["param"]] / float(spec["params"][grid["of"]])
    return abs(ratio - 1.0) > margin
