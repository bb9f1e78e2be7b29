"""TransactWriteItems and TransactGetItems through boto3, in-process and over HTTP."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import error_of

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "


def S(text: str) -> dict:
    return {"S": text}


def N(number: int) -> dict:
    return {"N": str(number)}


def key(pk: str) -> dict:
    return {"pk": S(pk)}


def put(table: str, pk: str, **attrs: Any) -> dict:
    return {"Put": {"TableName": table, "Item": {"pk": S(pk), **attrs}}}


def get_item(ddb: Any, table: str, pk: str) -> dict | None:
    return ddb.get_item(TableName=table, Key=key(pk), ConsistentRead=True).get("Item")


def transfer(table: str, source: str, target: str, amount: int) -> list[dict]:
    return [
        {"Update": {"TableName": table, "Key": key(source), "UpdateExpression": "SET balance = balance - :a",
                    "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": N(amount)},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": table, "Key": key(target), "UpdateExpression": "ADD balance :a",
                    "ExpressionAttributeValues": {":a": N(amount)}}},
    ]


def test_all_four_actions_over_two_tables(ddb: Any, make_table: Any) -> None:
    accounts, log = make_table("hash"), make_table("composite")
    ddb.put_item(TableName=accounts, Item={"pk": S("alice"), "balance": N(10), "open": {"BOOL": True}})
    ddb.put_item(TableName=accounts, Item={"pk": S("gone"), "x": N(1)})
    out = ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": accounts, "Key": key("alice"), "ConditionExpression": "#o = :t",
                            "ExpressionAttributeNames": {"#o": "open"},
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
        {"Put": {"TableName": log, "Item": {"pk": S("alice"), "sk": N(1), "what": S("opened")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": accounts, "Key": key("bob"), "UpdateExpression": "SET balance = :z",
                    "ExpressionAttributeValues": {":z": N(0)}}},
        {"Delete": {"TableName": accounts, "Key": key("gone")}},
    ], ReturnConsumedCapacity="TOTAL")
    assert ddb.get_item(TableName=log, Key={"pk": S("alice"), "sk": N(1)})["Item"]["what"] == S("opened")
    assert get_item(ddb, accounts, "bob") == {"pk": S("bob"), "balance": N(0)}
    assert get_item(ddb, accounts, "gone") is None
    # Transactions cost double: 2 units per 1 KB item, condition checks included.
    assert {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]} == {accounts: 6.0, log: 2.0}


def test_a_failed_condition_cancels_everything_with_reasons_in_order(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    ddb.put_item(TableName=table, Item={"pk": S("alice"), "balance": N(5)})
    ddb.put_item(TableName=table, Item={"pk": S("bob"), "balance": N(0)})
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[put(table, "carol", balance=N(1))] + transfer(table, "alice", "bob", 50))
    code, message = error_of(excinfo)
    assert code == "TransactionCanceledException"
    assert message == CANCELLED + "[None, ConditionalCheckFailed, None]"
    reasons = excinfo.value.response["CancellationReasons"]
    assert reasons == [{"Code": "None"},
                       {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
                        "Item": {"pk": S("alice"), "balance": N(5)}},
                       {"Code": "None"}]
    assert get_item(ddb, table, "carol") is None
    assert get_item(ddb, table, "bob") == {"pk": S("bob"), "balance": N(0)}


def test_runtime_update_errors_are_validation_error_reasons(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    ddb.put_item(TableName=table, Item={"pk": S("a"), "name": S("text")})
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key("a"), "UpdateExpression": "SET #n = #n + :one",
                        "ExpressionAttributeNames": {"#n": "name"}, "ExpressionAttributeValues": {":one": N(1)}}},
            {"ConditionCheck": {"TableName": table, "Key": key("b"), "ConditionExpression": "attribute_exists(pk)"}},
        ])
    assert error_of(excinfo)[1] == CANCELLED + "[ValidationError, ConditionalCheckFailed]"
    assert excinfo.value.response["CancellationReasons"][0] == {
        "Code": "ValidationError", "Message": "An operand in the update expression has an incorrect data type"}


def test_two_actions_on_one_item_and_request_limits(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[
            put(table, "a"),
            {"ConditionCheck": {"TableName": table, "Key": key("a"), "ConditionExpression": "attribute_exists(pk)"}}])
    assert error_of(excinfo) == ("ValidationException",
                                 "Transaction request cannot include multiple operations on one item")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[put(table, f"k{i}") for i in range(101)])
    assert error_of(excinfo)[0] == "ValidationException"
    assert "Member must have length less than or equal to 100" in error_of(excinfo)[1]
    ddb.transact_write_items(TransactItems=[put(table, f"k{i}") for i in range(100)])
    assert get_item(ddb, table, "k99") == {"pk": S("k99")}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[put(table, f"big{i}", blob=S("x" * 390_000)) for i in range(11)])
    assert error_of(excinfo) == ("ValidationException", "Transaction request cannot be larger than 4 MB")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "no-such-table", "Item": key("a")}}])
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{}])
    assert error_of(excinfo) == ("ValidationException",
                                 "TransactItems can only contain one of Check, Put, Update or Delete")


def test_actions_are_validated_before_any_write(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[put(table, "a"), {"Update": {
            "TableName": table, "Key": key("b"), "UpdateExpression": "SET x = :v",
            "ExpressionAttributeValues": {":v": N(1), ":unused": N(2)}}}])
    assert error_of(excinfo) == ("ValidationException",
                                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": key("b"), "UpdateExpression": "SET pk = :v",
            "ExpressionAttributeValues": {":v": S("c")}}}])
    assert "Cannot update attribute pk. This attribute is part of the key" in error_of(excinfo)[1]
    assert get_item(ddb, table, "a") is None


def test_client_request_token_makes_a_retry_write_nothing_for_ten_minutes(backend: Any, ddb: Any,
                                                                          make_table: Any) -> None:
    table = make_table("hash")
    ddb.put_item(TableName=table, Item={"pk": S("alice"), "balance": N(100)})
    items = transfer(table, "alice", "bob", 10)
    first = ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1", ReturnConsumedCapacity="TOTAL")
    assert first["ConsumedCapacity"][0]["WriteCapacityUnits"] == 4.0
    backend.advance(599)
    again = ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1", ReturnConsumedCapacity="TOTAL")
    # The retry writes nothing and reports the reads it made (2 units per item).
    assert again["ConsumedCapacity"][0] == {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}
    assert get_item(ddb, table, "alice")["balance"] == N(90)
    assert get_item(ddb, table, "bob")["balance"] == N(10)
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=transfer(table, "alice", "bob", 11), ClientRequestToken="token-1")
    assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"
    backend.advance(2)  # past ten minutes after the first use: a new request
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    assert get_item(ddb, table, "alice")["balance"] == N(80)
    assert get_item(ddb, table, "bob")["balance"] == N(20)


def test_a_cancelled_transaction_leaves_its_token_unused(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    ddb.put_item(TableName=table, Item={"pk": S("alice"), "balance": N(1)})
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=transfer(table, "alice", "bob", 5), ClientRequestToken="t-cancel")
    ddb.put_item(TableName=table, Item={"pk": S("alice"), "balance": N(5)})
    ddb.transact_write_items(TransactItems=transfer(table, "alice", "bob", 5), ClientRequestToken="t-cancel")
    assert get_item(ddb, table, "bob")["balance"] == N(5)


def test_transact_get_items_reads_a_snapshot(ddb: Any, make_table: Any) -> None:
    table, other = make_table("hash"), make_table("composite")
    ddb.put_item(TableName=table, Item={"pk": S("a"), "v": N(1), "w": N(2)})
    ddb.put_item(TableName=other, Item={"pk": S("a"), "sk": N(7), "v": N(3)})
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "#v",
                 "ExpressionAttributeNames": {"#v": "v"}}},
        {"Get": {"TableName": table, "Key": key("missing")}},
        {"Get": {"TableName": other, "Key": {"pk": S("a"), "sk": N(7)}}},
    ], ReturnConsumedCapacity="TOTAL")
    assert out["Responses"] == [{"Item": {"v": N(1)}}, {}, {"Item": {"pk": S("a"), "sk": N(7), "v": N(3)}}]
    assert {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]} == {table: 4.0, other: 2.0}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key("a")}}] * 2)
    assert error_of(excinfo) == ("ValidationException",
                                 "Transaction request cannot include multiple operations on one item")
