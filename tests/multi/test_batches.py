"""BatchGetItem and BatchWriteItem through boto3, in-process and over HTTP."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import error_of


def S(text: str) -> dict:
    return {"S": text}


def put(pk: str, **attrs: Any) -> dict:
    return {"PutRequest": {"Item": {"pk": S(pk), **attrs}}}


def test_batch_write_then_batch_get_over_two_tables(ddb: Any, make_table: Any) -> None:
    users, orders = make_table("hash"), make_table("composite")
    out = ddb.batch_write_item(RequestItems={
        users: [put(f"u{i}", name=S(f"user {i}")) for i in range(10)],
        orders: [{"PutRequest": {"Item": {"pk": S("u1"), "sk": {"N": str(n)}, "total": {"N": "5"}}}}
                 for n in range(15)],
    }, ReturnConsumedCapacity="TOTAL")
    assert out["UnprocessedItems"] == {}
    assert {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]} == {users: 10.0, orders: 15.0}

    got = ddb.batch_get_item(RequestItems={
        users: {"Keys": [{"pk": S("u1")}, {"pk": S("u2")}, {"pk": S("missing")}], "ProjectionExpression": "#n",
                "ExpressionAttributeNames": {"#n": "name"}},
        orders: {"Keys": [{"pk": S("u1"), "sk": {"N": "3"}}], "ConsistentRead": True},
    }, ReturnConsumedCapacity="TOTAL")
    assert sorted(i["name"]["S"] for i in got["Responses"][users]) == ["user 1", "user 2"]
    assert all(set(i) == {"name"} for i in got["Responses"][users])
    assert got["Responses"][orders] == [{"pk": S("u1"), "sk": {"N": "3"}, "total": {"N": "5"}}]
    assert got["UnprocessedKeys"] == {}
    # Eventually consistent reads cost half a unit per item, missing items included.
    assert {c["TableName"]: c["CapacityUnits"] for c in got["ConsumedCapacity"]} == {users: 1.5, orders: 1.0}


def test_batch_write_deletes_and_legacy_attributes_to_get(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    ddb.batch_write_item(RequestItems={arn: [put("a", x=S("1"), y=S("2")), put("b")]})  # an ARN names the table
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": {"pk": S("b")}}}, put("c")]})
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S(k)} for k in "abc"],
                                                   "AttributesToGet": ["pk", "x"]}})
    assert sorted(got["Responses"][table], key=lambda i: i["pk"]["S"]) == [
        {"pk": S("a"), "x": S("1")}, {"pk": S("c")}]


def test_batch_get_rejects_duplicates_and_more_than_100_keys(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S("a")}, {"pk": S("b")}, {"pk": S("a")}]}})
    assert error_of(excinfo) == ("ValidationException", "Provided list of item keys contains duplicates")
    other = make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S(str(i))} for i in range(60)]},
                                         other: {"Keys": [{"pk": S(str(i))} for i in range(41)]}})
    assert error_of(excinfo) == ("ValidationException", "Too many items requested for the BatchGetItem call")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S("a")}], "AttributesToGet": ["x"],
                                                 "ProjectionExpression": "x"}})
    assert error_of(excinfo)[1] == ("Can not use both expression and non-expression parameters in the same request: "
                                    "Non-expression parameters: {AttributesToGet} Expression parameters: "
                                    "{ProjectionExpression}")


def test_batch_errors_for_unknown_tables_and_bad_keys(ddb: Any, make_table: Any) -> None:
    table = make_table("composite")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={"no-such-table": {"Keys": [{"pk": S("a")}]}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S("a")}]}})
    assert error_of(excinfo) == ("ValidationException", "The provided key element does not match the schema")
    # A bad request anywhere rejects the whole batch: nothing is written.
    good = {"PutRequest": {"Item": {"pk": S("ok"), "sk": {"N": "1"}}}}
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={table: [good, put("no-sort-key")]})
    assert error_of(excinfo) == ("ValidationException",
                                 "One or more parameter values were invalid: Missing the key sk in the item")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("ok"), "sk": {"N": "1"}})


def test_batch_write_limits_and_same_item_twice(ddb: Any, make_table: Any) -> None:
    first, second = make_table("hash"), make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={first: [put(f"a{i}") for i in range(13)],
                                           second: [put(f"b{i}") for i in range(13)]})
    assert error_of(excinfo) == ("ValidationException", "Too many items requested for the BatchWriteItem call")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={first: [put("same"), {"DeleteRequest": {"Key": {"pk": S("same")}}}]})
    assert error_of(excinfo) == ("ValidationException", "Provided list of item keys contains duplicates")
    # The same key in two different tables is two items.
    assert ddb.batch_write_item(RequestItems={first: [put("same")], second: [put("same")]})["UnprocessedItems"] == {}
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={first: [{}]})
    assert error_of(excinfo)[0] == "ValidationException"


def test_batch_write_validates_items_as_put_item_does(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={table: [put("big", blob=S("x" * 409_600))]})
    assert error_of(excinfo) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"N": "1"}}}}]})
    assert error_of(excinfo) == ("ValidationException", "One or more parameter values were invalid: "
                                                        "Type mismatch for key pk expected: S actual: N")


def test_item_collection_metrics_for_tables_with_local_indexes(ddb: Any, make_table: Any) -> None:
    table = make_table("lsi")
    out = ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"pk": S("p1"), "sk": {"N": "1"}, "lsk": S("x")}}},
        {"PutRequest": {"Item": {"pk": S("p1"), "sk": {"N": "2"}, "lsk": S("y")}}},
        {"PutRequest": {"Item": {"pk": S("p2"), "sk": {"N": "1"}}}},
    ]}, ReturnItemCollectionMetrics="SIZE")
    keys = [m["ItemCollectionKey"] for m in out["ItemCollectionMetrics"][table]]
    assert sorted(k["pk"]["S"] for k in keys) == ["p1", "p2"]
    assert all(m["SizeEstimateRangeGB"] == [0.0, 1.0] for m in out["ItemCollectionMetrics"][table])


def test_batch_get_stops_at_16_mb_and_a_client_loop_completes(ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    blob = "x" * 390_000
    for start in range(0, 45, 15):
        ddb.batch_write_item(RequestItems={table: [put(f"k{i:02d}", blob=S(blob)) for i in range(start, start + 15)]})
    request = {table: {"Keys": [{"pk": S(f"k{i:02d}")} for i in range(45)], "ProjectionExpression": "pk"}}
    first = ddb.batch_get_item(RequestItems=request)
    returned = len(first["Responses"][table])
    assert 0 < returned < 45 and returned * 390_000 <= 16 * 1024 * 1024
    unprocessed = first["UnprocessedKeys"]
    assert len(unprocessed[table]["Keys"]) == 45 - returned
    assert unprocessed[table]["ProjectionExpression"] == "pk"
    seen = {i["pk"]["S"] for i in first["Responses"][table]}
    while unprocessed:
        page = ddb.batch_get_item(RequestItems=unprocessed)
        seen |= {i["pk"]["S"] for i in page["Responses"][table]}
        unprocessed = page["UnprocessedKeys"]
    assert seen == {f"k{i:02d}" for i in range(45)}


def test_throttled_requests_come_back_unprocessed(backend: Any, ddb: Any, make_table: Any) -> None:
    if backend.name != "inprocess":
        pytest.skip("the admission hook is registered on the in-process engine")
    from jobtable.engine.batches import admission_checks

    table, busy = make_table("hash"), make_table("hash")
    admission_checks(backend.engine).append(lambda engine, meta, kind, units: meta.name != busy)
    out = ddb.batch_write_item(RequestItems={table: [put("a")], busy: [put("b"), put("c")]})
    assert out["UnprocessedItems"] == {busy: [put("b"), put("c")]}
    assert ddb.get_item(TableName=table, Key={"pk": S("a")})["Item"] == {"pk": S("a")}
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": S("a")}]}, busy: {"Keys": [{"pk": S("b")}]}})
    assert got["UnprocessedKeys"] == {busy: {"Keys": [{"pk": S("b")}]}}
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={busy: [put("d")]})
    assert error_of(excinfo)[0] == "ProvisionedThroughputExceededException"
