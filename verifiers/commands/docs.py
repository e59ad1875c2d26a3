"""``boundcheck docs [PATH ...] [--out DIR] [--verify] [--store PATH]``: build the documentation site.

PATH: conjecture files, or folders of them (:mod:`.collection`), whose statements get pages
beside the built-in ones, with the evidence the store holds for them; every model gets a page.

Reads the evidence store and runs nothing expensive; ``--verify`` first runs
``boundcheck verify --all`` into the same store. Exit 0 when the site is built, 2 when
it cannot be (Sphinx warnings are errors); with ``--verify``, a verification whose
expectations failed (exit 1) still gets its site built — the failure is shown there —
and its exit code is returned.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collections", nargs="*", metavar="PATH",
                        help="conjecture files or folders of them: their statements get pages beside the built-ins")
    parser.add_argument("--out", default=str(Path(".boundcheck") / "docs"),
                        help="output folder; the site is OUT/html/index.html (default .boundcheck/docs)")
    parser.add_argument("--verify", action="store_true",
                        help="first run `boundcheck verify --all` into the store (minutes), then build")
    parser.add_argument("--store", help="evidence store (default .boundcheck/evidence.sqlite or $BOUNDCHECK_STORE)")


def main(args: argparse.Namespace) -> int:
    import sympy

    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.commands.collection import load_collection
    from boundcheck.verifiers.evidence.store import resolve_path
    from boundcheck.verifiers.report.build import build_site

    # A Statement's hash reads sympy's srepr, which spells a symbol as it was first created in
    # the process (sympy caches symbols: Symbol('L', positive=True) and Symbol('L', real=True,
    # positive=True) are one object). `verify` builds the built-ins without any model loaded, and
    # a conjecture file after its model: each is built here the same way, with sympy's cache
    # cleared in between, so that both keep the hashes the store recorded them under.
    all_statements()
    sympy.core.cache.clear_cache()
    collection = load_collection(args.collections)  # bad paths and files fail before anything runs
    store = resolve_path(args.store)
    verify_code = 0
    if args.verify:
        from boundcheck.verifiers.commands.cli import main as cli_main

        verify_args = ["verify", "--all"] + (["--store", str(store)] if args.store else [])
        verify_code = cli_main(verify_args)
        files = sorted({s.origin for s in collection if s.origin})
        if files:  # the collection's own statements, into the same store
            collection_code = cli_main(["verify", *files] + (["--store", str(store)] if args.store else []))
            verify_code = max(verify_code, collection_code, key=lambda code: {0: 0, 3: 1, 1: 2, 2: 3}.get(code, 3))
        if verify_code == 2:
            print("boundcheck docs: verify --all reported errors; building the site with what is recorded",
                  file=sys.stderr)
    if not store.is_file():
        print(f"boundcheck docs: no evidence store at {store}: every statement page will say "
              "'no evidence' (run `boundcheck verify --all` first, or pass --verify)", file=sys.stderr)
    from boundcheck.verifiers.commands.cli import reference
    from boundcheck.verifiers.commands.progress import Reporter, wanted

    with Reporter(wanted(), unit="pages") as reporter:
        result = build_site(Path(args.out), store if store.is_file() else None, reference(), collection,
                            reporter if reporter.enabled else None)
    print(f"built {result.html} ({result.statements} statements, {result.with_evidence} with evidence for their "
          f"current version; pages {result.generate_s:.1f}s, Sphinx {result.sphinx_s:.1f}s)")
    return verify_code
