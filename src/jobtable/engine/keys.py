"""Key attributes: DynamoDB's key rules and an order-preserving byte encoding per key type.

SQLite compares BLOBs with memcmp, so storing each key attribute as `encode_key_value(...)`
makes the B-tree order DynamoDB's sort order: S by UTF-8 bytes, B by unsigned bytes,
N numerically (see numbers.encode_number_key).
"""
from __future__ import annotations

from typing import Any

from jobtable.engine.errors import ValidationException
from jobtable.engine.numbers import encode_number_key
from jobtable.engine.values import decode_binary

MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024

_INVALID = "One or more parameter values were invalid: "
_NOT_VALID = "One or more parameter values are not valid. "
_PARTITION_TOO_LONG = (
    _INVALID + f"Size of hashkey has exceeded the maximum size limit of{MAX_PARTITION_KEY_BYTES} bytes"
)
_SORT_TOO_LONG = (
    _INVALID + f"Aggregated size of all range keys has exceeded the size limit of {MAX_SORT_KEY_BYTES} bytes"
)
_EMPTY_WORD = {"S": "string", "B": "binary"}


def encode_key_value(value: dict[str, Any]) -> bytes:
    """Order-preserving bytes of a validated key value {"S": str} | {"N": str} | {"B": base64}."""
    if "S" in value:
        return value["S"].encode("utf-8")
    if "N" in value:
        return encode_number_key(value["N"])
    return decode_binary(value["B"])


def key_type_of(value: dict[str, Any]) -> str:
    """The single type tag of a validated AttributeValue ("S", "N", "M", ...)."""
    for tag in value:
        return tag
    raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def validate_key_attribute(
    name: str,
    value: dict[str, Any],
    key_type: str,
    *,
    is_partition: bool,
    index_name: str | None = None,
) -> bytes:
    """Check one key attribute of a table (index_name=None) or of a secondary index and
    return its encoded bytes.

    `value` must already have passed values.validate_value (so N is canonical);
    `key_type` is the AttributeDefinitions type ("S", "N" or "B"). Raises DynamoDB's
    ValidationException for a type mismatch, an empty S/B value and, for table keys,
    a partition key over 2048 bytes or a sort key over 1024 bytes.
    """
    actual = key_type_of(value)
    if actual != key_type:
        if index_name is None:
            raise ValidationException(
                f"{_INVALID}Type mismatch for key {name} expected: {key_type} actual: {actual}"
            )
        raise ValidationException(
            f"{_INVALID}Type mismatch for Index Key {name} Expected: {key_type} Actual: {actual} "
            f"IndexName: {index_name}"
        )
    encoded = encode_key_value(value)
    if actual != "N":
        if not encoded:
            word = _EMPTY_WORD[actual]
            if index_name is None:
                raise ValidationException(
                    f"{_NOT_VALID}The AttributeValue for a key attribute cannot contain an empty "
                    f"{word} value. Key: {name}"
                )
            raise ValidationException(
                f"{_NOT_VALID}A value specified for a secondary index key is not supported. "
                f"The AttributeValue for a key attribute cannot contain an empty {word} value. "
                f"IndexName: {index_name}, IndexKey: {name}"
            )
        limit = MAX_PARTITION_KEY_BYTES if is_partition else MAX_SORT_KEY_BYTES
        if len(encoded) > limit:
            raise ValidationException(_PARTITION_TOO_LONG if is_partition else _SORT_TOO_LONG)
    return encoded
