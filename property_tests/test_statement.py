"""The statement model: rendering, hashing, drawing instances that meet the hypotheses, vacuity."""

from __future__ import annotations

import pytest
import sympy as sp

from boundcheck.theorems import Constant, Hypothesis, Statement, StatementError, t
from boundcheck.theorems import quantifiers as Q
from boundcheck.theorems.registry import all_statements
from boundcheck.theorems.statement import CLAIMS, mutant
from boundcheck.theorems.symbols import L, eta, gap, mu
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.draw.plan import DrawPlan
from boundcheck.verifiers.draw.sampler import sample
from boundcheck.verifiers.models import get_model


def pl(**overrides) -> Statement:
    fields = dict(id="test.pl", kind="conjecture", model="smooth.pl",
                  hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)),),
                  conclusion=sp.Le(gap[t], (1 - mu * eta) ** t * gap[0]))
    fields.update(overrides)
    return Statement(**fields)


def test_prints_itself():
    statement = all_statements()["classical.pl.linear_rate"]
    text = str(statement)
    assert "classical.pl.linear_rate" in text and "Karimi" in text and "gap[t] <=" in text
    assert r"\forall t \ge 0" in statement.latex() and r"\left(1 - \frac{\mu}{L}\right)^{t}" in statement.latex()


def test_constants_print_their_provenance():
    assert "[stated]" in str(all_statements()["generalization.rademacher.linear_margin"])
    assert "[derived]" in str(all_statements()["classical.nonconvex.tight_min_grad"])  # reproduced by PEP, not stated
    assumed = Constant(sp.Symbol("C"), 3, "assumed", "a guess")
    assert "ASSUMED" in str(assumed)
    with pytest.raises(StatementError, match="provenance"):
        Constant(sp.Symbol("C"), 3, "folklore")


def test_hash_follows_meaning():
    assert pl().hash() == pl().hash()
    assert pl().hash() != pl(conclusion=sp.Le(gap[t], (1 - mu * eta / 2) ** t * gap[0])).hash()
    assert pl().hash() != pl(hypotheses=(Hypothesis("step", sp.Le(eta, 2 / L)),)).hash()


def test_malformed_statements_are_refused():
    with pytest.raises(StatementError, match="kind"):
        pl(kind="lemma")
    with pytest.raises(StatementError, match="not a relation"):
        pl(conclusion=gap[t])
    with pytest.raises(StatementError, match="equality"):
        pl(conclusion=sp.Eq(gap[t], 0))


def test_draws_meet_hypotheses_by_construction():
    import numpy as np

    statement = pl(hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)), Hypothesis("big_step", sp.Ge(eta, 0.5 / L))))
    plan = DrawPlan(statement, get_model("smooth.pl"))
    rng = np.random.default_rng(0)
    draws = [sample(plan, rng) for _ in range(200)]
    assert all(d is not None and 0.5 / d["L"] <= d["eta"] <= 1 / d["L"] and d["mu"] <= d["L"] for d in draws)


def test_contradictory_hypotheses_are_vacuous_not_a_health_check():
    statement = pl(hypotheses=(Hypothesis("small", sp.Le(eta, 1 / L)), Hypothesis("large", sp.Ge(eta, 2.2 / L))))
    verdict = verify(statement, budget=20)
    assert verdict.verdict == "VACUOUS" and verdict.exit_code == 3
    assert "eta" in verdict.message


def test_vacuous_reports_the_demanded_size():
    d = sp.Symbol("d", integer=True, positive=True)
    steps = sp.Symbol("steps", integer=True, positive=True)
    # solved for steps (declared after d): steps >= 120 d exceeds the 100 steps allowed for every d
    statement = pl(id="test.huge", hypotheses=(Hypothesis("long_run", sp.Ge(steps, 120 * d)),))
    verdict = verify(statement, budget=20)
    assert verdict.verdict == "VACUOUS"
    demanded = verdict.details["demanded"][0]
    assert demanded["value"] == pytest.approx(120.0)  # at the smallest d = 1
    assert "steps >= 120 (long_run)" in verdict.message and "steps in [1, 100]" in verdict.message


# ------------------------------------------------------------------ quantifiers describe themselves

EXAMPLES = [
    Q.for_all(),
    Q.with_probability(0.9, over="init_seed", settings=8),
    Q.in_expectation(over="seed", confidence=0.99, resolution=0.03, max_runs=8192),
    Q.asymptotically(along="n", rate=sp.Rational(-1, 2), sizes=(16, 32, 64), ratios=(("p", 0.5),), mode="l1"),
    Q.worst_case("smooth_convex"),
    Q.sum_of_squares(2, "classical.convex.drori_teboulle"),
]


@pytest.mark.parametrize("make, match", [
    (lambda: Q.with_probability(1.2, over="seed"), "probability"),
    (lambda: Q.with_probability(0, over="seed"), "probability"),
    (lambda: Q.with_probability(0.9, over="not a seed"), "over"),
    (lambda: Q.with_probability(0.9, over="seed", confidence=1.0), "confidence"),
    (lambda: Q.with_probability(0.9, over="seed", settings=-2), "settings"),
    (lambda: Q.with_probability(0.9, over="seed", settings=2.5), "settings"),
    (lambda: Q.in_expectation(over="seed", rel_width="wide"), "rel_width"),
    (lambda: Q.in_expectation(over="seed", rel_width=-0.1), "rel_width"),
    (lambda: Q.in_expectation(over=3), "over"),
    (lambda: Q.in_expectation(over="seed", max_runs=0), "max_runs"),
    (lambda: Q.asymptotically(along="n", rate=0.5), "rate"),
    (lambda: Q.asymptotically(along="n", sizes=(8, 16)), "sizes"),
    (lambda: Q.asymptotically(along="n", sizes=(32, 16, 64)), "sizes"),
    (lambda: Q.asymptotically(along="n", mode="median"), "mode"),
    (lambda: Q.asymptotically(along="n", ratios=(("p", -1.0),)), "ratio"),
    (lambda: Q.asymptotically(along="n", speed=2), "speed"),
    (lambda: Q.worst_case(""), "function_class"),
    (lambda: Q.sum_of_squares(3, "x"), "odd"),
    (lambda: Q.sum_of_squares(2, ""), "serves"),
])
def test_invalid_quantifier_fields_raise_at_construction(make, match):
    with pytest.raises(StatementError, match=match):
        make()


def test_invalid_quantifier_refused_when_the_statement_is_built():
    with pytest.raises(StatementError, match="probability"):
        pl(quantifier=Q.WithProbability(probability=2, over="seed"))
    with pytest.raises(StatementError, match="not a Quantifier"):
        pl(quantifier="for_all")
    with pytest.raises(StatementError, match="settings"):
        Q.with_probability(0.9, over="seed").replace(settings=0)
    with pytest.raises(StatementError, match="no field"):
        Q.with_probability(0.9, over="seed").replace(rel_width=0.1)


@pytest.mark.parametrize("quantifier", EXAMPLES, ids=lambda q: q.kind)
def test_each_quantifier_renders_itself(quantifier):
    text, latex, prose = quantifier.text(), quantifier.latex(), quantifier.prose()
    assert text == str(quantifier) and text.startswith(quantifier.kind + "(")
    assert latex and prose and "None" not in prose
    assert latex.count("{") == latex.count("}")
    assert quantifier.runner.startswith("boundcheck.verifiers.quantifiers.") and ":run_" in quantifier.runner
    assert Q.QUANTIFIERS[quantifier.kind] is type(quantifier)


def test_quantifier_text_is_the_hash_text():
    """``str`` is read by Statement.hash: unset fields are not written, so stored evidence stays valid."""
    assert str(Q.for_all()) == "for_all()"
    assert str(Q.with_probability(1 - sp.Rational(1, 10), over="init_seed")) == \
        "with_probability(probability=0.9, over=init_seed, confidence=0.95)"
    assert str(Q.with_probability(0.9, over="seed", settings=2)) == \
        "with_probability(probability=0.9, over=seed, confidence=0.95, settings=2)"
    assert str(Q.in_expectation(over="seed")) == "in_expectation(over=seed, confidence=0.95, rel_width=0.05)"
    assert str(Q.asymptotically(along="n")) == "asymptotically(along=n, rate=None)"
    assert str(Q.worst_case("smooth_convex")) == "worst_case(function_class=smooth_convex)"


def test_quantifier_get_falls_back_to_the_runners_default():
    q = Q.with_probability(0.9, over="seed")
    assert q.get("over") == "seed" and q.get("settings", 4) == 4 and q.get("no_such_field", 7) == 7
    assert q.replace(settings=8).get("settings", 4) == 8 and q.kind == "with_probability"


def test_every_quantifier_of_a_builtin_has_a_runner_module():
    import importlib

    for statement in all_statements().values():
        module, function = statement.quantifier.runner.split(":")
        assert hasattr(importlib.import_module(module), function), statement.id


# ------------------------------------------------------------------ claims and mutants


def test_claim_is_validated_and_printed():
    assert "claim: tight" in str(pl(claim="tight"))
    assert "claim:" not in str(pl())
    with pytest.raises(StatementError, match="claim"):
        pl(claim="lower bound")
    assert pl(claim="tight").hash() == pl(claim="upper bound").hash() == pl().hash()


def test_every_builtin_theorem_and_conjecture_declares_a_claim():
    for statement in all_statements().values():
        if statement.kind in ("theorem", "conjecture"):
            assert statement.claim in CLAIMS, statement.id
    S = all_statements()
    assert S["classical.convex.drori_teboulle"].claim == "tight"
    assert S["classical.pl.linear_rate"].claim == "upper bound"


def test_every_builtin_domain_and_explore_domain_names_parameters_of_its_model():
    """(A polynomial proof step's domain ranges over its variables: its model has no parameters.)"""
    for statement in all_statements().values():
        names = set(get_model(statement.model).param_names)
        for domain in (statement.domain, statement.explore_domain) if names else (statement.explore_domain,):
            assert set(domain) <= names, (statement.id, set(domain) - names)
            assert all(lo <= hi for lo, hi in domain.values()), statement.id


def test_an_explore_domain_enters_the_hash_only_when_declared_and_is_not_inherited():
    plain = pl()
    wide = pl(explore_domain={"eta": (0.1, 10.0)})
    assert plain.hash() == pl(explore_domain={}).hash() != wide.hash()
    child = mutant(wide, id="pl.child", hypotheses=())
    assert child.explore_domain == {} and child.domain == wide.domain


def test_mutants_inherit_their_parents_claim():
    S = all_statements()
    for statement in S.values():
        if statement.kind == "mutant" and statement.mutant_of in S:
            assert statement.claim == S[statement.mutant_of].claim, statement.id


def test_mutant_copies_the_parent_and_changes_only_what_is_given():
    parent = pl(claim="tight", title="the PL rate", doc="Parent doc.", budget=30, t_min=1,
                domain={"d": (1, 2)}, quantifier=Q.with_probability(0.9, over="seed"))
    faster = sp.Le(gap[t], (1 - 3 * mu * eta) ** t * gap[0])
    child = mutant(of=parent, id="test.pl_faster", conclusion=faster)
    assert (child.kind, child.mutant_of, child.id, child.conclusion) == ("mutant", "test.pl", "test.pl_faster", faster)
    for name in ("model", "hypotheses", "constants", "quantifier", "source", "t_min", "domain", "budget", "claim"):
        assert getattr(child, name) == getattr(parent, name), name
    assert child.title == "" and child.doc == "" and child.family == "test"
    assert child.domain is not parent.domain
    assert parent.kind == "conjecture" and parent.conclusion != faster  # the parent is untouched
    assert mutant(of=parent, id="test.b", budget=5).budget == 5
    with pytest.raises(StatementError, match="own id"):
        mutant(of=parent, conclusion=faster)
    with pytest.raises(StatementError, match="no field"):
        mutant(of=parent, id="test.c", conclusions=faster)
    with pytest.raises(StatementError, match="kind"):
        mutant(of=parent, id="test.d", kind="theorem")


def test_mutant_of_a_builder_takes_the_built_parent():
    from boundcheck.theorems.classical import pl_linear_rate

    child = mutant(of=pl_linear_rate, id="test.pl_builder")
    parent = all_statements()["classical.pl.linear_rate"]
    assert child.mutant_of == parent.id and child.conclusion == parent.conclusion and child.claim == parent.claim
    assert child.doc == ""  # the mutant's own builder supplies its docstring


def test_builtin_mutants_keep_their_own_docstrings():
    S = all_statements()
    tightened = S["classical.pl.linear_rate_tightened"]
    assert tightened.doc.startswith("Mutant:") and tightened.title == ""


def test_the_hash_does_not_depend_on_import_order():
    """sympy spells a cached symbol with the assumptions it was first made with; the hash
    must not (the evidence of a statement is found by its hash)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "if sys.argv[1] == 'model-first':\n"
            "    from boundcheck.verifiers.models import get_model; get_model('smooth.pl')\n"
            "from boundcheck.theorems.registry import all_statements\n"
            "print(all_statements()['classical.pl.linear_rate'].hash())")
    hashes = {subprocess.run([sys.executable, "-c", code, order], capture_output=True, text=True, timeout=120,
                             check=True).stdout.strip() for order in ("model-first", "statements-first")}
    assert len(hashes) == 1, hashes


def test_one_statement_is_built_from_its_family_alone_and_equals_the_registry_s():
    """``registry.get(id)`` in a fresh process builds the id's family module only; the statement it
    returns is the very object, with the same hash, that the whole registry holds."""
    import subprocess
    import sys

    script = (
        "from boundcheck.theorems import registry\n"
        "ids = [s for s in open(0).read().split()]\n"
        "got = {i: registry.get(i) for i in ids}\n"
        "assert registry._cache is None, 'the whole registry was built'\n"
        "everything = registry.all_statements()\n"
        "for i, s in got.items():\n"
        "    assert everything[i] is s and s.hash() == everything[i].hash(), i\n"
        "print('ok', len(got))\n")
    ids = ["ntk.du2019.linear_convergence", "linear.min2021.gd_small_step_rate", "factorisation.bm.linearised_rate",
           "classical.pl.linear_rate", "generalization.rademacher.linear_margin"]
    ids += [i for i in all_statements() if i.startswith("deep_linear.")][:1]
    proc = subprocess.run([sys.executable, "-c", script], input=" ".join(ids), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == f"ok {len(ids)}", proc.stderr
