"""A small, safe evaluator for the expressions a bank may write (answers, derived values).

Banks come from instructors and from `--bank PATH` files of unknown origin, so they never
run Python. An expression is parsed with `ast` and only these nodes are accepted:
numbers, the names it was given (parameters and derived values), + - * / // % **,
unary + - and `not`, comparisons (== != < <= > >=), and calls of min, max, round, sqrt
and log. Anything else (attributes, subscripts, other calls, strings, lambdas, names
starting with an underscore) is refused when the bank is read, before anything runs.
Evaluation refuses what would be huge: exponents above 64, results beyond 1e30 or not
finite, and expressions longer than 300 characters or 80 nodes.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MAX_LENGTH = 300
MAX_NODES = 80
MAX_EXPONENT = 64
MAX_MAGNITUDE = 1e30

Number = int | float


class ExpressionError(ValueError):
    """An expression that is not allowed, or that has no well-defined value."""


def _round(x: Number, digits: Number = 0) -> Number:
    if not isinstance(digits, int) or not -12 <= digits <= 12:
        raise ExpressionError("round's digits must be a whole number from -12 to 12")
    return round(x) if digits == 0 else round(x, digits)


def _log(x: Number, base: Number = math.e) -> float:
    if x <= 0 or base <= 0 or base == 1:
        raise ExpressionError(f"log({x:g}{'' if base == math.e else f', {base:g}'}) is undefined")
    return math.log(x, base)


def _sqrt(x: Number) -> float:
    if x < 0:
        raise ExpressionError(f"sqrt({x:g}) of a negative number")
    return math.sqrt(x)


FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    "min": (min, 2, 8),  # (function, fewest arguments, most arguments)
    "max": (max, 2, 8),
    "round": (_round, 1, 2),
    "sqrt": (_sqrt, 1, 1),
    "log": (_log, 1, 2),
}

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}  # fmt: skip
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}  # fmt: skip


@dataclass(frozen=True)
class Expression:
    """A checked expression: `evaluate(values)` gives its number."""

    source: str
    tree: ast.expr
    names: frozenset[str]  # the names it uses

    def evaluate(self, values: Mapping[str, Number]) -> Number:
        try:
            return _finite(_eval(self.tree, values))
        except ZeroDivisionError:
            raise ExpressionError(f"{self.source}: division by zero") from None
        except OverflowError:
            raise ExpressionError(f"{self.source}: the value is too large") from None
        except ExpressionError as exc:
            raise ExpressionError(f"{self.source}: {exc}") from None


def parse(source: str, names: Iterable[str]) -> Expression:
    """Check `source` against the rules above; `names` are the only variables it may use."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be non-empty text")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"{source!r} is not an expression: {exc.msg}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"more than {MAX_NODES} parts; split it into derived values")
    allowed, used = set(names), set()
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in FUNCTIONS and id(node) not in callees:
            raise ExpressionError(f"{node.id} can only be called, e.g. {node.id}(a, b)")
        _check(node, allowed, used)
    return Expression(source, tree.body, frozenset(used))


def _check(node: ast.AST, allowed: set[str], used: set[str]) -> None:
    if isinstance(node, ast.Expression | ast.Load) or type(node) in _BINARY:
        return
    if type(node) in _UNARY or type(node) in _COMPARE:
        return
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Compare):
        if isinstance(node, ast.BinOp) and type(node.op) not in _BINARY:
            raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")
        return
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id!r} is not allowed")
        if node.id not in allowed and node.id not in FUNCTIONS:
            raise ExpressionError(f"unknown name {node.id!r}; known: {', '.join(sorted(allowed))}")
        if node.id in allowed:
            used.add(node.id)
        return
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or name in allowed:
            raise ExpressionError(f"only {', '.join(FUNCTIONS)} may be called")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}() takes plain arguments only")
        _, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            raise ExpressionError(f"{name}() takes {fewest} to {most} arguments")
        return
    raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def _eval(node: ast.expr, values: Mapping[str, Number]) -> Number:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        return _finite(_UNARY[type(node.op)](_eval(node.operand, values)))
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _finite(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id][0]
        return _finite(function(*(_eval(a, values) for a in node.args)))
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # parse() let it through?


def _check_power(base: Number, exponent: Number) -> None:
    if abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"the exponent {exponent:g} is above {MAX_EXPONENT}")
    if base and exponent > 0 and exponent * math.log10(abs(base)) > math.log10(MAX_MAGNITUDE):
        raise ExpressionError("the power is too large")
    if base == 0 and exponent < 0:
        raise ZeroDivisionError
    if base < 0 and not float(exponent).is_integer():
        raise ExpressionError("a negative number to a fractional power")


def _finite(value: Number) -> Number:
    if isinstance(value, complex) or not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ExpressionError("the value is not a finite number below 1e30")
    return value
