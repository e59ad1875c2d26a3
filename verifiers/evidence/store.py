"""The evidence store: one SQLite file, WAL mode, safe for concurrent writers.

Default ``.boundcheck/evidence.sqlite`` under the working directory; ``--store PATH``
or ``BOUNDCHECK_STORE`` for another. Every run and every counterexample is written
in its own transaction as soon as it is known, so an interrupted session loses
nothing already recorded. Evidence is keyed by the statement's hash: a changed
statement never inherits the evidence of its old version.

This is the only module that speaks SQL (the tables are in
:mod:`boundcheck.verifiers.evidence.schema`). Every part of boundcheck that keeps
evidence goes through a typed writer here (:meth:`Store.record` for runs,
:meth:`Store.record_explore`, :meth:`Store.record_campaign_batch`,
:meth:`Store.record_campaign_run`, :meth:`Store.record_certificate`, :meth:`Store.record_picture`)
and reads it back
through a reader. ``Store(path, read_only=True)`` opens an existing store without
the right to write (what the documentation builder uses): its writers raise
:class:`~boundcheck.verifiers.errors.StoreError`, and SQLite itself refuses writes.
A store that cannot be opened, read or written is a one-line ``StoreError``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from boundcheck.verifiers import __version__
from boundcheck.verifiers.errors import StoreError
from boundcheck.verifiers.evidence import schema
from boundcheck.verifiers.verdict import Verdict

DEFAULT_PATH = Path(".boundcheck") / "evidence.sqlite"
#: what a picture kept in the store may be called, and how large it may be
PICTURE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}\.png")
MAX_PICTURE_BYTES = 20_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The store path: the argument, else ``BOUNDCHECK_STORE``, else the default."""
    return Path(path or os.environ.get("BOUNDCHECK_STORE") or DEFAULT_PATH)


def open_for_reading(path: str | os.PathLike | None = None) -> Store | None:
    """The store at ``path`` opened read-only (what ``show`` and ``docs`` use), or None when there
    is none yet (nothing is created); a file that is no usable store is a :class:`StoreError`."""
    resolved = resolve_path(path)
    return Store(resolved, read_only=True) if resolved.is_file() else None


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


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _optional(value: float | None) -> float | None:
    """A number for a REAL column: None for a missing or non-finite one."""
    return None if value is None or not math.isfinite(value) else float(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class ExplorePoint(Protocol):
    """What ``explore`` found at one value of the relaxed quantity."""

    value: float
    instances: int
    outside: int
    violations: int
    worst_tightness: float


@dataclass(frozen=True)
class CampaignBatch:
    """One finished batch of a campaign: a grid point and consecutive seeds, with the values measured."""

    spec_hash: str
    key: str
    campaign: str
    point: int
    params: dict[str, Any]
    seeds: list[int]
    results: dict[str, list[float]]
    wall_s: float | None
    worker: str | None
    finished_at: float


class TableExcerpt(NamedTuple):
    """The latest rows a table holds for one statement (raw values, newest first) and their total."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int


class Store:
    """An open evidence store (``read_only=True``: an existing one, never written)."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = resolve_path(path)
        self.read_only = read_only
        self.version: str | None = None
        if read_only:
            self._db = self._open_read_only()
            return
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
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            schema.create(self._db)
            schema.migrate(self._db)
        except sqlite3.DatabaseError as exc:
            if not existed:
                raise StoreError(f"cannot create the store {self.path}: {exc}") from None
            raise StoreError(f"the store {self.path} is not a usable SQLite database ({exc}); "
                             "it was left untouched: move it aside or pass --store") from None
        self.version = code_version()

    def _open_read_only(self) -> sqlite3.Connection:
        """Open without the right to write. A WAL store in a folder this process cannot write
        cannot get its shared-memory file: it is then opened immutable (SQLite reads the
        database file alone, which holds every checkpointed transaction)."""
        if not self.path.is_file():
            raise StoreError(f"no evidence store at {self.path}")
        uri = self.path.resolve().as_uri() + "?mode=ro"
        if not os.access(self.path.parent, os.W_OK) or not os.access(self.path, os.W_OK):
            uri += "&immutable=1"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
            db.execute("SELECT name FROM sqlite_master").fetchall()  # a file that is no database fails here
        except sqlite3.Error as exc:
            raise StoreError(f"the store {self.path} is not a usable SQLite database ({exc})") from None
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ plumbing
    def _execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"the store {self.path}: {exc}") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so concurrent writers queue."""
        if self.read_only:
            raise StoreError(f"the store {self.path} is open read-only: nothing can be recorded in it")
        self._execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    def _has_table(self, table: str) -> bool:
        """False for a table an older store opened read-only does not have yet (a store opened for
        writing has every table)."""
        if not self.read_only:
            return True
        found = self._execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        return found is not None

    def _dicts(self, table: str, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts, JSON columns decoded (text that is not JSON is left as it is)."""
        if not self._has_table(table):
            return []
        cur = self._execute(sql, args)
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            item = dict(zip(names, row))
            for key in schema.JSON_COLUMNS.intersection(item):
                if isinstance(item[key], str):
                    with contextlib.suppress(ValueError):
                        item[key] = json.loads(item[key])
            out.append(item)
        return out

    # ------------------------------------------------------------ runs
    def record(self, verdict: Verdict) -> int:
        """Write one run (and its counterexample) in one transaction; returns the run id.

        A store that cannot take it (corrupted pages, a full disk) is a :class:`StoreError`
        whose one line carries the verdict, so that a run's result is never lost silently."""
        try:
            return self._record(verdict)
        except StoreError as exc:
            headline = " ".join(str(verdict).split())
            raise StoreError(f"{headline[:300]} -- NOT recorded: {exc}") from None

    def _record(self, verdict: Verdict) -> int:
        details = dict(verdict.details)
        for key in ("worst", "tightest"):
            if getattr(verdict, key):
                details[key] = getattr(verdict, key)
        with self._transaction():
            cur = self._execute(
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
                self._execute(
                    "INSERT INTO counterexamples (run_id, statement_id, statement_hash, params, t, observed, bound,"
                    " slack, replay_dps, replay_observed, replay_bound, replay_command)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (run_id, verdict.statement_id, verdict.statement_hash, json.dumps(cx["params"], sort_keys=True),
                     cx.get("t"), _real(cx.get("observed", float("nan"))), _real(cx.get("bound", float("nan"))),
                     _real(cx.get("slack", float("nan"))), cx.get("replay_dps"), cx.get("replay_observed"),
                     cx.get("replay_bound"), cx.get("replay")),
                )
        return run_id

    def latest(self, statement_id: str, statement_hash: str) -> dict[str, Any] | None:
        """The latest run for this version of the statement, or None."""
        rows = self._dicts(
            "runs", "SELECT * FROM runs WHERE statement_id = ? AND statement_hash = ?"
            " ORDER BY finished_at DESC, id DESC LIMIT 1", (statement_id, statement_hash))
        return rows[0] if rows else None

    def recorded(self, statement_id: str, statement_hash: str, budget: int, seed: int) -> dict[str, Any] | None:
        """The latest run of this version of the statement at this budget and seed, or None
        (``verify --resume`` skips it and counts its recorded verdict)."""
        rows = self._dicts(
            "runs", "SELECT * FROM runs WHERE statement_id = ? AND statement_hash = ? AND budget = ? AND seed = ?"
            " ORDER BY finished_at DESC, id DESC LIMIT 1", (statement_id, statement_hash, budget, seed))
        return rows[0] if rows else None

    def run_counts(self, statement_id: str, statement_hash: str) -> tuple[int, int]:
        """(runs of this version of the statement, runs of its other versions)."""
        if not self._has_table("runs"):
            return 0, 0
        this = other = 0
        for current, count in self._execute(
                "SELECT statement_hash = ?, COUNT(*) FROM runs WHERE statement_id = ? GROUP BY statement_hash = ?",
                (statement_hash, statement_id, statement_hash)):
            if current:
                this = count
            else:
                other = count
        return this, other

    def counterexamples(self, statement_id: str, statement_hash: str | None = None) -> list[dict[str, Any]]:
        """Counterexamples of the statement (of this version of it, given its hash), newest first."""
        sql = "SELECT * FROM counterexamples WHERE statement_id = ?"
        args: tuple = (statement_id,)
        if statement_hash:
            sql += " AND statement_hash = ?"
            args += (statement_hash,)
        return self._dicts("counterexamples", sql + " ORDER BY id DESC", args)

    def run_counterexamples(self, run_id: int) -> list[dict[str, Any]]:
        """The counterexamples one run recorded, in order."""
        return self._dicts("counterexamples", "SELECT * FROM counterexamples WHERE run_id = ? ORDER BY id", (run_id,))

    def runs(self) -> Iterator[dict[str, Any]]:
        """Every run, oldest first."""
        yield from self._dicts("runs", "SELECT * FROM runs ORDER BY id")

    # ------------------------------------------------------------ explore
    def record_explore(self, statement_id: str, statement_hash: str, relax: str, mode: str,
                       points: Iterable[ExplorePoint], demanded: float | None, pinned: Mapping[str, float]) -> int:
        """Write every point of one validity-region sweep in one transaction; returns how many.
        A worst tightness that is not finite is stored as NULL."""
        now, written = time.time(), 0
        with self._transaction():
            for p in points:
                self._execute(
                    "INSERT INTO explore (statement_id, statement_hash, relax, mode, value, instances, outside,"
                    " violations, worst_tightness, demanded, pinned, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (statement_id, statement_hash, relax, mode, p.value, p.instances, p.outside, p.violations,
                     _finite(p.worst_tightness), demanded, json.dumps(dict(pinned), sort_keys=True), now))
                written += 1
        return written

    def explorations(self, statement_id: str | None = None, statement_hash: str | None = None) -> list[dict[str, Any]]:
        """Rows of the ``explore`` table (of one statement, of one version of it), in the order written."""
        where, args = _where(statement_id=statement_id, statement_hash=statement_hash)
        return self._dicts("explore", f"SELECT * FROM explore {where} ORDER BY id", args)

    # ------------------------------------------------------------ power
    def record_power(self, statement_id: str, statement_hash: str, result: Mapping[str, Any]) -> None:
        """One ``boundcheck power`` measurement (``PowerResult.to_dict()``), with every run it made."""
        with self._transaction():
            self._execute(
                "INSERT INTO power (statement_id, statement_hash, constant, epsilon, held_at, max_tightness,"
                " holds_down_to, violated_at, budget, seed, claim, finished_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (statement_id, statement_hash, result.get("constant"), _optional(result.get("epsilon")),
                 _optional(result.get("held_at")), _optional(result.get("max_tightness")),
                 _optional(result.get("holds_down_to")), _optional(result.get("violated_at")), result.get("budget"),
                 result.get("seed"), result.get("claim"), time.time(), json.dumps(_jsonable(dict(result)))))

    def latest_power(self, statement_id: str, statement_hash: str, constant: str | None = None) -> dict[str, Any] | None:
        """The newest power measurement of this version of a statement (of the bound, or of ``constant``)."""
        where = "statement_id = ? AND statement_hash = ? AND " + ("constant = ?" if constant else "constant IS NULL")
        args = (statement_id, statement_hash, constant) if constant else (statement_id, statement_hash)
        rows = self._dicts("power", f"SELECT * FROM power WHERE {where} ORDER BY id DESC LIMIT 1", args)
        return rows[0] if rows else None

    # ------------------------------------------------------------ campaigns
    def record_campaign_batch(self, spec_hash: str, key: str, campaign: str, point: int, params: Mapping[str, Any],
                              seeds: Sequence[int], results: Mapping[str, Sequence[float]], wall_s: float | None,
                              worker: str | None) -> bool:
        """Write one finished batch in its own transaction; False if it was already there
        (the primary key (spec hash, batch key) makes a batch impossible to count twice)."""
        with self._transaction():
            cur = self._execute(
                "INSERT OR IGNORE INTO campaign_batches (spec_hash, batch_key, campaign, point, params, seeds, results,"
                " wall_s, worker, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (spec_hash, key, campaign, point, json.dumps(dict(params), sort_keys=True), json.dumps(list(seeds)),
                 json.dumps(dict(results)), wall_s, worker, time.time()))
        return cur.rowcount == 1

    def campaign_batch_keys(self, spec_hash: str) -> set[str]:
        """The keys of the batches of this campaign spec already recorded."""
        if not self._has_table("campaign_batches"):
            return set()
        rows = self._execute("SELECT batch_key FROM campaign_batches WHERE spec_hash = ?", (spec_hash,))
        return {r[0] for r in rows}

    def campaign_batches(self, spec_hash: str | None = None) -> list[CampaignBatch]:
        """The recorded batches of one campaign spec (every spec's, given none), by grid point then batch key."""
        where, args = _where(spec_hash=spec_hash)
        rows = self._dicts("campaign_batches", f"SELECT * FROM campaign_batches {where} ORDER BY point, batch_key",
                           args)
        return [CampaignBatch(r["spec_hash"], r["batch_key"], r["campaign"], r["point"], r["params"], r["seeds"],
                              r["results"], r["wall_s"], r["worker"], r["finished_at"]) for r in rows]

    def record_campaign_run(self, spec_hash: str, campaign: str, scheduler: str, batches_run: int,
                            batches_skipped: int, fits: int, wall_s: float, fits_per_s: float | None,
                            summary: Any, plot_path: str | None, plot_png: bytes | None) -> int:
        """Write the summary of one finished campaign (``summary`` as JSON, the plot as a blob); returns its id."""
        with self._transaction():
            cur = self._execute(
                "INSERT INTO campaign_runs (spec_hash, campaign, scheduler, batches_run, batches_skipped, fits, wall_s,"
                " fits_per_s, finished_at, summary, plot_path, plot_png) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (spec_hash, campaign, scheduler, batches_run, batches_skipped, fits, wall_s, fits_per_s, time.time(),
                 json.dumps(summary, default=str), plot_path, plot_png))
        return int(cur.lastrowid)

    def campaign_runs(self, spec_hash: str | None = None) -> list[dict[str, Any]]:
        """Finished campaigns (of one spec), oldest first; ``plot_png`` is the PNG's bytes or None."""
        where, args = _where(spec_hash=spec_hash)
        return self._dicts("campaign_runs", f"SELECT * FROM campaign_runs {where} ORDER BY id", args)

    # ------------------------------------------------------------ certificates
    def record_certificate(self, statement_id: str, statement_hash: str, method: str, body: Mapping[str, Any]) -> int:
        """Write one certificate (``method`` 'pep' or 'sos'; ``body`` the certificate as a dict with verdict,
        solver, tolerances, message, wall_s and, for PEP, its rows) and its PEP rows in one transaction;
        returns the certificate's id."""
        rows = body.get("rows", [])
        status = body.get("solver_status") or ",".join(sorted({r["status"] for r in rows}))
        added = list(schema.ADDED_COLUMNS["pep_rows"])
        columns = ", ".join(["certificate_id", "n", "params", "worst", "stated", "ratio", "status", "violated", *added])
        with self._transaction():
            cur = self._execute(
                "INSERT INTO certificates (statement_id, statement_hash, method, verdict, solver, solver_status,"
                " tolerances, message, body, wall_s, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (statement_id, statement_hash, method, body["verdict"], body["solver"], status,
                 json.dumps(body["tolerances"]), body["message"], json.dumps(body, default=str), body["wall_s"],
                 time.time()))
            certificate_id = int(cur.lastrowid)
            for r in rows:
                self._execute(
                    f"INSERT INTO pep_rows ({columns}) VALUES ({', '.join('?' * (8 + len(added)))})",
                    (certificate_id, r["N"], json.dumps(r["params"]), _number(r["worst"]), r["stated"],
                     _number(r["ratio"]), r["status"], int(r["violated"]), r["decision"], _number(r["band"][0]),
                     _number(r["band"][1]), _number(r["resolution"]), r["solver"], json.dumps(r["attempts"]),
                     json.dumps(r["residuals"])))
        return certificate_id

    def certificates(self, statement_id: str | None = None) -> list[dict[str, Any]]:
        """Certificates (of one statement), oldest first; ``tolerances`` and ``body`` decoded."""
        where, args = _where(statement_id=statement_id)
        return self._dicts("certificates", f"SELECT * FROM certificates {where} ORDER BY id", args)

    def pep_rows(self, certificate_id: int | None = None) -> list[dict[str, Any]]:
        """The PEP rows (of one certificate), in the order written."""
        where, args = _where(certificate_id=certificate_id)
        return self._dicts("pep_rows", f"SELECT * FROM pep_rows {where} ORDER BY rowid", args)

    # ------------------------------------------------------------ pictures
    def record_picture(self, statement_id: str, name: str, png: bytes, made_by: str,
                       statement_hash: str | None = None) -> int:
        """Keep a picture for a statement (``statement_hash`` None: for every version of it); the
        documentation shows the newest picture of each name. ``name`` is a plain file name ending
        in ``.png`` and ``png`` a PNG of at most :data:`MAX_PICTURE_BYTES`; returns its id."""
        if not PICTURE_NAME.fullmatch(name):
            raise StoreError(f"picture name {name[:60]!r} is not a plain file name ending in .png")
        if not png.startswith(PNG_SIGNATURE) or len(png) > MAX_PICTURE_BYTES:
            raise StoreError(f"picture {name!r} is not a PNG of at most {MAX_PICTURE_BYTES:,} bytes")
        with self._transaction():
            cur = self._execute(
                "INSERT INTO pictures (statement_id, statement_hash, name, made_by, png, finished_at)"
                " VALUES (?,?,?,?,?,?)", (statement_id, statement_hash, name, made_by, png, time.time()))
        return int(cur.lastrowid)

    def pictures(self, statement_id: str, statement_hash: str | None = None) -> list[dict[str, Any]]:
        """The newest picture of each name kept for the statement (for this version of it, or for every
        version), by name; each a dict with ``name``, ``made_by``, ``png`` (bytes), ``finished_at``."""
        rows = self._dicts(
            "pictures", "SELECT * FROM pictures WHERE statement_id = ? AND (statement_hash IS NULL OR statement_hash = ?)"
            " ORDER BY name, id DESC", (statement_id, statement_hash or ""))
        newest: dict[str, dict[str, Any]] = {}
        for row in rows:
            newest.setdefault(row["name"], row)
        return [newest[name] for name in sorted(newest) if PICTURE_NAME.fullmatch(name)]

    # ------------------------------------------------------------ any table (the documentation's view)
    def table_columns(self) -> dict[str, list[str]]:
        """Every table of the store, by name, with its columns."""
        names = [r[0] for r in self._execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: [c[1] for c in self._execute(f'PRAGMA table_info("{_quoted(name)}")')] for name in names}

    def statement_rows(self, table: str, statement_id: str, statement_hash: str, limit: int) -> TableExcerpt:
        """The latest ``limit`` rows ``table`` holds for the statement (for this version of it when the
        table has a ``statement_hash`` column), and how many there are in all."""
        columns = self.table_columns().get(table)
        if columns is None or "statement_id" not in columns:
            raise StoreError(f"the store {self.path} has no table {table!r} of statement rows")
        where, args = "WHERE statement_id = ?", (statement_id,)
        if "statement_hash" in columns:
            where, args = where + " AND statement_hash = ?", args + (statement_hash,)
        name = _quoted(table)
        total = self._execute(f'SELECT COUNT(*) FROM "{name}" {where}', args).fetchone()[0]
        if not total:
            return TableExcerpt(columns, [], 0)
        order = "ORDER BY rowid DESC" if "id" not in columns else "ORDER BY id DESC"
        rows = self._execute(f'SELECT * FROM "{name}" {where} {order} LIMIT {int(limit)}', args).fetchall()
        return TableExcerpt(columns, rows, total)


def _where(**equal: Any) -> tuple[str, tuple[Any, ...]]:
    """``WHERE a = ? AND b = ?`` for the arguments that are not None (the names are this module's own)."""
    given = {name: value for name, value in equal.items() if value is not None}
    if not given:
        return "", ()
    return "WHERE " + " AND ".join(f"{name} = ?" for name in given), tuple(given.values())


def _quoted(name: str) -> str:
    return name.replace('"', '""')


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
