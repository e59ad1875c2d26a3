"""Issue 12, items 8 and 10: exit codes over several targets, internal failures, --resume,
and Python conjecture files that import a built-in family.

Each end-to-end test runs the real command line in a fresh process. The rule for verdicts
and exit codes: several explicit targets exit with the worst code any one
of them would give alone (ERROR 2 over VIOLATED 1 over INCONCLUSIVE/VACUOUS 3 over
HOLDS 0; a mutant inverted; a user's conjecture judged as a claim that should hold);
``--all`` judges each verdict against its kind and reports built-in conjectures; an
internal failure is ERROR 2 with one line on stderr; a statement skipped by ``--resume``
counts with its recorded verdict.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_cli
from hypothesis import given
from hypothesis import strategies as st

from boundcheck.verifiers.commands.cli import verify_exit_code
from boundcheck.verifiers.verdict import EXIT_CODES, SEVERITY, Verdict

FALSE = str(EXAMPLES / "false_pl_fast_rate.toml")  # VIOLATED alone: exit 1
TRUE = str(EXAMPLES / "convex_nesterov_rate.toml")  # HOLDS alone: exit 0


def _toml(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


@pytest.fixture
def vacuous_toml(tmp_path: Path) -> str:
    """A claim no instance can meet (smooth.pl demands mu <= L): VACUOUS alone, exit 3."""
    return _toml(tmp_path, "vacuous.toml", """
        [conjecture]
        id = "mine.vacuous"
        model = "smooth.pl"
        hypotheses = ["mu > 2*L"]
        conclusion = "gap[t] <= gap[0]"
    """)


@pytest.fixture
def error_toml(tmp_path: Path) -> str:
    """Loads, but its checker refuses it (the seed it is over is no parameter): ERROR, exit 2."""
    return _toml(tmp_path, "error.toml", """
        [conjecture]
        id = "mine.error"
        model = "smooth.pl"
        conclusion = "gap[t] <= gap[0]"
        quantifier = "with_probability"
        over = "no_such_seed"
    """)


def _verify(tmp_path: Path, *targets: str, budget: str = "40", extra: tuple[str, ...] = ()):
    return run_cli("verify", *targets, "--budget", budget, "--store", str(tmp_path / "s.sqlite"), *extra)


# ------------------------------------------------------------------ item 8: several targets


def test_a_violated_target_is_not_hidden_by_a_holding_one(tmp_path):
    """Repro: A alone exits 1; ``verify A B`` exited 0 with "every expectation met"."""
    alone, out, err = _verify(tmp_path, FALSE)
    assert alone == 1, out + err
    for order in ((FALSE, TRUE), (TRUE, FALSE)):
        code, out, err = _verify(tmp_path, *order)
        assert code == 1, out + err
        assert "every expectation met" not in out
        assert "mine.pl_fast_rate" in out.split("NOT met")[-1]


def test_error_outranks_violated_and_undecided_outranks_holds(tmp_path, vacuous_toml, error_toml):
    alone = {target: _verify(tmp_path, target)[0] for target in (vacuous_toml, error_toml)}
    assert alone == {vacuous_toml: 3, error_toml: 2}
    code, out, err = _verify(tmp_path, TRUE, vacuous_toml)
    assert code == 3, out + err  # VACUOUS over HOLDS
    code, out, err = _verify(tmp_path, vacuous_toml, FALSE)
    assert code == 1, out + err  # VIOLATED over VACUOUS
    code, out, err = _verify(tmp_path, FALSE, error_toml, TRUE)
    assert code == 2, out + err  # ERROR over everything


def test_a_mutant_is_judged_inverted(tmp_path):
    """A caught mutant meets its expectation (0) and does not mask a violated claim next to it."""
    mutant = "classical.convex.drori_teboulle_tightened"
    code, out, err = _verify(tmp_path, mutant)
    assert code == 0 and "VIOLATED" in out, out + err
    code, out, err = _verify(tmp_path, mutant, FALSE)
    assert code == 1, out + err


# ------------------------------------------------------------------ item 8: internal failure


def test_an_internal_failure_is_error_2_in_one_line_and_debug_shows_the_traceback(tmp_path):
    """Repro: an uncaught exception exited 1, the VIOLATED code, with a traceback.

    The file is trusted Python (like a test file); it breaks the evidence store the way a
    bug would, outside every per-statement guard of the checker.
    """
    path = _toml(tmp_path, "broken.py", """
        import sympy as sp

        import boundcheck.verifiers.evidence.store
        from boundcheck.theorems import Hypothesis, Statement, t
        from boundcheck.theorems.symbols import L, eta, gap


        def broken(*args, **kwargs):
            raise AttributeError("a bug inside the checker")


        boundcheck.verifiers.evidence.store.Store.record = broken
        claim = Statement(id="mine.broken", kind="conjecture", model="smooth.pl",
                          hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)),), conclusion=sp.Le(gap[t], gap[0]))
    """)
    code, out, err = _verify(tmp_path, path)
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "AttributeError" in err and "a bug inside the checker" in err
    code, out, err = _verify(tmp_path, path, extra=("--debug",))
    assert code == 2, out + err
    assert "Traceback" in err and "broken" in err


# ------------------------------------------------------------------ item 8: --resume


def test_resume_counts_the_recorded_verdict(tmp_path):
    """Repro: ``--resume`` after a claim was recorded VIOLATED exited 0."""
    code, out, err = _verify(tmp_path, FALSE)
    assert code == 1, out + err
    code, out, err = _verify(tmp_path, FALSE, extra=("--resume",))
    assert code == 1, out + err
    assert "skipped by --resume" in out and "VIOLATED" in out
    code, out, err = _verify(tmp_path, TRUE, FALSE, extra=("--resume", "--json"))
    assert code == 1, out + err
    verdicts = {v["statement_id"]: v for v in json.loads(out)["results"]}
    assert verdicts["mine.pl_fast_rate"]["verdict"] == "VIOLATED"
    assert verdicts["mine.pl_fast_rate"]["details"].get("resumed_from_run") is not None
    assert verdicts["mine.pl_fast_rate"]["counterexample"]["params"]
    assert verdicts["mine.convex_nesterov_rate"]["verdict"] == "HOLDS"


# ------------------------------------------------------------------ the rule, as a property

VERDICTS = ("HOLDS", "VIOLATED", "ERROR", "INCONCLUSIVE", "VACUOUS")
KINDS = ("theorem", "mutant", "conjecture", "proof_step")


def _verdict(kind: str, word: str) -> Verdict:
    from boundcheck.theorems.statement import EXPECTED

    return Verdict(statement_id=f"x.{kind}", statement_hash="h", kind=kind, verdict=word, expected=EXPECTED.get(kind, ()))


@given(st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(VERDICTS)), min_size=1, max_size=6))
def test_several_targets_exit_with_the_worst_alone(pairs):
    verdicts = [_verdict(k, w) for k, w in pairs]
    alone = [verify_exit_code([v]) for v in verdicts]
    combined = verify_exit_code(verdicts)
    assert combined in alone
    assert all(SEVERITY[combined] >= SEVERITY[code] for code in alone)
    assert verify_exit_code(list(reversed(verdicts))) == combined
    for v, code in zip(verdicts, alone):
        if v.verdict == "ERROR":
            assert code == 2
        elif v.kind == "mutant":  # inverted
            assert code == {"VIOLATED": 0, "HOLDS": 1}.get(v.verdict, 3)
        else:  # a theorem, a proof step, or a conjecture named as a target: a claim that should hold
            assert code == EXIT_CODES[v.verdict]


@given(st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(VERDICTS)), min_size=1, max_size=6))
def test_all_judges_expectations_and_only_reports_conjectures(pairs):
    verdicts = [_verdict(k, w) for k, w in pairs]
    code = verify_exit_code(verdicts, all_=True)
    if any(v.verdict == "ERROR" for v in verdicts):
        assert code == 2
    elif any(v.kind != "conjecture" and v.verdict not in v.expected for v in verdicts):
        assert code == 1
    else:
        assert code == 0


# ------------------------------------------------------------------ item 10: a file importing a family

FAMILY_IMPORT = """
    '''A user's claim; the file imports a built-in family, which is not its claim.'''
    import sympy as sp

    from boundcheck.theorems import double_descent  # noqa: F401
    from boundcheck.theorems import Hypothesis, Statement, t
    from boundcheck.theorems.symbols import L, eta, gap

    mine = Statement(  # the descent lemma: a step up to 1/L never increases f
        id="mine.pl_rate_with_family_import",
        kind="conjecture",
        model="smooth.pl",
        hypotheses=(Hypothesis("step", sp.Le(eta, 1 / L)),),
        conclusion=sp.Le(gap[t], gap[0]),
    )
"""


def test_a_file_importing_a_family_claims_only_its_own_statements(tmp_path):
    """Repro: ``verify FILE`` ran the whole double_descent family as the file's statements
    (and the family then vanished from the built-in registry of that process)."""
    path = _toml(tmp_path, "mine.py", FAMILY_IMPORT)
    code, out, err = run_cli("show", path)
    assert code == 0, err
    assert "mine.pl_rate_with_family_import" in out and "double_descent." not in out
    code, out, err = _verify(tmp_path, path, extra=("--json",))
    assert code == 0, out + err
    verdicts = json.loads(out)["results"]
    assert [v["statement_id"] for v in verdicts] == ["mine.pl_rate_with_family_import"]
    assert verdicts[0]["verdict"] == "HOLDS"


def test_a_family_imported_by_a_file_stays_in_the_registry(tmp_path):
    from boundcheck.theorems import registry
    from boundcheck.verifiers.loading import load

    path = _toml(tmp_path, "mine.py", FAMILY_IMPORT.replace("double_descent", "ntk"))
    statements = load(path)
    assert [s.id for s in statements] == ["mine.pl_rate_with_family_import"]
    assert statements[0].origin == path
    ids = registry.all_statements()
    assert any(i.startswith("ntk.") for i in ids)
    assert all(s.origin != path for s in ids.values())


def test_a_statement_imported_by_name_is_not_the_files(tmp_path):
    """A built-in statement object imported into the file is not the file's claim."""
    from boundcheck.theorems import registry
    from boundcheck.verifiers.loading import load

    builtin = registry.get("classical.pl.linear_rate")
    module = tmp_path / "holder_module_for_test.py"
    module.write_text("from boundcheck.theorems import registry\nBORROWED = registry.get('classical.pl.linear_rate')\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        import holder_module_for_test  # noqa: F401  (a module holding the built-in object)

        path = _toml(tmp_path, "borrow.py", FAMILY_IMPORT + "\n    from holder_module_for_test import BORROWED\n")
        ids = [s.id for s in load(path)]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("holder_module_for_test", None)
    assert ids == ["mine.pl_rate_with_family_import"]
    assert builtin.origin != path
