"""ConditionExpression / FilterExpression: validation and compilation to Python closures.

A compiled condition is a function `(item, values) -> bool`; operands are functions
`(item, values) -> attribute value | None`. Compiled forms are cached by expression text
and the attribute names its `#refs` resolve to; the request's values are passed at
evaluation time, so binding a cached expression to a request costs a few dict lookups.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional

from . import ast, documents
from .context import ExpressionContext, Placeholders, resolve_path
from .functions import (
    ANY_TYPE_MESSAGE,
    ATTRIBUTE_TYPES,
    ATTRIBUTE_TYPES_MESSAGE,
    CONDITION_FUNCTIONS,
    OPERAND_FUNCTIONS,
    RESULT_TYPES,
    UPDATE_FUNCTIONS,
    check_call,
)
from .grammar import parse
from .messages import function_not_allowed_this_way, invalid, render_path, wrong_operand_type

OperandFn = Callable[[Optional[dict], dict], Optional[dict]]
PredicateFn = Callable[[Optional[dict], dict], bool]
ValueCheck = Callable[[dict], None]


class Condition:
    """A ConditionExpression/FilterExpression bound to one request's values."""

    __slots__ = ("_predicate", "_values")

    def __init__(self, predicate: PredicateFn, values: dict) -> None:
        self._predicate = predicate
        self._values = values

    def evaluate(self, item: Optional[dict]) -> bool:
        """True when `item` (None: no item) satisfies the condition."""
        return self._predicate(item, self._values)


@lru_cache(maxsize=4096)
def parse_condition(text: str, kind: str) -> tuple[ast.Condition, Placeholders]:
    """Parse and statically validate (functions, reserved words); cached by text."""
    tree = parse(text, "condition", kind)
    check_condition_tree(tree, kind)
    return tree, Placeholders(tree, kind)


def compile_condition(text: str, ctx: ExpressionContext, kind: str = "ConditionExpression") -> Condition:
    tree, placeholders = parse_condition(text, kind)
    names = placeholders.bind(ctx, kind)
    predicate, checks = _compiled(text, kind, names)
    for check in checks:
        check(ctx.values)
    return Condition(predicate, ctx.values)


@lru_cache(maxsize=4096)
def _compiled(text: str, kind: str, names: tuple[str, ...]) -> tuple[PredicateFn, tuple[ValueCheck, ...]]:
    tree, placeholders = parse_condition(text, kind)
    compiler = ConditionCompiler(kind, dict(zip(placeholders.name_refs, names)))
    predicate = compiler.predicate(tree)
    return predicate, tuple(compiler.checks)


# ---------------------------------------------------------------- static validation


def check_condition_tree(node: ast.Condition, kind: str) -> None:
    """Functions used where DynamoDB allows them, with valid names and operand counts."""
    match node:
        case ast.And(left, right) | ast.Or(left, right):
            check_condition_tree(left, kind)
            check_condition_tree(right, kind)
        case ast.Not(inner) | ast.Parens(inner):
            check_condition_tree(inner, kind)
        case ast.Compare(_, left, right):
            check_operand(left, kind)
            check_operand(right, kind)
        case ast.Between(operand, low, high):
            for part in (operand, low, high):
                check_operand(part, kind)
        case ast.In(operand, choices):
            for part in (operand, *choices):
                check_operand(part, kind)
        case ast.Call(name, args):
            check_call(node, kind)
            if name == "attribute_type" and not isinstance(args[1], ast.ValueRef):
                raise wrong_operand_type(kind, name, RESULT_TYPES.get(getattr(args[1], "name", ""), ANY_TYPE_MESSAGE))
            if name == "begins_with":
                _check_result_types(kind, name, args, ("S", "B"))
            if name in OPERAND_FUNCTIONS:
                raise function_not_allowed_this_way(kind, name)
            if name in UPDATE_FUNCTIONS:
                raise _update_function_error(kind, name)
            for arg in args:
                check_operand(arg, kind)


def _update_function_error(kind: str, name: str) -> Exception:
    return invalid(kind, f"The function is not allowed in a condition expression; function: {name}")


def _check_result_types(kind: str, function: str, args: tuple, allowed: tuple[str, ...]) -> None:
    """Function results of a known type (size() is N) must suit the function using them."""
    for arg in args:
        if isinstance(arg, ast.Call) and RESULT_TYPES.get(arg.name, allowed[0]) not in allowed:
            raise wrong_operand_type(kind, function, RESULT_TYPES[arg.name])


def check_operand(node: ast.Operand, kind: str) -> None:
    if isinstance(node, ast.Call):
        check_call(node, kind)
        if node.name in CONDITION_FUNCTIONS:
            raise function_not_allowed_this_way(kind, node.name)
        if node.name in UPDATE_FUNCTIONS:
            raise _update_function_error(kind, node.name)
        for arg in node.args:
            check_operand(arg, kind)
        if node.name == "size":
            _check_result_types(kind, "size", node.args, ("S", "B", "SS", "NS", "BS", "L", "M"))


# ---------------------------------------------------------------- compilation


def _not_equal(left: Optional[dict], right: Optional[dict]) -> bool:
    # A missing attribute is "not equal" to anything, even to another missing attribute.
    return not documents.equal(left, right)


_COMPARATORS: dict[str, Callable[[Optional[dict], Optional[dict]], bool]] = {
    "=": documents.equal,
    "<>": _not_equal,
    "<": documents.less,
    "<=": documents.less_equal,
    ">": lambda a, b: documents.less(b, a),
    ">=": lambda a, b: documents.less_equal(b, a),
}


class ConditionCompiler:
    """Turns a validated tree into closures; records checks that need the request's values."""

    def __init__(self, kind: str, names: dict[str, str]) -> None:
        self.kind = kind
        self.names = names
        self.checks: list[ValueCheck] = []

    def path(self, path: ast.Path) -> tuple:
        return resolve_path(path, self.names)

    def operand(self, node: ast.Operand) -> OperandFn:
        if isinstance(node, ast.ValueRef):
            ref = node.text
            return lambda item, values: values[ref]
        if isinstance(node, ast.Path):
            resolved = self.path(node)
            if len(resolved) == 1:
                name = resolved[0]
                return lambda item, values: item.get(name) if item else None
            return lambda item, values: documents.get_path(item, resolved)
        if isinstance(node, ast.Call) and node.name == "size":
            if isinstance(node.args[0], ast.ValueRef):
                self.checks.append(_size_operand_check(self.kind, node.args[0].text))
            inner = self.operand(node.args[0])
            return lambda item, values: documents.size(inner(item, values))
        raise AssertionError(f"unexpected operand {node!r}")  # excluded by validation

    def predicate(self, node: ast.Condition) -> PredicateFn:
        match node:
            case ast.Parens(inner):
                return self.predicate(inner)
            case ast.And(left, right):
                lf, rf = self.predicate(left), self.predicate(right)
                return lambda item, values: lf(item, values) and rf(item, values)
            case ast.Or(left, right):
                lf, rf = self.predicate(left), self.predicate(right)
                return lambda item, values: lf(item, values) or rf(item, values)
            case ast.Not(inner):
                f = self.predicate(inner)
                return lambda item, values: not f(item, values)
            case ast.Compare(op, left, right):
                return self._compare(op, left, right)
            case ast.Between(operand, low, high):
                return self._between(operand, low, high)
            case ast.In(operand, choices):
                target = self.operand(operand)
                options = [self.operand(c) for c in choices]
                return lambda item, values: _is_in(target(item, values), [o(item, values) for o in options])
            case ast.Call(name, args):
                return self._function(name, args)
        raise AssertionError(f"unexpected condition {node!r}")

    def _check_distinct(self, operator: str, first: ast.Operand, second: ast.Operand) -> None:
        """DynamoDB refuses a comparison or function whose two operands are the same path."""
        if isinstance(first, ast.Path) and isinstance(second, ast.Path):
            path = self.path(first)
            if path == self.path(second):
                raise invalid(
                    self.kind,
                    "The first operand must be distinct from the remaining operands for this operator "
                    f"or function; operator: {operator}, first operand: {render_path(path)}",
                )

    def _compare(self, op: str, left: ast.Operand, right: ast.Operand) -> PredicateFn:
        self._check_distinct(op, left, right)
        compare = _COMPARATORS[op]
        if op not in ("=", "<>"):
            for side in (left, right):
                if isinstance(side, ast.ValueRef):
                    self.checks.append(_orderable_check(self.kind, op, side.text))
        lf, rf = self.operand(left), self.operand(right)
        if isinstance(left, ast.Path) and isinstance(right, ast.ValueRef) and len(left.elements) == 1 and op == "=":
            # The most common shape (`#s = :s`): skip the generic operand calls.
            name, ref = self.path(left)[0], right.text
            return lambda item, values: documents.equal(item.get(name) if item else None, values[ref])
        return lambda item, values: compare(lf(item, values), rf(item, values))

    def _between(self, operand: ast.Operand, low: ast.Operand, high: ast.Operand) -> PredicateFn:
        for side in (operand, low, high):
            if isinstance(side, ast.ValueRef):
                self.checks.append(_orderable_check(self.kind, "BETWEEN", side.text))
        if isinstance(low, ast.ValueRef) and isinstance(high, ast.ValueRef):
            self.checks.append(_bounds_check(self.kind, low.text, high.text))
        target, lf, hf = self.operand(operand), self.operand(low), self.operand(high)

        def between(item: Optional[dict], values: dict) -> bool:
            value = target(item, values)
            return documents.less_equal(lf(item, values), value) and documents.less_equal(value, hf(item, values))

        return between

    def _function(self, name: str, args: tuple[ast.Operand, ...]) -> PredicateFn:
        kind = self.kind
        if len(args) == 2:
            self._check_distinct(name, *args)
        if name == "attribute_exists":
            f = self.operand(args[0])
            return lambda item, values: f(item, values) is not None
        if name == "attribute_not_exists":
            f = self.operand(args[0])
            return lambda item, values: f(item, values) is None
        if name == "attribute_type":
            f, tf = self.operand(args[0]), self.operand(args[1])
            if isinstance(args[1], ast.ValueRef):
                self.checks.append(_attribute_type_check(kind, args[1].text))

            def has_type(item: Optional[dict], values: dict) -> bool:
                value, wanted = f(item, values), tf(item, values)
                return value is not None and wanted is not None and documents.type_of(value) == wanted.get("S")

            return has_type
        if name == "begins_with":
            for arg in args:
                if isinstance(arg, ast.ValueRef):
                    self.checks.append(_string_or_binary_check(kind, "begins_with", arg.text))
            f, pf = self.operand(args[0]), self.operand(args[1])
            return lambda item, values: documents.begins_with(f(item, values), pf(item, values))
        if name == "contains":
            f, of = self.operand(args[0]), self.operand(args[1])
            return lambda item, values: documents.contains(f(item, values), of(item, values))
        raise AssertionError(f"unexpected function {name}")


def _is_in(value: Optional[dict], options: list[Optional[dict]]) -> bool:
    return value is not None and any(documents.equal(value, option) for option in options)


def _bounds_check(kind: str, low_ref: str, high_ref: str) -> ValueCheck:
    def check(values: dict) -> None:
        check_between_bounds(kind, values[low_ref], values[high_ref])

    return check


def check_between_bounds(kind: str, low: dict, high: dict) -> None:
    """Constant BETWEEN bounds must share a type and be in order (else a ValidationException)."""
    bounds = f"lower bound operand: {describe_value(low)}, upper bound operand: {describe_value(high)}"
    if documents.type_of(low) != documents.type_of(high):
        raise invalid(kind, f"The BETWEEN operator requires same data type for lower and upper bounds; {bounds}")
    if not documents.compare_bounds(low, high):
        raise invalid(
            kind,
            f"The BETWEEN operator requires upper bound to be greater than or equal to lower bound; {bounds}",
        )


def _orderable_check(kind: str, operator: str, ref: str) -> ValueCheck:
    """Constants compared by order must be numbers, strings or binaries (item values need not)."""

    def check(values: dict) -> None:
        tag = documents.type_of(values[ref])
        if tag not in ("N", "S", "B"):
            raise wrong_operand_type(kind, operator, tag)

    return check


def _attribute_type_check(kind: str, ref: str) -> ValueCheck:
    def check(values: dict) -> None:
        value = values[ref]
        tag = documents.type_of(value)
        if tag != "S":
            raise wrong_operand_type(kind, "attribute_type", tag)
        if value["S"] not in ATTRIBUTE_TYPES:
            raise invalid(
                kind,
                f"Invalid attribute type name found; type: {value['S']}, valid types: {ATTRIBUTE_TYPES_MESSAGE}",
            )

    return check


def _size_operand_check(kind: str, ref: str) -> ValueCheck:
    def check(values: dict) -> None:
        tag = documents.type_of(values[ref])
        if tag in ("N", "BOOL", "NULL"):
            raise wrong_operand_type(kind, "size", tag)

    return check


def _string_or_binary_check(kind: str, function: str, ref: str) -> ValueCheck:
    def check(values: dict) -> None:
        tag = documents.type_of(values[ref])
        if tag not in ("S", "B"):
            raise wrong_operand_type(kind, function, tag)

    return check


def describe_value(value: dict) -> str:
    """How DynamoDB prints a value inside an error message: `AttributeValue: {N:5}`."""
    tag = documents.type_of(value)
    return f"AttributeValue: {{{tag}:{value[tag]}}}"


def top_level_names(text: str, ctx: ExpressionContext, kind: str = "FilterExpression") -> set[str]:
    """The top-level attribute names a condition reads (Query refuses filters on key attributes)."""
    tree, placeholders = parse_condition(text, kind)
    names = dict(zip(placeholders.name_refs, placeholders.bind(ctx, kind)))
    return {resolve_path(node, names)[0] for node in ast.walk(tree) if isinstance(node, ast.Path)}
