"""A whitelist parser for expressions written by users (TOML conjectures).

The text is parsed by :func:`ast.parse` (which builds a tree and executes nothing)
and the tree is walked node by node: numbers, the names the caller allows, indexed
observables ``name[index]``, the arithmetic operators, one comparison at the top,
and the functions ``min, max, sqrt, log, exp, abs``. Anything else is refused with
an error naming the offending token. No ``eval``, no ``sympify`` on raw text.
"""

from __future__ import annotations

import ast
import difflib
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
MAX_LENGTH = 2000
MAX_NUMERIC_EXPONENT = 1000

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
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ParseError(f"syntax error in {text!r}: {exc.msg} at column {exc.offset}") from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise ParseError(f"cannot parse {text!r}: {exc}") from None
    walker = _Walker(text, symbols, indexed)
    try:
        result = walker.top(tree.body)
    except RecursionError:
        raise ParseError(f"expression nested too deeply: {text[:40]!r}...") from None
    is_relation = isinstance(result, sp.core.relational.Relational)
    if relation is True and not is_relation:
        raise ParseError(f"{text!r} is not a comparison (expected <=, <, >=, > or ==)")
    if relation is False and is_relation:
        raise ParseError(f"{text!r} is a comparison where an expression was expected")
    return result


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
            return sp.Integer(value) if isinstance(value, int) else sp.Float(value)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
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
                raise ParseError(f"operator {_OPERATOR_TEXT.get(op, op.__name__)!r} is not allowed")
            return _BINARY[op](lhs, rhs)
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

    def power(self, node: ast.AST, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        if exponent.is_Number and base.is_Number:
            if abs(float(exponent)) > MAX_NUMERIC_EXPONENT:
                raise self.refuse(node, "numeric power with a huge exponent")
        return base**exponent

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
        return self.indexed[name][index]
