"""A whitelist parser for expressions written by users (TOML conjectures).

The text is parsed by :func:`ast.parse` (which builds a tree and executes nothing)
and the tree is walked node by node: numbers, the names the caller allows, indexed
observables ``name[index]``, the arithmetic operators, one comparison at the top,
and the functions ``min, max, sqrt, log, exp, abs``; ``pi`` is the constant. Anything
else is refused with an error naming the offending token (``^``, ``=`` and ``**`` with a
hint). No ``eval``, no ``sympify`` on raw text.

The text is untrusted, so every operation on it is bounded before it is done: at most
:data:`MAX_LENGTH` characters; every number met along the way, literal or computed from
literals, has at most :data:`MAX_DIGITS` decimal digits above or below the point (a
float64 holds 1e308, and the checker computes in float64; a power ``a**b`` of numbers is estimated from ``b log10 |a|``
before it is computed, so ``((10**1000)**1000)**1000`` is refused at once instead of
being evaluated); a number raised to a power, or an expression raised to a numeric
power, has an exponent of at most :data:`MAX_EXPONENT` in magnitude (an expression,
:data:`MAX_POWER`); exponentials stack at most :data:`MAX_EXP_DEPTH` deep (a float64
overflow is never a counterexample, and a deeper tower cannot be replayed at any
precision); an observable's index is linear in ``t``; and the expansion
of the expression into monomials, estimated from its tree (a sum adds the counts, a
product multiplies them, ``(a_1 + ... + a_k)**n`` has ``C(n + k - 1, k - 1)``), is at
most :data:`MAX_TERMS`, so that the symbolic work on it downstream
(:func:`boundcheck.theorems.symbolic.solve_for` expands polynomials) stays cheap.
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Mapping

import sympy as sp

from boundcheck.theorems.statement import t as t_symbol

FUNCTIONS = {
    "min": lambda *a: sp.Min(*a),
    "max": lambda *a: sp.Max(*a),
    "sqrt": sp.sqrt,
    "log": sp.log,
    "exp": sp.exp,
    "abs": sp.Abs,
}
ARITY = {"sqrt": 1, "log": 1, "exp": 1, "abs": 1}
CONSTANTS = {"pi": sp.pi}
#: the longest expression text accepted
MAX_LENGTH = 2000
#: the most decimal digits a number may have above (1e300) or below (1e-300) the point: float64 holds it
MAX_DIGITS = 300
#: the largest exponent, in magnitude, of a power of numbers (``10**400``)
MAX_EXPONENT = 400
#: the largest exponent, in magnitude, of a power of an expression (``(eta + L)**100``)
MAX_POWER = 100
#: the most monomials the expression may expand into (estimated from its tree)
MAX_TERMS = 1000
#: the deepest tower of exponentials (``exp``, or a power whose exponent is not a number):
#: ``exp(exp(exp(3)))`` is about 10**(10**8), whose replay at 50 digits never ends
MAX_EXP_DEPTH = 2

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {ast.LtE: sp.Le, ast.Lt: sp.Lt, ast.GtE: sp.Ge, ast.Gt: sp.Gt, ast.Eq: sp.Eq}
_OPERATOR_TEXT = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not",
    ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}


class ParseError(ValueError):
    """An expression that is not allowed; the message names the offending token."""


def parse_expression(
    text: str,
    symbols: Mapping[str, sp.Symbol],
    indexed: Mapping[str, sp.IndexedBase],
    *,
    relation: bool | None = None,
) -> sp.Basic:
    """Parse ``text`` into a sympy expression or relation.

    ``symbols`` maps allowed scalar names to sympy symbols; ``indexed`` maps allowed
    observable names to indexed bases (used as ``gap[t]``, ``gap[0]``, ``gap[t-1]``);
    ``t`` is always allowed inside an index and as a scalar. ``relation=True`` demands
    a top-level comparison, ``False`` forbids one.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected an expression as text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression longer than {MAX_LENGTH} characters")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise ParseError("the expression holds a control character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ParseError(f"syntax error in {_short(text)!r}: {exc.msg} at column {exc.offset}{_hint(text)}") from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise ParseError(f"cannot parse {_short(text)!r}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    walker = _Walker(text, symbols, indexed)
    try:
        result = walker.top(tree.body)
    except RecursionError:
        raise ParseError(f"expression nested too deeply: {text[:40]!r}...") from None
    is_relation = isinstance(result, sp.core.relational.Relational)
    if relation is True and not is_relation:
        raise ParseError(f"{_short(text)!r} is not a comparison (expected <=, <, >=, > or ==)")
    if relation is False and is_relation:
        raise ParseError(f"{_short(text)!r} is a comparison where an expression was expected")
    depth = exponential_depth(result)
    if depth > MAX_EXP_DEPTH:
        raise ParseError(f"{_short(text)!r} nests {depth} exponentials (at most {MAX_EXP_DEPTH}: a deeper tower "
                         "overflows every finite precision)")
    terms = expansion_terms(result.lhs - result.rhs if is_relation else result)
    if terms > MAX_TERMS:
        raise ParseError(f"{_short(text)!r} would expand into about {_magnitude(terms)} terms "
                         f"(at most {MAX_TERMS} are allowed)")
    return result


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _magnitude(value: float) -> str:
    return f"{value:.3g}" if value < 1e15 else f"1e{int(math.log10(value))}"


def _hint(text: str) -> str:
    """A hint for the spellings of other languages: ``^`` for a power, ``=`` for equality."""
    for wrong, right in (("=>", ">="), ("=<", "<=")):
        if wrong in text:
            return f" (use {right})"
    stripped = text.replace("==", "").replace("<=", "").replace(">=", "").replace("!=", "")
    if "=" in stripped:
        return " (use == for equality)"
    return ""


def number_digits(value: sp.Expr) -> float:
    """The decimal digits of a sympy number above or below the point: ``log10`` of the
    larger of its magnitude and its reciprocal (a rational's numerator or denominator)."""
    if isinstance(value, sp.Rational):
        p, q = abs(int(value.p)), int(value.q)
        return max(math.log10(p) if p else 0.0, math.log10(q))
    if isinstance(value, sp.Float):
        mantissa, exponent = value._mpf_[1], value._mpf_[2]
        if not mantissa:
            return 0.0
        return abs(exponent + int(mantissa).bit_length()) * math.log10(2)
    return 0.0


def exponential_depth(expr: sp.Basic) -> int:
    """How many exponentials are stacked in ``expr``: ``exp(a)`` and ``b**a`` with a non-numeric
    exponent ``a`` add one to the depth of ``a``; everything else takes its deepest argument."""
    if expr.is_Atom:
        return 0
    if isinstance(expr, sp.exp):
        return 1 + exponential_depth(expr.args[0])
    if isinstance(expr, sp.Pow) and not expr.exp.is_Number:
        return max(exponential_depth(expr.base), 1 + exponential_depth(expr.exp))
    return max((exponential_depth(a) for a in expr.args), default=0)


def expansion_terms(expr: sp.Basic, cap: float = 1e30) -> float:
    """An upper estimate of the number of monomials ``expr`` expands into (capped at ``cap``):
    a sum adds its terms' counts, a product multiplies them, ``b**n`` with a positive integer
    ``n`` and ``k`` terms in ``b`` has ``C(n + k - 1, k - 1)``; anything else is one term."""
    if expr.is_Atom or not isinstance(expr, sp.Expr):
        return 1.0
    if isinstance(expr, sp.Add):
        return min(cap, sum(expansion_terms(a, cap) for a in expr.args))
    if isinstance(expr, sp.Mul):
        total = 1.0
        for a in expr.args:
            total = min(cap, total * expansion_terms(a, cap))
        return total
    if isinstance(expr, sp.Pow):
        base = expansion_terms(expr.base, cap)
        exponent = expr.exp
        if exponent.is_Integer and int(exponent) > 1 and base > 1:
            n, k = min(int(exponent), 10**6), min(base, 10**6)
            log_count = math.lgamma(n + k) - math.lgamma(n + 1) - math.lgamma(k)
            return cap if log_count > math.log(cap) else min(cap, float(round(math.exp(log_count))))
        return base
    return min(cap, max((expansion_terms(a, cap) for a in expr.args), default=1.0))


class _Walker:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], indexed: Mapping[str, sp.IndexedBase]):
        self.text = text
        self.symbols = dict(symbols)
        self.symbols.setdefault("t", t_symbol)
        self.indexed = dict(indexed)

    def refuse(self, node: ast.AST, what: str) -> ParseError:
        segment = ast.get_source_segment(self.text.strip(), node) or type(node).__name__
        return ParseError(f"{what} {segment!r} is not allowed (column {getattr(node, 'col_offset', 0) + 1})")

    def top(self, node: ast.AST) -> sp.Basic:
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.refuse(node, "chained comparison")
            op = type(node.ops[0])
            if op not in _COMPARE:
                raise ParseError(f"comparison operator {_OPERATOR_TEXT.get(op, op.__name__)!r} is not allowed")
            lhs, rhs = self.expr(node.left), self.expr(node.comparators[0])
            return _COMPARE[op](lhs, rhs, evaluate=False)
        return self.expr(node)

    def expr(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.refuse(node, "literal")
            if isinstance(value, float) and not math.isfinite(value):
                raise self.refuse(node, "number too large for float64:")
            number = sp.Integer(value) if isinstance(value, int) else sp.Float(value)
            return self.bounded(node, number)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in self.indexed:
                raise ParseError(f"observable {node.id!r} varies along the run: index it, e.g. {node.id}[t]")
            if node.id in FUNCTIONS:
                raise ParseError(f"function {node.id!r} must be called")
            known = sorted({*self.symbols, *self.indexed} - {"t"})
            close = difflib.get_close_matches(node.id, known, n=1)
            raise ParseError(f"unknown name {node.id!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                             + f" (known: {', '.join(known)}; `boundcheck models` lists each model's names)")
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            lhs, rhs = self.expr(node.left), self.expr(node.right)
            if op is ast.Pow:
                return self.power(node, lhs, rhs)
            if op not in _BINARY:
                hint = " (use ** for a power)" if op is ast.BitXor else ""
                raise ParseError(f"operator {_OPERATOR_TEXT.get(op, op.__name__)!r} is not allowed{hint}")
            if op is ast.Div and rhs.is_zero:  # `== 0` misses a Float 0.0 (not == 0 in sympy)
                raise self.refuse(node, "division by zero:")
            return self.bounded(node, _BINARY[op](lhs, rhs))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            raise ParseError(f"operator {_OPERATOR_TEXT.get(type(node.op), '?')!r} is not allowed")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Attribute):
            raise self.refuse(node, "attribute access")
        if isinstance(node, ast.Lambda):
            raise self.refuse(node, "lambda")
        if isinstance(node, ast.Compare):
            raise self.refuse(node, "comparison inside an expression")
        raise self.refuse(node, "syntax")

    def bounded(self, node: ast.AST, value: sp.Expr) -> sp.Expr:
        """``value``, refused when a number in it has more than :data:`MAX_DIGITS` digits."""
        numbers = [value] if isinstance(value, sp.Number) else value.atoms(sp.Number)
        if any(number_digits(n) > MAX_DIGITS for n in numbers):
            raise self.refuse(node, f"a number beyond 1e{MAX_DIGITS} (or below 1e-{MAX_DIGITS}):")
        return value

    def power(self, node: ast.AST, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        """``base**exponent`` after bounding it: a numeric exponent is at most :data:`MAX_EXPONENT`
        in magnitude, and a power of numbers at most :data:`MAX_DIGITS` digits (estimated
        before it is computed)."""
        if exponent.is_Number:
            cap = MAX_EXPONENT if base.is_Number else MAX_POWER
            if number_digits(exponent) > 10 or abs(float(exponent)) > cap:
                raise self.refuse(node, f"a power with an exponent beyond {cap}:")
            if base.is_Number and base != 0:
                digits = abs(float(exponent)) * number_digits(base)
                if digits > MAX_DIGITS:
                    raise self.refuse(node, f"a number beyond 1e{MAX_DIGITS} (or below 1e-{MAX_DIGITS}):")
            if base == 0 and exponent.is_negative:
                raise self.refuse(node, "division by zero:")
        return self.bounded(node, base**exponent)

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func, "call of")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ParseError(f"function {name!r} is not allowed (allowed: {', '.join(sorted(FUNCTIONS))})")
        if node.keywords:
            raise self.refuse(node, "keyword arguments in")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(node, "starred arguments in")
        args = [self.expr(a) for a in node.args]
        want = ARITY.get(name)
        if (want is not None and len(args) != want) or (want is None and len(args) < 2):
            raise ParseError(f"{name}() takes {want if want else 'at least 2'} argument(s), got {len(args)}")
        return FUNCTIONS[name](*args)

    def subscript(self, node: ast.Subscript) -> sp.Expr:
        if not isinstance(node.value, ast.Name):
            raise self.refuse(node, "subscript")
        name = node.value.id
        if name not in self.indexed:
            if name in self.symbols:
                raise ParseError(f"{name!r} is a scalar: it takes no index")
            close = difflib.get_close_matches(name, list(self.indexed), n=1)
            raise ParseError(f"unknown observable {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                             + f" (indexed observables: {', '.join(sorted(self.indexed))})")
        index_node = node.slice
        if isinstance(index_node, (ast.Slice, ast.Tuple)):
            raise self.refuse(node, "slice or multiple index")
        index = self.expr(index_node)
        extra = index.free_symbols - {self.symbols["t"]}
        if extra or not (index.is_integer or index.free_symbols):
            raise ParseError(f"index of {name!r} must be an integer expression in t, got {index}")
        if not (index.is_polynomial(self.symbols["t"]) and sp.degree(index, self.symbols["t"]) <= 1):
            raise ParseError(f"index of {name!r} must be linear in t (gap[t], gap[t-1], gap[0]), got {index}")
        return self.indexed[name][index]
