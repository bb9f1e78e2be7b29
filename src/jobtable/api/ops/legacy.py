"""The pre-expression parameters (Expected, AttributeUpdates, AttributesToGet, KeyConditions,
QueryFilter, ScanFilter, ConditionalOperator).

Mixing them with expression parameters is rejected here with DynamoDB's message. Until
their translation to compiled expressions lands, using them alone is refused with a clear
ValidationException (listed in docs/compatibility.md).
"""
from __future__ import annotations

from typing import Any

from jobtable.engine.errors import ValidationException

LEGACY_FOR = {
    "Expected": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "AttributesToGet": "ProjectionExpression",
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "ConditionalOperator": None,
}
EXPRESSIONS = ("ProjectionExpression", "FilterExpression", "ConditionExpression", "UpdateExpression",
               "KeyConditionExpression")


def reject_mixed(req: dict) -> None:
    legacy = [k for k in LEGACY_FOR if req.get(k) is not None]
    modern = [k for k in EXPRESSIONS if req.get(k) is not None]
    if legacy and modern:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: {{{', '.join(modern)}}}")


def _unsupported(name: str) -> ValidationException:
    return ValidationException(f"The legacy parameter {name} is not supported by this jobtable version; "
                               f"use {LEGACY_FOR[name]} instead")


def expected_condition(req: dict, ectx: Any) -> Any:
    if req.get("Expected") is not None:
        raise _unsupported("Expected")
    return None


def attribute_updates(req: dict, ectx: Any) -> Any:
    if req.get("AttributeUpdates") is not None:
        raise _unsupported("AttributeUpdates")
    return None


def attributes_to_get(req: dict) -> Any:
    if req.get("AttributesToGet") is not None:
        raise _unsupported("AttributesToGet")
    return None


def key_conditions(req: dict, ectx: Any, hash_key: str, range_key: str | None) -> Any:
    if req.get("KeyConditions") is not None:
        raise _unsupported("KeyConditions")
    return None


def query_or_scan_filter(req: dict, ectx: Any) -> Any:
    for name in ("QueryFilter", "ScanFilter"):
        if req.get(name) is not None:
            raise _unsupported(name)
    return None
