"""A user's collection of conjecture files: which files hold statements, and their statements.

A conjecture file is a ``.toml`` file with a ``[conjecture]`` (or ``[statement]``) table, or
a ``.py`` file with the line ``# boundcheck: collect`` among its first ten (test files and
conftest excluded). ``pytest conjectures/`` collects them (:mod:`.pytest_plugin`) and
``boundcheck docs conjectures/`` publishes them (:mod:`.docs`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

#: a .py conjecture file is collected when one of its first lines is this comment
PY_MARK = "# boundcheck: collect"
STATEMENT_TABLES = ("conjecture", "statement")


def holds_statements(path: Path) -> bool:
    """Whether ``path`` is a conjecture file (see the module docstring); unreadable files are not."""
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text())
            return any(isinstance(data.get(name), dict) for name in STATEMENT_TABLES)
        if path.suffix == ".py" and not path.name.startswith(("test_", "conftest")):
            with path.open() as handle:
                return any(line.strip() == PY_MARK for _, line in zip(range(10), handle))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return False


def conjecture_files(target: Path) -> list[Path]:
    """The conjecture files of ``target``: itself if it is a file, else every one under it, sorted."""
    if target.is_file():
        return [target]
    return sorted(p for p in target.rglob("*") if p.suffix in (".toml", ".py") and p.is_file() and holds_statements(p))


def load_collection(targets: list[str]) -> list:
    """Every statement of the conjecture files in ``targets`` (files or folders), validated."""
    from boundcheck.verifiers.errors import LoadError
    from boundcheck.verifiers.loading import load

    statements = []
    for target in targets:
        path = Path(target)
        if not path.exists():
            raise LoadError(f"no such file or folder: {target}")
        files = conjecture_files(path)
        if not files:
            raise LoadError(f"{target}: no conjecture file (.toml with a [conjecture] table, or .py marked "
                            f"{PY_MARK!r})")
        for file in files:
            statements += load(str(file))
    return statements
