"""The statement model: what a result claims, written once, symbolically.

A :class:`Statement` holds symbols (sympy, with assumptions), named hypotheses,
constants with provenance, a conclusion over observables, a quantifier and a kind.
It prints itself (plain text and LaTeX) and hashes itself, so that evidence
gathered for one version of a statement is never shown for another.

Only sympy is imported here: ``import theorems`` stays light.
"""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

KINDS = ("theorem", "conjecture", "mutant", "proof_step")
PROVENANCES = ("stated", "derived", "assumed")
EXPECTED = {"theorem": ("HOLDS", "VACUOUS"), "mutant": ("VIOLATED",), "proof_step": ("HOLDS",)}

#: The iteration index of every indexed observable: ``gap[t]``.
t = sp.Symbol("t", integer=True, nonnegative=True)


class StatementError(ValueError):
    """A statement that is malformed: the message names what is wrong."""


def observable(name: str) -> sp.IndexedBase:
    """An observable that varies along the run, used as ``gap[t]`` or ``gap[0]``."""
    return sp.IndexedBase(name, real=True)


def scalar(name: str, **assumptions: Any) -> sp.Symbol:
    """A scalar observable or parameter, e.g. ``L = scalar("L", positive=True)``."""
    return sp.Symbol(name, real=True, **assumptions)


@dataclass(frozen=True)
class Source:
    """Where a result comes from."""

    authors: str
    title: str
    venue: str
    year: int
    arxiv: str = ""
    result: str = ""  # "Theorem 3.1", "Lemma 3.1", ...
    note: str = ""

    def __str__(self) -> str:
        parts = [f"{self.authors}, \"{self.title}\", {self.venue} {self.year}"]
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        if self.result:
            parts.append(self.result)
        return ", ".join(parts)

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""


@dataclass(frozen=True)
class Constant:
    """A constant the paper hides or states, with an explicit value and provenance.

    ``stated``: the paper gives it; ``derived``: we derived it (say how in ``note``);
    ``assumed``: a guess, shown as such everywhere.
    """

    symbol: sp.Symbol
    value: sp.Expr
    provenance: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCES:
            raise StatementError(
                f"constant {self.symbol}: provenance {self.provenance!r} is not one of {PROVENANCES}"
            )
        object.__setattr__(self, "value", sp.sympify(self.value))

    def __str__(self) -> str:
        tag = f" [{self.provenance.upper()}]" if self.provenance == "assumed" else f" [{self.provenance}]"
        return f"{self.symbol} = {self.value}{tag}" + (f"  ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Hypothesis:
    """A named relation the instance must satisfy, e.g. ``step: eta <= 1/L``."""

    name: str
    relation: sp.Basic

    def __post_init__(self) -> None:
        if not isinstance(self.relation, (sp.core.relational.Relational, sp.logic.boolalg.BooleanAtom)):
            raise StatementError(f"hypothesis {self.name!r} is not a relation: {self.relation}")

    def __str__(self) -> str:
        return f"{self.name}: {sp.sstr(self.relation)}"


# ---------------------------------------------------------------- quantifiers


@dataclass(frozen=True)
class Quantifier:
    """How a conclusion is quantified over instances."""

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}({args})"


def for_all() -> Quantifier:
    """The conclusion holds on every instance satisfying the hypotheses."""
    return Quantifier("for_all")


def with_probability(probability: Any, over: str, confidence: float = 0.95) -> Quantifier:
    """The conclusion holds with probability at least ``probability`` over the seed ``over``.

    Decided by an exact (Clopper–Pearson) binomial test at ``confidence``.
    """
    p = float(sp.sympify(probability))
    if not 0.0 < p < 1.0:
        raise StatementError(f"with_probability: probability {probability} is not in (0, 1)")
    return Quantifier("with_probability", (("probability", p), ("over", over), ("confidence", confidence)))


def in_expectation(over: str, confidence: float = 0.95, rel_width: float = 0.05) -> Quantifier:
    """The conclusion holds for the expectation over the seed ``over`` (identity or bound)."""
    return Quantifier("in_expectation", (("over", over), ("confidence", confidence), ("rel_width", rel_width)))


def asymptotically(along: str, rate: Any = None) -> Quantifier:
    """The gap to a limit shrinks along a sequence of sizes (weaker evidence than an identity)."""
    return Quantifier("asymptotically", (("along", along), ("rate", rate)))


def worst_case(function_class: str) -> Quantifier:
    """The bound holds on the worst function of ``function_class`` (answered by an SDP)."""
    return Quantifier("worst_case", (("function_class", function_class),))


# ---------------------------------------------------------------- statements


@dataclass
class Statement:
    """One result: hypotheses, constants, conclusion, quantifier, kind, source.

    ``conclusion`` is a sympy relation over observables of ``model`` (indexed by
    :data:`t` where they vary) and symbols; it must hold for every ``t >= t_min`` up
    to the run's last iteration. ``domain`` narrows the model's parameter ranges for
    this statement (plain numbers, e.g. ``{"d": (1, 1)}``).
    """

    id: str
    kind: str
    model: str
    conclusion: sp.Basic
    hypotheses: tuple[Hypothesis, ...] = ()
    constants: tuple[Constant, ...] = ()
    quantifier: Quantifier = field(default_factory=for_all)
    source: Source | str = ""
    title: str = ""
    doc: str = ""
    t_min: int = 0
    domain: dict[str, tuple[float, float]] = field(default_factory=dict)
    budget: int | None = None
    mutant_of: str = ""
    family: str = ""
    #: where a user's statement was loaded from (its replay command names this file)
    origin: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise StatementError(f"{self.id}: kind {self.kind!r} is not one of {KINDS}")
        if not isinstance(self.conclusion, sp.core.relational.Relational):
            raise StatementError(f"{self.id}: the conclusion is not a relation: {self.conclusion}")
        if isinstance(self.conclusion, (sp.Eq, sp.Ne)) and self.quantifier.kind not in ("in_expectation", "asymptotically"):
            raise StatementError(f"{self.id}: an equality conclusion needs an in_expectation or asymptotic quantifier")
        self.hypotheses = tuple(self.hypotheses)
        self.constants = tuple(self.constants)
        names = [h.name for h in self.hypotheses]
        if len(set(names)) != len(names):
            raise StatementError(f"{self.id}: two hypotheses share a name")
        if not self.family:
            self.family = self.id.rsplit(".", 1)[0] if "." in self.id else self.id

    # ------------------------------------------------------------ structure
    @property
    def constant_values(self) -> dict[sp.Symbol, sp.Expr]:
        return {c.symbol: c.value for c in self.constants}

    def substituted(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with every constant replaced by its value."""
        return expr.xreplace(self.constant_values) if self.constants else expr

    @property
    def observables(self) -> set[str]:
        """Names of the indexed observables the conclusion and hypotheses use."""
        found = set()
        for expr in [self.conclusion, *(h.relation for h in self.hypotheses)]:
            found |= {ix.base.label.name for ix in expr.atoms(sp.Indexed)}
        return found

    @property
    def symbol_names(self) -> set[str]:
        """Names of free scalar symbols (parameters, scalar observables, constants)."""
        found = set()
        for expr in [self.conclusion, *(h.relation for h in self.hypotheses)]:
            found |= {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        found.discard(t.name)
        return found

    @property
    def expected(self) -> tuple[str, ...]:
        """Verdicts this statement's kind expects (empty: reported, not judged)."""
        return EXPECTED.get(self.kind, ())

    # ------------------------------------------------------------ identity
    def hash(self) -> str:
        """A digest of everything that changes what the statement claims."""
        parts = [
            self.id, self.kind, self.model, sp.srepr(self.conclusion), str(self.quantifier),
            str(self.t_min), repr(sorted(self.domain.items())),
            *(f"{h.name}:{sp.srepr(h.relation)}" for h in self.hypotheses),
            *(f"{c.symbol}:{sp.srepr(c.value)}:{c.provenance}" for c in self.constants),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    # ------------------------------------------------------------ rendering
    def conclusion_text(self) -> str:
        range_ = f"for all t >= {self.t_min}: " if t in self.conclusion.free_symbols else ""
        return range_ + sp.sstr(self.conclusion)

    def latex(self) -> str:
        """The conclusion typeset, with its range of iterations."""
        body = sp.latex(self.conclusion)
        if t in self.conclusion.free_symbols:
            return rf"\forall t \ge {self.t_min}:\quad {body}"
        return body

    def __str__(self) -> str:
        lines = [f"{self.id}  [{self.kind}]  model {self.model}"]
        if self.title:
            lines.append(f"  {self.title}")
        if self.source:
            lines.append(f"  source: {self.source}")
        if self.mutant_of:
            lines.append(f"  mutant of: {self.mutant_of}")
        if self.hypotheses:
            lines.append("  hypotheses:")
            lines += [f"    {h}" for h in self.hypotheses]
        if self.constants:
            lines.append("  constants:")
            lines += [f"    {c}" for c in self.constants]
        lines.append(f"  conclusion: {self.conclusion_text()}")
        lines.append(f"  quantifier: {self.quantifier}")
        return "\n".join(lines)

    def summary(self) -> str:
        """The first paragraph of the docstring."""
        return textwrap.dedent(self.doc).strip().split("\n\n")[0].replace("\n", " ") if self.doc else self.title


# ---------------------------------------------------------------- registration

_REGISTERED: list[Callable[[], Statement]] = []


def register(builder: Callable[[], Statement]) -> Callable[[], Statement]:
    """Register a function that builds one statement; its docstring becomes the statement's.

    A theorem is one function in one module of ``theorems/``::

        @register
        def linear_rate() -> Statement:
            '''Karimi, Nutini, Schmidt 2016, Theorem 1. ...'''
            return Statement(...)
    """
    _REGISTERED.append(builder)
    return builder


def build(builder: Callable[[], Statement]) -> Statement:
    statement = builder()
    if builder.__doc__ and not statement.doc:
        statement.doc = inspect.cleandoc(builder.__doc__)
    return statement
