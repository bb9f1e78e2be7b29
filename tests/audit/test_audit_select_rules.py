"""Select / ProjectionExpression / AttributesToGet combinations DynamoDB refuses, with its
wording: Query's messages carry a "1 validation error detected: " prefix, Scan's do not;
COUNT is spelled "only the Count"."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def indexed(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "g")],
                     GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    backend.settle()
    return table_name


def _read(ddb: Any, operation: str, table: str, **kwargs: Any) -> Any:
    if operation == "query":
        key = "g" if kwargs.get("IndexName") else "pk"
        if "AttributesToGet" in kwargs:
            kwargs["KeyConditions"] = {key: {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "v"}]}}
        else:
            kwargs.update(KeyConditionExpression=f"{key} = :k", ExpressionAttributeValues={":k": {"S": "v"}})
        return ddb.query(TableName=table, **kwargs)
    return ddb.scan(TableName=table, **kwargs)


def _message(ddb: Any, operation: str, table: str, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        _read(ddb, operation, table, **kwargs)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    return info.value.response["Error"]["Message"]


PREFIX = {"query": "1 validation error detected: ", "scan": ""}
SHOWN = {"ALL_ATTRIBUTES": "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES": "ALL_PROJECTED_ATTRIBUTES",
         "COUNT": "only the Count"}


@pytest.mark.parametrize("operation", ["query", "scan"])
@pytest.mark.parametrize("select", list(SHOWN))
def test_projection_or_attributes_to_get_with_other_select(ddb: Any, indexed: str, operation: str,
                                                           select: str) -> None:
    assert _message(ddb, operation, indexed, IndexName="byG", Select=select, ProjectionExpression="g") == (
        f"{PREFIX[operation]}Cannot specify the ProjectionExpression when choosing to get {SHOWN[select]}")
    assert _message(ddb, operation, indexed, IndexName="byG", Select=select, AttributesToGet=["g"]) == (
        f"{PREFIX[operation]}Cannot specify the AttributesToGet when choosing to get {SHOWN[select]}")


@pytest.mark.parametrize("operation", ["query", "scan"])
def test_specific_attributes_needs_a_selection(ddb: Any, indexed: str, operation: str) -> None:
    assert _message(ddb, operation, indexed, Select="SPECIFIC_ATTRIBUTES") == (
        f"{PREFIX[operation]}Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES")
    assert _read(ddb, operation, indexed, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="pk")["Count"] == 0


@pytest.mark.parametrize("operation", ["query", "scan"])
def test_all_projected_needs_an_index(ddb: Any, indexed: str, operation: str) -> None:
    assert _message(ddb, operation, indexed, Select="ALL_PROJECTED_ATTRIBUTES") == (
        f"{PREFIX[operation]}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    assert _read(ddb, operation, indexed, IndexName="byG", Select="ALL_PROJECTED_ATTRIBUTES")["Count"] == 0
