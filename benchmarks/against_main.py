"""The end-to-end figures of a model as it stood at an earlier revision, beside today's, in one run.

A model module is read from git at ``revision`` (``git show REV:verifiers/models/FILE``),
loaded under another name, and put in the model registry's cache in place of today's for
the duration of one ``verify``; the statement, the checker and the seed are today's. Only
the model's own code differs between the two figures, so their ratio is what the model's
changes bought (the machine's load cancels out of it).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def model_at(revision: str, module: str):
    """The ``MODEL`` of ``boundcheck.verifiers.models.<module>`` at ``revision``."""
    source = subprocess.run(["git", "show", f"{revision}:verifiers/models/{module}.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="bench-model-"))
    path = folder / f"{module}_at_{revision[:8]}.py"
    path.write_text(source)
    name = f"_bench_{module}_{revision[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded.MODEL


def end_to_end_pair(statement_id: str, revision: str, module: str, sizes: dict, budget: int,
                    rounds: int = 2) -> dict:
    """Instances per second of ``statement_id`` restricted to ``sizes`` (name -> value), with
    today's model and with the model at ``revision``, alternating, best of ``rounds`` each."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers import models
    from boundcheck.verifiers.check import verify

    statement = all_statements()[statement_id]
    fixed = dataclasses.replace(statement, domain={**statement.domain, **{k: (v, v) for k, v in sizes.items()}})
    today = models.get_model(statement.model)
    before = model_at(revision, module)
    before.monte_carlo = today.monte_carlo  # the same checker: the sweep draws as many instances for either model
    best = {"today": 0.0, revision: 0.0}
    try:
        for _ in range(rounds):
            for label, model in (("today", today), (revision, before)):
                models._loaded[statement.model] = model
                verify(fixed, budget=5)  # compile / warm up
                verdict = verify(fixed, budget=budget)
                best[label] = max(best[label], verdict.instances / verdict.wall_s)
    finally:
        models._loaded[statement.model] = today
    return {"statement": statement_id, "sizes": sizes, "revision": revision, "instances/s today": best["today"],
            "instances/s at revision": best[revision], "ratio": best["today"] / best[revision]}
