"""The one shape of every command's ``--json`` output (schema ``boundcheck/1``).

::

    {"schema": "boundcheck/1", "command": "verify", "results": [ ... ]}

``results`` is always a list (one object per statement, model, certificate, campaign or
measurement). Numbers are JSON numbers. JSON has no infinity and no NaN: a non-finite
number is written ``null`` and flagged beside it, under the key's name plus
``_nonfinite``, as ``"inf"``, ``"-inf"`` or ``"nan"`` (``"min_slack": null,
"min_slack_nonfinite": "inf"``); inside a list, the flag is an object from the index to the
word (``"values_nonfinite": {"3": "inf"}``). The schema changes its version when a field
changes meaning or disappears; new fields may be added within a version.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

SCHEMA = "boundcheck/1"


def _word(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _nonfinite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def jsonable(value: Any) -> Any:
    """``value`` with every non-finite float as ``null`` and its flag (see the module docstring)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            if _nonfinite(item):
                out[key], out[f"{key}_nonfinite"] = None, _word(item)
                continue
            if isinstance(item, (list, tuple)):
                flags = {str(k): _word(v) for k, v in enumerate(item) if _nonfinite(v)}
                if flags:
                    out[f"{key}_nonfinite"] = flags
            out[key] = jsonable(item)
        return out
    if isinstance(value, (list, tuple)):
        return [None if _nonfinite(v) else jsonable(v) for v in value]
    if _nonfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):  # NumPy scalars
        try:
            return jsonable(value.item())
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def envelope(command: str, results: list[Any]) -> dict[str, Any]:
    return {"schema": SCHEMA, "command": command, "results": jsonable(list(results))}


def dumps(command: str, results: list[Any]) -> str:
    """The ``--json`` text of ``command``: the envelope, indented, strict JSON (no Infinity, no NaN)."""
    return json.dumps(envelope(command, results), indent=2, allow_nan=False)


def verdict_record(verdict) -> dict[str, Any]:
    """A verdict's fields as numbers (not :meth:`Verdict.to_dict`, which writes infinities as strings)."""
    out = dataclasses.asdict(verdict)
    out["expected"] = list(verdict.expected)
    out["meets_expectation"] = verdict.meets_expectation
    return out
