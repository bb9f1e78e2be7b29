"""A request may name its table by ARN; DynamoDB then answers with the ARN too.

ConsumedCapacity.TableName echoes the ARN ("If you had specified the ARN of a table in the
input, you'll see the table ARN in the response"), and BatchGetItem/BatchWriteItem key
Responses / UnprocessedKeys / UnprocessedItems / ConsumedCapacity the way RequestItems did,
so `response["Responses"][arn]` and the UnprocessedKeys retry loop work.
"""
from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def arn_table(ddb: Any, backend: Any, table_name: str) -> tuple[str, str]:
    description = ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    backend.settle()
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    return table_name, description["TableDescription"]["TableArn"]


def test_single_item_capacity_names_the_arn(ddb: Any, arn_table: tuple[str, str]) -> None:
    name, arn = arn_table
    assert ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}},
                        ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]["TableName"] == arn
    assert ddb.put_item(TableName=arn, Item={"pk": {"S": "b"}},
                        ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]["TableName"] == arn
    assert ddb.query(TableName=arn, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                     ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]["TableName"] == arn
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}},
                        ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]["TableName"] == name


def test_batch_get_answers_under_the_arn(ddb: Any, arn_table: tuple[str, str]) -> None:
    name, arn = arn_table
    out = ddb.batch_get_item(RequestItems={arn: {"Keys": [{"pk": {"S": "a"}}]}}, ReturnConsumedCapacity="TOTAL")
    assert out["Responses"] == {arn: [{"pk": {"S": "a"}}]}
    assert [c["TableName"] for c in out["ConsumedCapacity"]] == [arn]


def test_batch_write_and_transactions_capacity_under_the_arn(ddb: Any, arn_table: tuple[str, str]) -> None:
    name, arn = arn_table
    out = ddb.batch_write_item(RequestItems={arn: [{"PutRequest": {"Item": {"pk": {"S": "c"}}}}]},
                               ReturnConsumedCapacity="TOTAL")
    assert out["UnprocessedItems"] == {}
    assert [c["TableName"] for c in out["ConsumedCapacity"]] == [arn]
    out = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": arn, "Item": {"pk": {"S": "d"}}}}],
                                   ReturnConsumedCapacity="TOTAL")
    assert [c["TableName"] for c in out["ConsumedCapacity"]] == [arn]
    out = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": arn, "Key": {"pk": {"S": "d"}}}}],
                                 ReturnConsumedCapacity="TOTAL")
    assert [c["TableName"] for c in out["ConsumedCapacity"]] == [arn]


def test_unprocessed_keys_past_16mb_keep_the_arn(ddb: Any, arn_table: tuple[str, str]) -> None:
    """Past the 16 MB response cap the rest comes back in UnprocessedKeys, keyed as requested."""
    name, arn = arn_table
    big = "x" * 390_000
    keys = [{"pk": {"S": f"big{i}"}} for i in range(50)]
    for start in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {**k, "d": {"S": big}}}}
                                                  for k in keys[start:start + 25]]})
    request: dict = {arn: {"Keys": keys, "ProjectionExpression": "pk"}}
    out = ddb.batch_get_item(RequestItems={arn: {"Keys": keys}})
    assert set(out["UnprocessedKeys"]) == {arn}
    got = len(out["Responses"][arn])
    rest = out["UnprocessedKeys"][arn]["Keys"]
    assert 0 < got < 50 and got + len(rest) == 50
    assert ddb.batch_get_item(RequestItems=request)["Responses"][arn]
