"""How statements show themselves (theorems/display.py): LaTeX with multi-letter names upright,
and the HTML a notebook renders."""

from __future__ import annotations

import sympy as sp

from boundcheck.theorems.display import latex
from boundcheck.theorems.registry import all_statements


def test_latex_sets_multi_letter_names_upright():
    dist_sq, R_sq, lam = sp.IndexedBase("dist_sq"), sp.Symbol("R_sq"), sp.Symbol("lambda_0")
    t = sp.Symbol("t", integer=True)
    text = latex(sp.Le(dist_sq[t], R_sq * lam))
    assert r"\mathrm{dist\_sq}" in text and r"\mathrm{R\_sq}" in text and r"\lambda_{0}" in text
    assert "dist_{sq}" not in text and "R_{sq}" not in text
    assert latex(sp.Symbol("lambda_min_H")) == r"\lambda_{\mathrm{min\_H}}"


def test_a_statement_renders_as_html_and_latex():
    statement = all_statements()["classical.strongly_convex.distance"]
    html = statement._repr_html_()
    assert "classical.strongly_convex.distance" in html and "<table" in html
    assert r"\mathrm{dist\_sq}" in statement._repr_latex_()
