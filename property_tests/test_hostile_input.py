"""Hostile and clumsy input (issue 14): every reproduction ends in one line on stderr and exit 2,
within seconds, with nothing lost and nothing written where it should not be.

Each test is one reproduction of the issue, run in-process through the command line's
``main`` (a few through a subprocess, where the process boundary is the point). The
fuzz tests feed the TOML loader and ``replay --params`` random well-typed and ill-typed
input: every example ends in a statement (or a verdict) or a one-line error, never
another exception, within 5 s. The default run draws a few dozen examples; the
slow-marked run draws 10,000 of each.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcheck.theorems.parse import ParseError
from boundcheck.theorems.statement import StatementError
from boundcheck.verifiers.commands.cli import main
from boundcheck.verifiers.errors import BoundcheckError

HEADER = """
[conjecture]
id = "mine.hostile"
model = "smooth.pl"
"""
GOOD = HEADER + 'hypotheses = ["eta <= 1/L"]\nconclusion = "gap[t] <= gap[0]"\n'
FALSE_PL = str(ROOT / "examples" / "false_pl_fast_rate.toml")
PARAMS = {"L": 1.0, "d": 1, "eta": 0.25, "mu": 0.25, "seed": 0, "steps": 1}
#: what one reproduction may take, in seconds (the issue: "within a few seconds"; a loaded 2-core machine)
QUICK = 5.0


def run(capsys, *args: str) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse refuses a bad value before anything runs
        code = exc.code
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    return code, captured.out, captured.err, elapsed


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("boundcheck: error: "), err
    assert "Traceback" not in err
    return lines[0]


def toml(tmp_path: Path, body: str, name: str = "c.toml") -> str:
    path = tmp_path / name
    path.write_text(body)
    return str(path)


# ------------------------------------------------------------------ blow-ups: refused in seconds

BLOW_UPS = [
    (HEADER + 'conclusion = "gap[t] <= ((10**1000)**1000)**1000"\n', "exponent beyond 400"),
    (HEADER + 'conclusion = "gap[t] <= (10**1000)**1000"\n', "exponent beyond 400"),
    (HEADER + 'conclusion = "gap[t] <= (10**300)*(10**300)*(10**300)*(10**300)*(10**300)"\n',
     "a number beyond 1e300"),
    (HEADER + 'hypotheses = ["(eta + L + mu + d)**1000 <= 10**6"]\nconclusion = "gap[t] <= gap[0]"\n',
     "exponent beyond 100"),
    (HEADER + 'hypotheses = ["(eta + L)**1000 <= 10"]\nconclusion = "gap[t] <= gap[0]"\n', "exponent beyond 100"),
    (HEADER + 'hypotheses = ["(eta + L + mu + d)**40 <= 10"]\nconclusion = "gap[t] <= gap[0]"\n',
     "would expand into about"),
    (HEADER + 'conclusion = "gap[t] >= exp(exp(exp(exp(exp(eta)))))"\n', "nests 5 exponentials"),
    (GOOD + "budget = 1000000000000\n", "budget must be an integer in [1, 100,000]"),
    (HEADER + 'hypotheses = [' + ", ".join(['"eta <= 1/L"'] * 50_000) + ']\nconclusion = "gap[t] <= gap[0]"\n',
     "more than 64 hypotheses"),
    (GOOD + 'doc = "' + "x" * 100_000 + '"\n', "the doc is longer than 20000 characters"),
    (GOOD + 'title = "' + "x" * 10_000 + '"\n', "the title is longer than 300 characters"),
    (GOOD.replace('"mine.hostile"', '"mine.\\u0000nul"'), "dot-separated names"),
    (GOOD.replace('"mine.hostile"', '"../../outside"'), "dot-separated names"),
]


@pytest.mark.parametrize("body, named", BLOW_UPS, ids=[named for _, named in BLOW_UPS])
@pytest.mark.parametrize("command", ["verify", "show"])
def test_blow_ups_are_refused_in_seconds(tmp_path, capsys, body, named, command):
    store = tmp_path / "s.sqlite"
    code, out, err, elapsed = run(capsys, command, toml(tmp_path, body), "--store", str(store))
    assert code == 2 and named in one_line_error(err)
    assert elapsed < QUICK, f"{elapsed:.1f}s"
    assert not store.exists()  # refused before the store is opened: nothing recorded


# ------------------------------------------------------------------ ill-typed TOML values: one line naming the key

ILL_TYPED = [
    ("constants = 5", "constants must be a table name = number, got int 5"),
    ('constants = { C = "x" }', "constant C must be a number, got str 'x'"),
    ('quantifier = "with_probability"\nover = "seed"\nprobability = "abc"',
     "with_probability probability must be a number, got str 'abc'"),
    ('quantifier = "with_probability"\nover = "seed"\nprobability = [1]', "with_probability probability must be a number"),
    ('quantifier = "with_probability"\nover = "seed"', "quantifier with_probability needs 'probability'"),
    ('t_min = "x"', "t_min must be an integer, got str 'x'"),
    ("t_min = [1]", "t_min must be an integer, got list [1]"),
    ("t_min = inf", "t_min must be an integer, got float inf"),
    ("t_min = -1", "t_min must be an integer in [0, 1,000,000]"),
    ("budget = 2.5", "budget must be an integer, got float 2.5"),
    ("budget = true", "budget must be an integer, got bool True"),
    ('domain = { eta = ["a", 1] }', "domain entry eta must be a number, got str 'a'"),
    ("domain = { eta = [1, nan] }", "domain entry eta must be a finite number"),
    ("domain = { d = [1, 10000000] }", "within the model's range"),
    ("domain = 3", "domain must be a table name = [lo, hi]"),
    ("t_min = 1" + "1" * 5000, "unreadable TOML"),
    ("title = 5", "title must be text, got int 5"),
    ('quantifier = "asymptotically"\nalong = "d"\nsizes = "abc"', "asymptotically sizes must be a list of integers"),
    ('quantifier = "worst_case"', "quantifier worst_case needs 'function_class'"),
    ('quantifier = "asymptotically"\nalong = "d"\nsizes = [1, 2, 1000000]', "take d outside the model's range"),
    ('quantifier = "in_expectation"\nover = "seed"\nmax_runs = 1000000000', "max_runs must be an integer in"),
    ('quantifier = "for_all"\nover = "seed"', "'over' is not a field of quantifier for_all"),
    ("quantifier = 3", "quantifier int 3 is not available in TOML"),
]


@pytest.mark.parametrize("extra, named", ILL_TYPED, ids=[extra[:30] for extra, _ in ILL_TYPED])
def test_ill_typed_toml_values_are_one_line_naming_the_key(tmp_path, capsys, extra, named):
    code, _, err, elapsed = run(capsys, "show", toml(tmp_path, GOOD + extra + "\n"), "--store",
                                str(tmp_path / "s.sqlite"))
    assert code == 2 and named in one_line_error(err)
    assert elapsed < QUICK


@pytest.mark.parametrize("text, hint", [("eta ^ 2 <= 1/L", "use ** for a power"),
                                        ("eta = 1/L", "use == for equality")])
def test_other_languages_spellings_get_a_hint(tmp_path, capsys, text, hint):
    body = HEADER + f'hypotheses = ["{text}"]\nconclusion = "gap[t] <= gap[0]"\n'
    code, _, err, _ = run(capsys, "show", toml(tmp_path, body), "--store", str(tmp_path / "s.sqlite"))
    assert code == 2 and hint in one_line_error(err)


def test_pi_is_the_constant(tmp_path, capsys):
    body = HEADER + 'hypotheses = ["eta <= pi/(4*L)"]\nconclusion = "gap[t] <= gap[0]"\n'
    code, out, err, _ = run(capsys, "show", toml(tmp_path, body), "--store", str(tmp_path / "s.sqlite"))
    assert code == 0 and "eta <= pi/(4*L)" in out, err


# ------------------------------------------------------------------ replay --params

REPLAY = [
    ({**PARAMS, "d": "Infinity"}, "holds Infinity"),
    ({**PARAMS, "d": "1e999"}, "d must be an integer, got inf"),
    ({**PARAMS, "L": "1e999"}, "L must be a finite number, got inf"),
    ({**PARAMS, "d": [1]}, "d must be an integer, got [1]"),
    ({**PARAMS, "d": None}, "d must be an integer, got null"),
    ({**PARAMS, "d": 1.9}, "d must be an integer, got 1.9"),
    ({**PARAMS, "d": True}, "d must be an integer, got true"),
    ({**PARAMS, "mu": 2.0}, "breaks the model's constraint mu_below_L"),
    ({**PARAMS, "d": 10**30}, "outside [1, 20]"),
    ({**PARAMS, "L": 10**400}, "L must be a finite number"),
    ({**PARAMS, "eta": "NaN"}, "holds NaN"),
]


def _params_text(params: dict) -> str:
    text = json.dumps(params)
    for word in ("Infinity", "1e999", "NaN"):
        text = text.replace(f'"{word}"', word)
    return text


@pytest.mark.parametrize("params, named", REPLAY, ids=[named for _, named in REPLAY])
def test_replay_refuses_bad_params(capsys, params, named):
    code, out, err, elapsed = run(capsys, "replay", FALSE_PL, "--params", _params_text(params))
    assert code == 2 and named in one_line_error(err), out + err
    assert elapsed < QUICK


def test_replay_refuses_deep_nesting(capsys):
    code, _, err, elapsed = run(capsys, "replay", FALSE_PL, "--params", "[" * 100_000)
    assert code == 2 and "nested too deeply" in one_line_error(err) and elapsed < QUICK
    code, _, err, _ = run(capsys, "replay", FALSE_PL, "--params", "[" * 200_000)
    assert code == 2 and "--params is longer than" in one_line_error(err)
    code, _, err, elapsed = run(capsys, "replay", FALSE_PL, "--params", "[" * 5_000 + "]" * 5_000)
    assert code == 2 and "nested too deeply" in one_line_error(err) and elapsed < QUICK


@pytest.mark.parametrize("dps", ["3", "15", "1e8", "100000000"])
def test_replay_refuses_a_precision_below_float64_or_above_the_cap(capsys, dps):
    code, out, err, _ = run(capsys, "replay", FALSE_PL, "--params", json.dumps(PARAMS), "--dps", dps)
    assert code == 2 and "argument --dps" in err and not out


def test_replay_at_float64_digits_still_confirms_the_counterexample(capsys):
    code, out, err, _ = run(capsys, "replay", FALSE_PL, "--params", json.dumps(PARAMS), "--dps", "16")
    assert code == 1 and "confirmed at" in out, out + err


# ------------------------------------------------------------------ CLI values: refused before anything runs

@pytest.mark.parametrize("option, value", [("--budget", "-5"), ("--budget", "0"), ("--seed", "-1"),
                                           ("--budget", "1000000000000"), ("--seed", "x")])
@pytest.mark.parametrize("command", ["verify", "power"])
def test_bad_cli_values_are_refused_and_nothing_recorded(tmp_path, capsys, command, option, value):
    store = tmp_path / "s.sqlite"
    code, out, err, elapsed = run(capsys, command, "classical.pl.linear_rate", option, value, "--store", str(store))
    assert code == 2 and f"argument {option}" in err and not out
    assert not store.exists() and elapsed < QUICK


# ------------------------------------------------------------------ the store

def _corrupt_pages(path: Path) -> None:
    """Keep the 100-byte header and the schema page; overwrite every later page."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for k in range(page, len(data)):
        data[k] = (k * 131 + 7) % 256
    path.write_bytes(bytes(data))


def test_a_corrupted_store_keeps_the_verdict_in_its_one_line(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    body = toml(tmp_path, GOOD)
    code, _, err, _ = run(capsys, "verify", body, "--store", str(store), "--budget", "5")
    assert code == 0, err
    with sqlite3.connect(store) as db:  # fold the WAL in, so the pages hold everything
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _corrupt_pages(store)
    code, out, err, _ = run(capsys, "verify", body, "--store", str(store), "--budget", "5")
    line = one_line_error(err)
    assert code == 2 and str(store) in line
    if "NOT recorded" in line:  # the check ran: its verdict is in the line
        assert "mine.hostile: HOLDS" in line


def test_docs_on_random_bytes_is_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(bytes((k * 7919) % 251 for k in range(20_000)))
    code, _, err, elapsed = run(capsys, "docs", "--store", str(junk), "--out", str(tmp_path / "site"))
    assert code == 2 and "not a usable SQLite database" in one_line_error(err) and str(junk) in err


def test_show_reads_without_creating_or_writing(tmp_path, capsys):
    store = tmp_path / "none" / "s.sqlite"
    code, out, _, _ = run(capsys, "show", "classical.pl.linear_rate", "--store", str(store))
    assert code == 0 and "no evidence recorded" in out
    assert not store.parent.exists()


def test_a_read_only_wal_store_is_read(tmp_path, capsys, monkeypatch):
    """A WAL store in a folder this process cannot write (simulated: the tests may run as root,
    whom permissions do not stop) is opened immutable and read, by show and by the docs reader."""
    from boundcheck.verifiers.evidence import store as store_module
    from boundcheck.verifiers.report.evidence import EvidenceReader

    path = tmp_path / "s.sqlite"
    body = toml(tmp_path, GOOD)
    assert run(capsys, "verify", body, "--store", str(path), "--budget", "5")[0] == 0
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in tmp_path.glob("s.sqlite-*"):
        leftover.unlink()
    path.chmod(stat.S_IRUSR)
    monkeypatch.setattr(store_module.os, "access", lambda *a, **k: False)
    code, out, err, _ = run(capsys, "show", body, "--store", str(path))
    assert code == 0 and "latest evidence" in out, err
    reader = EvidenceReader(path)
    try:
        from boundcheck.verifiers.loading import load

        statement = load(body)[0]
        assert reader.for_statement(statement.id, statement.hash()).verdict == "HOLDS"
    finally:
        reader.close()
    assert not list(tmp_path.glob("s.sqlite-*"))  # no shared-memory or WAL file made


def test_a_quoted_table_name_is_read(tmp_path):
    from boundcheck.verifiers.evidence.store import Store
    from boundcheck.verifiers.report.evidence import EvidenceReader

    path = tmp_path / "s.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE "we""ird ]table" (statement_id TEXT, note TEXT)')
        db.execute('INSERT INTO "we""ird ]table" VALUES (?, ?)', ("classical.pl.linear_rate", "<script>x</script>"))
    reader = EvidenceReader(path)
    try:
        evidence = reader.for_statement("classical.pl.linear_rate", "any")
    finally:
        reader.close()
    [table] = evidence.extra_tables
    assert table.name == 'we"ird ]table' and table.rows == [("classical.pl.linear_rate", "<script>x</script>")]


# ------------------------------------------------------------------ docs: escaped, pictures from the store only

def test_a_stored_replay_command_cannot_break_out_of_its_fence(tmp_path):
    pytest.importorskip("markdown_it")
    from markdown_it import MarkdownIt

    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.check import verify
    from boundcheck.verifiers.evidence.store import Store
    from boundcheck.verifiers.report.evidence import EvidenceReader
    from boundcheck.verifiers.report.pages import statement_page

    statement = all_statements()["classical.pl.linear_rate_tightened"]
    verdict = verify(statement, budget=10)
    assert verdict.counterexample
    verdict.counterexample["replay"] = "boundcheck replay x\n```\n<script>alert('fence')</script>\n````\n"
    verdict.counterexample["replay_observed"] = "`` <img src=x onerror=alert(1)> ``"
    verdict.verdict, verdict.message = "<script>alert('verdict')</script>", "<b>bold</b> | `x`"
    with Store(tmp_path / "s.sqlite") as store:
        store.record(verdict)
    reader = EvidenceReader(tmp_path / "s.sqlite")
    try:
        evidence = reader.for_statement(statement.id, statement.hash())
    finally:
        reader.close()
    page = statement_page(statement, evidence, all_statements(), lambda *a: None, [])
    rendered = MarkdownIt("commonmark").render(page)  # raw HTML is enabled in CommonMark
    assert "<script>" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;alert('fence')&lt;/script&gt;" in rendered.replace("&#x27;", "'")


def test_campaign_names_are_slugs_and_values_typed(tmp_path, capsys):
    spec = (ROOT / "examples" / "double_descent.toml").read_text()
    bad_name = spec.replace('name = "double_descent"', 'name = "../../../outside"')
    code, _, err, _ = run(capsys, "campaign", toml(tmp_path, bad_name), "--store", str(tmp_path / "s" / "s.sqlite"))
    assert code == 2 and "a slug" in one_line_error(err)
    bad_seeds = spec.replace("seeds = 400", 'seeds = "abc"')
    code, _, err, _ = run(capsys, "campaign", toml(tmp_path, bad_seeds), "--store", str(tmp_path / "s" / "s.sqlite"))
    assert code == 2 and "[campaign] seeds must be an integer" in one_line_error(err)
    assert not (tmp_path / "s").exists() and not (tmp_path.parent / "outside").exists()


# ------------------------------------------------------------------ a few end to end, through a process

def test_end_to_end_blow_up_and_bad_value_exit_2_in_seconds(tmp_path):
    nested = toml(tmp_path, HEADER + 'conclusion = "gap[t] <= ((10**1000)**1000)**1000"\n')
    for args in (["verify", nested], ["show", nested], ["verify", "classical.pl.linear_rate", "--budget", "-5"]):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "boundcheck", *args, "--store", str(tmp_path / "s.sqlite")],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and not proc.stdout
        assert time.perf_counter() - started < 30  # a process start on a loaded machine included
    assert not (tmp_path / "s.sqlite").exists()


# ------------------------------------------------------------------ examples of every quantifier

@pytest.mark.parametrize("name, quantifier", [("expected_risk_rises", "in_expectation"),
                                              ("min_norm_risk_limit", "asymptotically"),
                                              ("gd_convex_worst_case", "worst_case")])
def test_each_quantifier_example_loads_and_holds(tmp_path, capsys, name, quantifier):
    from boundcheck.verifiers.loading import load

    path = str(ROOT / "examples" / f"{name}.toml")
    [statement] = load(path)
    assert statement.quantifier.kind == quantifier
    code, out, err, _ = run(capsys, "verify", path, "--store", str(tmp_path / "s.sqlite"))
    assert code == 0 and "HOLDS" in out, out + err


def test_toml_quantifiers_take_the_python_names_and_defaults():
    import sympy as sp

    from boundcheck.theorems.quantifiers import asymptotically, in_expectation, with_probability, worst_case
    from boundcheck.verifiers.loading import quantifier_from_table

    assert quantifier_from_table({"quantifier": "with_probability", "probability": 0.9, "over": "seed"}) == \
        with_probability(0.9, "seed")
    assert quantifier_from_table({"quantifier": "in_expectation", "over": "seed"}) == in_expectation("seed")
    assert quantifier_from_table({"quantifier": "worst_case", "function_class": "smooth_convex"}) == \
        worst_case("smooth_convex")
    table = {"quantifier": "asymptotically", "along": "n", "rate": -0.5, "sizes": [8, 16, 32], "ratios": [["p", 2]]}
    assert quantifier_from_table(table) == asymptotically("n", -0.5, sizes=(8, 16, 32), ratios=(("p", 2),))
    assert str(quantifier_from_table({})) == "for_all()"
    assert sp.Float(quantifier_from_table(table).rate) == sp.Float(-0.5)
    ansatzes = quantifier_from_table({**table, "correction": [0.5, 1]})
    assert ansatzes.correction == (0.5, 1) and quantifier_from_table({**table, "correction": 1}).correction == 1
    for bad in ([], [0.5, "x"], [0.5, -1]):
        with pytest.raises(StatementError, match="correction"):
            quantifier_from_table({**table, "correction": bad})


# ------------------------------------------------------------------ fuzz

NAMES = ["eta", "L", "mu", "d", "steps", "t", "pi", "gap[t]", "gap[0]", "gap[t-1]", "grad_sq[t]",
         "foo", "gap", "gap[mu]", "__import__", "L.real"]
NUMBERS = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=False).map(repr),
                    st.sampled_from(["1e999", "10**1000", "0", "1/0", "1e-400", "9" * 5000]))


def _expression(depth: int = 4) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(NAMES), NUMBERS)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^", "//", "%", " and ", "@"]), inner)
        .map(lambda x: f"({x[0]}{x[1]}{x[2]})"),
        st.tuples(st.sampled_from(["exp", "log", "sqrt", "abs", "min", "max", "eval", "open", ""]),
                  st.lists(inner, min_size=0, max_size=3)).map(lambda x: f"{x[0]}({', '.join(x[1])})"),
        inner.map(lambda x: f"-{x}"),
    ), max_leaves=12)


RELATIONS = st.tuples(_expression(), st.sampled_from(["<=", "<", ">=", ">", "==", "=", "!=", ""]), _expression()) \
    .map(lambda x: f"{x[0]} {x[1]} {x[2]}")
TOML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.just(-10**400), st.floats(),
              st.text(max_size=20), RELATIONS),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)
KEYS = ["id", "model", "hypotheses", "conclusion", "quantifier", "kind", "constants", "t_min", "budget", "title",
        "source", "domain", "doc", "probability", "over", "along", "rate", "sizes", "ratios", "function_class",
        "confidence", "settings", "bogus"]
TABLES = st.fixed_dictionaries(
    {"id": st.one_of(st.just("mine.fuzz"), TOML_VALUES), "model": st.sampled_from(["smooth.pl", "smooth.convex", "x"]),
     "conclusion": st.one_of(RELATIONS, TOML_VALUES)},
    optional={"hypotheses": st.one_of(st.lists(RELATIONS, max_size=4), TOML_VALUES),
              **{key: TOML_VALUES for key in KEYS[4:]},
              "quantifier": st.sampled_from(["for_all", "with_probability", "in_expectation", "asymptotically",
                                             "worst_case", "sum_of_squares", "x"])})


@contextmanager
def _timed():
    """The CPU seconds this thread spends in the block, with the cyclic garbage collector paused:
    a full collection of what earlier tests left (2.7 million objects took 6.3 s in one slow
    run) is not the input's cost, nor is a loaded machine's stall. What the input allocates is
    collected after the block."""
    enabled = gc.isenabled()
    spent = [0.0]
    gc.disable()
    started = time.thread_time()
    try:
        yield lambda: spent[0]
    finally:
        spent[0] = time.thread_time() - started
        if enabled:
            gc.enable()


def _load_table(table: dict) -> None:
    from boundcheck.verifiers.loading import statement_from_table, validate
    from boundcheck.verifiers.models import get_model

    for name in ("smooth.pl", "smooth.convex"):  # a model's first import (numba) is not the input's cost
        get_model(name)
    with _timed() as elapsed:
        try:
            statement = statement_from_table(table, origin="fuzz.toml")
            validate(statement)
            statement.hash()
            str(statement)
        except (StatementError, ParseError, BoundcheckError):
            pass
    assert elapsed() < QUICK


def _replay_params(text: str, model_name: str) -> None:
    from boundcheck.verifiers.commands.replay import instance_from_json
    from boundcheck.verifiers.models import get_model

    model = get_model(model_name)  # its first import (numba) is not the input's cost
    with _timed() as elapsed:
        try:
            instance_from_json(text, model)
        except BoundcheckError:
            pass
    assert elapsed() < QUICK


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40), st.just(10**400),
                                     st.floats(), st.text(max_size=10)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                           max_leaves=6)
PARAMS_TEXT = st.one_of(
    st.dictionaries(st.sampled_from(["L", "d", "eta", "mu", "seed", "steps", "x"]), JSON_VALUES, max_size=7)
    .map(lambda d: json.dumps({**PARAMS, **d}, allow_nan=True)),
    st.text(max_size=50),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
)

def fuzz(examples: int) -> settings:
    return settings(deadline=None, suppress_health_check=list(HealthCheck), database=None, max_examples=examples)



@fuzz(40)
@given(TABLES)
def test_fuzz_toml_loader_ends_in_a_statement_or_one_error(table):
    _load_table(table)


@fuzz(40)
@given(PARAMS_TEXT, st.sampled_from(["smooth.pl", "smooth.interpolated"]))
def test_fuzz_replay_params_end_in_an_instance_or_one_error(text, model_name):
    _replay_params(text, model_name)


@pytest.mark.slow
@fuzz(10_000)
@given(TABLES)
def test_fuzz_toml_loader_10000(table):
    _load_table(table)


@pytest.mark.slow
@fuzz(10_000)
@given(PARAMS_TEXT, st.sampled_from(["smooth.pl", "smooth.interpolated"]))
def test_fuzz_replay_params_10000(text, model_name):
    _replay_params(text, model_name)


def test_a_toml_model_file_runs_code_only_when_trusted(tmp_path, monkeypatch):
    """``model = "x.py:Name"`` imports x.py: a TOML conjecture is untrusted input, so the file is
    refused (before it is read) unless the user opts in."""
    from boundcheck.verifiers.limits import TRUST_MODEL_FILES

    monkeypatch.delenv(TRUST_MODEL_FILES, raising=False)
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    conjecture = tmp_path / "c.toml"
    conjecture.write_text('[conjecture]\nid = "mine.x"\nmodel = "evil.py:Model"\nconclusion = "loss[t] <= loss[0]"\n')
    code, out, err = run_cli("verify", str(conjecture), "--store", str(tmp_path / "e.sqlite"))
    assert code == 2 and "--trust-model-files" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()
    code, _, err = run_cli("--trust-model-files", "verify", str(conjecture), "--store", str(tmp_path / "e.sqlite"))
    assert marker.exists()  # trusted: the file ran (and declares no model, which is one line, exit 2)
    assert code == 2 and len(err.strip().splitlines()) == 1
