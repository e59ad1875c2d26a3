"""Bad input gets one clear line on stderr and exit code 2, and loses nothing."""

from __future__ import annotations

import pytest

from boundcheck.verifiers.commands.cli import main

GOOD = """
[conjecture]
id = "mine.ok"
model = "smooth.pl"
hypotheses = ["eta <= 1/L"]
conclusion = "gap[t] <= gap[0]"
"""


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("boundcheck: error: ") and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("body, named", [
    ("[conjecture\nid = 1", "TOML syntax error"),
    (GOOD.replace("smooth.pl", "smooth.nope"), "unknown model 'smooth.nope'"),
    (GOOD.replace("gap[t] <= gap[0]", "loss[t] <= gap[0]"), "unknown observable 'loss'"),
    (GOOD.replace("gap[t] <= gap[0]", "gap[t] <= C * gap[0]"), "unknown name 'C'"),
    (GOOD.replace("eta <= 1/L", "eta <= __import__('os').getpid()"), "__import__('os').getpid"),
    (GOOD.replace("eta <= 1/L", "eta <= __import__('os')"), "function '__import__' is not allowed"),
    (GOOD.replace("eta <= 1/L", "eta <= L.__class__"), "attribute access"),
    (GOOD.replace("eta <= 1/L", "eta <= (lambda: 1)()"), "not allowed"),
    (GOOD.replace('id = "mine.ok"', ""), "missing or non-text key 'id'"),
    (GOOD.replace("[conjecture]", "[something]"), "expected a [conjecture] table"),
    (GOOD + 'quantifier = "sometimes"\n', "quantifier 'sometimes'"),
])
def test_bad_toml(tmp_path, capsys, body, named):
    path = tmp_path / "c.toml"
    path.write_text(body)
    code, out, err = run(capsys, "verify", str(path), "--store", str(tmp_path / "s.sqlite"))
    assert code == 2
    assert named in one_line_error(err)


def test_python_file_that_raises(tmp_path, capsys):
    path = tmp_path / "bad.py"
    path.write_text("raise RuntimeError('half-written conjecture')\n")
    code, _, err = run(capsys, "verify", str(path), "--store", str(tmp_path / "s.sqlite"))
    assert code == 2 and "RuntimeError on import: half-written conjecture" in one_line_error(err)


def test_unknown_statement_id(tmp_path, capsys):
    code, _, err = run(capsys, "verify", "classical.nope", "--store", str(tmp_path / "s.sqlite"))
    assert code == 2 and "no statement with id 'classical.nope'" in one_line_error(err)


def test_store_in_an_unwritable_place(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    code, _, err = run(capsys, "verify", "classical.pl.linear_rate", "--store", str(blocker / "evidence.sqlite"))
    assert code == 2 and "cannot create the store directory" in one_line_error(err)


def test_corrupt_store_is_reported_and_left_alone(tmp_path, capsys):
    path = tmp_path / "evidence.sqlite"
    junk = b"this is not sqlite" * 100
    path.write_bytes(junk)
    code, _, err = run(capsys, "verify", "classical.pl.linear_rate", "--store", str(path))
    assert code == 2 and "not a usable SQLite database" in one_line_error(err)
    assert path.read_bytes() == junk


def test_replay_with_bad_params(tmp_path, capsys):
    code, _, err = run(capsys, "replay", "classical.pl.linear_rate", "--params", "{not json")
    assert code == 2 and "--params is not JSON" in one_line_error(err)
    code, _, err = run(capsys, "replay", "classical.pl.linear_rate", "--params", '{"d": 1}')
    assert code == 2 and "needs parameter" in one_line_error(err)


def test_statement_naming_an_observable_its_model_lacks(capsys):
    import sympy as sp

    from boundcheck.theorems import Statement, observable, t
    from boundcheck.verifiers.errors import LoadError
    from boundcheck.verifiers.loading import validate

    with pytest.raises(LoadError, match="has no indexed observable 'dist_sq'"):
        validate(Statement("x.y", "conjecture", "smooth.nonconvex", sp.Le(observable("dist_sq")[t], 1)))
