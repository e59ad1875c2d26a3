"""The ``asymptotically`` quantifier: the gap to a limit shrinks along a sequence of sizes.

**This is weaker evidence than an identity or a bound.** A finite sequence of sizes can
never show a limit; what is checked is that, over the sizes run, the gap shrinks at
(about) the stated rate. A limit that is wrong by less than the finite-size effects at
the largest size run cannot be told apart from a right one. Every verdict says so.

Quantifier parameters (``boundcheck.theorems.statement.Quantifier``): ``along`` (the size
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

**The limit itself** (both modes). A shrinking gap does not show that the limit is the
claimed one: l1 gaps are dominated by fluctuations of order size^(-1/2), so a limit off
by 5% passes the slope test at any size one can run. The mean difference at each size,
m_k = mean(lhs - rhs) with standard error s_k, is therefore fitted as a finite-size
correction, m_k = delta + c size_k^(-a) (weighted least squares, weights 1 / s_k^2;
``correction`` = a, default 1), and delta, the extrapolated error of the limit, gets an
interval at the same level. Its quantile is Student's t on m - 1 degrees of freedom, m
the runs per size (each s_k is estimated from m runs; the Welch-Satterthwaite degrees of
freedom of a weighted sum of such means are at least m - 1). When the points scatter more
than their errors say, the standard error is inflated by the Birge ratio sqrt(chi^2 / dof),
dof = sizes - 2 (the Particle Data Group's scale factor: a misfitting correction widens the
interval, it never narrows it); when they scatter significantly more (chi^2 beyond its
quantile at the same level), the correction model itself is refuted by the data and the
limit test is INCONCLUSIVE whatever delta is: an extrapolation along a refuted model
decides nothing. (An earlier version took the t quantile on dof = sizes - 2 instead, as
if the points' errors were unknown; they are measured, and with five sizes that choice
doubled the interval as soon as chi^2 / dof passed 1.)
Where the exponent is not known (``correction`` a tuple, e.g. (0.5, 1)), delta is
extrapolated under each exponent and the test decides on the union of the intervals
(:class:`Extrapolation`): their spread is a systematic error of the extrapolation, which
chi^2 at the sizes run cannot resolve.
Exponent a = 1: DERIVED for the least-squares risk (the exact finite-size identities differ
from their limits by O(1/n)); ASSUMED for other models (the mean of a smooth linear
spectral statistic has O(1/size) corrections), and a misfit shows up in chi^2. In l1 mode
(a limit in probability) the test uses that a limit in probability of uniformly
integrable variables (here: risks with bounded second moments) is also the limit of their
means. VIOLATED when delta's interval excludes 0; HOLDS requires it to contain 0 with
half-width at most ``rel_width`` (default 5%) of |rhs| at the largest size; the verdict
reports that resolution ("limit matched to +-2.1%").

**Sequential sampling.** The budget is the first look (``budget // (settings * sizes)``
runs per size, at least 8); the runs at every size are then doubled until delta is
resolved to ``resolution`` (default 2%: a 5% error is then more than two half-widths
away) or excludes 0, or ``max_runs`` per size (default 16 times the first look) is
reached. Every interval (slope and delta) is at level 1 - alpha / (settings * looks),
alpha = 1 - confidence: Bonferroni over settings and planned looks, i.e. repeated
confidence intervals (:func:`boundcheck.verifiers.decide.statistics.look_alpha`).

Finding per setting: VIOLATED if the slope test or the limit test is VIOLATED; HOLDS if
the limit test HOLDS and the slope test (l1 mode; mean mode when at least three sizes
resolve a nonzero gap) HOLDS or does not apply; INCONCLUSIVE otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from boundcheck.theorems.statement import Statement, StatementError
from boundcheck.verifiers.decide.statistics import look_alpha, look_schedule
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.quantifiers.in_expectation import Difference, draw_setting, sample_runs, seeds_for
from boundcheck.verifiers.verdict import Finding

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


class _LimitInterval:
    """The limit test on an interval [low, high] for delta, relative to the scale |rhs|
    (fields or properties ``low``, ``high``, ``scale``, ``misfit`` of the subclass):
    VIOLATED when it excludes 0; HOLDS when it contains 0 and its half-width is at most
    ``rel_width`` of the scale; INCONCLUSIVE otherwise, and whenever the finite-size model
    is refuted."""

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    @property
    def resolution(self) -> float:
        return self.half_width / self.scale if self.scale > 0 else math.inf

    def verdict(self, rel_width: float) -> str:
        if self.misfit:
            return "INCONCLUSIVE"
        if self.low > 0 or self.high < 0:
            return "VIOLATED"
        return "HOLDS" if self.half_width <= rel_width * self.scale else "INCONCLUSIVE"


@dataclass
class LimitFit(_LimitInterval):
    """mean(lhs - rhs) = delta + c size^-a, weighted; delta's interval and the resolution reached."""

    sizes: list[int]
    means: list[float]
    ses: list[float]
    delta: float
    delta_se: float
    low: float
    high: float
    level: float
    scale: float
    chi2_dof: float
    runs: int
    misfit: bool = False  # chi^2 beyond its quantile at the level: the correction model is refuted

    def __str__(self) -> str:
        pts = ", ".join(f"{s}: {m:+.3g}+-{e:.2g}" for s, m, e in zip(self.sizes, self.means, self.ses))
        fit = (f"chi2/dof {self.chi2_dof:.2f}, beyond its {self.level:.5g} quantile: the finite-size model "
               f"delta + c size^-a does not fit, and the limit is not decided" if self.misfit
               else f"chi2/dof {self.chi2_dof:.2f}")
        return (f"limit error delta = {self.delta:+.4g} in [{self.low:.4g}, {self.high:.4g}] at {self.level:.5g} "
                f"(extrapolated, {self.runs} runs per size, {fit}): limit matched to "
                f"+-{self.resolution:.2%} of |rhs| = {self.scale:.4g}; mean(lhs - rhs) by size {pts}")


def fit_limit(sizes: np.ndarray, means: np.ndarray, ses: np.ndarray, level: float, scale: float,
              exponent: float = 1.0, runs: int = 0) -> LimitFit:
    """Weighted least squares of mean(lhs - rhs) on size^-exponent: the intercept delta is the
    error of the claimed limit (see the module doc for the interval and its inflation)."""
    x = np.asarray(sizes, dtype=float) ** -exponent
    y = np.asarray(means, dtype=float)
    w = 1.0 / np.maximum(np.asarray(ses, dtype=float), 1e-300) ** 2
    sw, sx, sy = w.sum(), (w * x).sum(), (w * y).sum()
    sxx, sxy = (w * x * x).sum(), (w * x * y).sum()
    det = sw * sxx - sx * sx
    c = (sw * sxy - sx * sy) / det
    delta = (sy - c * sx) / sw
    var_delta = sxx / det
    dof = len(x) - 2
    chi2 = float(np.sum(w * (y - delta - c * x) ** 2))
    ratio = chi2 / dof if dof > 0 else 1.0
    tail = (1.0 - level) / 2.0
    q = float(stats.t.ppf(1.0 - tail, runs - 1)) if runs > 1 else float(stats.norm.ppf(1.0 - tail))
    se = math.sqrt(var_delta * max(1.0, ratio))
    misfit = dof > 0 and float(stats.chi2.sf(chi2, dof)) < 1.0 - level
    return LimitFit([int(s) for s in sizes], [float(v) for v in y], [float(v) for v in ses], float(delta), se,
                    float(delta - q * se), float(delta + q * se), level, abs(scale), ratio, runs, misfit)


@dataclass
class Extrapolation(_LimitInterval):
    """delta under each finite-size ansatz tried, decided on the union of their intervals.

    Where the exponent of the finite-size correction is not known, the extrapolations under
    the exponents a plausible (e.g. 1/2 and 1) can differ by more than their sampling errors
    while chi^2 tells none of them apart: that spread is a systematic error of the
    extrapolation, and the union of the intervals carries it. When chi^2 refutes any of the
    ansatzes nothing is decided: the truth may then lie outside the bracket they span, and
    the ansatz left standing alone is biased (dropping the refuted one called a true limit
    VIOLATED in simulations with corrections size^-3/4).
    """

    fits: list[LimitFit]
    exponents: tuple[float, ...]

    @property
    def misfit(self) -> bool:
        return any(f.misfit for f in self.fits)

    @property
    def low(self) -> float:
        return min(f.low for f in self.fits)

    @property
    def high(self) -> float:
        return max(f.high for f in self.fits)

    @property
    def scale(self) -> float:
        return self.fits[0].scale

    @property
    def delta(self) -> float:
        """The extrapolated error most favourable to the claim (closest to 0)."""
        return min((f.delta for f in self.fits), key=abs)

    def __str__(self) -> str:
        if len(self.fits) == 1:
            return str(self.fits[0])
        each = "; ".join(f"ansatz c size^-{a:g}: {f}" for a, f in zip(self.exponents, self.fits))
        exponents = ", ".join(f"{a:g}" for a in self.exponents)
        return (f"limit error delta in [{self.low:.4g}, {self.high:.4g}], the union of its intervals under the "
                f"finite-size corrections size^-({exponents}): limit matched to +-{self.resolution:.2%} of "
                f"|rhs| = {self.scale:.4g}; {each}")


def extrapolate(sizes: np.ndarray, means: np.ndarray, ses: np.ndarray, level: float, scale: float,
                exponents: tuple[float, ...], runs: int) -> Extrapolation:
    """:func:`fit_limit` under each exponent, as one :class:`Extrapolation`."""
    return Extrapolation([fit_limit(sizes, means, ses, level, scale, a, runs) for a in exponents], exponents)


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


def run_asymptotically(statement: Statement, budget: int, seed: int, progress) -> Finding:
    """The ``asymptotically`` runner (see the module docstring)."""
    found = Finding()
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
    resolution = float(q.get("resolution", 0.02))
    correction = q.get("correction", 1.0)
    exponents = tuple(float(a) for a in (correction if isinstance(correction, (tuple, list)) else (correction,)))
    first = max(8, budget // (n_settings * len(sizes)))
    schedule = look_schedule(first, int(q.get("max_runs", 16 * first)))
    level = 1.0 - look_alpha((1.0 - confidence) / n_settings, len(schedule))
    difference = Difference(statement, model)
    rng = np.random.default_rng(seed)
    found.details["evidence"] = WEAKER
    fits: list[tuple[dict[str, Any], str, Any]] = []
    limits: list[Extrapolation] = []
    done, total = 0, n_settings * len(sizes) * len(schedule)
    z = float(stats.norm.ppf(1.0 - (1.0 - level) / 2.0))
    for _ in range(n_settings):
        first_size = _sized(sizes[0], along, ratios)
        setting = draw_setting(plan, rng, first_size)
        if setting is None:
            found.verdict, found.message = "VACUOUS", f"no setting at {along} = {sizes[0]} met the hypotheses"
            return found
        shown = {k: v for k, v in setting.items() if k not in (over, along, *ratios)}
        diffs: list[list[np.ndarray]] = [[] for _ in sizes]
        rhs_seen: list[list[np.ndarray]] = [[] for _ in sizes]
        drawn = 0
        for target in schedule:
            for i, size in enumerate(sizes):
                params = {**setting, **_sized(size, along, ratios)}
                failed = _hypotheses_hold(statement, params)
                if failed:
                    raise StatementError(f"{statement.id}: size {along} = {size} breaks hypothesis {failed[0]!r}")
                lhs, rhs, outside = sample_runs(model, plan, difference, params, over,
                                                seeds_for(plan, over, rng, target - drawn))
                found.outside += outside
                found.instances += lhs.size
                d = lhs - rhs
                if not np.all(np.isfinite(d)):
                    found.verdict = "VIOLATED"
                    found.message = f"{WEAKER}: a non-finite value at {along} = {size}"
                    return found
                diffs[i].append(d)
                rhs_seen[i].append(rhs)
                done += 1
                if progress:
                    progress(done, total)
            drawn = target
            all_d = [np.concatenate(x) for x in diffs]
            means = np.array([float(np.mean(x)) for x in all_d])
            ses = np.array([float(np.std(x, ddof=1) / math.sqrt(x.size)) for x in all_d])
            scale = float(np.mean(np.concatenate(rhs_seen[-1])))
            limit = extrapolate(np.array(sizes), means, ses, level, scale, exponents, drawn)
            if limit.verdict(rel_width) == "VIOLATED" or (not limit.misfit
                                                          and limit.half_width <= resolution * limit.scale):
                break
        limits.append(limit)
        limit_verdict = limit.verdict(rel_width)
        if mode == "l1":
            gaps_a = np.array([float(np.mean(np.abs(x))) for x in all_d])
            ses_a = np.array([float(np.std(np.abs(x), ddof=1) / math.sqrt(x.size)) for x in all_d])
        else:
            gaps_a, ses_a = np.abs(means), ses
        resolved = gaps_a > z * ses_a
        slope_verdict, fit = "n/a", None
        if mode == "l1" or resolved.sum() >= 3:
            keep = gaps_a > 0
            fit = fit_slope(np.array(sizes)[keep], gaps_a[keep], ses_a[keep], level)
            slope_verdict = "VIOLATED" if fit.low > r0 + tau else "HOLDS" if fit.high <= r0 + tau else "INCONCLUSIVE"
        pair = (limit_verdict, slope_verdict)
        verdict = ("VIOLATED" if "VIOLATED" in pair else
                   "HOLDS" if limit_verdict == "HOLDS" and slope_verdict in ("HOLDS", "n/a") else "INCONCLUSIVE")
        what = fit if slope_verdict == "VIOLATED" else limit if limit_verdict != "HOLDS" or fit is None else \
            _Both(limit, fit)
        fits.append((shown, verdict, what))
        if verdict == "VIOLATED":
            break  # a refuted setting decides the statement; the others would only cost time
    claim = f"gap = O({along}^{r0:g})" if rate is not None else "gap -> 0"
    found.details["fits"] = [{"setting": s, "verdict": v, "fit": str(f)} for s, v, f in fits]
    found.details["limit_fits"] = [str(lf) for lf in limits]
    found.details["resolution"] = max((lf.resolution for lf in limits), default=math.inf)
    found.details["sequential"] = {"looks_planned": schedule, "resolution_target": resolution,
                                  "max_runs": schedule[-1]}
    found.details["claim"] = f"{claim} (slope <= {r0 + tau:g} accepted), mode {mode}"
    verdicts = [v for _, v, _ in fits]
    slopes = [f.slope for _, _, f in fits if isinstance(f, SlopeFit)] + \
        [f.slope.slope for _, _, f in fits if isinstance(f, _Both)]
    found.min_slack = min((r0 + tau - s for s in slopes), default=math.inf)
    pick = "VIOLATED" if "VIOLATED" in verdicts else "INCONCLUSIVE" if "INCONCLUSIVE" in verdicts else "HOLDS"
    shown, _, what = next(f for f in fits if f[1] == pick)
    found.verdict = pick
    found.violations = verdicts.count("VIOLATED")
    head = f"limit matched to +-{found.details['resolution']:.2%}; " if pick == "HOLDS" else ""
    found.message = f"{head}{WEAKER}; claim {claim}; at {shown}: {what}"
    if pick == "VIOLATED":
        found.counterexample = {"params": shown, "observed": what.slope if isinstance(what, SlopeFit) else
                               what.delta if isinstance(what, Extrapolation) else math.nan,
                               "bound": r0 + tau, "replay": f"boundcheck verify {statement.origin or statement.id}"}
    return found


def _sized(size: int, along: str, ratios: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {along: int(size)}
    for name, c in ratios.items():
        out[name] = int(round(float(c) * size))
    return out


@dataclass
class _Both:
    """A setting where both the limit and the slope test passed: shown together."""

    limit: Extrapolation
    slope: SlopeFit

    def __str__(self) -> str:
        return f"{self.limit}; {self.slope}"
