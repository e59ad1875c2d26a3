"""Exact tests for frequency and mean claims.

A claim "the conclusion holds with probability at least 1 - delta" is decided from k
failures in n independent draws by the Clopper–Pearson interval at the stated
confidence: the upper end at most delta gives HOLDS, the lower end above delta gives
VIOLATED, anything else is INCONCLUSIVE. With several settings tested at once the
confidence is split among them (Bonferroni), so the family-wise error stays at most
1 - confidence.
"""

from __future__ import annotations

from dataclasses import dataclass


def clopper_pearson(failures: int, draws: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided exact interval for a binomial rate, each tail (1 - confidence) / 2."""
    from scipy.stats import beta  # 0.7 s to import: only when a frequency is decided

    if draws <= 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    lower = 0.0 if failures == 0 else float(beta.ppf(alpha / 2, failures, draws - failures + 1))
    upper = 1.0 if failures == draws else float(beta.ppf(1 - alpha / 2, failures + 1, draws - failures))
    return lower, upper


@dataclass(frozen=True)
class RateDecision:
    verdict: str  # HOLDS | VIOLATED | INCONCLUSIVE
    failures: int
    draws: int
    lower: float
    upper: float
    delta: float
    confidence: float

    def __str__(self) -> str:
        return (f"{self.failures}/{self.draws} failures; failure rate in [{self.lower:.3g}, {self.upper:.3g}] "
                f"at {self.confidence:.1%} confidence against delta = {self.delta:g}")


def decide_rate(failures: int, draws: int, delta: float, confidence: float = 0.95, tests: int = 1) -> RateDecision:
    """Is the failure rate at most ``delta``? ``tests`` > 1 applies a Bonferroni split."""
    level = 1.0 - (1.0 - confidence) / tests
    lower, upper = clopper_pearson(failures, draws, level)
    verdict = "HOLDS" if upper <= delta else "VIOLATED" if lower > delta else "INCONCLUSIVE"
    return RateDecision(verdict, failures, draws, lower, upper, delta, level)
