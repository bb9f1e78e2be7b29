"""The pre-expression parameters, through boto3, in-process and over HTTP.

Each legacy form is checked against the expression it stands for, so both paths are held
to the same answers.
"""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import error_of

INVALID = "One or more parameter values were invalid: "


def S(text: str) -> dict:
    return {"S": text}


def N(number: int) -> dict:
    return {"N": str(number)}


@pytest.fixture
def table(ddb: Any, make_table: Any) -> str:
    """Partition 'p' with sort keys 1..6: n = 10 * sk, tags = {even|odd, all}, name = 'item-<sk>'."""
    name = make_table("composite")
    for sk in range(1, 7):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(sk), "n": N(10 * sk), "name": S(f"item-{sk}"),
                                           "tags": {"SS": ["even" if sk % 2 == 0 else "odd", "all"]}})
    return name


def key(sk: int) -> dict:
    return {"pk": S("p"), "sk": N(sk)}


def conditional_failed(call: Any) -> bool:
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return True
        raise
    return False


EXPECTED_CASES = [
    ({"n": {"Value": N(10)}}, True),
    ({"n": {"Value": N(11)}}, False),
    ({"n": {"Exists": True, "Value": N(10)}}, True),
    ({"missing": {"Exists": False}}, True),
    ({"n": {"Exists": False}}, False),
    ({"n": {"ComparisonOperator": "GT", "AttributeValueList": [N(5)]}}, True),
    ({"n": {"ComparisonOperator": "LE", "AttributeValueList": [N(9)]}}, False),
    ({"n": {"ComparisonOperator": "NE", "AttributeValueList": [N(9)]}}, True),
    ({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(10)]}}, True),
    ({"n": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), N(2)]}}, False),
    ({"name": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("item")]}}, True),
    ({"tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("odd")]}}, True),
    ({"tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("odd")]}}, False),
    ({"missing": {"ComparisonOperator": "NULL"}}, True),
    ({"n": {"ComparisonOperator": "NOT_NULL"}}, True),
    ({"n": {"Value": N(10), "ComparisonOperator": "EQ"}}, True),
]


def test_expected_guards_writes_like_condition_expressions(ddb: Any, table: str) -> None:
    item = {**key(1), "n": N(10), "name": S("item-1"), "tags": {"SS": ["odd", "all"]}}
    for expected, holds in EXPECTED_CASES:
        failed = conditional_failed(lambda: ddb.put_item(TableName=table, Item=item, Expected=expected))
        assert failed is not holds, expected


def test_conditional_operator_or_and_delete_and_update_with_expected(ddb: Any, table: str) -> None:
    either = {"n": {"Value": N(999)}, "name": {"Value": S("item-2")}}
    assert not conditional_failed(lambda: ddb.delete_item(TableName=table, Key=key(2), Expected=either,
                                                          ConditionalOperator="OR"))
    assert "Item" not in ddb.get_item(TableName=table, Key=key(2))
    assert conditional_failed(lambda: ddb.delete_item(TableName=table, Key=key(3), Expected=either))
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=table, Key=key(3), AttributeUpdates={"n": {"Value": N(0)}},
                        Expected={"n": {"Value": N(1)}}, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert excinfo.value.response["Item"]["n"] == N(30)


def test_attribute_updates_put_add_delete(ddb: Any, table: str) -> None:
    out = ddb.update_item(TableName=table, Key=key(4), AttributeUpdates={
        "name": {"Action": "PUT", "Value": S("renamed")},
        "n": {"Action": "ADD", "Value": N(5)},
        "counter": {"Action": "ADD", "Value": N(1)},
        "tags": {"Action": "DELETE", "Value": {"SS": ["all"]}},
        "extra": {"Action": "ADD", "Value": {"SS": ["x"]}},
    }, ReturnValues="ALL_NEW")["Attributes"]
    assert out == {**key(4), "name": S("renamed"), "n": N(45), "counter": N(1), "tags": {"SS": ["even"]},
                   "extra": {"SS": ["x"]}}
    out = ddb.update_item(TableName=table, Key=key(4), AttributeUpdates={"name": {"Action": "DELETE"}},
                          ReturnValues="UPDATED_OLD")["Attributes"]
    assert out == {"name": S("renamed")}
    created = ddb.update_item(TableName=table, Key=key(9), AttributeUpdates={"n": {"Value": N(1)}},
                              ReturnValues="ALL_NEW")["Attributes"]
    assert created == {**key(9), "n": N(1)}


def test_attributes_to_get_on_get_item(ddb: Any, table: str) -> None:
    item = ddb.get_item(TableName=table, Key=key(5), AttributesToGet=["name", "tags", "nothing"])["Item"]
    assert item == {"name": S("item-5"), "tags": {"SS": ["odd", "all"]}}


def test_key_conditions_and_query_filter(ddb: Any, table: str) -> None:
    out = ddb.query(TableName=table, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
        "sk": {"ComparisonOperator": "GE", "AttributeValueList": [N(2)]}},
        QueryFilter={"tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("even")]},
                     "n": {"ComparisonOperator": "GT", "AttributeValueList": [N(50)]}},
        ConditionalOperator="OR", AttributesToGet=["sk"], ScanIndexForward=False)
    assert [i["sk"]["N"] for i in out["Items"]] == ["6", "4", "2"] and out["ScannedCount"] == 5
    between = ddb.query(TableName=table, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(2), N(3)]}})
    assert [i["sk"]["N"] for i in between["Items"]] == ["2", "3"]


def test_scan_filter(ddb: Any, table: str) -> None:
    out = ddb.scan(TableName=table, ScanFilter={"n": {"ComparisonOperator": "IN", "AttributeValueList": [N(10), N(60)]},
                                                "name": {"ComparisonOperator": "NOT_NULL"}})
    assert sorted(i["sk"]["N"] for i in out["Items"]) == ["1", "6"]


EXPECTED_ERRORS = [
    ({"Expected": {"n": {}}}, INVALID + "Value must be provided when Exists is null for Attribute: n"),
    ({"Expected": {"n": {"Exists": True}}}, INVALID + "Value must be provided when Exists is true for Attribute: n"),
    ({"Expected": {"n": {"Exists": False, "Value": N(1)}}},
     INVALID + "Value cannot be used when Exists is false for Attribute: n"),
    ({"Expected": {"n": {"ComparisonOperator": "LT"}}},
     INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: n"),
    ({"Expected": {"n": {"Exists": True, "ComparisonOperator": "LT", "AttributeValueList": [N(1)]}}},
     INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: n"),
    ({"Expected": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}}},
     INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"Expected": {"n": {"Value": N(1)}}, "ConditionalOperator": "OR"},
     "ConditionalOperator can only be used when Filter or Expected has two or more elements"),
    ({"ConditionalOperator": "AND"}, "ConditionalOperator cannot be used without Filter or Expected"),
    ({"Expected": {"n": {"Value": N(1)}}, "ConditionExpression": "attribute_exists(n)"},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
]


def test_expected_validation_messages(ddb: Any, table: str) -> None:
    for request_args, message in EXPECTED_ERRORS:
        with pytest.raises(ClientError) as excinfo:
            ddb.put_item(TableName=table, Item=key(1), **request_args)
        assert error_of(excinfo) == ("ValidationException", message)


def test_update_query_and_projection_validation_messages(ddb: Any, table: str) -> None:
    cases = [
        (lambda: ddb.update_item(TableName=table, Key=key(1), AttributeUpdates={"n": {"Action": "PUT"}}),
         INVALID + "Only DELETE action is allowed when no attribute value is specified"),
        (lambda: ddb.update_item(TableName=table, Key=key(1), AttributeUpdates={"n": {"Action": "ADD",
                                                                                       "Value": S("x")}}),
         INVALID + "ADD action is not supported for the type S"),
        (lambda: ddb.update_item(TableName=table, Key=key(1), AttributeUpdates={"n": {"Action": "DELETE",
                                                                                       "Value": N(1)}}),
         INVALID + "DELETE action with value is not supported for the type N"),
        (lambda: ddb.update_item(TableName=table, Key=key(1), AttributeUpdates={"n": {"Value": N(1)}},
                                 UpdateExpression="SET n = :v", ExpressionAttributeValues={":v": N(1)}),
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"),
        (lambda: ddb.scan(TableName=table, ScanFilter={"n": {"ComparisonOperator": "LT",
                                                             "AttributeValueList": [{"BOOL": True}]}}),
         INVALID + "ComparisonOperator LT is not valid for BOOL AttributeValue type"),
        (lambda: ddb.get_item(TableName=table, Key=key(1), AttributesToGet=["n", "n"]),
         INVALID + "Duplicate value in attribute name: n"),
        (lambda: ddb.query(TableName=table, KeyConditions={"pk": {"ComparisonOperator": "NE",
                                                                  "AttributeValueList": [S("p")]}}),
         "Attempted conditional constraint is not an indexable operation"),
        (lambda: ddb.query(TableName=table, KeyConditions={"pk": {"ComparisonOperator": "GT",
                                                                  "AttributeValueList": [S("p")]}}),
         "Query key condition not supported"),
        (lambda: ddb.query(TableName=table, KeyConditions={"sk": {"ComparisonOperator": "EQ",
                                                                  "AttributeValueList": [N(1)]}}),
         "Query condition missed key schema element: pk"),
    ]
    for call, message in cases:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", message)
