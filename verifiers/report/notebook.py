"""Verdicts in a notebook: rich display (Jupyter's ``_repr_html_``/``_repr_latex_``) and a DataFrame.

``Verdict._repr_html_`` and ``Verdict._repr_latex_`` call :func:`verdict_html` and
:func:`verdict_latex`; :func:`to_frame` (``boundcheck.to_frame``) makes a pandas DataFrame
of several verdicts, one row each, numbers as numbers (an infinite slack stays ``inf``).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

#: the DataFrame's columns, in order
COLUMNS = ("statement_id", "kind", "verdict", "expected", "meets_expectation", "instances", "outside", "violations",
           "min_slack", "max_tightness", "budget", "seed", "wall_s", "counterexample", "message")

_COLOURS = {"HOLDS": "#1a7f37", "VIOLATED": "#cf222e", "ERROR": "#cf222e", "INCONCLUSIVE": "#9a6700",
            "VACUOUS": "#9a6700"}


def _number(value: float) -> str:
    return "inf" if isinstance(value, float) and math.isinf(value) else f"{value:.4g}"


def verdict_html(verdict) -> str:
    """The verdict as a small HTML block: headline, counts, and the counterexample with its replay command."""
    colour = _COLOURS.get(verdict.verdict, "inherit")
    met = {True: "as expected", False: "NOT as expected", None: "reported"}[verdict.meets_expectation]
    parts = [f"<div class='boundcheck-verdict'><p><code>{html.escape(verdict.statement_id)}</code> "
             f"[{html.escape(verdict.kind)}]: <b style='color:{colour}'>{html.escape(verdict.verdict)}</b> "
             f"({met})</p>",
             f"<p>{html.escape(verdict.headline())}</p>",
             "<table><tr><th>instances</th><th>min slack</th><th>max tightness</th><th>budget</th><th>seed</th>"
             "<th>time</th></tr>"
             f"<tr><td>{verdict.instances}</td><td>{_number(verdict.min_slack)}</td>"
             f"<td>{_number(verdict.max_tightness)}</td><td>{verdict.budget}</td><td>{verdict.seed}</td>"
             f"<td>{verdict.wall_s:.1f} s</td></tr></table>"]
    cx = verdict.counterexample
    if cx:
        parts.append(f"<p>counterexample at t = {html.escape(str(cx.get('t')))}: "
                     f"<code>{html.escape(json.dumps(cx['params'], sort_keys=True))}</code></p>")
        if cx.get("replay"):
            parts.append(f"<pre style='white-space:pre-wrap'>{html.escape(cx['replay'])}</pre>")
    return "".join(parts) + "</div>"


def verdict_latex(verdict) -> str:
    """One line: the verdict word and its main numbers."""
    word = verdict.verdict
    if word == "HOLDS":
        return (rf"$\textbf{{HOLDS}}\ \text{{on {verdict.instances} instances: min slack }} "
                rf"{_number(verdict.min_slack)},\ \text{{max tightness }} {_number(verdict.max_tightness)}$")
    if verdict.counterexample:
        cx = verdict.counterexample
        return (rf"$\textbf{{{word}}}\ \text{{at }} t = {cx.get('t')}:\ \text{{observed }} {_number(cx['observed'])}"
                rf" > \text{{bound }} {_number(cx['bound'])}$")
    return rf"$\textbf{{{word}}}$"


def _row(verdict) -> dict[str, Any]:
    cx = verdict.counterexample
    return {
        "statement_id": verdict.statement_id, "kind": verdict.kind, "verdict": verdict.verdict,
        "expected": "/".join(verdict.expected), "meets_expectation": verdict.meets_expectation,
        "instances": verdict.instances, "outside": verdict.outside, "violations": verdict.violations,
        "min_slack": float(verdict.min_slack), "max_tightness": float(verdict.max_tightness),
        "budget": verdict.budget, "seed": verdict.seed, "wall_s": verdict.wall_s,
        "counterexample": json.dumps(cx["params"], sort_keys=True) if cx else None, "message": verdict.message,
    }


def to_frame(verdicts: Iterable[Any]):
    """A pandas DataFrame of ``verdicts``, one row each, indexed by statement id (columns :data:`COLUMNS`)."""
    import pandas as pd

    frame = pd.DataFrame([_row(v) for v in verdicts], columns=list(COLUMNS))
    return frame.set_index("statement_id")
