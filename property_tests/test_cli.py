"""The command line, end to end in fresh processes, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import EXAMPLES, run_cli

from boundcheck.verifiers.evidence.store import Store


def test_list_is_light_and_complete(tmp_path):
    """``list`` builds its index once (sympy) into the user's cache folder; a fresh process then lists
    every built-in statement without sympy, NumPy, Hypothesis or any heavy command module."""
    code = ("import sys, boundcheck.verifiers.commands.cli as c; c.main(['list', '--json']); "
            "heavy = [m for m in ('numba', 'cvxpy', 'dask', 'distributed', 'matplotlib', 'numpy', 'sympy', "
            "'hypothesis') if m in sys.modules]; print('HEAVY', heavy, file=sys.stderr)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                           env=env) for _ in range(2)]
    assert "'sympy'" in runs[0].stderr, runs[0].stderr  # the first run builds the statements
    assert "HEAVY []" in runs[1].stderr, runs[1].stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "cache"]  # nothing written to the current folder
    assert runs[0].stdout == runs[1].stdout
    listing = json.loads(runs[1].stdout)
    assert listing["schema"] == "boundcheck/1" and listing["command"] == "list"
    rows = listing["results"]
    # the rows built from the statements themselves, in a fresh process as verify builds them (a hash
    # reads sympy's spelling of symbols, which depends on what the process imported first)
    fresh = subprocess.run([sys.executable, "-c", "import json; from boundcheck.verifiers.commands.listing import "
                            "build_rows; print(json.dumps(build_rows()))"], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120)
    built = {r["id"]: r for r in json.loads(fresh.stdout)}
    assert [r["id"] for r in rows] == list(built)
    assert all(r["hash"] == built[r["id"]]["hash"] and r["kind"] == built[r["id"]]["kind"] for r in rows)
    assert "classical.convex.drori_teboulle" in built and {r["kind"] for r in rows} >= {"theorem", "mutant"}


def test_a_corrupt_list_index_is_rebuilt(tmp_path, monkeypatch):
    from boundcheck.verifiers.commands import listing

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    index = listing.cache_folder() / f"statements-{listing.source_key()}.json"
    index.parent.mkdir(parents=True)
    index.write_text('[{"id": "forged"}]')
    assert [r["id"] for r in listing.statement_rows()] == [r["id"] for r in listing.build_rows()]


def test_show(tmp_path):
    code, out, err = run_cli("show", "classical.convex.drori_teboulle", "--store", str(tmp_path / "s.sqlite"))
    assert code == 0, err
    assert "Drori" in out and "no evidence recorded" in out


def test_false_conjecture_exits_1_and_its_counterexample_replays(tmp_path):
    store = str(tmp_path / "s.sqlite")
    code, out, err = run_cli("verify", str(EXAMPLES / "false_pl_fast_rate.toml"), "--store", store, "--json")
    assert code == 1, err
    verdict = json.loads(out)["results"][0]
    assert verdict["verdict"] == "VIOLATED"
    cx = verdict["counterexample"]
    assert set(cx["params"]) == {"d", "L", "mu", "eta", "steps", "seed"}  # a handful of numbers
    code, out, err = run_cli("replay", str(EXAMPLES / "false_pl_fast_rate.toml"), "--params", json.dumps(cx["params"]))
    assert code == 1, err
    assert f"first violation at t = {cx['t']}" in out and "confirmed at 50 digits" in out
    code, out, _ = run_cli("show", "mine.pl_fast_rate", "--store", store)
    assert code == 2  # a file's statement is not a built-in id


def test_true_conjectures_hold(tmp_path):
    for name in ("convex_nesterov_rate.toml", "strongly_convex_conjecture.py"):
        code, out, err = run_cli("verify", str(EXAMPLES / name), "--store", str(tmp_path / "s.sqlite"), "--budget", "40")
        assert code == 0, out + err
        assert "HOLDS" in out


def test_several_statements_are_judged_against_their_kind(tmp_path):
    code, out, err = run_cli("verify", "classical.convex.drori_teboulle", "classical.convex.drori_teboulle_tightened",
                             "--budget", "40", "--store", str(tmp_path / "s.sqlite"))
    assert code == 0, out + err  # a HOLDing theorem and a VIOLATED mutant: every expectation met
    assert "every expectation met" in out and "VIOLATED" in out


def test_jobs_give_the_verdicts_of_one_process_in_the_order_of_the_targets(tmp_path):
    """``--jobs 2`` verifies in two spawned processes; every number of every verdict is the one
    process's (the draws do not depend on the process), and the output keeps the targets' order."""
    targets = ("classical.convex.drori_teboulle_tightened", "classical.pl.linear_rate", "classical.convex.drori_teboulle")
    records = {}
    for jobs in ("1", "2"):
        code, out, err = run_cli("verify", *targets, "--budget", "40", "--json", "--jobs", jobs,
                                 "--store", str(tmp_path / f"s{jobs}.sqlite"))
        assert code == 0, out + err
        records[jobs] = [{k: r[k] for k in ("statement_id", "verdict", "instances", "min_slack", "max_tightness",
                                            "counterexample")} for r in json.loads(out)["results"]]
    assert [r["statement_id"] for r in records["2"]] == list(targets)
    assert records["2"] == records["1"]
    with Store(tmp_path / "s2.sqlite") as store:
        assert sorted(r["statement_id"] for r in store.runs()) == sorted(targets)


def test_warm_up_runs_each_named_model_once_and_rejects_unknown_ones():
    code, out, err = run_cli("warm-up", "smooth.pl", "smooth.quadratic")  # two cheap models: each once
    assert code == 0, err
    assert out.splitlines()[0].startswith("smooth.pl") and "every kernel ready" in out
    code, out, err = run_cli("warm-up", "smooth.nosuch")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("boundcheck: error: unknown model 'smooth.nosuch'; known: ")


def test_version_help_text_and_exit_codes_in_the_epilog():
    from boundcheck.verifiers.commands.cli import build_parser

    code, out, _ = run_cli("--version")
    assert code == 0 and out.strip() == f"boundcheck {__import__('boundcheck').__version__}"
    parser = build_parser()
    missing = [f"{name} {action.dest}" for name, (_, sub) in parser.commands.items() for action in sub.added
               if not action.help]
    assert not missing, missing  # every option and positional of every command has help text
    code, out, _ = run_cli("verify", "--help")
    assert code == 0 and "exit codes:" in out and "INCONCLUSIVE" in out and "boundcheck/1" in out


def test_json_output_has_one_shape_and_no_infinity_strings():
    """Non-finite numbers are null with a flag beside them; the text is strict JSON."""
    from boundcheck.verifiers.commands.output import dumps

    text = dumps("verify", [{"min_slack": float("inf"), "max_tightness": 0.5, "curve": [1.0, float("-inf")],
                             "nested": {"x": float("nan")}}])
    data = json.loads(text)
    assert data["schema"] == "boundcheck/1" and data["command"] == "verify"
    [row] = data["results"]
    assert row["min_slack"] is None and row["min_slack_nonfinite"] == "inf" and row["max_tightness"] == 0.5
    assert row["curve"] == [1.0, None] and row["curve_nonfinite"] == {"1": "-inf"}
    assert row["nested"] == {"x": None, "x_nonfinite": "nan"}
    assert "Infinity" not in text and "NaN" not in text and '"inf"' in text
