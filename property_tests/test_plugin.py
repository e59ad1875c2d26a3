"""The pytest plugin, run as a user would: a test file that checks statements."""

from __future__ import annotations

pytest_plugins = ["pytester"]

USER_TESTS = '''
def test_builtin_theorem(boundcheck):
    boundcheck.check("classical.strongly_convex.distance")

def test_false_conjecture(boundcheck):
    boundcheck.check("{example}")

def test_mutant_is_expected_violated(boundcheck):
    assert boundcheck.check("classical.convex.drori_teboulle_tightened").verdict == "VIOLATED"
'''


def test_plugin_reports_the_counterexample(pytester):
    from conftest import EXAMPLES

    pytester.makepyfile(USER_TESTS.format(example=EXAMPLES / "false_pl_fast_rate.toml"))
    result = pytester.runpytest_subprocess("--boundcheck-budget", "40", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*mine.pl_fast_rate [[]conjecture[]] is VIOLATED, expected HOLDS*",
        "*counterexample: {*",
        "*replay: boundcheck replay *false_pl_fast_rate.toml --params*",
    ])
