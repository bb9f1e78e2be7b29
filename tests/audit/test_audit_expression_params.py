"""ExpressionAttributeNames/Values keys must be `#name` / `:value` tokens, as DynamoDB checks
before it looks at any expression (a missing `#`/`:` is the classic client bug)."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def simple(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    backend.settle()
    return table_name


def _message(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    return info.value.response["Error"]["Message"]


@pytest.mark.parametrize("key", ["v", "::v", ":", ":a-b"])
def test_value_key_without_colon_token(ddb: Any, simple: str, key: str) -> None:
    assert _message(ddb.scan, TableName=simple, FilterExpression="a = :v",
                    ExpressionAttributeValues={key: {"S": "x"}}) == (
        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')


@pytest.mark.parametrize("key", ["a", "#", "#a.b"])
def test_name_key_without_hash_token(ddb: Any, simple: str, key: str) -> None:
    assert _message(ddb.get_item, TableName=simple, Key={"pk": {"S": "x"}}, ProjectionExpression="#a",
                    ExpressionAttributeNames={key: "a"}) == (
        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')


def test_well_formed_keys_still_work(ddb: Any, simple: str) -> None:
    ddb.put_item(TableName=simple, Item={"pk": {"S": "x"}, "a": {"S": "y"}})
    page = ddb.scan(TableName=simple, FilterExpression="#a_1 = :v_1", ExpressionAttributeNames={"#a_1": "a"},
                    ExpressionAttributeValues={":v_1": {"S": "y"}})
    assert page["Count"] == 1
