"""How a statement looks in a notebook and in LaTeX (sympy only).

Multi-letter names are set upright as the code spells them, ``\\mathrm{dist\\_sq}``, never as
sympy's italic product with a subscript (``dist_{sq}``); a one-letter or Greek base keeps
its subscript when that is one short token (``\\lambda_{0}``, ``x_{t}``), and a longer
subscript is upright (``R_sq`` -> ``\\mathrm{R\\_sq}``, ``lambda_min_H`` ->
``\\lambda_{\\mathrm{min\\_H}}``). Notebooks (Jupyter's rich display protocol) call
:func:`statement_html` and :func:`statement_latex` through ``Statement._repr_html_`` and
``Statement._repr_latex_``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from boundcheck.theorems.statement import Statement


def _upright(text: str) -> str:
    return r"\mathrm{" + text.replace("_", r"\_") + "}"


def symbol_latex(name: str) -> str | None:
    """The LaTeX of a symbol or observable called ``name``; None where sympy's own is right."""
    base, _, rest = name.partition("_")
    greek = sp.latex(sp.Symbol(base)).startswith("\\") and base.isalpha()
    if not rest:
        return None if len(base) < 2 or greek or not base.isalpha() else _upright(name)
    if len(base) >= 2 and not greek:
        return _upright(name)
    if "_" not in rest and (len(rest) <= 1 or rest.isdigit()):
        return None  # lambda_0, C_1, x_t: sympy's subscript
    return (sp.latex(sp.Symbol(base)) + "_{" + _upright(rest) + "}") if greek else _upright(name)


def latex(expr: sp.Basic) -> str:
    """``sympy.latex`` of ``expr`` with the names set as :func:`symbol_latex` says."""
    expr = sp.sympify(expr)
    symbols = {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    symbols |= {ix.base.label for ix in expr.atoms(sp.Indexed)}
    names = {s: name for s in symbols if (name := symbol_latex(s.name))}
    return sp.latex(expr, symbol_names=names)


def conclusion_latex(statement: Statement) -> str:
    """The conclusion with its range of iterations."""
    from boundcheck.theorems.statement import t

    body = latex(statement.conclusion)
    if t in statement.conclusion.free_symbols:
        return rf"\forall t \ge {statement.t_min}:\quad {body}"
    return body


def statement_latex(statement: Statement) -> str:
    """Hypotheses and conclusion as one display formula (``$$ ... $$``)."""
    hypotheses = r",\ ".join(latex(h.relation) for h in statement.hypotheses)
    given = rf"\text{{given }} {hypotheses}:\quad " if hypotheses else ""
    return f"$${given}{conclusion_latex(statement)}$$"


def statement_html(statement: Statement) -> str:
    """A small HTML table: id, kind, model, title, source, hypotheses, constants, conclusion, quantifier."""
    def row(label: str, value: str) -> str:
        return f"<tr><th style='text-align:left'>{label}</th><td style='text-align:left'>{value}</td></tr>"

    rows = [row("statement", f"<code>{html.escape(statement.id)}</code> [{html.escape(statement.kind)}]"),
            row("model", f"<code>{html.escape(statement.model)}</code>")]
    if statement.title:
        rows.append(row("title", html.escape(statement.title)))
    if statement.source:
        rows.append(row("source", html.escape(str(statement.source))))
    for h in statement.hypotheses:
        rows.append(row(f"hypothesis {html.escape(h.name)}", rf"\({html.escape(latex(h.relation))}\)"))
    for c in statement.constants:
        rows.append(row(f"constant ({html.escape(c.provenance)})",
                        rf"\({html.escape(latex(sp.Eq(c.symbol, c.value, evaluate=False)))}\)"))
    rows.append(row("conclusion", rf"\({html.escape(conclusion_latex(statement))}\)"))
    rows.append(row("quantifier", html.escape(str(statement.quantifier))))
    if statement.claim:
        rows.append(row("claim", html.escape(statement.claim)))
    return "<table class='boundcheck-statement'>" + "".join(rows) + "</table>"
