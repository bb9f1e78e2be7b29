"""Python values <-> DynamoDB attribute values, for payloads and results.

boto3's serializer refuses floats (DynamoDB numbers are decimals); JSON payloads are full
of them, so floats go in as `Decimal(repr(f))` and numbers come back as int or float.
"""
from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any, Mapping

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _decimalize(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {str(k): _decimalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_decimalize(v) for v in value]
    return value


def to_attribute(value: Any) -> dict[str, Any]:
    """A JSON-like Python value -> one DynamoDB attribute value (`{"M": ...}` etc.)."""
    return _serializer.serialize(_decimalize(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    return value


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value -> plain Python (int/float, lists for sets, base64 binary)."""
    return _plain(_deserializer.deserialize(dict(attribute)))


def string(value: str) -> dict[str, str]:
    return {"S": value}


def number(value: int | float | Decimal) -> dict[str, str]:
    return {"N": str(value)}
