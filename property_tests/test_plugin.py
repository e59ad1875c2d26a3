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


TRUE_CONJECTURE = '''
[conjecture]
id = "mine.convex_rate"
model = "smooth.convex"
hypotheses = { step = "eta == 1/L" }
conclusion = "gap[t] <= 2*L*R_sq / (t + 4)"
budget = 20
domain = { d = [1, 3], steps = [1, 10] }
'''

FALSE_CONJECTURE = '''
[conjecture]
id = "mine.pl_fast_rate"
model = "smooth.pl"
hypotheses = ["eta < 2/L", "4*mu <= L"]
conclusion = "gap[t] <= (1 - 2*mu/L)**t * gap[0]"
domain = { d = [1, 3], steps = [1, 10] }
'''


def test_a_folder_of_conjecture_files_is_collected_as_tests(tmp_path):
    """``pytest conjectures/``: one item per statement; the true one passes, the false one fails with its
    counterexample; pyproject-like TOML without a statement table and unmarked .py files are not collected."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "conjectures"
    folder.mkdir()
    (folder / "convex_rate.toml").write_text(TRUE_CONJECTURE)
    (folder / "pl_fast_rate.toml").write_text(FALSE_CONJECTURE)
    (folder / "settings.toml").write_text('[tool]\nname = "not a conjecture"\n')
    (folder / "helper.py").write_text("X = 1\n")
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}  # as a fresh user's
    proc = subprocess.run([sys.executable, "-m", "pytest", "conjectures", "-p", "no:cacheprovider", "-v"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600, env=env)
    out = proc.stdout
    assert "collected 2 items" in out, out
    assert "convex_rate.toml::mine.convex_rate PASSED" in out, out
    assert "pl_fast_rate.toml::mine.pl_fast_rate FAILED" in out, out
    assert "mine.pl_fast_rate [conjecture] is VIOLATED, expected HOLDS" in out
    assert "counterexample: {" in out and "replay: boundcheck replay" in out
    assert proc.returncode == 1
    assert not list(tmp_path.rglob(".hypothesis"))  # Hypothesis writes under .boundcheck/, if anything


def test_paths_resolve_against_the_test_file_and_no_profile_is_registered(pytester):
    """``boundcheck.check("x.toml")`` finds the file beside the test, from another folder; the plugin
    leaves the user's Hypothesis settings alone (no ``dev`` or ``thorough`` profile; Hypothesis's own
    ``default``, or its ``ci`` where it detects a CI machine)."""
    tests = pytester.mkdir("tests")
    (tests / "convex_rate.toml").write_text(TRUE_CONJECTURE.replace("[conjecture]", "[conjecture]\n# beside"))
    (tests / "test_user.py").write_text(
        "import pytest\n"
        "from hypothesis import settings\n"
        "from hypothesis.errors import InvalidArgument\n\n"
        "def test_beside(boundcheck):\n"
        "    assert boundcheck.check('convex_rate.toml').verdict == 'HOLDS'\n\n"
        "def test_no_profile():\n"
        "    for name in ('dev', 'thorough'):  # Hypothesis itself has a 'ci' profile\n"
        "        with pytest.raises(InvalidArgument):\n"
        "            settings.get_profile(name)\n"
        "    # Hypothesis's own choice stands: 'default', or 'ci' where it detects a CI machine\n"
        "    assert settings.get_current_profile_name() in ('default', 'ci')\n"
        "    assert settings().deadline == settings.get_profile(settings.get_current_profile_name()).deadline\n")
    result = pytester.runpytest_subprocess("tests/test_user.py", "-p", "no:cacheprovider",
                                           "--rootdir", str(pytester.path))
    result.assert_outcomes(passed=2)
