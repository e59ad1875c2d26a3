"""Small helpers that write MyST Markdown safely from text that is not Markdown.

Docstrings and messages are plain text that happens to contain ``*``, ``_``, ``|``,
``$`` and ``[``: written into a page unescaped they would turn into emphasis, tables,
math or links. :func:`text` escapes every ASCII punctuation character (CommonMark
allows a backslash before any of them), so they show as written.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import string
from typing import Any

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")

VERDICT_CLASSES = {
    "HOLDS": "bc-holds", "VIOLATED": "bc-violated", "ERROR": "bc-error",
    "INCONCLUSIVE": "bc-inconclusive", "VACUOUS": "bc-vacuous",
}


def text(value: Any) -> str:
    """Plain text, one line, with Markdown's special characters escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


def paragraphs(value: str) -> str:
    """A docstring as Markdown paragraphs (blank lines kept, everything else literal)."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", value.strip())]
    return "\n\n".join(text(block) for block in blocks if block)


def _longest_backtick_run(body: str) -> int:
    return max((len(run) for run in re.findall("`+", body)), default=0)


def code(value: Any) -> str:
    """An inline code span, whatever it holds: one line, fenced by more backticks than any
    run inside it (CommonMark), padded when it starts or ends with one."""
    body = " ".join(str(value).splitlines()) or " "
    fence = "`" * (_longest_backtick_run(body) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or fence != "`" else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def fenced(value: Any, info: str = "text") -> str:
    """A fenced code block holding ``value`` verbatim: its fence is longer than any run of
    backticks inside, so no content (a stored replay command, say) can close it early."""
    body = str(value).rstrip("\n")
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def math_inline(latex: str) -> str:
    return f"${latex}$"


def math_block(latex: str) -> str:
    return f"$$\n{latex}\n$$"


def verdict_badge(verdict: str | None) -> str:
    if not verdict:
        return "[no evidence]{.bc-verdict .bc-none}"
    return f"[{text(verdict)}]{{.bc-verdict .{VERDICT_CLASSES.get(verdict, 'bc-error')}}}"


def number(value: Any, digits: int = 4) -> str:
    """A number as a reader wants it; ``-`` for missing, ``inf`` spelled out."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return text(value)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def date(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return _dt.datetime.fromtimestamp(float(epoch), tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table; cells are already Markdown, with any ``|`` escaped (:func:`text` does)."""

    def cell(value: str) -> str:
        return value.replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
