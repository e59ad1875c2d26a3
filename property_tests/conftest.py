"""Shared fixtures, and the Hypothesis profiles of this test suite: ``ci`` (small), ``dev``
(the default here), ``thorough`` (large); choose with ``--hypothesis-profile``. Every profile
turns the per-example deadline off (JIT compilation makes first examples slow) and keeps its
example database under ``.boundcheck/hypothesis`` (never a ``.hypothesis`` folder). They are
registered here, not by the installed plugin, so that no other project's tests see them."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

set_hypothesis_home_dir(ROOT / ".boundcheck" / "hypothesis")
for _name, _examples in (("ci", 25), ("dev", 100), ("thorough", 1000)):
    settings.register_profile(_name, max_examples=_examples, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dev")


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


def mostly_rejected():
    """A statement that rejects most of its runs on observables: the derived linear-network rate
    drawn over its ``explore_domain`` (steps up to 1024 times the cap its hypothesis sets on eta,
    the observable; about 90% of the log-uniform steps lie past it)."""
    import dataclasses

    from boundcheck.theorems.registry import get

    statement = get("linear.xu2023.gd_rate_derived")
    return dataclasses.replace(statement, domain={**statement.domain, **statement.explore_domain})


def count_runs(monkeypatch, statement) -> Counter:
    """Every instance the model of ``statement`` runs from now on (by its key), with how often
    it ran: the model's ``run`` and ``run_only`` wrapped for the test (a call inside the other,
    as the default ``run_only`` calls ``run``, counts once)."""
    from boundcheck.verifiers.draw.plan import instance_key
    from boundcheck.verifiers.models import get_model

    model_class = type(get_model(statement.model))
    ran: Counter = Counter()
    depth = [0]

    def counted(method):
        def wrapper(self, batch, *args):
            if depth[0] == 0:
                ran.update(instance_key(p) for p in batch)
            depth[0] += 1
            try:
                return method(self, batch, *args)
            finally:
                depth[0] -= 1
        return wrapper

    for name in ("run", "run_only"):
        monkeypatch.setattr(model_class, name, counted(getattr(model_class, name)))
    return ran


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pytest-xdist): one test process per CPU this process may run on. xdist's own
    count asks psutil for the host's cores, which in a container can be many more than it is
    given, each process holding its own numba, sympy and Hypothesis."""
    from boundcheck.verifiers.commands.parallel import available_cpus

    return available_cpus()


def pytest_collection_modifyitems(config, items):
    """Slow-marked sweeps are not part of the default run (the pyproject marker says so):
    ``-m slow`` selects them, any other run skips them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a long sweep: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
