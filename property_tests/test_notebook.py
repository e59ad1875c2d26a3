"""Notebook use, as a script in a fresh process: rich display of statements and verdicts, a DataFrame."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EXAMPLES

NOTEBOOK = f'''
import math, boundcheck
[s] = boundcheck.load({str(EXAMPLES / "false_pl_fast_rate.toml")!r})
html = s._repr_html_()
assert "<table" in html and "mine.pl_fast_rate" in html and "smooth.pl" in html, html
assert r"\\mathrm{{gap}}" in html and "&lt;" not in s._repr_latex_()
assert s._repr_latex_().startswith("$$") and r"\\forall t \\ge 0" in s._repr_latex_()
[theorem] = boundcheck.load("classical.pl.linear_rate")
violated = boundcheck.verify(s, budget=40)
holds = boundcheck.verify(theorem, budget=10)
assert violated.verdict == "VIOLATED" and holds.verdict == "HOLDS"
assert "counterexample" in violated._repr_html_() and "boundcheck replay" in violated._repr_html_()
assert r"\\textbf{{VIOLATED}}" in violated._repr_latex_() and r"\\textbf{{HOLDS}}" in holds._repr_latex_()
frame = boundcheck.to_frame([violated, holds])
assert list(frame.index) == ["mine.pl_fast_rate", "classical.pl.linear_rate"]
assert frame.loc["mine.pl_fast_rate", "verdict"] == "VIOLATED" and frame.loc["mine.pl_fast_rate", "counterexample"]
assert frame.loc["classical.pl.linear_rate", "max_tightness"] == holds.max_tightness
assert frame["min_slack"].dtype.kind == "f"
print("ok")
'''


def test_a_notebook_session_displays_statements_verdicts_and_a_frame(tmp_path):
    # a fresh user's environment: an in-process CLI call by an earlier test sets Hypothesis's folder
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    proc = subprocess.run([sys.executable, "-c", NOTEBOOK], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env=env)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr
    # nothing in the user's folder but boundcheck's own (where Hypothesis's files go, if it writes any)
    assert {p.name for p in tmp_path.iterdir()} <= {".boundcheck"}
