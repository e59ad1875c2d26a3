"""Quantifiers: how a conclusion is quantified over instances, one class per quantifier.

Each class declares its fields (a frozen dataclass), validates them when it is built, so
that a malformed statement is refused where it is written rather than when it runs (as
Hypothesis validates a strategy's arguments), prints itself (``str`` for the text form,
:meth:`Quantifier.latex`, :meth:`Quantifier.prose` for the sentence the docs print) and
names the runner that decides it (``runner``: ``"module:function"`` of
:mod:`boundcheck.verifiers.quantifiers`, a string, so that this module imports sympy only).

Adding a quantifier touches two files: its class here and its runner module there.

Optional fields left at ``None`` are the runner's default (given in each class's
docstring) and are not printed: ``str(quantifier)`` is part of the statement's hash, so a
field that is not written does not change it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp


class StatementError(ValueError):
    """A statement that is malformed: the message names what is wrong."""


#: every quantifier class by kind (a subclass with a ``kind`` registers itself)
QUANTIFIERS: dict[str, type[Quantifier]] = {}


def _tex_name(name: str) -> str:
    return r"\texttt{" + str(name).replace("_", r"\_") + "}"


def _number(value: Any, name: str) -> float:
    try:
        if isinstance(value, bool):
            raise TypeError
        return float(sp.sympify(value))
    except (TypeError, ValueError, sp.SympifyError):
        raise StatementError(f"{name} {value!r} is not a number") from None


@dataclass(frozen=True)
class Quantifier:
    """How a conclusion is quantified over instances (the base of every quantifier class).

    ``kind`` names the quantifier (in ``boundcheck list``, in the JSON); ``runner`` is the
    ``"module:function"`` that decides it; ``always`` lists the fields printed even when
    unset; ``allows_equality`` says whether an ``Eq`` conclusion makes sense under it;
    ``model_parameters`` maps a field to the kind of model parameter it must name
    (``"seed"``, ``"int"`` or ``""`` for any), checked when the statement is loaded
    against its model.
    """

    kind: ClassVar[str] = ""
    runner: ClassVar[str] = ""
    always: ClassVar[tuple[str, ...]] = ()
    allows_equality: ClassVar[bool] = False
    model_parameters: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            QUANTIFIERS[cls.kind] = cls

    def __post_init__(self) -> None:
        try:
            self.check()
        except StatementError as exc:
            raise StatementError(f"{self.kind}: {exc}") from None

    def check(self) -> None:
        """Validate the fields (raise :class:`StatementError` naming the bad one)."""

    # ------------------------------------------------------------ fields
    @property
    def params(self) -> tuple[tuple[str, Any], ...]:
        """The written fields, in declaration order: ``(name, value)`` pairs."""
        return tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self)
                     if getattr(self, f.name) is not None or f.name in self.always)

    def get(self, name: str, default: Any = None) -> Any:
        """Field ``name``, or ``default`` where it is unset (``None``) or not a field."""
        value = getattr(self, name, None) if name in self._field_names() else None
        return default if value is None else value

    def replace(self, **changes: Any) -> Quantifier:
        """A copy with ``changes`` (validated again)."""
        unknown = set(changes) - set(self._field_names())
        if unknown:
            raise StatementError(f"{self.kind}: no field {sorted(unknown)[0]!r} "
                                 f"(fields: {', '.join(self._field_names()) or 'none'})")
        return dataclasses.replace(self, **changes)

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    # ------------------------------------------------------------ rendering
    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}({args})"

    def text(self) -> str:
        """The plain-text form (what the statement's hash reads)."""
        return str(self)

    def latex(self) -> str:
        """The quantifier typeset, e.g. ``\\Pr_{seed}[\\,\\cdot\\,] \\ge 0.9``."""
        raise NotImplementedError

    def prose(self) -> str:
        """The sentence the docs print: "the conclusion is claimed ..." completes with it."""
        raise NotImplementedError

    # ------------------------------------------------------------ checks shared by the classes
    def _identifier(self, name: str, required: bool = True) -> None:
        value = getattr(self, name)
        if value is None and not required:
            return
        if not isinstance(value, str) or not value.isidentifier():
            raise StatementError(f"{name} {value!r} is not a name (a parameter of the model)")

    def _probability(self, name: str, required: bool = True) -> None:
        value = getattr(self, name)
        if value is None and not required:
            return
        p = _number(value, name)
        if not 0.0 < p < 1.0:
            raise StatementError(f"{name} {value} is not in (0, 1)")

    def _positive(self, name: str, integer: bool = False) -> None:
        value = getattr(self, name)
        if value is None:
            return
        if integer and (isinstance(value, bool) or not isinstance(value, int)):
            raise StatementError(f"{name} {value!r} is not an integer")
        x = _number(value, name)
        if not (x > 0 and math.isfinite(x)):
            raise StatementError(f"{name} {value} is not positive")


@dataclass(frozen=True)
class ForAll(Quantifier):
    """The conclusion holds on every instance satisfying the hypotheses: one violation refutes it."""

    kind: ClassVar[str] = "for_all"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.for_all:run_for_all"

    def latex(self) -> str:
        return r"\forall\ \text{instances}"

    def prose(self) -> str:
        return "for every instance that satisfies the hypotheses (one violation refutes it)"


@dataclass(frozen=True)
class WithProbability(Quantifier):
    """The conclusion holds with probability at least ``probability`` over the seed ``over``.

    Decided by an exact (Clopper–Pearson) binomial test at ``confidence``, over
    ``settings`` drawn settings of the other parameters (default 4, Bonferroni split).
    """

    probability: float
    over: str
    confidence: float = 0.95
    settings: int | None = None

    kind: ClassVar[str] = "with_probability"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.with_probability:run_with_probability"
    always: ClassVar[tuple[str, ...]] = ("probability", "over", "confidence")
    model_parameters: ClassVar[dict[str, str]] = {"over": "seed"}

    def check(self) -> None:
        self._probability("probability")
        object.__setattr__(self, "probability", _number(self.probability, "probability"))
        self._identifier("over")
        self._probability("confidence")
        self._positive("settings", integer=True)

    def latex(self) -> str:
        return rf"\Pr_{{{_tex_name(self.over)}}}[\,\cdot\,] \ge {sp.latex(sp.nsimplify(self.probability))}"

    def prose(self) -> str:
        settings = f", over {self.settings} settings of the other parameters" if self.settings else ""
        return (f"with probability at least {self.probability:g} over `{self.over}`, decided by an exact binomial "
                f"(Clopper–Pearson) test at confidence {self.confidence:g}{settings}")


@dataclass(frozen=True)
class InExpectation(Quantifier):
    """The conclusion holds for the expectation over the seed ``over`` (an identity or a bound).

    Decided by a sequential Monte Carlo confidence interval at ``confidence``: an identity
    to within ``rel_width`` (relative); ``resolution`` is the half-width the sampling aims
    for (runner default 1%), ``max_runs`` caps the runs per setting, ``settings`` (default
    4) settings of the other parameters are drawn.
    """

    over: str
    confidence: float = 0.95
    rel_width: float = 0.05
    resolution: float | None = None
    max_runs: int | None = None
    settings: int | None = None

    kind: ClassVar[str] = "in_expectation"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.in_expectation:run_in_expectation"
    always: ClassVar[tuple[str, ...]] = ("over", "confidence", "rel_width")
    allows_equality: ClassVar[bool] = True
    model_parameters: ClassVar[dict[str, str]] = {"over": "seed"}

    def check(self) -> None:
        self._identifier("over")
        self._probability("confidence")
        self._positive("rel_width")
        self._positive("resolution")
        self._positive("max_runs", integer=True)
        self._positive("settings", integer=True)

    def latex(self) -> str:
        return rf"\mathbb{{E}}_{{{_tex_name(self.over)}}}"

    def prose(self) -> str:
        return (f"in expectation over `{self.over}`, decided by a confidence interval at confidence "
                f"{self.confidence:g} (identities to within {self.rel_width:g} relative)")


@dataclass(frozen=True)
class Asymptotically(Quantifier):
    """The gap to a limit shrinks along a sequence of sizes (weaker evidence than an identity).

    ``along`` is the size parameter, ``sizes`` its values (at least three, increasing),
    ``ratios`` pairs ``(parameter, c)`` with that parameter ``round(c * size)``, ``rate``
    the claimed exponent r0 < 0 of the gap, ``mode`` ``l1`` (E|lhs - rhs|) or ``mean``
    (|E lhs - rhs|), ``exponent_slack`` tau (runner default 0.25), ``settings`` (default
    2), ``confidence`` (0.95), ``over`` the seed averaged over (the model's first seed),
    ``resolution`` (0.02), ``max_runs``, ``correction`` (the finite-size exponent, 1, or
    several exponents whose extrapolations must all agree where the exponent is not known).
    See :mod:`boundcheck.verifiers.quantifiers.asymptotically`.
    """

    along: str
    rate: Any = None
    sizes: tuple[int, ...] | None = None
    ratios: tuple[tuple[str, float], ...] | None = None
    mode: str | None = None
    exponent_slack: float | None = None
    settings: int | None = None
    confidence: float | None = None
    over: str | None = None
    resolution: float | None = None
    max_runs: int | None = None
    correction: float | tuple[float, ...] | None = None

    kind: ClassVar[str] = "asymptotically"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.asymptotically:run_asymptotically"
    always: ClassVar[tuple[str, ...]] = ("along", "rate")
    allows_equality: ClassVar[bool] = True
    model_parameters: ClassVar[dict[str, str]] = {"along": "", "over": "seed"}
    MODES: ClassVar[tuple[str, ...]] = ("l1", "mean")

    def check(self) -> None:
        self._identifier("along")
        if self.rate is not None and not _number(self.rate, "rate") < 0:
            raise StatementError(f"rate {self.rate} is not negative (the gap must shrink)")
        if self.sizes is not None:
            sizes = tuple(self.sizes)
            if len(sizes) < 3 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
                raise StatementError(f"sizes {self.sizes!r} are not three or more positive integers")
            if any(b <= a for a, b in zip(sizes, sizes[1:])):
                raise StatementError(f"sizes {self.sizes!r} do not increase")
        for pair in self.ratios or ():
            if len(pair) != 2 or not str(pair[0]).isidentifier() or not _number(pair[1], "ratio") > 0:
                raise StatementError(f"ratio {pair!r} is not a (parameter, positive number) pair")
        if self.mode is not None and self.mode not in self.MODES:
            raise StatementError(f"mode {self.mode!r} is not one of {self.MODES}")
        if self.exponent_slack is not None and not _number(self.exponent_slack, "exponent_slack") >= 0:
            raise StatementError(f"exponent_slack {self.exponent_slack} is negative")
        self._positive("settings", integer=True)
        self._probability("confidence", required=False)
        self._identifier("over", required=False)
        self._positive("resolution")
        self._positive("max_runs", integer=True)
        if self.correction is not None:
            exponents = self.correction if isinstance(self.correction, (tuple, list)) else (self.correction,)
            if not exponents or not all(_number(a, "correction") > 0 for a in exponents):
                raise StatementError(f"correction {self.correction!r} is not one or more positive exponents")

    def latex(self) -> str:
        return rf"{_tex_name(self.along)} \to \infty"

    def prose(self) -> str:
        rate = f", the gap shrinking like {self.along}^({self.rate})" if self.rate is not None else ""
        return f"asymptotically along `{self.along}`{rate} (a shrinking gap over finite sizes, not a limit)"


@dataclass(frozen=True)
class WorstCase(Quantifier):
    """The bound holds on the worst function of ``function_class`` (answered by an SDP)."""

    function_class: str

    kind: ClassVar[str] = "worst_case"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.worst_case:run_worst_case"
    always: ClassVar[tuple[str, ...]] = ("function_class",)

    def check(self) -> None:
        self._identifier("function_class")

    def latex(self) -> str:
        return rf"\sup_{{f \in {_tex_name(self.function_class)}}}"

    def prose(self) -> str:
        return (f"on the worst function of the class `{self.function_class}` "
                "(answered by a performance-estimation SDP)")


@dataclass(frozen=True)
class SumOfSquares(Quantifier):
    """p >= 0 on the hypotheses' set, certified by a sum-of-squares identity of even ``degree``.

    ``serves`` names the statement (or the paper's result) the proof step serves.
    """

    degree: int
    serves: str

    kind: ClassVar[str] = "sum_of_squares"
    runner: ClassVar[str] = "boundcheck.verifiers.quantifiers.sum_of_squares:run_sum_of_squares"
    always: ClassVar[tuple[str, ...]] = ("degree", "serves")

    def check(self) -> None:
        self._positive("degree", integer=True)
        if self.degree % 2:
            raise StatementError(f"degree {self.degree} is odd (a sum of squares has even degree)")
        if not isinstance(self.serves, str) or not self.serves.strip():
            raise StatementError(f"serves {self.serves!r} does not name what the step serves")

    def latex(self) -> str:
        return rf"\text{{SOS of degree }} {self.degree}"

    def prose(self) -> str:
        return (f"on the whole set where the hypotheses hold, certified by a sum-of-squares identity of degree "
                f"{self.degree} (a step of {self.serves})")


# ---------------------------------------------------------------- the public constructors


def for_all() -> ForAll:
    """The conclusion holds on every instance satisfying the hypotheses."""
    return ForAll()


def with_probability(probability: Any, over: str, confidence: float = 0.95,
                     settings: int | None = None) -> WithProbability:
    """The conclusion holds with probability at least ``probability`` over the seed ``over``.

    Decided by an exact (Clopper–Pearson) binomial test at ``confidence``.
    """
    return WithProbability(probability, over, confidence, settings)


def in_expectation(over: str, confidence: float = 0.95, rel_width: float = 0.05, *,
                   resolution: float | None = None, max_runs: int | None = None,
                   settings: int | None = None) -> InExpectation:
    """The conclusion holds for the expectation over the seed ``over`` (identity or bound)."""
    return InExpectation(over, confidence, rel_width, resolution, max_runs, settings)


def asymptotically(along: str, rate: Any = None, **options: Any) -> Asymptotically:
    """The gap to a limit shrinks along a sequence of sizes (weaker evidence than an identity).

    ``options`` are the other fields of :class:`Asymptotically` (``sizes``, ``ratios``, ...).
    """
    unknown = set(options) - set(Asymptotically._field_names())
    if unknown:
        raise StatementError(f"asymptotically: no field {sorted(unknown)[0]!r}")
    return Asymptotically(along=along, rate=rate, **options)


def worst_case(function_class: str) -> WorstCase:
    """The bound holds on the worst function of ``function_class`` (answered by an SDP)."""
    return WorstCase(function_class)


def sum_of_squares(degree: int, serves: str) -> SumOfSquares:
    """p >= 0 on the hypotheses' set, certified by a degree-``degree`` SOS identity."""
    return SumOfSquares(degree, serves)

