"""The generated pages: one per statement, one per family module, the verdict index, the CLI reference.

Everything here is computed from the objects that are checked — the statements of
:func:`boundcheck.theorems.registry.all_statements` and the evidence store — so a page cannot
describe a statement other than the one verified, nor evidence of another version:

* the claim, hypotheses and constants are typeset from the sympy objects
  (``sympy.latex``), constants with their provenance, ``assumed`` ones marked;
* the evidence is the latest run recorded for the statement's *current* hash; a
  statement with none says so, and a theorem whose latest run is VIOLATED is shown
  violated (at the top of its page and in the index).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from boundcheck.theorems.display import latex as display_latex
from boundcheck.theorems.statement import Source, Statement, t
from boundcheck.verifiers.report import markdown as md
from boundcheck.verifiers.report.evidence import Evidence, EvidenceReader
from boundcheck.verifiers.report.plots import trajectory_plot

STATEMENTS_DIR = "statements"


def module_of(statement: Statement) -> str:
    """The family module a statement belongs to (its id's first component)."""
    return statement.id.split(".", 1)[0]


def page_name(statement: Statement) -> str:
    return statement.id


def latex(expr: sp.Basic) -> str:
    """``sympy.latex`` of ``expr``, with multi-letter names upright as the code spells them
    (:func:`boundcheck.theorems.display.latex`: ``\\mathrm{min\\_grad\\_sq}``, ``\\mathrm{R\\_sq}``)."""
    return display_latex(expr)


def claim_latex(statement: Statement) -> str:
    """The conclusion with its range of iterations, as :meth:`Statement.latex` writes it."""
    body = latex(statement.conclusion)
    if t in statement.conclusion.free_symbols:
        return rf"\forall t \ge {statement.t_min}:\quad {body}"
    return body


@dataclass
class Judgement:
    """The latest verdict against what the statement's kind expects."""

    verdict: str | None
    expected: tuple[str, ...]

    @property
    def met(self) -> bool | None:
        if self.verdict is None or not self.expected:
            return None
        return self.verdict in self.expected

    def cell(self) -> str:
        badge = md.verdict_badge(self.verdict)
        if self.met is False:
            return f"{badge} [expected {md.text(' or '.join(self.expected))}]{{.bc-unmet}}"
        return badge


# ------------------------------------------------------------------ statement page


def _source(source: Source | str) -> str:
    if not source:
        return "No source recorded."
    if isinstance(source, str):
        return md.text(source)
    parts = [f"{md.text(source.authors)}, *{md.text(source.title)}*, {md.text(source.venue)} ({source.year})"]
    if source.result:
        parts.append(md.text(source.result))
    line = ". ".join(parts) + "."
    if source.arxiv:
        line += f" [arXiv:{md.text(source.arxiv)}]({source.url})"
    if source.note:
        line += f"\n\n{md.text(source.note)}"
    return line


def _quantifier(statement: Statement) -> str:
    q = statement.quantifier
    what = {
        "for_all": "for every instance that satisfies the hypotheses (one violation refutes it)",
        "with_probability": (f"with probability at least {md.number(q.get('probability'))} over "
                             f"{code_or_dash(q.get('over'))}, decided by an exact binomial (Clopper–Pearson) test "
                             f"at confidence {md.number(q.get('confidence'))}"),
        "in_expectation": (f"in expectation over {code_or_dash(q.get('over'))}, decided by a confidence interval "
                           f"at confidence {md.number(q.get('confidence'))}"),
        "asymptotically": f"asymptotically along {code_or_dash(q.get('along'))}",
        "worst_case": (f"on the worst function of the class {code_or_dash(q.get('function_class'))} "
                       "(answered by a performance-estimation SDP)"),
    }.get(q.kind)
    return f"{md.code(str(q))}: the conclusion is claimed " + (what or "as the quantifier states")


def code_or_dash(value: Any) -> str:
    return md.code(value) if value not in (None, "") else "-"


def _ranges(domain: dict[str, tuple[float, float]]) -> str:
    return ", ".join(f"{md.code(k)} in [{md.number(lo)}, {md.number(hi)}]" for k, (lo, hi) in domain.items())


def _claim(statement: Statement) -> list[str]:
    out = ["## Claim", "", md.math_block(claim_latex(statement)), "", f"Quantifier: {_quantifier(statement)}."]
    if statement.domain:
        out += ["", f"Parameter ranges for this statement: {_ranges(statement.domain)}."]
    if statement.explore_domain:
        out += ["", f"`boundcheck explore` draws {_ranges(statement.explore_domain)} (a relaxed hypothesis admits more)."]
    out += ["", "### Hypotheses", ""]
    if statement.hypotheses:
        out += [f"- {md.code(h.name)}: {md.math_inline(latex(h.relation))}" for h in statement.hypotheses]
    else:
        out.append("None beyond the model's own parameter constraints.")
    out += ["", "### Constants", ""]
    if not statement.constants:
        out.append("None: the statement has no constant hidden in an O(·).")
        return out
    assumed = [c for c in statement.constants if c.provenance == "assumed"]
    if assumed:
        names = ", ".join(md.math_inline(latex(c.symbol)) for c in assumed)
        out += [":::{warning}", f"{len(assumed)} constant(s) here are **assumed** — guesses, not values from the "
                f"source: {names}. A HOLDS verdict is evidence for the statement *with these values*.", ":::", ""]
    for c in statement.constants:
        tag = "[ASSUMED]{.bc-assumed}" if c.provenance == "assumed" else f"[{c.provenance}]{{.bc-provenance}}"
        note = f" — {md.text(c.note)}" if c.note else ""
        out.append(f"- {md.math_inline(latex(c.symbol) + ' = ' + latex(c.value))} {tag}{note}")
    return out


def _evidence(statement: Statement, evidence: Evidence, plot: Callable[[str, dict[str, Any], int | None, bool], str | None],
              pictures: list[str]) -> list[str]:
    out = ["## Evidence", ""]
    judgement = Judgement(evidence.verdict, statement.expected)
    run = evidence.latest
    if run is None:
        out += [":::{warning}", f"No evidence for this version of the statement (hash {md.code(statement.hash())}). "
                f"Run {md.code('boundcheck verify ' + statement.id)} to gather some."]
        if evidence.runs_other_versions:
            out.append(f"{evidence.runs_other_versions} run(s) recorded for earlier versions of this statement are "
                       "not shown: they checked a different claim.")
        out += [":::", ""]
    else:
        out += _verdict_admonition(statement, judgement, run)
        out += _numbers(statement, evidence, run)
        out += _details(run)
        out += _counterexamples(evidence)
        out += _trajectory(statement, run, plot)
    for table in evidence.extra_tables:
        out += [f"### From the store table {md.code(table.name)}", ""]
        if table.total > len(table.rows):
            out += [f"The latest {len(table.rows)} of {table.total} rows.", ""]
        rows = [[_cell(v) for v in row] for row in table.rows]
        out += [md.table([md.text(c) for c in table.columns], rows), ""]
    if pictures:
        out += ["### Pictures from other tools", ""]
        for rel in pictures:
            out += [f"![{md.text(Path(rel).stem)}]({rel})", ""]
    return out


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return md.number(value)
    body = str(value)
    return md.text(body if len(body) <= 80 else body[:77] + "...")


def _verdict_admonition(statement: Statement, judgement: Judgement, run: dict[str, Any]) -> list[str]:
    verdict = run["verdict"]
    message = md.text(run.get("message") or "")
    shown = md.text(verdict)  # text from the store, escaped like every other
    if judgement.met is False:
        return [":::{error}", f"**{shown}** — this {statement.kind} is expected to be "
                f"{md.text(' or '.join(statement.expected))}, and the latest evidence says {shown}. {message}",
                ":::", ""]
    if statement.kind == "mutant" and verdict == "VIOLATED":
        return [":::{tip}", "**VIOLATED**, as expected: this is a known-false variant, and the checker catches it. "
                f"{message}", ":::", ""]
    if verdict == "HOLDS":
        return [":::{note}", f"**HOLDS** on {md.number(run.get('instances'))} instances: no violation found. "
                "This is evidence from computation, not a proof.", ":::", ""]
    return [":::{note}", f"**{shown}**. {message}", ":::", ""]


def _numbers(statement: Statement, evidence: Evidence, run: dict[str, Any]) -> list[str]:
    rows = [
        ["verdict", md.verdict_badge(run["verdict"])],
        ["expected", md.text(" or ".join(statement.expected)) if statement.expected else "reported, not judged"],
        ["instances checked", md.number(run.get("instances"))],
        ["instances outside the hypotheses", md.number(run.get("outside"))],
        ["violations (float64) / floating-point artefacts", f"{md.number(run.get('violations'))} / "
                                                             f"{md.number(run.get('artefacts'))}"],
        ["min slack (bound − observed)", md.number(run.get("min_slack"))],
        ["max tightness (observed / bound)", md.number(run.get("max_tightness"))],
        ["budget (seed)", f"{md.number(run.get('budget'))} ({md.number(run.get('seed'))})"],
        ["wall time", f"{md.number(run.get('wall_s'), 3)} s"],
        ["date", md.date(run.get("finished_at"))],
        ["code version", md.code(run.get("code_version") or "-")],
        ["statement hash", md.code(run.get("statement_hash"))],
        ["runs recorded for this version", md.number(evidence.runs_this_version)],
    ]
    return [md.table(["", "latest run"], rows), ""]


def _details(run: dict[str, Any]) -> list[str]:
    details = run.get("details") or {}
    out: list[str] = []
    if details.get("vacuity"):
        from boundcheck.verifiers.draw.vacuity import vacuity_line

        out += [f"Informativeness: {md.text(vacuity_line(details['vacuity']))}", ""]
    if details.get("demanded"):
        out += [f"Smallest instance the hypotheses demand: {md.code(json.dumps(details['demanded'], sort_keys=True))}", ""]
    settings = details.get("settings") or []
    if settings:
        out += ["Settings tested:", ""]
        for item in settings:
            setting = item.get("setting")
            out.append(f"- {md.verdict_badge(item.get('verdict'))} {md.text(item.get('decision', ''))} — "
                       f"{md.code(json.dumps(setting, sort_keys=True))}")
        out.append("")
    return out


def _counterexamples(evidence: Evidence) -> list[str]:
    if not evidence.counterexamples:
        return []
    out = ["### Counterexample", ""]
    for cx in evidence.counterexamples:
        params = json.dumps(cx.get("params"), sort_keys=True)
        out += [f"Instance: {md.code(params)}", ""]
        observed = cx.get("replay_observed") or md.number(cx.get("observed"), 12)
        bound = cx.get("replay_bound") or md.number(cx.get("bound"), 12)
        where = f"at t = {md.number(cx.get('t'))}: " if cx.get("t") is not None else ""
        digits = f" (replayed at {md.number(cx.get('replay_dps'))} digits)" if cx.get("replay_dps") else ""
        out += [f"{where}observed {md.code(observed)} > bound {md.code(bound)}, slack {md.number(cx.get('slack'))}"
                f"{digits}.", ""]
        if cx.get("replay_command"):
            out += ["Replay it:", "", md.fenced(cx["replay_command"], "bash"), ""]
    return out


def _trajectory(statement: Statement, run: dict[str, Any],
                plot: Callable[[str, dict[str, Any], int | None, bool], str | None]) -> list[str]:
    tightest = (run.get("details") or {}).get("tightest") or {}
    trajectory = tightest.get("trajectory")
    if not trajectory:
        return []
    params = json.dumps(tightest.get("params"), sort_keys=True)
    observed = trajectory.get("observed") or []
    bound = trajectory.get("bound") or []
    violated = any(isinstance(o, (int, float)) and isinstance(b, (int, float)) and o > b
                   for o, b in zip(observed, bound)) and run["verdict"] == "VIOLATED"
    rel = plot("tightest", trajectory, tightest.get("t"), violated)
    if rel is None:
        return []
    return ["### The tightest instance", "",
            f"Observed against the bound along t for the instance the checker recorded as tightest: largest "
            f"observed / bound where the bound exceeds the floating-point tolerance, at t = {tightest.get('t')}. "
            f"Instance: {md.code(params)}", "",
            f"![observed and bound along t for {md.text(statement.id)}]({rel})", ""]


def statement_page(statement: Statement, evidence: Evidence, statements: dict[str, Statement],
                   plot: Callable[[str, dict[str, Any], int | None, bool], str | None],
                   pictures: list[str]) -> str:
    judgement = Judgement(evidence.verdict, statement.expected)
    # an orphan: reached from its family's table, not through a toctree (a sidebar tree of all
    # 120 pages, rebuilt for each page by the theme, was most of the Sphinx build's time)
    out = ["---", "orphan: true", "---", "", f"(statement-{statement.id})=", f"# {statement.id}", ""]
    byline = [judgement.cell(), f"[{statement.kind}]{{.bc-kind}}", f"model {md.code(statement.model)}",
              f"family {md.code(statement.family)}"]
    out += [" · ".join(byline), ""]
    if statement.title:
        out += [f"**{md.text(statement.title)}**", ""]
    if statement.mutant_of:
        target = statements.get(statement.mutant_of)
        link = f"[{md.text(statement.mutant_of)}]({_rel(statement, target)})" if target else md.code(statement.mutant_of)
        out += [f"A mutant — a known-false variant — of {link}, kept to show that the checker catches it.", ""]
    mutants = [s for s in statements.values() if s.mutant_of == statement.id]
    if mutants:
        links = ", ".join(f"[{md.text(m.id)}]({_rel(statement, m)})" for m in mutants)
        out += [f"Mutants of this statement: {links}.", ""]
    out += _claim(statement)
    out += ["", "## Source", "", _source(statement.source), ""]
    if statement.doc:
        out += ["## Statement in words", "", md.paragraphs(statement.doc), ""]
    out += _evidence(statement, evidence, plot, pictures)
    return "\n".join(out).rstrip() + "\n"


def _rel(src: Statement, dst: Statement) -> str:
    if module_of(src) == module_of(dst):
        return f"{page_name(dst)}.md"
    return f"../{module_of(dst)}/{page_name(dst)}.md"


# ------------------------------------------------------------------ index and family pages


def _index_row(statement: Statement, evidence: Evidence, link: str) -> list[str]:
    run = evidence.latest or {}
    # <wbr>: a long id may break after a dot, never inside a name
    shown = "<wbr>".join(md.text(part + ".") for part in statement.id.split(".")).removesuffix("\\.")
    return [f"[{shown}]({link})", md.text(statement.kind),
            Judgement(evidence.verdict, statement.expected).cell(),
            md.number(run.get("instances")), md.number(run.get("max_tightness"), 3),
            md.number(run.get("min_slack"), 3)]


INDEX_HEADER = ["statement", "kind", "verdict", "instances", "max tightness", "min slack"]


def _verdict_table(rows: list[list[str]]) -> list[str]:
    return [":::{container} bc-verdict-table", md.table(INDEX_HEADER, rows), ":::", ""]


def index_page(statements: dict[str, Statement], evidence: dict[str, Evidence], store_label: str) -> str:
    counts: dict[str, int] = {}
    unmet = []
    for s in statements.values():
        verdict = evidence[s.id].verdict or "no evidence"
        counts[verdict] = counts.get(verdict, 0) + 1
        if Judgement(evidence[s.id].verdict, s.expected).met is False:
            unmet.append(s)
    modules = sorted({module_of(s) for s in statements.values()})
    out = ["(statements-index)=", "# Statements and their verdicts", "",
           f"Every built-in statement with the latest verdict recorded for its current version in the evidence "
           f"store {md.code(store_label)}. A verdict is judged against the statement's kind: a theorem must "
           "HOLD (or be VACUOUS), a mutant must be VIOLATED, a conjecture is reported. "
           "[How sharp is each check](../sharpness.md): per theorem, eps and its nearest mutant.", "",
           "Totals: " + ", ".join(f"{md.text(k)} {v}" for k, v in sorted(counts.items())) + ".", ""]
    if unmet:
        out += [":::{error}", f"{len(unmet)} statement(s) do not meet their kind's expectation: "
                + ", ".join(f"[{md.text(s.id)}]({module_of(s)}/{page_name(s)}.md)" for s in unmet) + ".", ":::", ""]
    rows = [_index_row(s, evidence[s.id], f"{module_of(s)}/{page_name(s)}.md") for s in statements.values()]
    out += _verdict_table(rows) + ["```{toctree}", ":hidden:", ":maxdepth: 1", ""]
    out += [f"{m}/index" for m in modules]
    out += ["```", ""]
    return "\n".join(out)


def family_page(module: str, statements: list[Statement], evidence: dict[str, Evidence]) -> str:
    doc = sys.modules.get(f"boundcheck.theorems.{module}").__doc__ if f"boundcheck.theorems.{module}" in sys.modules else ""
    out = [f"# {module}", ""]
    if doc:
        out += [md.paragraphs(doc), ""]
    families: dict[str, list[Statement]] = {}
    for s in statements:
        families.setdefault(s.family, []).append(s)
    for family, members in families.items():
        out += [f"## {family}", ""]
        rows = [_index_row(s, evidence[s.id], f"{page_name(s)}.md") for s in members]
        out += _verdict_table(rows)
    return "\n".join(out)


# ------------------------------------------------------------------ CLI reference


@dataclass(frozen=True)
class ArgumentHelp:
    """One argument of a command, as the reference page prints it."""

    name: str
    help: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class CommandHelp:
    """One command of the command line: its help line, its ``--help`` text and its arguments."""

    name: str
    help: str
    text: str
    arguments: tuple[ArgumentHelp, ...] = ()


def cli_page(overview: str, commands: list[CommandHelp]) -> str:
    """The command-line reference, from the description the command line gives of itself
    (``boundcheck.verifiers.commands.cli.reference()``, handed in by the docs command)."""
    out = ["(cli-reference)=", "# Command-line reference", "",
           "Generated from the parser of the `boundcheck` command itself, so it lists exactly what the "
           "installed command accepts.", "",
           "```text", overview.rstrip(), "```", ""]
    for command in commands:
        out += [f"(cli-{command.name})=", f"## boundcheck {command.name}", "", _help_text(command.help), "",
                "```text", command.text.rstrip(), "```", ""]
        if command.arguments:
            out += [f"- {_argument(a)}" for a in command.arguments] + [""]
    return "\n".join(out)


_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _help_text(help_: str) -> str:
    """Help text with its options (``--all``) as code spans, so that no typography touches them."""
    parts = _OPTION.split(help_)
    return "".join(md.code(part) if k % 2 else md.text(part) for k, part in enumerate(parts) if part)


def _argument(argument: ArgumentHelp) -> str:
    line = f"{md.code(argument.name)}: {_help_text(argument.help)}"
    if argument.choices:
        line += f" (one of {', '.join(md.code(c) for c in argument.choices)})"
    if argument.default is not None:
        line += f" (default {md.code(argument.default)})"
    if argument.required:
        line += " (required)"
    return line


# ------------------------------------------------------------------ model pages

MODELS_DIR = "models"


def model_page(described: dict[str, Any]) -> str:
    """A model's page from :func:`boundcheck.verifiers.report.models.describe`: the names a conjecture may use."""
    d = described
    out = [f"# Model {md.code(d['name'])}", "", md.text(d["summary"]), "", "## Parameters", ""]
    out += md.table(["name", "type", "range", "default conjecture domain", "meaning"],
                    [[md.code(p["name"]), md.text(p["type"]), md.text(f"[{p['lo']}, {p['hi']}]"),
                      md.text(f"[{p['default_domain'][0]}, {p['default_domain'][1]}]") if p["default_domain"]
                      else "full range", md.text(p["meaning"])] for p in d["parameters"]]).splitlines()
    for indexed, title in ((True, "Observables indexed by t"), (False, "Scalar observables")):
        rows = [[md.code(o["name"] + ("[t]" if indexed else "")), md.text(o["meaning"])]
                for o in d["observables"] if o["indexed"] == indexed]
        if rows:
            out += ["", f"## {title}", ""] + md.table(["name", "meaning"], rows).splitlines()
    if d["constraints"]:
        out += ["", "## Built-in constraints", "", "Every instance of the model meets them:", ""]
        out += [f"- {md.text(c['name'])}: {md.code(c['relation'])}" for c in d["constraints"]]
    if d["example"]:
        origin = (f"It restates the built-in {md.code(d['example']['restates'])}." if d["example"]["restates"]
                  else "A template to edit, not a known result.")
        out += ["", "## Example conjecture", "", origin + " Parameters without a domain entry are drawn from the "
                "default conjecture domain above.", "", md.fenced(d["example"]["toml"], "toml")]
    return "\n".join(out) + "\n"


def models_index(described: list[dict[str, Any]]) -> str:
    out = ["# Models", "", "The instance families a statement is checked on, with the names a conjecture may use "
           "(`boundcheck models NAME` prints the same).", "", "```{toctree}", ":hidden:", ""]
    out += [d["name"] for d in described] + ["```", ""]
    out += md.table(["model", "what it is"], [[f"[{md.code(d['name'])}]({d['name']}.md)", md.text(d["summary"])]
                                               for d in described]).splitlines()
    return "\n".join(out) + "\n"


def generate_models(source_dir: Path) -> int:
    """Write a page per model and their index under ``source_dir/models``; returns how many models."""
    from boundcheck.verifiers.report.models import describe, model_names

    root = source_dir / MODELS_DIR
    described = [describe(name) for name in model_names()]
    written: set[Path] = set()
    for d in described:
        page = root / f"{d['name']}.md"
        write_if_changed(page, model_page(d))
        written.add(page.resolve())
    page = root / "index.md"
    write_if_changed(page, models_index(described))
    written.add(page.resolve())
    _remove_stale(root, written)
    return len(described)


# ------------------------------------------------------------------ writing it all


def write_if_changed(path: Path, content: str | bytes) -> None:
    """Write only when the content changed, so Sphinx's mtime-based reuse stays valid."""
    data = content.encode() if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def generate(source_dir: Path, statements: dict[str, Statement], reader: EvidenceReader,
             store_label: str, cli_reference: tuple[str, list[CommandHelp]] | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Evidence]:
    """Write the generated pages under ``source_dir``; returns the evidence used, by statement id.
    ``progress(done, total)`` is called after each statement's page."""
    root = source_dir / STATEMENTS_DIR
    evidence = {sid: reader.for_statement(sid, s.hash()) for sid, s in statements.items()}
    by_module: dict[str, list[Statement]] = {}
    for s in statements.values():
        by_module.setdefault(module_of(s), []).append(s)
    written: set[Path] = set()

    def keep(path: Path) -> None:
        written.add(path.resolve())

    pages_done = 0
    for module, members in by_module.items():
        folder = root / module
        for s in members:
            def plot(kind: str, trajectory: dict[str, Any], mark_t: int | None, violated: bool,
                     s: Statement = s, folder: Path = folder) -> str | None:
                path = folder / "_plots" / f"{s.id}--{kind}.png"
                title = f"{s.id}: observed vs bound ({'violated' if violated else 'tightest instance'})"
                made = trajectory_plot(trajectory, path, title, mark_t, violated)
                if made is None:
                    return None
                keep(made)
                return f"_plots/{path.name}"

            pictures = []
            for picture in evidence[s.id].pictures:
                target = folder / "_pictures" / s.id / picture.name
                write_if_changed(target, picture.read_bytes())
                keep(target)
                pictures.append(f"_pictures/{s.id}/{picture.name}")
            page = folder / f"{page_name(s)}.md"
            write_if_changed(page, statement_page(s, evidence[s.id], statements, plot, pictures))
            keep(page)
            pages_done += 1
            if progress is not None:
                progress(pages_done, len(statements))
        page = folder / "index.md"
        write_if_changed(page, family_page(module, members, evidence))
        keep(page)
    page = root / "index.md"
    write_if_changed(page, index_page(statements, evidence, store_label))
    keep(page)
    if cli_reference is not None:
        page = source_dir / "cli.md"
        write_if_changed(page, cli_page(*cli_reference))
        keep(page)
    _remove_stale(root, written)
    return evidence


def _remove_stale(root: Path, written: set[Path]) -> None:
    """Pages and plots of statements that no longer exist must not linger in the site."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
