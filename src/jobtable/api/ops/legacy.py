"""The pre-expression parameters on the wire: Expected, AttributeUpdates, AttributesToGet,
KeyConditions, QueryFilter, ScanFilter and ConditionalOperator.

This module checks what belongs to the request as a whole (mixing with expression
parameters, ConditionalOperator's use, the attribute values themselves) and hands the
rest to `jobtable.engine.expressions.legacy`, which builds the same compiled condition,
key condition and projection objects as the expression parameters, with the legacy
API's own validation messages.
"""
from __future__ import annotations

from typing import Any, Optional

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import (Condition, KeyCondition, LegacyUpdate, Projection, condition_from_expected,
                                         condition_from_filter, key_condition_from_key_conditions,
                                         projection_from_attributes_to_get, update_from_attribute_updates)
from jobtable.engine.values import validate_value

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


def _conditional_operator(req: dict, conditions: Optional[dict]) -> Optional[str]:
    operator = req.get("ConditionalOperator")
    if operator is not None:
        if conditions is None:
            raise ValidationException("ConditionalOperator cannot be used without Filter or Expected")
        if len(conditions) < 2:
            raise ValidationException("ConditionalOperator can only be used when Filter or Expected has two or "
                                      "more elements")
    return operator


def _validated(conditions: dict) -> dict:
    """The conditions with every Value / AttributeValueList member checked (numbers canonical)."""
    out = {}
    for name, spec in conditions.items():
        spec = dict(spec)
        if spec.get("Value") is not None:
            spec["Value"] = validate_value(spec["Value"])
        if spec.get("AttributeValueList") is not None:
            spec["AttributeValueList"] = [validate_value(v) for v in spec["AttributeValueList"]]
        out[name] = spec
    return out


def expected_condition(req: dict, ectx: Any = None) -> Optional[Condition]:
    """Expected (+ ConditionalOperator) as a condition; None when absent."""
    expected = req.get("Expected")
    operator = _conditional_operator(req, expected)
    return condition_from_expected(_validated(expected), operator) if expected else None


def query_or_scan_filter(req: dict, ectx: Any = None) -> Optional[Condition]:
    """QueryFilter or ScanFilter (+ ConditionalOperator) as a filter; None when absent."""
    filters = req.get("QueryFilter") if req.get("QueryFilter") is not None else req.get("ScanFilter")
    operator = _conditional_operator(req, filters)
    return condition_from_filter(_validated(filters), operator) if filters else None


def key_conditions(req: dict, ectx: Any, hash_key: str, range_key: Optional[str]) -> Optional[KeyCondition]:
    conditions = req.get("KeyConditions")
    if conditions is None:
        return None
    return key_condition_from_key_conditions(_validated(conditions), hash_key, range_key)


def attribute_updates(req: dict, ectx: Any = None) -> Optional[LegacyUpdate]:
    updates = req.get("AttributeUpdates")
    if not updates:
        return None
    return update_from_attribute_updates(_validated(updates))


def attributes_to_get(req: dict) -> Optional[Projection]:
    names = req.get("AttributesToGet")
    return projection_from_attributes_to_get(names) if names is not None else None
