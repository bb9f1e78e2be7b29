"""The pre-expression parameters: Expected, QueryFilter/ScanFilter, KeyConditions,
AttributeUpdates and AttributesToGet."""
import pytest
from expr_wire import L, N, S

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions.legacy import (
    condition_from_expected,
    condition_from_filter,
    key_condition_from_key_conditions,
    projection_from_attributes_to_get,
    update_from_attribute_updates,
)

ITEM = {"id": S("k"), "n": N("5"), "s": S("hello"), "tags": {"SS": ["a", "b"]}, "l": L(S("x"), N("1"))}


def cond(op, *values):
    return {"ComparisonOperator": op, "AttributeValueList": list(values)}


FILTERS = [
    ({"n": cond("EQ", N("5.0"))}, True),
    ({"n": cond("NE", N("5"))}, False),
    ({"absent": cond("NE", N("5"))}, True),
    ({"n": cond("LT", N("6"))}, True),
    ({"n": cond("GE", N("6"))}, False),
    ({"s": cond("BEGINS_WITH", S("he"))}, True),
    ({"s": cond("CONTAINS", S("ell"))}, True),
    ({"tags": cond("CONTAINS", S("a"))}, True),
    ({"l": cond("CONTAINS", N("1"))}, True),
    ({"tags": cond("NOT_CONTAINS", S("c"))}, True),
    ({"absent": cond("NOT_CONTAINS", S("c"))}, True),
    ({"n": cond("IN", N("1"), N("5"))}, True),
    ({"n": cond("BETWEEN", N("1"), N("5"))}, True),
    ({"n": cond("NOT_NULL")}, True),
    ({"absent": cond("NULL")}, True),
    ({"n": cond("NULL")}, False),
    ({"n": cond("EQ", N("5")), "s": cond("EQ", S("nope"))}, False),
]


@pytest.mark.parametrize("conditions,expected", FILTERS)
def test_filters(conditions, expected):
    assert condition_from_filter(conditions).evaluate(ITEM) is expected


def test_conditional_operator_or():
    conditions = {"n": cond("EQ", N("5")), "s": cond("EQ", S("nope"))}
    assert condition_from_filter(conditions, "OR").evaluate(ITEM) is True
    assert condition_from_filter(conditions, "AND").evaluate(ITEM) is False


def test_reserved_words_are_fine_in_legacy_parameters():
    assert condition_from_filter({"status": cond("NULL")}).evaluate(ITEM) is True


@pytest.mark.parametrize(
    "conditions,message",
    [
        ({"n": cond("EQ")}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        ({"n": cond("NULL", N("1"))}, "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"),
        ({"n": cond("IN")}, "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"),
        ({"n": cond("BETWEEN", N("1"))}, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        ({"n": cond("IN", N("1"), S("1"))}, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
        ({"n": cond("LT", L())}, "One or more parameter values were invalid: ComparisonOperator LT is not valid for L AttributeValue type"),
        ({"n": cond("BEGINS_WITH", N("1"))}, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
        ({"n": cond("BETWEEN", N("5"), N("1"))}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ],
)
def test_filter_errors(conditions, message):
    with pytest.raises(ValidationException) as info:
        condition_from_filter(conditions)
    assert info.value.message == message


EXPECTED = [
    ({"n": {"Value": N("5")}}, True),
    ({"n": {"Value": N("6"), "Exists": True}}, False),
    ({"absent": {"Exists": False}}, True),
    ({"n": {"Exists": False}}, False),
    ({"n": {"ComparisonOperator": "GT", "Value": N("4")}}, True),
    ({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N("1"), N("4")]}}, False),
    ({"absent": {"ComparisonOperator": "NULL"}}, True),
]


@pytest.mark.parametrize("expected,result", EXPECTED)
def test_expected(expected, result):
    assert condition_from_expected(expected).evaluate(ITEM) is result


def test_expected_on_a_missing_item():
    assert condition_from_expected({"id": {"Exists": False}}).evaluate(None) is True


@pytest.mark.parametrize(
    "expected,message",
    [
        ({"a": {"Value": N("1"), "AttributeValueList": [N("1")], "ComparisonOperator": "EQ"}}, "Value and AttributeValueList cannot be used together for Attribute: a"),
        ({"a": {"Exists": True, "ComparisonOperator": "EQ", "Value": N("1")}}, "Exists and ComparisonOperator cannot be used together for Attribute: a"),
        ({"a": {"ComparisonOperator": "EQ"}}, "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
        ({"a": {"AttributeValueList": [N("1")]}}, "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
        ({"a": {}}, "Value must be provided when Exists is null for Attribute: a"),
        ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
        ({"a": {"Exists": False, "Value": N("1")}}, "Value cannot be used when Exists is false for Attribute: a"),
    ],
)
def test_expected_errors(expected, message):
    with pytest.raises(ValidationException) as info:
        condition_from_expected(expected)
    assert info.value.message == f"One or more parameter values were invalid: {message}"


@pytest.mark.parametrize(
    "conditions,op,values",
    [
        ({"id": cond("EQ", S("k"))}, None, ()),
        ({"id": cond("EQ", S("k")), "c": cond("BETWEEN", S("a"), S("b"))}, "BETWEEN", (S("a"), S("b"))),
        ({"c": cond("BEGINS_WITH", S("a")), "id": cond("EQ", S("k"))}, "BEGINS_WITH", (S("a"),)),
        ({"id": cond("EQ", S("k")), "c": cond("LE", S("a"))}, "LE", (S("a"),)),
    ],
)
def test_key_conditions(conditions, op, values):
    key = key_condition_from_key_conditions(conditions, "id", "c")
    assert (key.hash_value, key.range_op, key.range_values) == (S("k"), op, values)


@pytest.mark.parametrize(
    "conditions,range_key,message",
    [
        ({"c": cond("EQ", S("a"))}, "c", "Query condition missed key schema element: id"),
        ({"id": cond("EQ", S("k")), "x": cond("EQ", S("a"))}, "c", "Query condition missed key schema element: c"),
        ({"id": cond("EQ", S("k")), "x": cond("EQ", S("a"))}, None, "Query key condition not supported"),
        ({"id": cond("GT", S("k"))}, "c", "Query key condition not supported"),
        ({"id": cond("EQ", S("k")), "c": cond("NE", S("a"))}, "c", "Attempted conditional constraint is not an indexable operation"),
        ({"id": cond("EQ", S("k")), "c": cond("IN", S("a"))}, "c", "Attempted conditional constraint is not an indexable operation"),
        ({"id": cond("EQ", S("k")), "c": cond("EQ", S("a")), "d": cond("EQ", S("a"))}, "c", "Conditions can be of length 1 or 2 only"),
        ({"id": cond("EQ")}, "c", "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
    ],
)
def test_key_condition_errors(conditions, range_key, message):
    with pytest.raises(ValidationException) as info:
        key_condition_from_key_conditions(conditions, "id", range_key)
    assert info.value.message == message


def test_attribute_updates():
    update = update_from_attribute_updates({
        "s": {"Value": S("new")},
        "n": {"Action": "ADD", "Value": N("2")},
        "fresh": {"Action": "ADD", "Value": {"NS": ["1"]}},
        "l": {"Action": "ADD", "Value": L(S("y"))},
        "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "id2": {"Action": "DELETE"},
    })
    new = update.apply(dict(ITEM, id2=S("gone")))
    assert new == {
        "id": S("k"), "n": N("7"), "s": S("new"), "tags": {"SS": ["b"]}, "l": L(S("x"), N("1"), S("y")),
        "fresh": {"NS": ["1"]},
    }
    assert update.top_level_names == frozenset({"s", "n", "fresh", "l", "tags", "id2"})
    assert update.project_updated(new) == {
        "s": S("new"), "n": N("7"), "fresh": {"NS": ["1"]}, "l": L(S("x"), N("1"), S("y")), "tags": {"SS": ["b"]},
    }


def test_attribute_updates_delete_last_element_removes_attribute():
    update = update_from_attribute_updates({"tags": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}}})
    assert "tags" not in update.apply(ITEM)


@pytest.mark.parametrize(
    "updates,message",
    [
        ({"a": {"Action": "PUT"}}, "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"),
        ({"a": {"Action": "DELETE", "Value": N("1")}}, "One or more parameter values were invalid: DELETE action with value is not supported for the type N"),
        ({"a": {"Action": "ADD", "Value": S("x")}}, "One or more parameter values were invalid: ADD action is not supported for the type S"),
    ],
)
def test_attribute_update_errors(updates, message):
    with pytest.raises(ValidationException) as info:
        update_from_attribute_updates(updates)
    assert info.value.message == message


@pytest.mark.parametrize(
    "updates", [{"s": {"Action": "ADD", "Value": N("1")}}, {"n": {"Action": "DELETE", "Value": {"SS": ["a"]}}}]
)
def test_attribute_update_type_mismatch(updates):
    with pytest.raises(ValidationException, match="^Type mismatch for attribute to update$"):
        update_from_attribute_updates(updates).apply(ITEM)


def test_attributes_to_get():
    assert projection_from_attributes_to_get(["s", "n", "absent"]).apply(ITEM) == {"s": S("hello"), "n": N("5")}
    with pytest.raises(ValidationException, match="Duplicate value in attribute name: s"):
        projection_from_attributes_to_get(["s", "n", "s"])
