"""The evidence store: a real SQLite file that survives killed writers and interrupted runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify
from boundcheck.verifiers.evidence.store import Store
from boundcheck.verifiers.verdict import Verdict
from conftest import ROOT, run_cli


def fake_verdict(k: int, statement_hash: str = "h0") -> Verdict:
    return Verdict(f"s.{k}", statement_hash, "theorem", "HOLDS", instances=k, min_slack=0.5, max_tightness=0.9,
                   expected=("HOLDS", "VACUOUS"))


def test_record_and_read_back(store_path):
    statement = all_statements()["classical.pl.linear_rate_tightened"]
    verdict = verify(statement, budget=50)
    with Store(store_path) as store:
        run_id = store.record(verdict)
        latest = store.latest(statement.id, statement.hash())
        cxs = store.counterexamples(statement.id, statement.hash())
    assert latest["id"] == run_id and latest["verdict"] == "VIOLATED" and latest["meets_expectation"] == 1
    assert cxs[0]["params"] == verdict.counterexample["params"]
    assert cxs[0]["replay_command"].startswith("boundcheck replay classical.pl.linear_rate_tightened")


def test_evidence_belongs_to_a_statement_hash(store_path):
    with Store(store_path) as store:
        store.record(fake_verdict(1, "old-hash"))
        assert store.latest("s.1", "new-hash") is None
        assert store.latest("s.1", "old-hash")["instances"] == 1


WRITER = """
import sys
from boundcheck.verifiers.evidence.store import Store
from boundcheck.verifiers.verdict import Verdict
store = Store(sys.argv[1])
k = 0
while True:
    store.record(Verdict(f"s.{k}", "h", "theorem", "HOLDS", instances=k))
    print(k, flush=True)
    k += 1
"""


def test_store_survives_a_killed_writer(store_path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    acknowledged = -1
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 50:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(store_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    db.close()
    assert count >= acknowledged + 1  # every acknowledged run is there
    with Store(store_path) as store:  # and the store opens and takes writes again
        store.record(fake_verdict(999))


def test_concurrent_writers(store_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.replace("while True", "while k < 40"), str(store_path)],
                              stdout=subprocess.DEVNULL, cwd=ROOT) for _ in range(3)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    with Store(store_path) as store:
        assert len(list(store.runs())) == 120


def test_ctrl_c_during_verify_all_keeps_evidence_and_resume_goes_on(tmp_path):
    store_path = tmp_path / "evidence.sqlite"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "boundcheck", "verify", "classical.pl.linear_rate",
                             "classical.pl.linear_rate_any_step", "classical.convex.drori_teboulle",
                             "classical.strongly_convex.distance", "--budget", "400", "--store", str(store_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    first = proc.stdout.readline()  # the first statement is recorded before its line is printed
    assert first.startswith("classical.pl.linear_rate ")
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    with Store(store_path) as store:
        done = [r["statement_id"] for r in store.runs()]
    assert "classical.pl.linear_rate" in done and len(done) < 4
    code, out, err = run_cli("verify", "classical.pl.linear_rate", "classical.pl.linear_rate_any_step",
                             "classical.convex.drori_teboulle", "classical.strongly_convex.distance",
                             "--budget", "400", "--store", str(store_path), "--resume")
    assert code == 0, err
    with Store(store_path) as store:
        ids = [r["statement_id"] for r in store.runs()]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 4  # each statement exactly once
    assert out.count("skipped by --resume") == len(done)
