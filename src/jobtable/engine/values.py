"""AttributeValues in wire form: validation with DynamoDB's messages, canonical numbers,
item size as DynamoDB bills it, and semantic equality.

Items stay in wire form inside the engine ({"attr": {"S": "x"}}; numbers as canonical
strings; binary as base64 text). Validation returns the same objects when nothing needs
rewriting, so valid items cost one walk and no copies.
"""
from __future__ import annotations

import binascii
from typing import Any, Callable

from jobtable.engine.errors import SerializationException, ValidationException
from jobtable.engine.numbers import NOT_NUMERIC, normalize_number, number_size, to_decimal

MAX_NESTING_DEPTH = 32  # a top-level attribute is level 1
MAX_ITEM_BYTES = 400 * 1024

_INVALID = "One or more parameter values were invalid: "
EMPTY_VALUE = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
MANY_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
NESTING = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
EMPTY_ATTRIBUTE_NAME = _INVALID + "An attribute name cannot be empty"  # wording not confirmed
_NULL_FALSE = _INVALID + "Null attribute value types must have the value of true"
_EMPTY_SET = {
    "SS": _INVALID + "An string set  may not be empty",
    "NS": _INVALID + "An number set  may not be empty",
    "BS": _INVALID + "Binary sets should not be empty",
}
_FIELD_TYPE = "Unexpected field type"
_STRUCT_START = "Start of structure or map found where not expected"

Value = dict[str, Any]


# --- JSON type errors: DynamoDB reports these as SerializationException -------------------


def _scalar_kind(raw: Any) -> str:
    if raw is True:
        return "TRUE_VALUE"
    if raw is False:
        return "FALSE_VALUE"
    if isinstance(raw, int):
        return "NUMBER_VALUE"
    return "DECIMAL_VALUE"


def _expect_string(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        raise SerializationException(_STRUCT_START)
    if isinstance(raw, list):
        raise SerializationException("Unrecognized collection type class java.lang.String")
    raise SerializationException(f"{_scalar_kind(raw)} cannot be converted to String")


def _expect_bool(raw: Any) -> bool:
    if raw is True or raw is False:
        return raw
    if isinstance(raw, str):
        raise SerializationException("Unexpected token received from parser")
    if isinstance(raw, dict):
        raise SerializationException(_STRUCT_START)
    if isinstance(raw, list):
        raise SerializationException("Unrecognized collection type class java.lang.Boolean")
    raise SerializationException(f"{_scalar_kind(raw)} cannot be converted to Boolean")


def _expect_list(raw: Any) -> list:
    if isinstance(raw, list):
        return raw
    if isinstance(raw, dict):
        raise SerializationException(_STRUCT_START)
    raise SerializationException(_FIELD_TYPE)


def decode_binary(b64: Any) -> bytes:
    """Bytes of a B value; rejects what DynamoDB rejects (non-strings, bad length or
    alphabet, non-canonical padding bits) with its SerializationException messages."""
    if not isinstance(b64, str):
        if isinstance(b64, dict):
            raise SerializationException(_STRUCT_START)
        if isinstance(b64, list):
            raise SerializationException("Unrecognized collection type class java.nio.ByteBuffer")
        raise SerializationException("only base-64-encoded strings are convertible to bytes")
    if len(b64) % 4:
        raise SerializationException(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(b64)}"
        )
    try:
        data = binascii.a2b_base64(b64, strict_mode=True)
    except (binascii.Error, ValueError):
        raise SerializationException("Invalid last non-pad Base64 character dectected") from None
    # strict_mode still accepts set padding bits ("+/+="); DynamoDB does not.
    if b64.endswith("=") and binascii.b2a_base64(data, newline=False).decode("ascii") != b64:
        raise SerializationException("Invalid last non-pad Base64 character dectected")
    return data


def binary_length(b64: str) -> int:
    """Decoded length of a validated base64 string, without decoding it."""
    length = len(b64) // 4 * 3
    if b64.endswith("=="):
        return length - 2
    if b64.endswith("="):
        return length - 1
    return length


# --- validation ---------------------------------------------------------------------------


def _list_text(elements: list) -> str:
    return "[" + ", ".join(elements) + "]"


def _check_s(raw: Any, value: Value, depth: int) -> Value:
    _expect_string(raw)
    return value


def _check_n(raw: Any, value: Value, depth: int) -> Value:
    canonical = normalize_number(_expect_string(raw))
    return value if canonical == raw else {"N": canonical}


def _check_b(raw: Any, value: Value, depth: int) -> Value:
    decode_binary(raw)
    return value


def _check_bool(raw: Any, value: Value, depth: int) -> Value:
    _expect_bool(raw)
    return value


def _check_null(raw: Any, value: Value, depth: int) -> Value:
    if not _expect_bool(raw):
        raise ValidationException(_NULL_FALSE)
    return value


def _check_ss(raw: Any, value: Value, depth: int) -> Value:
    elements = _expect_list(raw)
    if not elements:
        raise ValidationException(_EMPTY_SET["SS"])
    for element in elements:
        _expect_string(element)
    if len(set(elements)) != len(elements):
        raise ValidationException(f"{_INVALID}Input collection {_list_text(elements)} contains duplicates.")
    return value


def _check_ns(raw: Any, value: Value, depth: int) -> Value:
    elements = _expect_list(raw)
    if not elements:
        raise ValidationException(_EMPTY_SET["NS"])
    canonical = [normalize_number(_expect_string(element)) for element in elements]
    if len(set(canonical)) != len(canonical):  # canonical text is unique per numeric value
        raise ValidationException("Input collection contains duplicates")
    return value if canonical == elements else {"NS": canonical}


def _check_bs(raw: Any, value: Value, depth: int) -> Value:
    elements = _expect_list(raw)
    if not elements:
        raise ValidationException(_EMPTY_SET["BS"])
    decoded = {decode_binary(element) for element in elements}
    if len(decoded) != len(elements):
        raise ValidationException(
            f"{_INVALID}Input collection {_list_text(elements)}of type BS contains duplicates."
        )
    return value


def _check_l(raw: Any, value: Value, depth: int) -> Value:
    elements = _expect_list(raw)
    checked = [_check(element, depth + 1) for element in elements]
    if all(new is old for new, old in zip(checked, elements)):
        return value
    return {"L": checked}


def _check_m(raw: Any, value: Value, depth: int) -> Value:
    if not isinstance(raw, dict):
        if isinstance(raw, list):
            raise SerializationException(
                "Unrecognized collection type java.util.Map<java.lang.String, "
                "com.amazonaws.dynamodb.v20120810.AttributeValue>"
            )
        raise SerializationException(_FIELD_TYPE)
    changed = None
    for name, element in raw.items():
        new = _check(element, depth + 1)
        if new is not element:
            if changed is None:
                changed = dict(raw)
            changed[name] = new
    return value if changed is None else {"M": changed}


_CHECKS: dict[str, Callable[[Any, Value, int], Value]] = {
    "S": _check_s,
    "N": _check_n,
    "B": _check_b,
    "BOOL": _check_bool,
    "NULL": _check_null,
    "SS": _check_ss,
    "NS": _check_ns,
    "BS": _check_bs,
    "L": _check_l,
    "M": _check_m,
}


def _check(value: Any, depth: int) -> Value:
    if depth > MAX_NESTING_DEPTH:
        raise ValidationException(NESTING)
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise SerializationException(
                "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
            )
        raise SerializationException("Unexpected value type in payload")
    if len(value) == 1:  # the common case: exactly one member
        for tag, raw in value.items():
            if tag == "S" and raw.__class__ is str:  # the most common value of all: nothing to change
                return value
            check = _CHECKS.get(tag)
            if check is None or raw is None:
                raise ValidationException(EMPTY_VALUE)
            return check(raw, value, depth)
    # Unknown members and JSON nulls are ignored, as DynamoDB's deserializer does; each set
    # member is validated before the "more than one" rule, which is the order DynamoDB uses.
    present = [(tag, raw) for tag, raw in value.items() if raw is not None and tag in _CHECKS]
    if not present:
        raise ValidationException(EMPTY_VALUE)
    results = [_CHECKS[tag](raw, {tag: raw}, depth) for tag, raw in present]
    if len(results) > 1:
        raise ValidationException(MANY_TYPES)
    return results[0]


def validate_value(value: Any) -> Value:
    """Validate one AttributeValue; return it with numbers in canonical form (the same
    object when nothing changed)."""
    return _check(value, 1)


def validate_item(item: dict[str, Any], *, context: str = "") -> dict[str, Value]:
    """Validate every attribute of an item (or a Key) and return it with numbers canonical.

    `context` is put in front of ValidationException messages where DynamoDB does so,
    e.g. "The provided starting key is invalid: " for ExclusiveStartKey.
    """
    try:
        changed = None
        for name, value in item.items():
            if not name:
                raise ValidationException(EMPTY_ATTRIBUTE_NAME)
            new = _check(value, 1)
            if new is not value:
                if changed is None:
                    changed = dict(item)
                changed[name] = new
        return item if changed is None else changed
    except ValidationException as error:
        if context:
            raise ValidationException(context + error.message) from None
        raise


def validate_expression_values(values: dict[str, Any]) -> dict[str, Value]:
    """Validate ExpressionAttributeValues, wrapping errors the way DynamoDB does:
    "ExpressionAttributeValues contains invalid value: <reason> for key :v"."""
    changed = None
    for key, value in values.items():
        try:
            new = _check(value, 1)
        except ValidationException as error:
            raise ValidationException(
                f"ExpressionAttributeValues contains invalid value: {error.message} for key {key}"
            ) from None
        if new is not value:
            if changed is None:
                changed = dict(values)
            changed[key] = new
    return values if changed is None else changed


# --- size ---------------------------------------------------------------------------------


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def attribute_value_size(value: Value) -> int:
    """Bytes DynamoDB counts for a validated value (without its attribute name):
    S UTF-8 length; N see numbers.number_size; B raw length; BOOL/NULL 1; sets the sum of
    their members; L and M 3 bytes plus 1 per element plus the elements (M adds the names)."""
    for tag, raw in value.items():
        return _SIZERS[tag](raw)
    return 0


def _map_size(raw: dict[str, Value]) -> int:
    size = 3
    for name, element in raw.items():
        size += _utf8_length(name) + 1 + attribute_value_size(element)
    return size


def _list_size(raw: list[Value]) -> int:
    size = 3
    for element in raw:
        size += 1 + attribute_value_size(element)
    return size


def _one_byte(raw: Any) -> int:
    return 1


_SIZERS: dict[str, Callable[[Any], int]] = {
    "S": _utf8_length,
    "N": number_size,
    "B": binary_length,
    "BOOL": _one_byte,
    "NULL": _one_byte,
    "M": _map_size,
    "L": _list_size,
    "SS": lambda raw: sum(map(_utf8_length, raw)),
    "NS": lambda raw: sum(map(number_size, raw)),
    "BS": lambda raw: sum(map(binary_length, raw)),
}


def item_size(item: dict[str, Value]) -> int:
    """DynamoDB's size of an item in bytes: attribute names (UTF-8) plus value sizes."""
    size = 0
    for name, value in item.items():
        for tag, raw in value.items():
            size += (len(name) if name.isascii() else _utf8_length(name)) + _SIZERS[tag](raw)
    return size


def check_item_size(item: dict[str, Value], message: str = ITEM_TOO_LARGE) -> int:
    """Return the item's size, raising DynamoDB's error when it is over 400 KB.
    UpdateItem passes "Item size to update has exceeded the maximum allowed size"."""
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ValidationException(message)
    return size


# --- equality -----------------------------------------------------------------------------


def values_equal(a: Value, b: Value) -> bool:
    """Semantic equality of two AttributeValues: same type, numbers compared numerically,
    sets compared without order, lists in order, maps by key."""
    if a is b:
        return True
    if len(a) != 1 or len(b) != 1:
        return False
    (tag, left), = a.items()
    (other_tag, right), = b.items()
    if tag != other_tag:
        return False
    if tag == "N":
        return left == right or to_decimal(left) == to_decimal(right)
    if tag == "NS":
        return len(left) == len(right) and set(map(to_decimal, left)) == set(map(to_decimal, right))
    if tag == "SS":
        return len(left) == len(right) and set(left) == set(right)
    if tag == "BS":
        return len(left) == len(right) and set(map(decode_binary, left)) == set(map(decode_binary, right))
    if tag == "B":
        return left == right or decode_binary(left) == decode_binary(right)
    if tag == "L":
        return len(left) == len(right) and all(map(values_equal, left, right))
    if tag == "M":
        return left.keys() == right.keys() and all(values_equal(v, right[k]) for k, v in left.items())
    return left == right  # S, BOOL, NULL


def items_equal(a: dict[str, Value], b: dict[str, Value]) -> bool:
    """Semantic equality of two items (a write that changes nothing)."""
    return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())


__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_NESTING_DEPTH",
    "NOT_NUMERIC",
    "attribute_value_size",
    "binary_length",
    "check_item_size",
    "decode_binary",
    "item_size",
    "items_equal",
    "validate_expression_values",
    "validate_item",
    "validate_value",
    "values_equal",
]
