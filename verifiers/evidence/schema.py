"""The evidence store's tables, all in one place, and the migration of older stores.

Every table boundcheck keeps is created here when a store is opened for writing
(``CREATE TABLE IF NOT EXISTS``: opening an existing store changes nothing that is
there). Columns added after a table's first release are listed in
:data:`ADDED_COLUMNS` and added to an older store by :func:`migrate`, under a write
lock, so two processes opening the same old store do not both add them.
"""

from __future__ import annotations

from typing import Any

#: every run of a statement, and the counterexample a run found
RUNS = """
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

#: ``boundcheck explore``: one row per point of a validity-region sweep
EXPLORE = """
CREATE TABLE IF NOT EXISTS explore (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    statement_hash TEXT NOT NULL,
    relax TEXT NOT NULL,
    mode TEXT NOT NULL,
    value REAL NOT NULL,
    instances INTEGER, outside INTEGER, violations INTEGER,
    worst_tightness REAL,
    demanded REAL,
    pinned TEXT,
    finished_at REAL NOT NULL
);
"""

#: ``boundcheck campaign``: finished batches (the key makes a batch impossible to count twice)
#: and one row per finished campaign
CAMPAIGNS = """
CREATE TABLE IF NOT EXISTS campaign_batches (
    spec_hash TEXT NOT NULL,
    batch_key TEXT NOT NULL,
    campaign TEXT NOT NULL,
    point INTEGER NOT NULL,
    params TEXT NOT NULL,
    seeds TEXT NOT NULL,
    results TEXT NOT NULL,
    wall_s REAL,
    worker TEXT,
    finished_at REAL NOT NULL,
    PRIMARY KEY (spec_hash, batch_key)
);
CREATE TABLE IF NOT EXISTS campaign_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec_hash TEXT NOT NULL,
    campaign TEXT NOT NULL,
    scheduler TEXT,
    batches_run INTEGER, batches_skipped INTEGER, fits INTEGER,
    wall_s REAL, fits_per_s REAL,
    finished_at REAL NOT NULL,
    summary TEXT,
    plot_path TEXT,
    plot_png BLOB
);
"""

#: ``boundcheck certify``: one row per certificate, one per PEP row (N, params)
CERTIFICATES = """
CREATE TABLE IF NOT EXISTS certificates (
    id INTEGER PRIMARY KEY,
    statement_id TEXT NOT NULL,
    statement_hash TEXT NOT NULL,
    method TEXT NOT NULL,            -- 'pep' or 'sos'
    verdict TEXT NOT NULL,
    solver TEXT NOT NULL,
    solver_status TEXT,
    tolerances TEXT NOT NULL,        -- JSON
    message TEXT,
    body TEXT NOT NULL,              -- JSON: PEP rows + witness, or SOS Gram matrices
    wall_s REAL,
    finished_at REAL
);
CREATE TABLE IF NOT EXISTS pep_rows (
    certificate_id INTEGER NOT NULL REFERENCES certificates(id),
    n INTEGER NOT NULL,
    params TEXT NOT NULL,
    worst REAL,
    stated REAL,
    ratio REAL,
    status TEXT,
    violated INTEGER
);
"""

#: ``boundcheck power``: one row per measurement (tightening eps, or one constant's smallest holding value)
POWER = """
CREATE TABLE IF NOT EXISTS power (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    statement_hash TEXT NOT NULL,
    constant TEXT,
    epsilon REAL, held_at REAL, max_tightness REAL,
    holds_down_to REAL, violated_at REAL,
    budget INTEGER, seed INTEGER,
    claim TEXT,
    finished_at REAL NOT NULL,
    body TEXT
);
CREATE INDEX IF NOT EXISTS power_by_statement ON power (statement_id, statement_hash, finished_at);
"""

#: pictures the store owns for a statement (a campaign's plot, a validity-region map): the only
#: pictures the documentation shows; ``statement_hash`` NULL for one that fits every version
PICTURES = """
CREATE TABLE IF NOT EXISTS pictures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    statement_hash TEXT,
    name TEXT NOT NULL,              -- a file name: letters, digits, '.', '_', '-', ending in .png
    made_by TEXT NOT NULL,           -- the command that made it
    png BLOB NOT NULL,
    finished_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pictures_by_statement ON pictures (statement_id, name, id);
"""

SCHEMA = RUNS + EXPLORE + CAMPAIGNS + CERTIFICATES + POWER + PICTURES

#: columns added after a table's first release: added to an older store when it is opened for writing
ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "pep_rows": {"decision": "TEXT", "band_lo": "REAL", "band_hi": "REAL", "resolution": "REAL", "solver": "TEXT",
                 "attempts": "TEXT", "residuals": "TEXT"},
}

#: columns holding JSON text, decoded by the store's readers
JSON_COLUMNS = frozenset({"details", "params", "pinned", "seeds", "results", "summary", "tolerances", "body",
                          "attempts", "residuals"})


def create(db: Any) -> None:
    """Create every table missing from the open connection ``db``."""
    db.executescript(SCHEMA)


def _missing(db: Any) -> dict[str, dict[str, str]]:
    missing = {}
    for table, columns in ADDED_COLUMNS.items():
        present = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
        absent = {name: kind for name, kind in columns.items() if name not in present}
        if absent:
            missing[table] = absent
    return missing


def migrate(db: Any) -> None:
    """Add the columns of :data:`ADDED_COLUMNS` an older store lacks (autocommit connection ``db``)."""
    if not _missing(db):
        return
    db.execute("BEGIN IMMEDIATE")  # another process may be migrating the same store: look again under the lock
    try:
        for table, columns in _missing(db).items():
            for name, kind in columns.items():
                db.execute(f'ALTER TABLE "{table}" ADD COLUMN {name} {kind}')
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
