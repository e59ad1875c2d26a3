"""``boundcheck list`` without sympy: the built-in statements' index, cached on disk.

Listing the statements means building them (sympy, about 1.5 s); the rows ``list`` prints
(id, kind, family, model, quantifier, title, hash) are cached in the user's cache folder
(``$XDG_CACHE_HOME/boundcheck`` or ``~/.cache/boundcheck``, never the current folder), keyed
by a digest of every source file of ``boundcheck.theorems`` and ``boundcheck.verifiers`` (the
statements import from both): any edit to a source file changes the key, so a stale index is
never read. Without a writable cache the rows are
built each time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

FIELDS = ("id", "kind", "family", "model", "quantifier", "title", "summary", "hash")


#: the packages whose sources a statement's row may depend on (statements import from verifiers too)
SOURCES = ("boundcheck.theorems", "boundcheck.verifiers")


def _folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # imports the parent package only, not this one
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def source_key() -> str:
    """A digest of every source file the statements may depend on (paths and contents), of this module's fields, and of
    the installed sympy (its ``__init__`` file's path, size and mtime: a hash is sympy's rendering)."""
    digest = hashlib.sha256(repr(FIELDS).encode())
    sympy = importlib.util.find_spec("sympy")  # found, not imported
    if sympy is not None and sympy.origin:
        stat = os.stat(sympy.origin)
        digest.update(f"{sympy.origin}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for package in SOURCES:
        folder = _folder(package)
        for path in sorted(folder.rglob("*.py")):
            digest.update(f"{package}/{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "boundcheck"


def build_rows() -> list[dict[str, Any]]:
    """The rows from the statements themselves (imports sympy and every family module)."""
    from boundcheck.theorems.registry import all_statements

    return [{"id": s.id, "kind": s.kind, "family": s.family, "model": s.model, "quantifier": s.quantifier.kind,
             "title": s.title, "summary": s.summary()[:70], "hash": s.hash()} for s in all_statements().values()]


def statement_rows() -> list[dict[str, Any]]:
    """Every built-in statement's row, from the cache when its key matches the sources."""
    path = cache_folder() / f"statements-{source_key()}.json"
    try:
        rows = json.loads(path.read_text())
        if isinstance(rows, list) and all(isinstance(r, dict) and set(r) == set(FIELDS) for r in rows):
            return rows
    except (OSError, ValueError):
        pass
    rows = build_rows()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("statements-*.json"):  # one index at a time
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows))
        os.replace(tmp, path)
    except OSError:
        pass
    return rows
