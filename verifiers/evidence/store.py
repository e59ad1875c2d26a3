"""The evidence store: one SQLite file, WAL mode, safe for concurrent writers.

Default ``.boundcheck/evidence.sqlite`` under the working directory; ``--store PATH``
or ``BOUNDCHECK_STORE`` for another. Every run and every counterexample is written
in its own transaction as soon as it is known, so an interrupted session loses
nothing already recorded. Evidence is keyed by the statement's hash: a changed
statement never inherits the evidence of its old version.

Other parts (campaign batches, certificates) add their own tables with
:meth:`Store.ensure`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from boundcheck.verifiers import __version__
from boundcheck.verifiers.errors import StoreError
from boundcheck.verifiers.verdict import Verdict

DEFAULT_PATH = Path(".boundcheck") / "evidence.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    statement_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    verdict TEXT NOT NULL,
    meets_expectation INTEGER,
    budget INTEGER, seed INTEGER,
    instances INTEGER, outside INTEGER, violations INTEGER, artefacts INTEGER,
    min_slack REAL, max_tightness REAL,
    wall_s REAL,
    finished_at REAL NOT NULL,
    code_version TEXT,
    message TEXT,
    details TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_statement ON runs (statement_id, statement_hash, finished_at);
CREATE TABLE IF NOT EXISTS counterexamples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    statement_id TEXT NOT NULL,
    statement_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    t INTEGER, observed REAL, bound REAL, slack REAL,
    replay_dps INTEGER, replay_observed TEXT, replay_bound TEXT,
    replay_command TEXT
);
"""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The store path: the argument, else ``BOUNDCHECK_STORE``, else the default."""
    return Path(path or os.environ.get("BOUNDCHECK_STORE") or DEFAULT_PATH)


def code_version() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=2,
                             cwd=Path(__file__).parent)
        if rev.returncode == 0 and rev.stdout.strip():
            return f"{__version__}+{rev.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


def _real(value: float) -> float | None:
    """SQLite stores inf as REAL fine but not NaN."""
    return None if value != value else value


class Store:
    """An open evidence store."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = resolve_path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store directory {self.path.parent}: {exc.strerror}") from None
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise StoreError(f"the store {self.path} is not writable")
        if not os.access(self.path.parent, os.W_OK):
            raise StoreError(f"cannot write in the store directory {self.path.parent}")
        existed = self.path.exists()
        try:
            self.db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            if not existed:
                raise StoreError(f"cannot create the store {self.path}: {exc}") from None
            raise StoreError(f"the store {self.path} is not a usable SQLite database ({exc}); "
                             "it was left untouched: move it aside or pass --store") from None
        self.version = code_version()

    def ensure(self, schema: str) -> None:
        """Create extra tables (used by campaigns and certificates)."""
        self.db.executescript(schema)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ writing
    def record(self, verdict: Verdict) -> int:
        """Write one run (and its counterexample) in one transaction; returns the run id."""
        details = dict(verdict.details)
        for key in ("worst", "tightest"):
            if getattr(verdict, key):
                details[key] = getattr(verdict, key)
        with self._transaction():
            cur = self.db.execute(
                "INSERT INTO runs (statement_id, statement_hash, kind, verdict, meets_expectation, budget, seed,"
                " instances, outside, violations, artefacts, min_slack, max_tightness, wall_s, finished_at,"
                " code_version, message, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (verdict.statement_id, verdict.statement_hash, verdict.kind, verdict.verdict,
                 None if verdict.meets_expectation is None else int(verdict.meets_expectation),
                 verdict.budget, verdict.seed, verdict.instances, verdict.outside, verdict.violations,
                 verdict.artefacts, _real(verdict.min_slack), _real(verdict.max_tightness), verdict.wall_s,
                 time.time(), self.version, verdict.message, json.dumps(_jsonable(details))),
            )
            run_id = int(cur.lastrowid)
            cx = verdict.counterexample
            if cx:
                self.db.execute(
                    "INSERT INTO counterexamples (run_id, statement_id, statement_hash, params, t, observed, bound,"
                    " slack, replay_dps, replay_observed, replay_bound, replay_command)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (run_id, verdict.statement_id, verdict.statement_hash, json.dumps(cx["params"], sort_keys=True),
                     cx.get("t"), _real(cx.get("observed", float("nan"))), _real(cx.get("bound", float("nan"))),
                     _real(cx.get("slack", float("nan"))), cx.get("replay_dps"), cx.get("replay_observed"),
                     cx.get("replay_bound"), cx.get("replay")),
                )
        return run_id

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so concurrent writers queue."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ reading
    def latest(self, statement_id: str, statement_hash: str) -> dict[str, Any] | None:
        """The latest run for this version of the statement, or None."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE statement_id = ? AND statement_hash = ? ORDER BY finished_at DESC, id DESC LIMIT 1",
            (statement_id, statement_hash),
        ).fetchone()
        return self._row(row, "runs") if row else None

    def has_run(self, statement_id: str, statement_hash: str, budget: int, seed: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM runs WHERE statement_id = ? AND statement_hash = ? AND budget = ? AND seed = ? LIMIT 1",
            (statement_id, statement_hash, budget, seed)).fetchone()
        return row is not None

    def recorded(self, statement_id: str, statement_hash: str, budget: int, seed: int) -> dict[str, Any] | None:
        """The latest run of this version of the statement at this budget and seed, or None
        (``verify --resume`` skips it and counts its recorded verdict)."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE statement_id = ? AND statement_hash = ? AND budget = ? AND seed = ?"
            " ORDER BY finished_at DESC, id DESC LIMIT 1", (statement_id, statement_hash, budget, seed)).fetchone()
        return self._row(row, "runs") if row else None

    def counterexamples(self, statement_id: str, statement_hash: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM counterexamples WHERE statement_id = ?"
        args: tuple = (statement_id,)
        if statement_hash:
            sql += " AND statement_hash = ?"
            args += (statement_hash,)
        return [self._row(r, "counterexamples") for r in self.db.execute(sql + " ORDER BY id DESC", args)]

    def runs(self) -> Iterator[dict[str, Any]]:
        for row in self.db.execute("SELECT * FROM runs ORDER BY id"):
            yield self._row(row, "runs")

    def _row(self, row: tuple, table: str) -> dict[str, Any]:
        names = [c[1] for c in self.db.execute(f"PRAGMA table_info({table})")]
        out = dict(zip(names, row))
        for key in ("details", "params"):
            if isinstance(out.get(key), str):
                out[key] = json.loads(out[key])
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
