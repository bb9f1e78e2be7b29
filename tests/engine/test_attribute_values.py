"""AttributeValue validation, canonical numbers, item size and semantic equality."""
import pytest

from jobtable.engine.errors import SerializationException, ValidationException
from jobtable.engine.values import (
    attribute_value_size,
    check_item_size,
    decode_binary,
    item_size,
    items_equal,
    validate_expression_values,
    validate_item,
    validate_value,
    values_equal,
)

INVALID = "One or more parameter values were invalid: "


def nested(depth: int) -> dict:
    """A value whose leaf sits at level depth + 1 (the attribute itself is level 1)."""
    value = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"n": value}}
    return value


def validation_message(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationException) as caught:
        call(*args, **kwargs)
    return caught.value.message


def serialization_message(value) -> str:
    with pytest.raises(SerializationException) as caught:
        validate_value(value)
    return caught.value.message


def test_numbers_become_canonical_everywhere_and_valid_items_are_not_copied():
    item = {
        "n": {"N": "1.50"},
        "ns": {"NS": ["1e2", "3"]},
        "l": {"L": [{"N": "0001"}, {"S": "x"}]},
        "m": {"M": {"deep": {"M": {"x": {"N": "-0.0"}}}}},
        "s": {"S": ""},
        "b": {"B": ""},
    }
    assert validate_item(item) == {
        "n": {"N": "1.5"},
        "ns": {"NS": ["100", "3"]},
        "l": {"L": [{"N": "1"}, {"S": "x"}]},
        "m": {"M": {"deep": {"M": {"x": {"N": "0"}}}}},
        "s": {"S": ""},
        "b": {"B": ""},
    }
    canonical = {"jobId": {"S": "j1"}, "n": {"N": "12"}, "t": {"L": [{"N": "1.5"}]}}
    assert validate_item(canonical) is canonical


@pytest.mark.parametrize(
    "value, message",
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"a": ""}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"S": None}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
        ({"S": "a", "N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"BS": ["Yg==", "Yg=="]}, INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates."),
        ({"NS": ["1", ""]}, "The parameter cannot be converted to a numeric value"),
        ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
        ({"N": "1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ({"L": [{"M": {"x": {"SS": []}}}]}, INVALID + "An string set  may not be empty"),
    ],
)
def test_invalid_values_raise_dynamodb_messages(value, message):
    assert validation_message(validate_value, value) == message


@pytest.mark.parametrize(
    "value, message",
    [
        ({"S": 5}, "NUMBER_VALUE cannot be converted to String"),
        ({"S": True}, "TRUE_VALUE cannot be converted to String"),
        ({"N": 123}, "NUMBER_VALUE cannot be converted to String"),
        ({"N": 1.5}, "DECIMAL_VALUE cannot be converted to String"),
        ({"BOOL": "true"}, "Unexpected token received from parser"),
        ({"BOOL": 1}, "NUMBER_VALUE cannot be converted to Boolean"),
        ({"NULL": []}, "Unrecognized collection type class java.lang.Boolean"),
        ({"B": 5}, "only base-64-encoded strings are convertible to bytes"),
        ({"B": "23456"}, "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
        ({"B": "=+/="}, "Invalid last non-pad Base64 character dectected"),
        ({"B": "+/+="}, "Invalid last non-pad Base64 character dectected"),
        ({"L": "x"}, "Unexpected field type"),
        ({"M": []}, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"),
        ({"L": ["x"]}, "Unexpected value type in payload"),
        ({"SS": {}}, "Start of structure or map found where not expected"),
    ],
)
def test_wrong_json_types_are_serialization_errors(value, message):
    assert serialization_message(value) == message


def test_nesting_limit_is_32_levels():
    assert validate_value(nested(31)) == nested(31)
    message = validation_message(validate_item, {"data": nested(32)})
    assert message.startswith("Nesting Levels have exceeded supported limits")
    deep_list = {"S": "x"}
    for _ in range(40):
        deep_list = {"L": [deep_list]}
    assert validation_message(validate_value, deep_list).startswith("Nesting Levels")


def test_item_level_rules_and_context_prefix():
    assert validation_message(validate_item, {"": {"S": "x"}}).startswith(INVALID)
    message = validation_message(validate_item, {"a": {"SS": []}}, context="The provided starting key is invalid: ")
    assert message == "The provided starting key is invalid: " + INVALID + "An string set  may not be empty"


def test_expression_values_wrap_the_reason_and_name_the_key():
    assert validate_expression_values({":n": {"N": "01"}, ":s": {"S": "x"}}) == {":n": {"N": "1"}, ":s": {"S": "x"}}
    assert validation_message(validate_expression_values, {":b": {"NS": []}}) == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An number set  may not be empty for key :b"
    )


def test_decode_binary():
    assert decode_binary("AAEC") == b"\x00\x01\x02"
    assert decode_binary("") == b""
    assert decode_binary("/w==") == b"\xff"


# --- size: the Developer Guide's rules ("DynamoDB item sizes and formats") ------------------


def test_item_size_follows_the_developer_guide():
    assert item_size({"id": {"S": "abc"}}) == 2 + 3
    assert item_size({"name": {"S": "héllo"}}) == 4 + 6  # UTF-8 bytes
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"b": {"B": "AAECAw=="}}) == 1 + 4  # raw bytes, not base64 text
    assert item_size({"flag": {"BOOL": True}, "nil": {"NULL": True}}) == 4 + 1 + 3 + 1
    assert item_size({"l": {"L": []}}) == 1 + 3  # empty list: 3 bytes of overhead
    assert item_size({"m": {"M": {}}}) == 1 + 3
    assert item_size({"l": {"L": [{"S": "xy"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"ab": {"S": "xyz"}}}}) == 1 + 3 + (2 + 1 + 3)
    assert item_size({"ss": {"SS": ["a", "bc"]}, "ns": {"NS": ["1", "-1"]}}) == 2 + 3 + 2 + (2 + 3)
    assert item_size({"bs": {"BS": ["AA==", "AAE="]}}) == 2 + 1 + 2
    assert attribute_value_size({"S": ""}) == 0


def test_item_size_limit_is_400_kb():
    fits = {"k": {"S": "x" * (400 * 1024 - 1)}}
    assert check_item_size(fits) == 400 * 1024
    too_big = {"k": {"S": "x" * (400 * 1024)}}
    with pytest.raises(ValidationException) as caught:
        check_item_size(too_big)
    assert caught.value.message == "Item size has exceeded the maximum allowed size"


# --- equality ------------------------------------------------------------------------------


def test_values_equal_is_semantic():
    assert values_equal({"N": "1"}, {"N": "1.0"})
    assert values_equal({"NS": ["1", "2.50"]}, {"NS": ["2.5", "1"]})
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"BS": ["AQ==", "Ag=="]}, {"BS": ["Ag==", "AQ=="]})
    assert values_equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1.0"}]}}})
    assert not values_equal({"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]})
    assert not values_equal({"S": "1"}, {"N": "1"})
    assert not values_equal({"SS": ["a"]}, {"SS": ["a", "b"]})
    assert not values_equal({"BOOL": True}, {"BOOL": False})
    assert items_equal({"a": {"N": "1"}}, {"a": {"N": "1.00"}})
    assert not items_equal({"a": {"N": "1"}}, {"a": {"N": "1"}, "b": {"NULL": True}})
