"""Query rules DynamoDB enforces that a lenient emulator lets through.

- A Query's FilterExpression (or legacy QueryFilter) may not name the partition or sort
  key of the table or index being queried: those belong in the key condition.
- An ExclusiveStartKey whose partition key differs from the key condition's is refused
  (a client that mixes up pagination tokens must not silently read another partition).
"""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

KEY_FILTER = "Filter Expression can only contain non-primary key attributes: Primary key attribute: {}"
OUTSIDE = "The provided starting key is outside query boundaries based on provided conditions"


@pytest.fixture
def ranged(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    backend.settle()
    for pk in ("a", "b"):
        for sk in ("1", "2"):
            ddb.put_item(TableName=table_name, Item={"pk": {"S": pk}, "sk": {"S": sk}, "g": {"S": "x"}})
    return table_name


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.mark.parametrize("filter_text, key", [("sk = :v", "sk"), ("#p = :v", "pk"), ("size(sk) > :n", "sk")])
def test_query_filter_on_table_key_is_refused(ddb: Any, ranged: str, filter_text: str, key: str) -> None:
    values = {":p": {"S": "a"}, ":v": {"S": "1"}, ":n": {"N": "0"}}
    used = {k: v for k, v in values.items() if k in filter_text or k == ":p"}
    kwargs: dict = {"TableName": ranged, "KeyConditionExpression": "pk = :p", "FilterExpression": filter_text,
                    "ExpressionAttributeValues": used}
    if "#p" in filter_text:
        kwargs["ExpressionAttributeNames"] = {"#p": "pk"}
    assert _error(ddb.query, **kwargs) == ("ValidationException", KEY_FILTER.format(key))


def test_query_filter_on_index_key_is_refused_but_table_key_allowed(ddb: Any, ranged: str) -> None:
    assert _error(ddb.query, TableName=ranged, IndexName="byG", KeyConditionExpression="g = :g",
                  FilterExpression="g <> :v", ExpressionAttributeValues={":g": {"S": "x"}, ":v": {"S": "y"}}
                  ) == ("ValidationException", KEY_FILTER.format("g"))
    page = ddb.query(TableName=ranged, IndexName="byG", KeyConditionExpression="g = :g",
                     FilterExpression="sk = :v", ExpressionAttributeValues={":g": {"S": "x"}, ":v": {"S": "2"}})
    assert page["Count"] == 2 and page["ScannedCount"] == 4


def test_legacy_query_filter_on_key_is_refused(ddb: Any, ranged: str) -> None:
    assert _error(ddb.query, TableName=ranged,
                  KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
                  QueryFilter={"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "1"}]}}
                  ) == ("ValidationException",
                        "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk")


def test_scan_filter_on_key_is_fine(ddb: Any, ranged: str) -> None:
    page = ddb.scan(TableName=ranged, FilterExpression="sk = :v", ExpressionAttributeValues={":v": {"S": "1"}})
    assert page["Count"] == 2


def test_start_key_from_another_partition_is_refused(ddb: Any, ranged: str) -> None:
    assert _error(ddb.query, TableName=ranged, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}},
                  ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"S": "1"}}) == ("ValidationException", OUTSIDE)
    page = ddb.query(TableName=ranged, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                     ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "1"}})
    assert [item["sk"]["S"] for item in page["Items"]] == ["2"]
