"""UpdateTable answers with the table UPDATING when the change takes work in DynamoDB
(throughput, billing mode, stream, table class); the next DescribeTable shows it ACTIVE."""
from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def provisioned(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    backend.settle()
    return table_name


@pytest.mark.parametrize("change", [
    {"ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}},
    {"BillingMode": "PAY_PER_REQUEST"},
    {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
    {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
])
def test_update_answers_updating_then_active(ddb: Any, backend: Any, provisioned: str, change: dict) -> None:
    answer = ddb.update_table(TableName=provisioned, **change)["TableDescription"]
    assert answer["TableStatus"] == "UPDATING"
    backend.settle()
    assert ddb.describe_table(TableName=provisioned)["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName=provisioned, Item={"pk": {"S": "still-writable"}})
