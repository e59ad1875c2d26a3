"""The documentation site: generated from the statements and the evidence, math rendered offline.

A small real store (a few classical statements verified at a small budget) is built
into a site once per module with ``boundcheck docs``; the page generator is also
tested directly on statements whose evidence is known (a theorem made from a mutant
and verified for real, a statement whose hash changed, an assumed constant, pictures
and extra tables other tools leave in the store). The ``browser`` test opens the site
in headless Chromium with the network cut off and checks what a reader sees.
"""

from __future__ import annotations

import dataclasses
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import sympy as sp
from conftest import ROOT, run_cli

pytest.importorskip("sphinx", reason="the docs extra (sphinx, myst-parser, furo, latex2mathml) is not installed")
pytest.importorskip("myst_parser", reason="myst-parser is not installed")
pytest.importorskip("furo", reason="furo is not installed")
pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")

from boundcheck.theorems.registry import all_statements  # noqa: E402
from boundcheck.theorems.statement import Constant  # noqa: E402
from boundcheck.verifiers.check import verify  # noqa: E402
from boundcheck.verifiers.evidence.store import Store  # noqa: E402
from boundcheck.verifiers.report.evidence import EvidenceReader  # noqa: E402
from boundcheck.verifiers.report.mathml import MathMLError, to_mathml  # noqa: E402
from boundcheck.verifiers.report.pages import claim_latex, latex, statement_page  # noqa: E402

THEOREM = "classical.pl.linear_rate"
MUTANT = "classical.pl.linear_rate_tightened"
CONVEX = "classical.convex.drori_teboulle"
ARTIFACTS = Path(os.environ.get("BOUNDCHECK_ARTIFACTS", ROOT / ".boundcheck" / "artifacts"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A store from real verification of three classical statements, and the site built from it."""
    base = tmp_path_factory.mktemp("docs")
    store = base / "evidence.sqlite"
    code, out, err = run_cli("verify", THEOREM, MUTANT, CONVEX, "--budget", "30", "--store", str(store), timeout=120)
    assert code == 0, out + err  # the theorems hold and the mutant is caught: every expectation met
    collection = base / "conjectures"  # a user's collection, published beside the built-ins
    collection.mkdir()
    shutil.copy(ROOT / "examples" / "false_pl_fast_rate.toml", collection)
    (collection / "pyproject.toml").write_text('[project]\nname = "not a conjecture"\n')
    code, out, err = run_cli("verify", str(collection / "false_pl_fast_rate.toml"), "--budget", "30", "--store",
                             str(store), timeout=120)
    assert code == 1, out + err  # the false conjecture is VIOLATED
    started = time.perf_counter()
    code, out, err = run_cli("docs", str(collection), "--store", str(store), "--out", str(base / "site"), timeout=240)
    elapsed = time.perf_counter() - started
    assert code == 0, out + err
    print(f"boundcheck docs built the site in {elapsed:.1f}s: {out.strip()}")
    html = base / "site" / "html"
    return {"html": html, "store": store, "elapsed": elapsed,
            "page": html / "statements" / "classical" / f"{MUTANT}.html",
            "theorem_page": html / "statements" / "classical" / f"{THEOREM}.html"}


def _page(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ the built site (no browser)


def test_every_statement_has_a_page_and_a_row_in_the_index(site):
    index = _page(site["html"] / "statements" / "index.html")
    for statement in all_statements().values():
        page = site["html"] / "statements" / statement.id.split(".")[0] / f"{statement.id}.html"
        assert page.is_file(), f"no page for {statement.id}"
        assert f'href="{statement.id.split(".")[0]}/{statement.id}.html"' in index, f"{statement.id} not in the index"


def test_evidence_on_the_pages_is_the_store_s(site):
    with Store(site["store"]) as store:
        latest = store.latest(MUTANT, all_statements()[MUTANT].hash())
        cx = store.counterexamples(MUTANT)[0]
    page = _page(site["page"])
    assert "bc-violated" in page and "as expected" in page
    assert f"<td><p>{latest['instances']}</p></td>" in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # the replay command is syntax-highlighted
    assert cx["replay_command"] in text
    assert cx["replay_observed"] in text
    assert "--tightest.png" in page  # the trajectory plot of the tightest instance
    untested = _page(site["html"] / "statements" / "classical" / "classical.strongly_convex.distance.html")
    assert "No evidence for this version of the statement" in untested


def test_the_site_needs_no_network(site):
    for path in site["html"].rglob("*.html"):
        text = _page(path)
        assert "<script" not in text or not re.search(r'<script[^>]+src="(https?:)?//', text), path
        assert not re.search(r'<link[^>]+href="(https?:)?//', text), path
        assert "$$" not in re.sub(r"<pre.*?</pre>", "", text, flags=re.S), f"raw display TeX in {path}"
    assert "<math" in _page(site["theorem_page"])


def test_cli_reference_is_the_parser_s(site):
    from boundcheck.verifiers.commands.cli import build_parser

    parser = build_parser()
    page = _page(site["html"] / "cli.html")
    for name, (_, sub) in parser.commands.items():
        assert f"boundcheck {name}" in page
        for action in sub.added:
            for option in action.option_strings:
                assert option in page, f"{name} {option} missing from the CLI reference"


def test_a_user_collection_and_every_model_get_pages(site):
    mine = site["html"] / "statements" / "mine" / "mine.pl_fast_rate.html"
    assert mine.is_file()
    page = _page(mine)
    assert "bc-violated" in page and "boundcheck replay" in html.unescape(re.sub(r"<[^>]+>", "", page))
    assert 'href="mine/mine.pl_fast_rate.html"' in _page(site["html"] / "statements" / "index.html")
    from boundcheck.verifiers.models import MODELS, get_model

    for name in MODELS:
        model_page = _page(site["html"] / "models" / f"{name}.html")
        assert all(p.name in model_page for p in get_model(name).params), name
    assert "Example conjecture" in _page(site["html"] / "models" / "linear.two_layer.html")
    assert "\u2013all" not in _page(site["html"] / "cli.html")  # no typography on options


def test_cli_page_keeps_two_hyphens():
    """``--all`` is not typeset as an en dash anywhere on the reference page."""
    from boundcheck.verifiers.commands.cli import reference
    from boundcheck.verifiers.report.pages import cli_page

    page = cli_page(*reference())
    assert "`--all`" in page and "\u2013all" not in page


# ------------------------------------------------------------------ the generator on known evidence


def _page_markdown(statement, store_path: Path) -> str:
    statements = {**all_statements(), statement.id: statement}
    reader = EvidenceReader(store_path)
    try:
        evidence = reader.for_statement(statement.id, statement.hash())
        return statement_page(statement, evidence, statements, lambda *a: None, [])
    finally:
        reader.close()


def test_a_violated_theorem_is_shown_violated(tmp_path):
    # a known-false statement declared a theorem, and verified for real
    theorem = dataclasses.replace(all_statements()[MUTANT], kind="theorem", mutant_of="")
    verdict = verify(theorem, budget=30)
    assert verdict.verdict == "VIOLATED"
    with Store(tmp_path / "s.sqlite") as store:
        store.record(verdict)
    page = _page_markdown(theorem, tmp_path / "s.sqlite")
    assert ":::{error}" in page and "this theorem is expected to be HOLDS or VACUOUS" in page
    assert "[VIOLATED]{.bc-verdict .bc-violated} [expected HOLDS or VACUOUS]{.bc-unmet}" in page
    assert "boundcheck replay" in page


def test_evidence_of_an_old_version_is_not_shown(tmp_path):
    statement = all_statements()[CONVEX]
    with Store(tmp_path / "s.sqlite") as store:
        store.record(verify(statement, budget=10))
    changed = dataclasses.replace(statement, t_min=statement.t_min + 1)
    page = _page_markdown(changed, tmp_path / "s.sqlite")
    assert "No evidence for this version of the statement" in page
    assert "1 run(s) recorded for earlier versions" in page
    assert "latest run" not in page
    assert "latest run" in _page_markdown(statement, tmp_path / "s.sqlite")


def test_assumed_constants_are_marked(tmp_path):
    statement = all_statements()[THEOREM]
    c = sp.Symbol("c_guess", positive=True)
    guessed = dataclasses.replace(statement, constants=(Constant(c, sp.Rational(1, 3), "assumed", "a guess"),))
    page = _page_markdown(guessed, tmp_path / "none.sqlite")
    assert "[ASSUMED]{.bc-assumed}" in page and ":::{warning}" in page and "a guess" in page
    assert "No evidence for this version" in page


def test_pictures_and_tables_other_tools_leave_are_found(tmp_path):
    """Pictures come from the store's own table, never from folders or paths named in a run's details."""
    statement = all_statements()[THEOREM]
    store_path = tmp_path / "evidence.sqlite"
    certificate = {"verdict": "HOLDS", "solver": "CLARABEL", "solver_status": "optimal", "tolerances": {},
                   "wall_s": 0.5}
    png = b"\x89PNG\r\n\x1a\n"
    with Store(store_path) as store:
        store.record_certificate(statement.id, statement.hash(), "sos", {**certificate, "message": "this version"})
        store.record_certificate(statement.id, "an-old-hash", "sos", {**certificate, "message": "an old version"})
        store.record_picture(statement.id, "validity.png", png + b"old", "explore")
        store.record_picture(statement.id, "validity.png", png + b"new", "explore")  # the newest of a name wins
        store.record_picture(statement.id, "campaign.png", png, "campaign")
        store.record_picture(statement.id, "old-version.png", png, "explore", statement_hash="an-old-hash")
        store.record_picture(f"{statement.id}_any_step", "other.png", png, "explore")  # another statement's
        verdict = verify(statement, budget=5)
        stray = tmp_path / "elsewhere" / "secret.png"
        stray.parent.mkdir()
        stray.write_bytes(png)
        verdict.details["plot"] = str(stray)  # a path in the details is never followed
        store.record(verdict)
    (tmp_path / f"{statement.id}--validity.png").write_bytes(png)  # files beside the store are not searched
    (tmp_path / "maps" / statement.id).mkdir(parents=True)
    (tmp_path / "maps" / statement.id / "region.png").write_bytes(png)
    reader = EvidenceReader(store_path)
    try:
        evidence = reader.for_statement(statement.id, statement.hash())
    finally:
        reader.close()
    assert [(p.name, p.read_bytes()) for p in evidence.pictures] == [("campaign.png", png),
                                                                      ("validity.png", png + b"new")]
    [table] = evidence.extra_tables
    assert table.name == "certificates" and table.total == 1
    assert table.rows[0][table.columns.index("message")] == "this version"


def test_every_statement_converts_to_mathml():
    """A statement whose LaTeX latex2mathml cannot render would fail the docs build: say which."""
    failures = []
    for statement in all_statements().values():
        parts = [claim_latex(statement)] + [latex(h.relation) for h in statement.hypotheses]
        parts += [latex(c.symbol) + " = " + latex(c.value) for c in statement.constants]
        for part in parts:
            try:
                to_mathml(part)
            except MathMLError as exc:
                failures.append(f"{statement.id}: {exc}")
    assert not failures, "\n".join(failures)


def test_mathml_refuses_what_it_would_show_as_raw_tex():
    assert "<mfrac>" in to_mathml(r"\frac{a}{b}")
    with pytest.raises(MathMLError, match="unknown command"):
        to_mathml(r"\notacommand{x} + 1")


@pytest.mark.filterwarnings("ignore:.*MystReferenceResolver.app:PendingDeprecationWarning",
                            "ignore:.*MystReferenceResolver.app:DeprecationWarning")
def test_a_warning_fails_the_build(tmp_path):
    from boundcheck.verifiers.report.build import DocsError, _sphinx

    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["myst_parser", "boundcheck.verifiers.report.mathml"]\n'
                                    'html_math_renderer = "mathml"\nmyst_enable_extensions = ["dollarmath"]\n')
    (source / "index.md").write_text("# T\n\n$\\notacommand{x}$ and [a link](missing.md)\n")
    with pytest.raises(DocsError, match="Sphinx failed"):
        _sphinx(source, tmp_path / "doctrees", tmp_path / "html")


def test_list_stays_light():
    code = ("import sys; from boundcheck.verifiers.commands.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('sphinx', 'matplotlib', 'latex2mathml', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ------------------------------------------------------------------ in a browser


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)


def _ids(path: Path) -> set[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


PAGE_FACTS = r"""
(() => {
  const maths = Array.from(document.querySelectorAll('article math'));
  const laidOut = maths.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  // a fraction laid out as mathematics: numerator above denominator
  const fractions = Array.from(document.querySelectorAll('article mfrac')).map(f => {
    const [num, den] = f.children; const a = num.getBoundingClientRect(), b = den.getBoundingClientRect();
    return a.bottom <= b.top + 1;
  });
  const clone = document.querySelector('article').cloneNode(true);
  clone.querySelectorAll('pre, code, math, script, style').forEach(e => e.remove());
  return {
    maths: maths.length, laidOut: laidOut.length, fractions,
    text: clone.textContent,
    images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, complete: i.complete, w: i.naturalWidth})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    verdictRows: document.querySelectorAll('.bc-verdict-table tbody tr').length,
    verdicts: Array.from(document.querySelectorAll('.bc-verdict-table .bc-verdict')).map(e => e.textContent.trim()),
    // code blocks (replay commands) cut off on the right: wider content than their box
    clippedCode: Array.from(document.querySelectorAll('article pre')).filter(p => p.scrollWidth > p.clientWidth + 1).length,
  };
})()
"""


def _check_links(facts: dict, page: Path) -> None:
    for href in facts["links"]:
        url = urlparse(href)
        if url.scheme != "file":
            continue  # external (the arXiv links): never loaded, see the request log
        target = Path(unquote(url.path))
        assert target.is_file(), f"{page.name}: local link {href} resolves to nothing"
        if url.fragment and target.suffix == ".html":
            assert unquote(url.fragment) in _ids(target), f"{page.name}: link {href} names a missing anchor"


def _check_rendering(facts: dict, page: Path) -> None:
    assert facts["maths"] > 0 and facts["laidOut"] == facts["maths"], f"{page.name}: math not laid out: {facts}"
    assert not re.search(r"\\[A-Za-z]{2,}|\$\$|\\\(|\\\[", facts["text"]), f"{page.name}: raw TeX visible"
    for image in facts["images"]:
        assert image["complete"] and image["w"] > 0, f"{page.name}: image did not load: {image['src']}"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary; skips (with the reason printed) where there is none."""
    from _chromium import find_chromium

    binary = find_chromium()
    if binary is None:
        reason = "Chromium is not installed (apt-get install chromium): the browser test is skipped"
        print(reason)
        pytest.skip(reason)
    return binary


@pytest.mark.browser
def test_site_in_headless_chromium_with_no_network(chromium, site, tmp_path):
    from _chromium import Browser

    html = site["html"]
    browser = Browser(chromium, tmp_path / "profile")
    try:
        # the index of every statement with its verdict
        index = html / "statements" / "index.html"
        browser.open(index.as_uri())
        facts = browser.evaluate(PAGE_FACTS)
        assert facts["verdictRows"] == len(all_statements()) + 1  # and the user's collection's one statement
        assert {"HOLDS", "VIOLATED"} <= set(facts["verdicts"])
        _check_links(facts, index)
        browser.screenshot(ARTIFACTS / "docs-index.png", max_height=1400)

        # the landing page and a statement page: typeset math, a plot, links
        for page in (html / "index.html", html / "concepts.html", site["page"]):
            browser.open(page.as_uri())
            facts = browser.evaluate(PAGE_FACTS)
            _check_links(facts, page)
            if page.name != "index.html":
                _check_rendering(facts, page)
            assert facts["clippedCode"] == 0, f"{page.name}: a code block runs off the right edge"
        assert any(f["w"] > 0 and "tightest" in f["src"] for f in facts["images"]), "no trajectory plot loaded"
        assert any(facts["fractions"]), "no fraction laid out as MathML"
        assert all(facts["fractions"]), "a fraction was not laid out with its numerator above its denominator"
        shot = browser.screenshot(ARTIFACTS / "docs-statement.png")
        print(f"screenshots: {shot} and {ARTIFACTS / 'docs-index.png'}")
    finally:
        browser.close()
    # nothing left the machine: every request the pages made was for a local file
    assert browser.requests and all(u.startswith(("file:", "data:", "blob:", "about:")) for u in browser.requests), \
        [u for u in browser.requests if not u.startswith("file:")]
    assert browser.blocked == []
