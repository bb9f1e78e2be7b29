"""KeyConditionExpression: the key part of a Query, as an equality on the partition key and
at most one condition on the sort key.

DynamoDB parses key conditions with the condition grammar and then rejects what a key
condition cannot hold (OR, NOT, IN, <>, functions other than begins_with, nested paths).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from jobtable.engine.errors import ValidationException

from . import ast, documents
from .conditions import describe_value
from .context import ExpressionContext, Placeholders, resolve_path
from .functions import check_call
from .grammar import parse
from .messages import invalid, wrong_operand_type

KIND = "KeyConditionExpression"

_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
# `:v < key` means `key > :v`.
_MIRRORED = {"EQ": "EQ", "LT": "GT", "LE": "GE", "GT": "LT", "GE": "LE"}


@dataclass(frozen=True, slots=True)
class KeyCondition:
    """The partition key value and the optional sort key condition of a Query."""

    hash_value: dict
    range_op: Optional[str]  # EQ, LT, LE, GT, GE, BETWEEN or BEGINS_WITH
    range_values: tuple[dict, ...]


@dataclass(frozen=True, slots=True)
class _KeyTerm:
    """One condition on one key: name (maybe a #ref), operator, value placeholders."""

    path: ast.Path
    op: str
    value_refs: tuple[str, ...]


def _invalid_operator(operator: str) -> ValidationException:
    return invalid(KIND, f"Invalid operator used in KeyConditionExpression: {operator}")


@lru_cache(maxsize=4096)
def _parse_key_condition(text: str) -> tuple[tuple[_KeyTerm, ...], Placeholders]:
    tree = parse(text, "condition", KIND)
    placeholders = Placeholders(tree, KIND)
    terms: list[_KeyTerm] = []
    _collect_terms(tree, terms)
    if len(terms) > 2:
        raise ValidationException("Conditions can be of length 1 or 2 only")
    return tuple(terms), placeholders


def _collect_terms(node: ast.Condition, terms: list[_KeyTerm]) -> None:
    match node:
        case ast.Parens(inner):
            _collect_terms(inner, terms)
        case ast.And(left, right):
            _collect_terms(left, terms)
            _collect_terms(right, terms)
        case ast.Or():
            raise _invalid_operator("OR")
        case ast.Not():
            raise _invalid_operator("NOT")
        case ast.In():
            raise _invalid_operator("IN")
        case ast.Compare(op, left, right):
            if op == "<>":
                raise _invalid_operator("<>")
            terms.append(_comparison_term(_OPERATORS[op], left, right))
        case ast.Between(operand, low, high):
            path = _key_path(operand)
            if not isinstance(low, ast.ValueRef) or not isinstance(high, ast.ValueRef):
                raise _no_value_error()
            terms.append(_KeyTerm(path, "BETWEEN", (low.text, high.text)))
        case ast.Call(name, args):
            check_call(node, KIND)
            if name != "begins_with":
                raise _invalid_operator(name)
            path = _key_path(args[0])
            if not isinstance(args[1], ast.ValueRef):
                raise _no_value_error()
            terms.append(_KeyTerm(path, "BEGINS_WITH", (args[1].text,)))


def _comparison_term(op: str, left: ast.Operand, right: ast.Operand) -> _KeyTerm:
    for operand in (left, right):
        if isinstance(operand, ast.Call):
            check_call(operand, KIND)
            raise _invalid_operator(operand.name)
    if isinstance(left, ast.Path) and isinstance(right, ast.ValueRef):
        return _KeyTerm(_key_path(left), op, (right.text,))
    if isinstance(left, ast.ValueRef) and isinstance(right, ast.Path):
        return _KeyTerm(_key_path(right), _MIRRORED[op], (left.text,))
    if isinstance(left, ast.Path):
        raise invalid(KIND, "Multiple attribute names used in one condition")
    raise _no_value_error()


def _no_value_error() -> ValidationException:
    return invalid(KIND, "Only attribute names and expression attribute values may be compared")


def _key_path(operand: ast.Operand) -> ast.Path:
    if not isinstance(operand, ast.Path):
        raise _no_value_error()
    if len(operand.elements) > 1:
        raise ValidationException("KeyConditionExpressions cannot have conditions on nested attributes")
    return operand


def compile_key_condition(
    text: str, ctx: ExpressionContext, hash_key: str, range_key: Optional[str]
) -> KeyCondition:
    terms, placeholders = _parse_key_condition(text)
    names = dict(zip(placeholders.name_refs, placeholders.bind(ctx, KIND)))
    by_key: dict[str, _KeyTerm] = {}
    for term in terms:
        name = resolve_path(term.path, names)[0]
        if name in by_key:
            raise ValidationException("KeyConditionExpressions must only contain one condition per key")
        by_key[name] = term
    hash_term = by_key.pop(hash_key, None)
    if hash_term is None:
        raise ValidationException(f"Query condition missed key schema element: {hash_key}")
    if hash_term.op != "EQ":
        raise ValidationException("Query key condition not supported")
    values = ctx.values
    hash_value = values[hash_term.value_refs[0]]
    if not by_key:
        return KeyCondition(hash_value, None, ())
    (name, range_term), = by_key.items()
    if name != range_key:
        if range_key is None:
            raise ValidationException("Query key condition not supported")
        raise ValidationException(f"Query condition missed key schema element: {range_key}")
    range_values = tuple(values[ref] for ref in range_term.value_refs)
    if range_term.op == "BEGINS_WITH":
        tag = documents.type_of(range_values[0])
        if tag not in ("S", "B"):
            raise wrong_operand_type(KIND, "begins_with", tag)
    elif range_term.op == "BETWEEN":
        low, high = range_values
        if documents.type_of(low) == documents.type_of(high) and not documents.compare_bounds(low, high):
            raise invalid(
                KIND,
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                f"lower bound: {describe_value(low)}, upper bound: {describe_value(high)}",
            )
    return KeyCondition(hash_value, range_term.op, range_values)
