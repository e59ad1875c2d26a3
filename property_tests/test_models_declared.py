"""Models declare what is probed of them: one vocabulary on the base class, a default domain
on every model, the PEP function class on the smooth ones; a conjecture with no domain is
drawn from the model's small default domain and gets a verdict in seconds."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from boundcheck.theorems.statement import Statement
from boundcheck.verifiers.certificates import pep
from boundcheck.verifiers.loading import load
from boundcheck.verifiers.models import MODELS, Model, get_model

ROOT = Path(__file__).resolve().parents[1]


def _toml(tmp_path: Path, body: str) -> str:
    path = tmp_path / "conjecture.toml"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_every_attribute_read_off_a_model_is_declared_on_the_base_class():
    """``getattr(model, "x", default)`` anywhere in the package names only declared attributes."""
    pattern = re.compile(r"getattr\((?:self\.)?model,\s*\"(\w+)\"")
    read = {match for path in (ROOT / "verifiers").rglob("*.py") for match in pattern.findall(path.read_text())}
    undeclared = sorted(name for name in read if not hasattr(Model, name))
    assert not undeclared, f"read off models but not declared on Model: {undeclared}"
    for name in ("default_domain", "function_class", "empirical", "sweep", "observable_rtol"):
        assert name in vars(Model), name


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_declares_a_small_default_domain(name):
    model = get_model(name)
    assert model.default_domain is not None, f"{name} declares no default_domain"
    for key, (lo, hi) in model.default_domain.items():
        p = model.param(key)  # KeyError: not a parameter
        assert p.lo <= lo <= hi <= p.hi, (key, (lo, hi), (p.lo, p.hi))
    steps = model.default_domain.get("steps")
    if steps is not None:
        assert steps[1] <= 100


@pytest.mark.parametrize("name", sorted(MODELS))
def test_function_classes_are_pep_classes(name):
    function_class = get_model(name).function_class
    assert function_class is None or function_class in pep.CLASSES
    assert not hasattr(pep, "MODEL_CLASSES")


def test_pep_reads_the_function_class_off_the_model():
    expected = {"smooth.convex": "smooth_strongly_convex", "smooth.nonconvex": "smooth",
                "smooth.quadratic": "smooth_strongly_convex_quadratic"}
    assert {n: get_model(n).function_class for n in MODELS if get_model(n).function_class} == expected
    from boundcheck.theorems import registry

    def first(model: str) -> Statement:
        return next(s for s in registry.all_statements().values() if s.quantifier.kind == "for_all" and s.model == model)

    assert pep.function_class_of(first("smooth.convex")) == "smooth_strongly_convex"
    other = first("smooth.pl")
    with pytest.raises(pep.NotApplicable):
        pep.function_class_of(other)


def test_empirical_counterparts_are_observables():
    for name in MODELS:
        model = get_model(name)
        for population, empirical in model.empirical.items():
            assert model.knows(population) and model.knows(empirical), (name, population, empirical)


def test_a_conjecture_without_domain_gets_the_default_domain_and_a_given_one_wins(tmp_path):
    model = get_model("ntk.two_layer_relu")
    body = """
        [conjecture]
        id = "mine.ntk_domain"
        model = "ntk.two_layer_relu"
        conclusion = "loss[t] <= loss[0]"
    """
    (statement,) = load(_toml(tmp_path, body))
    assert statement.domain == {k: (float(lo), float(hi)) for k, (lo, hi) in model.default_domain.items()}
    (statement,) = load(_toml(tmp_path, body + 'domain = { n = [3, 5], kappa = [0.5, 1.0] }\n'))
    assert statement.domain["n"] == (3.0, 5.0) and statement.domain["kappa"] == (0.5, 1.0)
    assert statement.domain["m"] == tuple(float(v) for v in model.default_domain["m"])
    assert isinstance(statement, Statement)


def test_a_plainly_false_conjecture_without_domain_is_violated_in_seconds(tmp_path):
    from boundcheck.verifiers.check import verify

    (statement,) = load(_toml(tmp_path, """
        [conjecture]
        id = "mine.ntk_no_loss"
        model = "ntk.two_layer_relu"
        hypotheses = ["init == 1"]
        conclusion = "loss[t] <= 0"
    """))
    model = get_model("ntk.two_layer_relu")
    model.run([{**{p.name: p.lo for p in model.params}, "steps": 1}])  # numba compiles (or loads its cache) untimed
    started = time.perf_counter()
    verdict = verify(statement, budget=40)
    elapsed = time.perf_counter() - started
    assert verdict.verdict == "VIOLATED", verdict.message
    assert elapsed < 30, f"{elapsed:.1f} s"
