"""Shared fixtures. The Hypothesis profiles (ci, dev, thorough) come from the boundcheck plugin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "evidence.sqlite"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """``boundcheck ARGS`` in a fresh process: (exit code, stdout, stderr)."""
    import os
    import subprocess

    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "boundcheck", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=full_env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def pytest_collection_modifyitems(config, items):
    """Slow-marked sweeps are not part of the default run (the pyproject marker says so):
    ``-m slow`` selects them, any other run skips them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a long sweep: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
