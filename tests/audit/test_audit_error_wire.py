"""Raw wire shape of errors whose message member DynamoDB capitalises.

DynamoDB sends `Message` (capital M) for TransactionCanceledException,
IdempotentParameterMismatchException and TransactionInProgressException, and `message` for
every other error. SDKs that read the model literally (Go v2, Java v2, Rust) look only
for the capitalised member, so the exact field name matters on the wire.
"""
from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
import urllib.request
import urllib.error


def post(endpoint: str, operation: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(endpoint + "/", data=orjson.dumps(body), headers={
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


@pytest.fixture
def wire_table(http_server: Any) -> tuple[str, str]:
    name = f"audit-{uuid.uuid4().hex[:10]}"
    status, _ = post(http_server.endpoint, "CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    assert status == 200
    http_server.advance(0)
    post(http_server.endpoint, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}, "v": {"N": "1"}}})
    return http_server.endpoint, name


def test_transaction_cancelled_uses_capital_message_and_reason_shape(wire_table: tuple[str, str]) -> None:
    endpoint, name = wire_table
    status, body = post(endpoint, "TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "a"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "b"}}}}]})
    assert status == 400
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
    assert "message" not in body
    assert body["Message"] == ("Transaction cancelled, please refer cancellation reasons for "
                               "specific reasons [ConditionalCheckFailed, None]")
    assert body["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": {"S": "a"}, "v": {"N": "1"}}},
        {"Code": "None"}]


def test_idempotent_mismatch_uses_capital_message(wire_table: tuple[str, str]) -> None:
    endpoint, name = wire_table
    token = uuid.uuid4().hex
    first = {"ClientRequestToken": token, "TransactItems": [{"Put": {"TableName": name, "Item": {"pk": {"S": "x"}}}}]}
    assert post(endpoint, "TransactWriteItems", first)[0] == 200
    second = {"ClientRequestToken": token, "TransactItems": [{"Put": {"TableName": name, "Item": {"pk": {"S": "y"}}}}]}
    status, body = post(endpoint, "TransactWriteItems", second)
    assert status == 400
    assert body["__type"].endswith("#IdempotentParameterMismatchException")
    assert "message" not in body and body["Message"]


def test_ordinary_errors_keep_lowercase_message(wire_table: tuple[str, str]) -> None:
    endpoint, name = wire_table
    status, body = post(endpoint, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}},
                                              "ConditionExpression": "attribute_not_exists(pk)"})
    assert status == 400
    assert body == {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                    "message": "The conditional request failed"}
