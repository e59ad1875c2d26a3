"""Plots for statement pages (matplotlib, Agg backend, PNG).

``trajectory_plot``: the observed quantity and the stated bound along t for one
instance (the tightest instance a run found, or its counterexample), from the
``trajectory`` the checker stores in a run's details
(``{"t": [...], "observed": [...], "bound": [...]}``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def _finite(values: list[Any]) -> list[float]:
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        out.append(x)
    return out


def trajectory_plot(trajectory: dict[str, Any], path: Path, title: str, mark_t: int | None = None,
                    violated: bool = False) -> Path | None:
    """Observed and bound against t; None when the trajectory has nothing to draw."""
    ts = _finite(trajectory.get("t") or [])
    observed = _finite(trajectory.get("observed") or [])
    bound = _finite(trajectory.get("bound") or [])
    n = min(len(ts), len(observed), len(bound))
    if n == 0:
        return None
    ts, observed, bound = ts[:n], observed[:n], bound[:n]

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=110)
    style = {"marker": "o", "markersize": 3} if n <= 40 else {}
    ax.plot(ts, bound, color="#1f5fa8", linewidth=2, label="bound (statement)", **style)
    ax.plot(ts, observed, color="#c0392b" if violated else "#2e8b57", linewidth=1.6, linestyle="--",
            label="observed", **style)
    positive = [v for v in observed + bound if math.isfinite(v)]
    if positive and min(positive) > 0 and max(positive) / min(positive) > 100:
        from matplotlib.ticker import LogLocator, NullFormatter

        ax.set_yscale("log")
        # at most ~6 labelled decades, no labels on minor ticks: over 80 decades (a linear rate after
        # hundreds of steps) the default ticks overprint one another
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.margins(x=0.03)  # a mark at t = 0 (a rate bound is tightest where it starts) stays off the frame
    if mark_t is not None and ts[0] <= mark_t <= ts[-1]:
        ax.axvline(mark_t, color="0.5", linewidth=0.8, linestyle=":",
                   label=f"t = {mark_t}: tightest iteration")
    if n == 1:
        ax.set_xticks(ts)
    ax.set_xlabel("iteration t")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
