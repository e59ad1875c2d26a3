"""The exact binomial decision, on coins whose failure probability we planted.

False-alarm rate: a coin with rate exactly delta must be called VIOLATED at most
(1 - confidence) / 2 of the time (one tail of the two-sided interval). Over 400
repetitions at confidence 0.95 the expected count is <= 10; a binomial(400, 0.025)
exceeds 20 with probability < 1e-3, which is the test's own false-alarm rate.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from boundcheck.verifiers.decide.statistics import clopper_pearson, decide_rate


def test_interval_matches_known_values():
    lo, hi = clopper_pearson(0, 30, 0.95)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 30))
    lo, hi = clopper_pearson(5, 10, 0.95)
    assert lo == pytest.approx(0.187086, abs=1e-5) and hi == pytest.approx(0.812914, abs=1e-5)


def test_clearly_good_and_clearly_bad_coins():
    rng = np.random.default_rng(1)
    good = decide_rate(int(rng.binomial(2000, 0.01)), 2000, delta=0.05)
    bad = decide_rate(int(rng.binomial(2000, 0.12)), 2000, delta=0.05)
    assert good.verdict == "HOLDS" and bad.verdict == "VIOLATED"


def test_small_samples_are_inconclusive():
    assert decide_rate(0, 10, delta=0.05).verdict == "INCONCLUSIVE"


def test_false_alarm_rate_on_a_coin_at_the_limit():
    rng = np.random.default_rng(2)
    delta, draws, repeats = 0.1, 300, 400
    alarms = sum(decide_rate(int(rng.binomial(draws, delta)), draws, delta).verdict == "VIOLATED"
                 for _ in range(repeats))
    tail = binom.sf(alarms - 1, repeats, 0.025)
    assert alarms <= 20, f"{alarms} false alarms; P(Binomial(400, 0.025) >= that) = {tail:.2g}"


def test_bonferroni_widens_the_interval():
    one = decide_rate(3, 100, delta=0.1)
    many = decide_rate(3, 100, delta=0.1, tests=10)
    assert many.upper > one.upper and many.confidence > one.confidence


# ---------------------------------------------------------------- sequential sampling


def test_look_schedule_doubles_up_to_the_cap():
    from boundcheck.verifiers.decide.statistics import look_alpha, look_schedule

    assert look_schedule(25, 51200) == [25 * 2**k for k in range(12)]
    assert look_schedule(100, 250) == [100, 200, 250]
    assert look_schedule(500, 100) == [500]
    assert look_alpha(0.05, 10) == pytest.approx(0.005)


def test_sequential_identity_keeps_its_false_alarm_rate():
    """A true identity (E D = 0, skewed exponential noise) sampled sequentially, stopping at
    the first look whose interval excludes 0 (the most favourable stopping rule for a false
    alarm): with per-look levels from look_alpha the rate stays <= alpha = 0.1. Naive
    repeated 90% intervals over the same 8 looks alarm far more often (about 0.3). Over 400
    repetitions a Binomial(400, 0.1) exceeds 58 with probability < 1e-3."""
    from boundcheck.verifiers.decide.statistics import look_alpha, look_schedule
    from boundcheck.verifiers.quantifiers.in_expectation import decide_mean

    rng = np.random.default_rng(3)
    looks = look_schedule(20, 2560)
    alarms = naive = 0
    for _ in range(400):
        d = rng.exponential(1.0, looks[-1]) - 1.0
        ones = np.ones_like(d)
        adjusted = [decide_mean(d[:m], ones[:m], ones[:m], "identity", 0.9, 0.0, looks=len(looks)).verdict
                    for m in looks]
        plain = [decide_mean(d[:m], ones[:m], ones[:m], "identity", 0.9, 0.0).verdict for m in looks]
        alarms += "VIOLATED" in adjusted
        naive += "VIOLATED" in plain
    assert alarms <= 58, alarms
    assert naive > alarms
    assert look_alpha(0.1, len(looks)) * len(looks) == pytest.approx(0.1)


# ---------------------------------------------------------------- the extrapolated limit (asymptotically)

SIZES = np.array([8, 16, 32, 64, 128])


def _simulated_means(rng: np.random.Generator, delta: float, runs: int, curvature: float = 0.0):
    """Means of `runs` draws per size with mean delta + 0.15 / size + curvature / sqrt(size) and the
    random-features model's spread (sd 0.19 size^-1/2 per run, measured at seed 0), and their standard errors."""
    draws = [delta + 0.15 / s + curvature / np.sqrt(s) + 0.19 / np.sqrt(s) * rng.standard_normal(runs) for s in SIZES]
    return (np.array([d.mean() for d in draws]),
            np.array([d.std(ddof=1) / np.sqrt(runs) for d in draws]))


def test_the_extrapolated_limit_covers_the_truth_at_its_level():
    """Under the right finite-size model, delta's interval at level 0.95 misses the true delta
    (0) at most 5% of the time; over 1,000 fits a binomial(1000, 0.05) exceeds 70 with
    probability < 1e-3, the test's own false-alarm rate. Runs = 32: the t quantile on the
    points' own degrees of freedom matters there."""
    from boundcheck.verifiers.quantifiers.asymptotically import fit_limit

    rng = np.random.default_rng(3)
    misses = 0
    for _ in range(1000):
        means, ses = _simulated_means(rng, 0.0, 32)
        fit = fit_limit(SIZES, means, ses, 0.95, 0.22, 1.0, 32)
        misses += fit.low > 0 or fit.high < 0
    assert misses <= 70, f"{misses} of 1000 intervals missed the true limit"


def test_a_limit_one_percent_off_is_caught_with_enough_runs():
    """The claim delta = 0 when the truth is 1% of |rhs| = 0.22 off: caught at the sequential
    test's level with 2,048 runs per size in nearly every fit (39 of 40 in a simulation; the t
    quantile on dof = sizes - 2 it replaced caught 20 of the same 40)."""
    from boundcheck.verifiers.quantifiers.asymptotically import fit_limit

    rng = np.random.default_rng(4)
    caught = 0
    for _ in range(20):
        means, ses = _simulated_means(rng, 0.01 * 0.22, 2048)
        caught += fit_limit(SIZES, means, ses, 0.995, 0.22, 1.0, 2048).verdict(0.05) == "VIOLATED"
    assert caught >= 16


def test_a_refuted_finite_size_model_decides_nothing():
    """Means that bend like size^-1/2 are not delta + c / size: with many runs chi^2 refutes the
    model, and the extrapolation is INCONCLUSIVE even where its interval would exclude 0."""
    from boundcheck.verifiers.quantifiers.asymptotically import fit_limit

    means, ses = _simulated_means(np.random.default_rng(5), 0.0, 20000, curvature=0.2)
    fit = fit_limit(SIZES, means, ses, 0.995, 0.22, 1.0, 20000)
    assert fit.misfit and fit.verdict(0.05) == "INCONCLUSIVE"
    assert "does not fit" in str(fit)


def test_an_unknown_finite_size_exponent_decides_on_the_union_of_its_extrapolations():
    """Means that decay like 0.08 size^-3/4 to the true limit 0, 4,096 runs per size, 20 draws: the
    1/size extrapolation alone calls the true limit VIOLATED in most draws (17 of 20 when written),
    1/sqrt(size) errs the other way; decided on the union of both (and on nothing when chi^2
    refutes either), the true limit is never refuted, and the claim 5% off still is."""
    from boundcheck.verifiers.quantifiers.asymptotically import extrapolate

    alone = union = shifted = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        draws = [0.08 / s**0.75 + 0.19 / np.sqrt(s) * rng.standard_normal(4096) for s in SIZES]
        means = np.array([d.mean() for d in draws])
        ses = np.array([d.std(ddof=1) / np.sqrt(d.size) for d in draws])
        alone += extrapolate(SIZES, means, ses, 0.995, 0.22, (1.0,), 4096).verdict(0.05) == "VIOLATED"
        union += extrapolate(SIZES, means, ses, 0.995, 0.22, (0.5, 1.0), 4096).verdict(0.05) == "VIOLATED"
        off = extrapolate(SIZES, means - 0.05 * 0.22, ses, 0.995, 0.22, (0.5, 1.0), 4096)
        shifted += off.verdict(0.05) == "VIOLATED"
    assert alone >= 10 and union == 0 and shifted >= 15, (alone, union, shifted)
