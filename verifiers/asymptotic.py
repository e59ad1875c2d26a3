"""The ``asymptotically`` quantifier: the gap to a limit shrinks along a sequence of sizes.

**This is weaker evidence than an identity or a bound.** A finite sequence of sizes can
never show a limit; what is checked is that, over the sizes run, the gap shrinks at
(about) the stated rate. A limit that is wrong by less than the finite-size effects at
the largest size run cannot be told apart from a right one. Every verdict says so.

Quantifier parameters (``theorems.statement.Quantifier``): ``along`` (the size
parameter, e.g. ``n``), ``sizes`` (its values), ``ratios`` (pairs (parameter, c): that
parameter is round(c * size), e.g. p = gamma n at fixed gamma), ``rate`` (the claimed
exponent r0 < 0 in gap = O(size^r0)), ``mode`` (``l1``: gap = E|lhs - rhs|, for limits
in probability or almost surely; ``mean``: gap = |E[lhs] - rhs|, for limits of
expectations), ``exponent_slack`` tau (default 0.25), ``settings`` (default 2),
``confidence`` (default 0.95).

For each setting of the other parameters (drawn once, satisfying the hypotheses), each
size runs ``budget // (settings * len(sizes))`` seeds; the gap g_k and its standard
error s_k are estimated at each size; log g_k is fitted on log size by weighted least
squares (weights (g_k / s_k)^2, the delta method), the slope's standard error inflated by
sqrt(chi^2 / dof) when the points scatter more than their errors say. With the slope's
interval [b_lo, b_hi] at level 1 - alpha / settings:

* VIOLATED when b_lo > r0 + tau: the gap shrinks significantly slower than claimed
  (a wrong limit leaves a gap that does not shrink at all);
* HOLDS when b_hi <= r0 + tau;
* INCONCLUSIVE otherwise.

In ``mean`` mode a gap smaller than its noise at every size cannot be fitted; the
verdict is then HOLDS if every size's interval for E[lhs - rhs] contains 0 and is
narrower than ``rel_width`` times |rhs| (the limit is met to that resolution), else INCONCLUSIVE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from theorems.statement import Statement, StatementError
from verifiers.expectation import Difference, draw_setting, sample_runs, seeds_for
from verifiers.models import get_model
from verifiers.strategies import DrawPlan
from verifiers.verdict import Verdict

WEAKER = ("asymptotic evidence (weaker than an identity: a finite sequence of sizes shows the gap shrinking, "
          "not the limit)")


@dataclass
class SlopeFit:
    """log gap = a + b log size, weighted, with the slope's interval."""

    sizes: list[int]
    gaps: list[float]
    ses: list[float]
    slope: float
    slope_se: float
    low: float
    high: float
    level: float

    def __str__(self) -> str:
        pts = ", ".join(f"{s}: {g:.3g}+-{e:.2g}" for s, g, e in zip(self.sizes, self.gaps, self.ses))
        return f"gap ~ size^{self.slope:.3f} (slope in [{self.low:.3f}, {self.high:.3f}] at {self.level:.4g}); {pts}"


def fit_slope(sizes: np.ndarray, gaps: np.ndarray, ses: np.ndarray, level: float) -> SlopeFit:
    """Weighted least squares of log gap on log size (weights (gap / se)^2)."""
    x, y = np.log(sizes.astype(float)), np.log(gaps)
    w = (gaps / np.maximum(ses, 1e-300)) ** 2
    xm = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - xm) ** 2)
    slope = float(np.sum(w * (x - xm) * (y - np.sum(w * y) / np.sum(w))) / sxx)
    intercept = float(np.sum(w * y) / np.sum(w) - slope * xm)
    dof = max(len(sizes) - 2, 1)
    chi2 = float(np.sum(w * (y - intercept - slope * x) ** 2))
    se = math.sqrt(1.0 / sxx) * math.sqrt(max(1.0, chi2 / dof))
    z = float(stats.norm.ppf(1.0 - (1.0 - level) / 2.0))
    return SlopeFit([int(s) for s in sizes], [float(g) for g in gaps], [float(e) for e in ses], slope, se,
                    slope - z * se, slope + z * se, level)


def _hypotheses_hold(statement: Statement, params: dict[str, Any]) -> list[str]:
    failed = []
    for h in statement.hypotheses:
        relation = statement.substituted(h.relation)
        env = {s: params[s.name] for s in relation.free_symbols if s.name in params}
        if len(env) < len(relation.free_symbols):
            continue  # names an observable: checked after the run by the plan
        if not bool(relation.xreplace({s: sp.Float(v) if isinstance(v, float) else sp.Integer(v)
                                       for s, v in env.items()})):
            failed.append(h.name)
    return failed


def run_asymptotically(statement: Statement, budget: int, seed: int, progress, base: Verdict) -> Verdict:
    """The ``asymptotically`` runner (see the module docstring)."""
    model = get_model(statement.model)
    plan = DrawPlan(statement, model)
    q = statement.quantifier
    along, sizes = q.get("along"), q.get("sizes")
    ratios = dict(q.get("ratios", ()) or ())
    if along not in model.param_names:
        raise StatementError(f"{statement.id}: asymptotically along {along!r}, not a parameter of {model.name}")
    if not sizes or len(sizes) < 3:
        raise StatementError(f"{statement.id}: asymptotically needs at least three sizes")
    seed_names = [p.name for p in model.params if p.kind == "seed"]
    if not seed_names:
        raise StatementError(f"{statement.id}: model {model.name} has no seed to average over")
    over = q.get("over", seed_names[0])
    rate = q.get("rate")
    r0 = float(sp.sympify(rate)) if rate is not None else 0.0
    tau = float(q.get("exponent_slack", 0.25 if rate is not None else 0.0))
    mode = q.get("mode", "l1")
    if mode not in ("l1", "mean"):
        raise StatementError(f"{statement.id}: asymptotic mode {mode!r} is not 'l1' or 'mean'")
    n_settings = int(q.get("settings", 2))
    confidence, rel_width = float(q.get("confidence", 0.95)), float(q.get("rel_width", 0.05))
    level = 1.0 - (1.0 - confidence) / n_settings
    runs = max(4, budget // (n_settings * len(sizes)))
    difference = Difference(statement, model)
    rng = np.random.default_rng(seed)
    base.details["evidence"] = WEAKER
    fits: list[tuple[dict[str, Any], str, Any]] = []
    done = 0
    for _ in range(n_settings):
        first = _sized(sizes[0], along, ratios)
        setting = draw_setting(plan, rng, first)
        if setting is None:
            base.verdict, base.message = "VACUOUS", f"no setting at {along} = {sizes[0]} met the hypotheses"
            return base
        gaps, ses, means, rhs_means = [], [], [], []
        for size in sizes:
            params = {**setting, **_sized(size, along, ratios)}
            failed = _hypotheses_hold(statement, params)
            if failed:
                raise StatementError(f"{statement.id}: size {along} = {size} breaks hypothesis {failed[0]!r}")
            lhs, rhs, outside = sample_runs(model, plan, difference, params, over, seeds_for(plan, over, rng, runs))
            base.outside += outside
            base.instances += lhs.size
            d = lhs - rhs
            if not np.all(np.isfinite(d)):
                base.verdict = "VIOLATED"
                base.message = f"{WEAKER}: a non-finite value at {along} = {size}"
                return base
            if mode == "l1":
                gaps.append(float(np.mean(np.abs(d))))
                ses.append(float(np.std(np.abs(d), ddof=1) / math.sqrt(d.size)))
            else:
                gaps.append(abs(float(np.mean(d))))
                ses.append(float(np.std(d, ddof=1) / math.sqrt(d.size)))
            means.append(float(np.mean(d)))
            rhs_means.append(float(np.mean(rhs)))
            done += 1
            if progress:
                progress(done, n_settings * len(sizes))
        gaps_a, ses_a = np.array(gaps), np.array(ses)
        z = float(stats.norm.ppf(1.0 - (1.0 - level) / 2.0))
        shown = {k: v for k, v in setting.items() if k not in (over, along, *ratios)}
        resolved = gaps_a > z * ses_a
        if mode == "mean" and resolved.sum() < 3:
            narrow = all(z * s <= rel_width * abs(r) for s, r in zip(ses, rhs_means))
            verdict = "HOLDS" if narrow and not resolved.any() else "INCONCLUSIVE"
            text = (f"gap below its noise at every size (|E[lhs - rhs]| <= {z:.2f} se); "
                    + ", ".join(f"{s}: {m:.3g}+-{e:.2g}" for s, m, e in zip(sizes, means, ses)))
            fits.append((shown, verdict, text))
            continue
        keep = gaps_a > 0
        fit = fit_slope(np.array(sizes)[keep], gaps_a[keep], ses_a[keep], level)
        if fit.low > r0 + tau:
            verdict = "VIOLATED"
        elif fit.high <= r0 + tau:
            verdict = "HOLDS"
        else:
            verdict = "INCONCLUSIVE"
        fits.append((shown, verdict, fit))
    claim = f"gap = O({along}^{r0:g})" if rate is not None else "gap -> 0"
    base.details["fits"] = [{"setting": s, "verdict": v, "fit": str(f)} for s, v, f in fits]
    base.details["claim"] = f"{claim} (slope <= {r0 + tau:g} accepted), mode {mode}"
    verdicts = [v for _, v, _ in fits]
    slopes = [f.slope for _, _, f in fits if isinstance(f, SlopeFit)]
    base.min_slack = min((r0 + tau - s for s in slopes), default=math.inf)
    pick = "VIOLATED" if "VIOLATED" in verdicts else "INCONCLUSIVE" if "INCONCLUSIVE" in verdicts else "HOLDS"
    shown, _, what = next(f for f in fits if f[1] == pick)
    base.verdict = pick
    base.violations = verdicts.count("VIOLATED")
    base.message = f"{WEAKER}; claim {claim}; at {shown}: {what}"
    if pick == "VIOLATED":
        base.counterexample = {"params": shown, "observed": what.slope if isinstance(what, SlopeFit) else math.nan,
                               "bound": r0 + tau, "replay": f"boundcheck verify {statement.origin or statement.id}"}
    return base


def _sized(size: int, along: str, ratios: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {along: int(size)}
    for name, c in ratios.items():
        out[name] = int(round(float(c) * size))
    return out
