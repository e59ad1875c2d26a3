"""What the evidence store says about one statement, gathered for its documentation page.

Only evidence for the statement's *current* hash is shown as evidence; runs recorded
for earlier versions are counted, never presented as evidence for this one.

Besides the ``runs`` and ``counterexamples`` tables, the store may hold what other
parts of boundcheck add (campaign batches, certificates): every extra table with a
``statement_id`` column is shown for the statement (rows for its current hash when the
table has a ``statement_hash`` column). Pictures are the ones the store owns for the
statement (its ``pictures`` table, :meth:`Store.pictures`: a campaign's plot, a
validity-region map): the builder never searches folders, and a path named in a run's
details is never followed, so what a page shows is what the store holds, whatever
lies beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boundcheck.verifiers.evidence.store import Store

CORE_TABLES = {"runs", "counterexamples", "sqlite_sequence", "pictures"}
MAX_EXTRA_ROWS = 20


@dataclass
class ExtraTable:
    """Rows of a table another part of boundcheck keeps in the store."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int


@dataclass(frozen=True)
class StoredPicture:
    """A picture the store owns: its file name (a plain name ending in .png) and its bytes."""

    name: str
    data: bytes

    def read_bytes(self) -> bytes:
        return self.data


@dataclass
class Evidence:
    """The evidence for one version of one statement."""

    statement_id: str
    statement_hash: str
    latest: dict[str, Any] | None = None
    counterexamples: list[dict[str, Any]] = field(default_factory=list)
    runs_this_version: int = 0
    runs_other_versions: int = 0
    pictures: list[StoredPicture] = field(default_factory=list)
    extra_tables: list[ExtraTable] = field(default_factory=list)

    @property
    def verdict(self) -> str | None:
        return self.latest["verdict"] if self.latest else None


class EvidenceReader:
    """Reads a store (read-only: building the documentation never writes evidence)."""

    def __init__(self, store_path: Path | None):
        self.store_path = store_path if store_path and store_path.is_file() else None
        self.store: Store | None = None
        self.extra: list[str] = []
        if self.store_path:
            self.store = Store(self.store_path, read_only=True)
            self.extra = [name for name, columns in self.store.table_columns().items()
                          if name not in CORE_TABLES and "statement_id" in columns]

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def for_statement(self, statement_id: str, statement_hash: str) -> Evidence:
        evidence = Evidence(statement_id, statement_hash)
        if self.store is None:
            return evidence
        evidence.latest = self.store.latest(statement_id, statement_hash)
        evidence.runs_this_version, evidence.runs_other_versions = self.store.run_counts(statement_id, statement_hash)
        if evidence.latest:
            evidence.counterexamples = self.store.run_counterexamples(evidence.latest["id"])
        evidence.pictures = [StoredPicture(row["name"], bytes(row["png"]))
                             for row in self.store.pictures(statement_id, statement_hash)]
        evidence.extra_tables = [t for t in (self._extra(name, statement_id, statement_hash) for name in self.extra) if t]
        return evidence

    def _extra(self, table: str, statement_id: str, statement_hash: str) -> ExtraTable | None:
        assert self.store is not None
        excerpt = self.store.statement_rows(table, statement_id, statement_hash, MAX_EXTRA_ROWS)
        if not excerpt.total:
            return None
        return ExtraTable(table, excerpt.columns, excerpt.rows, excerpt.total)

