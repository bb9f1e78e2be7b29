"""The two facts IAM condition keys need from a request's expressions, via the engine's parser.

`dynamodb:Attributes` needs the top-level attributes a projection or update touches;
`dynamodb:LeadingKeys` needs the value a key condition pins the partition key to.
Authorization runs before the api layer validates the request, so an expression that does
not parse contributes nothing here: the api layer rejects the request right after with
DynamoDB's ValidationException, before any data is read or written.
"""
from __future__ import annotations

from typing import Any, Mapping

from jobtable.engine.errors import DynamoError
from jobtable.engine.expressions import (
    ExpressionContext,
    compile_key_condition,
    compile_projection,
    compile_update,
)


def _context(names: Mapping[str, str] | None, values: Mapping[str, Any] | None) -> ExpressionContext:
    return ExpressionContext(dict(names or {}), dict(values or {}))


def projected_attributes(expression: str | None, names: Mapping[str, str] | None) -> list[str]:
    """Top-level attributes a ProjectionExpression reads."""
    if not expression:
        return []
    try:
        return sorted(compile_projection(expression, _context(names, None)).top_level_names)
    except (DynamoError, KeyError, TypeError, ValueError):
        return []


def updated_attributes(expression: str | None, names: Mapping[str, str] | None,
                       values: Mapping[str, Any] | None) -> list[str]:
    """Top-level attributes an UpdateExpression writes."""
    if not expression:
        return []
    try:
        return sorted(compile_update(expression, _context(names, values)).top_level_names)
    except (DynamoError, KeyError, TypeError, ValueError):
        return []


def partition_key_value(expression: str | None, names: Mapping[str, str] | None,
                        values: Mapping[str, Any] | None, hash_key: str, range_key: str | None) -> Any:
    """The attribute value a KeyConditionExpression requires the partition key to equal."""
    if not expression:
        return None
    try:
        return compile_key_condition(expression, _context(names, values), hash_key, range_key).hash_value
    except (DynamoError, KeyError, TypeError, ValueError):
        return None
