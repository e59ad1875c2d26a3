"""Build the documentation site: hand-written pages + pages generated from statements and evidence.

Layout under the output folder ``OUT``::

    OUT/source/    the Sphinx sources: a copy of the repository's docs/ plus the generated
                   pages (statements/, cli.md) and the conjecture examples (_examples/)
    OUT/doctrees/  Sphinx's cache
    OUT/html/      the site; open OUT/html/index.html

Sphinx runs with warnings as errors (``-W``): a broken link, a formula that does not
convert to MathML or a missing image fails the build.
"""

from __future__ import annotations

import io
import shutil
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from boundcheck.verifiers.errors import BoundcheckError

REPO = Path(__file__).resolve().parents[2]
DOCS_DIR = REPO / "docs"
EXAMPLES_DIR = REPO / "examples"


class DocsError(BoundcheckError):
    """The documentation could not be built; the message says why."""


@dataclass
class BuildResult:
    html: Path
    statements: int
    with_evidence: int
    generate_s: float
    sphinx_s: float


def _copy_tree(src: Path, dst: Path, ignore: tuple[str, ...] = ()) -> set[Path]:
    """Copy ``src`` into ``dst`` keeping modification times (unchanged files are not rebuilt)."""
    copied = set()
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if any(part in ignore or part == "__pycache__" for part in rel.parts):
            continue
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.stat().st_mtime != path.stat().st_mtime or \
                target.read_bytes() != path.read_bytes():
            shutil.copy2(path, target)
        copied.add(target.resolve())
    return copied


def build_site(out: Path, store_path: Path | None, cli_reference: tuple | None = None, collection: list | None = None,
               reporter=None) -> BuildResult:
    """Generate the pages from the registry and the store at ``store_path``, then run Sphinx;
    ``cli_reference`` (overview, [CommandHelp]) is the command line's description of itself;
    ``collection``: a user's statements, published beside the built-in ones (an id that a
    built-in has is an error); ``reporter``
    (:class:`boundcheck.verifiers.commands.progress.Reporter`) shows each phase."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.report.evidence import EvidenceReader
    from boundcheck.verifiers.report.pages import MODELS_DIR, STATEMENTS_DIR, generate, generate_models
    from boundcheck.verifiers.report.sharpness import write_sharpness

    if not (DOCS_DIR / "conf.py").is_file():
        raise DocsError(f"the hand-written documentation sources are not at {DOCS_DIR}: "
                        "build the docs from a checkout of the repository (pip install -e .)")
    out = out.resolve()
    source, doctrees, html = out / "source", out / "doctrees", out / "html"
    started = time.perf_counter()
    source.mkdir(parents=True, exist_ok=True)
    kept = _copy_tree(DOCS_DIR, source, ignore=("_build", STATEMENTS_DIR, MODELS_DIR, "cli.md"))
    if EXAMPLES_DIR.is_dir():
        kept |= _copy_tree(EXAMPLES_DIR, source / "_examples")
    for path in sorted(source.rglob("*"), reverse=True):  # hand-written pages deleted since the last build
        rel = path.relative_to(source)
        if rel.parts[0] in (STATEMENTS_DIR, MODELS_DIR, "cli.md"):
            continue
        if path.is_file() and path.resolve() not in kept:
            path.unlink()
    statements = dict(all_statements())
    for statement in collection or ():
        if statement.id in statements:
            raise DocsError(f"{statement.id} (from {statement.origin or 'the collection'}) has the id of a "
                            "built-in statement: rename it")
        statements[statement.id] = statement
    reader = EvidenceReader(store_path)
    if reporter is not None:
        reporter.step("writing the statement pages", total=len(statements))
    try:
        evidence = generate(source, statements, reader, str(store_path) if store_path else "(none)", cli_reference,
                            progress=reporter)
    finally:
        reader.close()
    write_sharpness(source, statements, store_path)  # "How sharp is each check", linked from the statements index
    if reporter is not None:
        reporter.step("writing the model pages")
    generate_models(source)
    generated = time.perf_counter()
    if reporter is not None:
        reporter.step("Sphinx: building the site")
    _sphinx(source, doctrees, html)
    return BuildResult(html / "index.html", len(statements), sum(1 for e in evidence.values() if e.latest),
                       generated - started, time.perf_counter() - generated)


def _sphinx(source: Path, doctrees: Path, html: Path) -> None:
    from sphinx.cmd.build import build_main

    messages = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(messages):
        # -E: a fresh environment, so every page is read and every warning reported on each build
        code = build_main(["-b", "html", "-W", "--keep-going", "-E", "-q", "-d", str(doctrees),
                           str(source), str(html)])
    if code != 0:
        lines = [line for line in messages.getvalue().splitlines() if line.strip()]
        shown = "; ".join(lines[:5]) + (f"; ... {len(lines) - 5} more" if len(lines) > 5 else "")
        raise DocsError(f"Sphinx failed (warnings are errors): {shown or f'exit code {code}'}")
