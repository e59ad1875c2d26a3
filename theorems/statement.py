"""The statement model: what a result claims, written once, symbolically.

A :class:`Statement` holds symbols (sympy, with assumptions), named hypotheses,
constants with provenance, a conclusion over observables, a quantifier and a kind.
It prints itself (plain text and LaTeX) and hashes itself, so that evidence
gathered for one version of a statement is never shown for another.

Only sympy is imported here: ``import boundcheck.theorems`` stays light.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.repr import ReprPrinter

from boundcheck.theorems.quantifiers import (
    QUANTIFIERS,
    Asymptotically,
    ForAll,
    InExpectation,
    Quantifier,
    StatementError,
    SumOfSquares,
    WithProbability,
    WorstCase,
    asymptotically,
    for_all,
    in_expectation,
    sum_of_squares,
    with_probability,
    worst_case,
)

__all__ = [
    "CLAIMS", "EXPECTED", "KINDS", "PROVENANCES", "QUANTIFIERS", "Asymptotically", "Constant", "ForAll",
    "Hypothesis", "InExpectation", "Quantifier", "Source", "Statement", "StatementError", "SumOfSquares",
    "WithProbability", "WorstCase", "asymptotically", "build", "for_all", "in_expectation", "mutant",
    "observable", "register", "scalar", "sum_of_squares", "t", "with_probability", "worst_case",
]

KINDS = ("theorem", "conjecture", "mutant", "proof_step")
PROVENANCES = ("stated", "derived", "assumed")
#: what a statement says of its bound: attained (or approached) on its model, or only an upper bound
#: (for a ``>=`` conclusion, the mirror: a lower bound); "" is undeclared (a user's statement)
CLAIMS = ("tight", "upper bound")
EXPECTED = {"theorem": ("HOLDS", "VACUOUS"), "mutant": ("VIOLATED",), "proof_step": ("HOLDS",)}

#: limits on what a statement holds (a conjecture file is untrusted input): characters of
#: the id and the title, of the docstring, and the number of hypotheses
MAX_ID, MAX_TITLE, MAX_DOC, MAX_HYPOTHESES = 200, 300, 20_000, 64
#: an id: dot-separated names of letters, digits, ``_`` and ``-`` (no ``/``, no empty or ``..`` part:
#: the docs name a statement's page and pictures after it)
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")

#: The iteration index of every indexed observable: ``gap[t]``.
t = sp.Symbol("t", integer=True, nonnegative=True)


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


# ---------------------------------------------------------------- statements


@dataclass
class Statement:
    """One result: hypotheses, constants, conclusion, quantifier, kind, source, claim.

    ``conclusion`` is a sympy relation over observables of ``model`` (indexed by
    :data:`t` where they vary) and symbols; it must hold for every ``t >= t_min`` up
    to the run's last iteration. ``domain`` narrows the model's parameter ranges for
    this statement (plain numbers, e.g. ``{"d": (1, 1)}``). ``claim`` is one of
    :data:`CLAIMS`: ``tight`` when the bound is attained or approached on the model (a
    check that passes should nearly reach it), ``upper bound`` when it may leave room.
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
    claim: str = ""
    #: the range [low, high] the left side can take (``(0, 1)`` for a 0-1 loss): a run whose bound lies
    #: outside it (at or above ``high`` for ``<=``) cannot fail and is left out as uninformative
    observed_range: tuple[float, float] | None = None
    #: an identity checked as a residual within a rounding tolerance (``||R||^2 <= (tol s)^2``):
    #: the constant (a coefficient of the identity) whose relative change its power measures;
    #: tightening the tolerance, the default, would say nothing about the identity
    power_constant: str = ""
    #: parameter ranges ``boundcheck explore`` draws from in place of ``domain``'s: a hypothesis
    #: relaxed by a factor admits instances the statement's own domain leaves out (a step up to
    #: 1024 times its cap), which a check of the statement itself would draw only to reject
    explore_domain: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or len(self.id) > MAX_ID or not ID_PATTERN.fullmatch(self.id):
            raise StatementError(f"the id {str(self.id)[:40]!r} is not 1 to {MAX_ID} characters of dot-separated "
                                 "names (letters, digits, '_', '-'); it names files of the docs")
        for name, value, cap in (("title", self.title, MAX_TITLE), ("doc", self.doc, MAX_DOC)):
            if len(str(value)) > cap:
                raise StatementError(f"{self.id}: the {name} is longer than {cap} characters")
        if len(tuple(self.hypotheses)) > MAX_HYPOTHESES:
            raise StatementError(f"{self.id}: more than {MAX_HYPOTHESES} hypotheses")
        if self.kind not in KINDS:
            raise StatementError(f"{self.id}: kind {self.kind!r} is not one of {KINDS}")
        if self.claim and self.claim not in CLAIMS:
            raise StatementError(f"{self.id}: claim {self.claim!r} is not one of {CLAIMS}")
        if not isinstance(self.quantifier, Quantifier):
            raise StatementError(f"{self.id}: the quantifier is not a Quantifier: {self.quantifier!r}")
        if self.observed_range is not None and not (len(self.observed_range) == 2
                                                    and self.observed_range[0] < self.observed_range[1]):
            raise StatementError(f"{self.id}: observed_range {self.observed_range!r} is not a range (low, high)")
        if not isinstance(self.conclusion, sp.core.relational.Relational):
            raise StatementError(f"{self.id}: the conclusion is not a relation: {self.conclusion}")
        if isinstance(self.conclusion, (sp.Eq, sp.Ne)) and not self.quantifier.allows_equality:
            allowing = ", ".join(k for k, q in QUANTIFIERS.items() if q.allows_equality)
            raise StatementError(f"{self.id}: an equality conclusion needs a quantifier that decides one ({allowing})")
        self.hypotheses = tuple(self.hypotheses)
        self.constants = tuple(self.constants)
        names = [h.name for h in self.hypotheses]
        if len(set(names)) != len(names):
            raise StatementError(f"{self.id}: two hypotheses share a name")
        if self.power_constant and self.power_constant not in {c.symbol.name for c in self.constants}:
            raise StatementError(f"{self.id}: power_constant {self.power_constant!r} is not one of its constants")
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
        try:
            parts = [
                self.id, self.kind, self.model, _canonical(self.conclusion), str(self.quantifier),
                str(self.t_min), repr(sorted(self.domain.items())),
                *(f"{h.name}:{_canonical(h.relation)}" for h in self.hypotheses),
                *(f"{c.symbol}:{_canonical(c.value)}:{c.provenance}" for c in self.constants),
            ]
        except ValueError as exc:  # Python's limit on converting an int of over 4,300 digits to text
            raise StatementError(f"{self.id}: a number in the statement is too large to print ({exc})") from None
        if self.observed_range is not None:  # only when declared: every other statement keeps its hash
            parts.append(f"observed_range:{tuple(float(v) for v in self.observed_range)}")
        if self.power_constant:
            parts.append(f"power_constant:{self.power_constant}")
        if self.explore_domain:
            parts.append(f"explore_domain:{sorted(self.explore_domain.items())!r}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    # ------------------------------------------------------------ rendering
    def conclusion_text(self) -> str:
        range_ = f"for all t >= {self.t_min}: " if t in self.conclusion.free_symbols else ""
        return range_ + sp.sstr(self.conclusion)

    def latex(self) -> str:
        """The conclusion typeset, with its range of iterations (names upright: ``\\mathrm{dist\\_sq}``)."""
        from boundcheck.theorems.display import conclusion_latex

        return conclusion_latex(self)

    def _repr_latex_(self) -> str:
        from boundcheck.theorems.display import statement_latex

        return statement_latex(self)

    def _repr_html_(self) -> str:
        from boundcheck.theorems.display import statement_html

        return statement_html(self)

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
        if self.claim:
            lines.append(f"  claim: {self.claim}")
        return "\n".join(lines)

    def summary(self) -> str:
        """The first paragraph of the docstring."""
        return textwrap.dedent(self.doc).strip().split("\n\n")[0].replace("\n", " ") if self.doc else self.title


class _CanonicalRepr(ReprPrinter):
    """``srepr`` with every symbol spelled by its name and full set of assumptions.

    sympy caches symbols and expressions, and ``srepr`` prints the assumptions a symbol
    was first created with: ``Symbol('L', positive=True)`` or ``Symbol('L', real=True,
    positive=True)`` (the same symbol) depending on which module made it first, so a plain
    ``srepr`` made a statement's hash depend on the import order (and its evidence
    unfindable in the store)."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        facts = ", ".join(f"{k}={v}" for k, v in sorted(expr.assumptions0.items()))
        return f"{type(expr).__name__}({expr.name!r}, {facts})"


def _canonical(expr: Any) -> str:
    return _CanonicalRepr().doprint(sp.sympify(expr))


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


def registered() -> tuple[Callable[[], Statement], ...]:
    """Every registered builder, in registration order."""
    return tuple(_REGISTERED)


def unregister_module(module_name: str) -> list[Callable[[], Statement]]:
    """Remove from the registry, and return, the builders registered by the module
    ``module_name`` (a user's conjecture file); builders of the modules it imported stay."""
    own = [b for b in _REGISTERED if getattr(b, "__module__", None) == module_name]
    _REGISTERED[:] = [b for b in _REGISTERED if getattr(b, "__module__", None) != module_name]
    return own


def build(builder: Callable[[], Statement]) -> Statement:
    statement = builder()
    if builder.__doc__ and not statement.doc:
        statement.doc = inspect.cleandoc(builder.__doc__)
    return statement


#: fields a mutant does not take from its parent unless given: its own words and identity
_NOT_INHERITED = {"title": "", "doc": "", "family": ""}


def mutant(of: Statement | Callable[[], Statement], **changes: Any) -> Statement:
    """A known-false variant of ``of`` that states only what it changes.

    ``of`` is the parent statement or the function that builds it; ``changes`` must give
    the mutant's ``id`` and may replace any other field (``conclusion``, ``hypotheses``,
    ``domain``, ``budget``, ...). Everything else is the parent's, including its claim,
    except the title, the docstring (the mutant's builder supplies its own) and the family
    (derived from the new id). ``kind`` is ``mutant`` and ``mutant_of`` the parent's id::

        @register
        def pl_linear_rate_tightened() -> Statement:
            '''Mutant: the PL rate claimed with mu replaced by 3 mu.'''
            return mutant(of=pl_linear_rate, id="classical.pl.linear_rate_tightened",
                          conclusion=sp.Le(gap[t], (1 - 3 * mu / L) ** t * gap[0]))
    """
    parent = of if isinstance(of, Statement) else build(of)
    if "id" not in changes:
        raise StatementError(f"a mutant of {parent.id} needs its own id")
    if changes.get("kind", "mutant") != "mutant":
        raise StatementError(f"{changes['id']}: a mutant's kind is 'mutant', not {changes['kind']!r}")
    names = {f.name for f in dataclasses.fields(Statement)}
    unknown = set(changes) - names
    if unknown:
        raise StatementError(f"{changes['id']}: a statement has no field {sorted(unknown)[0]!r}")
    fields = {**_NOT_INHERITED, "kind": "mutant", "mutant_of": parent.id, "domain": dict(parent.domain),
              "explore_domain": {}, **changes}  # the parent's explore_domain widens the parent's domain
    return dataclasses.replace(parent, **fields)
