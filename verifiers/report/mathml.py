"""A Sphinx math renderer that writes MathML at build time: formulas render with no network.

Sphinx's default HTML math renderer is MathJax loaded from a CDN, which a reader
without network (or a reviewer who will not load third-party scripts) never sees.
This extension registers the renderer ``mathml``: every ``math`` and ``math_block``
node is converted from LaTeX to presentation MathML by ``latex2mathml`` while the
site is built, and browsers render MathML natively (MathML Core: Chromium 109+,
Firefox, Safari). Nothing is fetched when a page is opened.

A formula that does not convert (a syntax error, or a command latex2mathml does not
know, which it would otherwise pass through as the raw text ``\\foo``) is a Sphinx
warning at the formula's location, so ``-W`` turns it into a failed build rather than
raw TeX shown to a reader.

Use: ``extensions = ["boundcheck.verifiers.report.mathml"]`` and ``html_math_renderer = "mathml"``.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

#: a control sequence left unconverted: latex2mathml writes unknown commands as text
_RAW_COMMAND = re.compile(r">\\[A-Za-z]+")


class MathMLError(ValueError):
    """A formula latex2mathml cannot convert faithfully."""


def to_mathml(latex: str, display: bool = False) -> str:
    """``latex`` as a ``<math>`` element; raises :class:`MathMLError` if it would show raw TeX."""
    from latex2mathml.converter import convert

    try:
        markup = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exception types for malformed input
        raise MathMLError(f"cannot convert {latex!r} to MathML: {type(exc).__name__} {exc}") from None
    unknown = _RAW_COMMAND.search(markup)
    if unknown:
        raise MathMLError(f"cannot convert {latex!r} to MathML: unknown command {unknown.group(0)[1:]}")
    return markup


def _warn(translator: Any, node: nodes.Node, exc: MathMLError) -> None:
    from sphinx.util import logging

    logging.getLogger(__name__).warning(str(exc), location=node)


def visit_math(translator: Any, node: nodes.math) -> None:
    latex = node.astext()
    try:
        markup = to_mathml(latex)
    except MathMLError as exc:
        _warn(translator, node, exc)
        markup = f"<code>{translator.encode(latex)}</code>"
    translator.body.append(translator.starttag(node, "span", "", CLASS="math notranslate"))
    translator.body.append(markup + "</span>")
    raise nodes.SkipNode


def visit_displaymath(translator: Any, node: nodes.math_block) -> None:
    from sphinx.util.math import get_node_equation_number

    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})</span>')
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    for part in parts:
        latex = part if r"\\" not in part or r"\begin" in part else r"\begin{aligned}" + part + r"\end{aligned}"
        try:
            translator.body.append(to_mathml(latex, display=True))
        except MathMLError as exc:
            _warn(translator, node, exc)
            translator.body.append(f"<pre>{translator.encode(part)}</pre>")
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
