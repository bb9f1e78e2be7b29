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
from .conditions import check_between_bounds
from .context import ExpressionContext, Placeholders, resolve_path
from .functions import check_call
from .grammar import parse
from .messages import wrong_operand_type

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
    return ValidationException(f"Invalid operator used in KeyConditionExpression: {operator}")


def _invalid_condition(detail: str) -> ValidationException:
    return ValidationException(f"Invalid condition in KeyConditionExpression: {detail}")


def _function_not_supported(call: ast.Call) -> ValidationException:
    check_call(call, KIND)
    if call.name == "size":
        return ValidationException("KeyConditionExpressions cannot contain nested operations")
    return _invalid_operator(call.name)


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
            terms.append(_operator_term("BETWEEN", operand, (low, high)))
        case ast.Call(name, args):
            if name != "begins_with":
                raise _function_not_supported(node)
            check_call(node, KIND)
            terms.append(_operator_term(name, args[0], args[1:]))


def _comparison_term(op: str, left: ast.Operand, right: ast.Operand) -> _KeyTerm:
    _check_operands((left, right))
    if isinstance(left, ast.Path) and isinstance(right, ast.Path):
        raise _invalid_condition("Multiple attribute names used in one condition")
    if isinstance(left, ast.Path):
        return _KeyTerm(left, op, (right.text,))
    if isinstance(right, ast.Path):
        return _KeyTerm(right, _MIRRORED[op], (left.text,))
    raise _invalid_condition("No key attribute specified")


def _operator_term(operator: str, key: ast.Operand, values: tuple[ast.Operand, ...]) -> _KeyTerm:
    """BETWEEN and begins_with: the key attribute first, then value placeholders."""
    _check_operands((key, *values))
    if not isinstance(key, ast.Path):
        raise _invalid_condition(f"{operator} operator must have the key attribute as its first operand")
    if any(isinstance(value, ast.Path) for value in values):
        raise _invalid_condition("Multiple attribute names used in one condition")
    return _KeyTerm(key, operator.upper(), tuple(value.text for value in values))


def _check_operands(operands: tuple[ast.Operand, ...]) -> None:
    for operand in operands:
        if isinstance(operand, ast.Call):
            raise _function_not_supported(operand)
        if isinstance(operand, ast.Path) and len(operand.elements) > 1:
            raise ValidationException("KeyConditionExpressions cannot have conditions on nested attributes")


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
        check_between_bounds(KIND, *range_values)
    return KeyCondition(hash_value, range_term.op, range_values)
