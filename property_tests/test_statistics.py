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
