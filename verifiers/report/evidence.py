"""What the evidence store says about one statement, gathered for its documentation page.

Only evidence for the statement's *current* hash is shown as evidence; runs recorded
for earlier versions are counted, never presented as evidence for this one.

Besides the ``runs`` and ``counterexamples`` tables, the store may hold what other
parts of boundcheck add (campaign batches, certificates): every extra table with a
``statement_id`` column is shown for the statement (rows for its current hash when the
table has a ``statement_hash`` column). Pictures other tools make (validity-region
maps, double-descent curves) are found as PNG files under the store's directory:

* a file named ``<id>.png`` or ``<id>--<anything>.png`` (two hyphens: ids contain
  dots and underscores, so ``<id>_x`` could be another statement's id), or any PNG
  inside a folder named after the id;
* a PNG path (absolute, or relative to the store's directory) named anywhere in the
  latest run's ``details`` JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boundcheck.verifiers.evidence.store import Store

CORE_TABLES = {"runs", "counterexamples", "sqlite_sequence"}
MAX_EXTRA_ROWS = 20


@dataclass
class ExtraTable:
    """Rows of a table another part of boundcheck keeps in the store."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int


@dataclass
class Evidence:
    """The evidence for one version of one statement."""

    statement_id: str
    statement_hash: str
    latest: dict[str, Any] | None = None
    counterexamples: list[dict[str, Any]] = field(default_factory=list)
    runs_this_version: int = 0
    runs_other_versions: int = 0
    pictures: list[Path] = field(default_factory=list)
    extra_tables: list[ExtraTable] = field(default_factory=list)

    @property
    def verdict(self) -> str | None:
        return self.latest["verdict"] if self.latest else None


class EvidenceReader:
    """Reads a store (read-only: building the documentation never writes evidence)."""

    def __init__(self, store_path: Path | None, exclude: Path | None = None):
        self.store_path = store_path if store_path and store_path.is_file() else None
        self.store: Store | None = None
        self.extra: list[str] = []
        if self.store_path:
            self.store = Store(self.store_path, read_only=True)
            self.extra = [name for name, columns in self.store.table_columns().items()
                          if name not in CORE_TABLES and "statement_id" in columns]
        self._pngs = self._find_pngs(exclude)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def _find_pngs(self, exclude: Path | None) -> list[Path]:
        if not self.store_path:
            return []
        root = self.store_path.parent
        excluded = exclude.resolve() if exclude else None
        found = []
        for path in sorted(root.rglob("*.png")):
            resolved = path.resolve()
            if excluded and (resolved == excluded or excluded in resolved.parents):
                continue
            found.append(path)
        return found

    def for_statement(self, statement_id: str, statement_hash: str) -> Evidence:
        evidence = Evidence(statement_id, statement_hash)
        if self.store is None:
            evidence.pictures = self._pictures(statement_id, None)
            return evidence
        evidence.latest = self.store.latest(statement_id, statement_hash)
        evidence.runs_this_version, evidence.runs_other_versions = self.store.run_counts(statement_id, statement_hash)
        if evidence.latest:
            evidence.counterexamples = self.store.run_counterexamples(evidence.latest["id"])
        evidence.pictures = self._pictures(statement_id, evidence.latest)
        evidence.extra_tables = [t for t in (self._extra(name, statement_id, statement_hash) for name in self.extra) if t]
        return evidence

    def _extra(self, table: str, statement_id: str, statement_hash: str) -> ExtraTable | None:
        assert self.store is not None
        excerpt = self.store.statement_rows(table, statement_id, statement_hash, MAX_EXTRA_ROWS)
        if not excerpt.total:
            return None
        return ExtraTable(table, excerpt.columns, excerpt.rows, excerpt.total)

    def _pictures(self, statement_id: str, latest: dict[str, Any] | None) -> list[Path]:
        pictures = [p for p in self._pngs if _names_statement(p, statement_id)]
        if latest and self.store_path:
            for text in _strings(latest.get("details")):
                if text.lower().endswith(".png"):
                    path = Path(text)
                    path = path if path.is_absolute() else self.store_path.parent / path
                    if path.is_file() and path not in pictures:
                        pictures.append(path)
        return pictures


def _names_statement(path: Path, statement_id: str) -> bool:
    if path.name == f"{statement_id}.png" or path.name.startswith(f"{statement_id}--"):
        return True
    return statement_id in (p.name for p in path.parents)


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
