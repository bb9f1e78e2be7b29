"""Stream records in AWS's exact shape, field by field, for every view type."""
from __future__ import annotations

import math
import re
from typing import Any

import pytest

from jobtable.engine.values import item_size
from streamhelp import error_of, read_stream, stream_arn

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
RECORD_FIELDS = {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb"}


def create_table(ddb: Any, name: str, view_type: str | None) -> None:
    spec: dict[str, Any] = {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    }
    if view_type:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    ddb.create_table(**spec)


def expected_body(view_type: str, keys: dict, old: dict | None, new: dict | None, at: float) -> dict:
    body: dict[str, Any] = {"Keys": keys}
    size = item_size(keys)
    if new is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = new
        size += item_size(new)
    if old is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = old
        size += item_size(old)
    body["SizeBytes"] = size
    body["StreamViewType"] = view_type
    body["ApproximateCreationDateTime"] = math.floor(at)
    return body


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_insert_modify_remove_records_match_aws_field_by_field(
        ddb: Any, streams: Any, backend: Any, table_name: str, view_type: str, now: Any) -> None:
    create_table(ddb, table_name, view_type)
    key = {"pk": {"S": "job#1"}, "sk": {"N": "7"}}
    first = {**key, "state": {"S": "queued"}, "blob": {"B": b"\x00\x01"}, "tags": {"SS": ["a", "b"]}}
    second = {**key, "state": {"S": "running"}, "blob": {"B": b"\x00\x01"}, "tags": {"SS": ["a", "b"]}}
    t0 = now()
    ddb.put_item(TableName=table_name, Item=first)                                   # INSERT
    t1 = backend.advance(1.7)
    ddb.update_item(TableName=table_name, Key=key, UpdateExpression="SET #s = :s",   # MODIFY
                    ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":s": {"S": "running"}})
    ddb.put_item(TableName=table_name, Item=second)                                  # unchanged: no record
    error_of(ddb.put_item, TableName=table_name, Item=first,                         # refused: no record
             ConditionExpression="attribute_not_exists(pk)")
    t2 = backend.advance(2)
    ddb.delete_item(TableName=table_name, Key=key)                                   # REMOVE
    ddb.delete_item(TableName=table_name, Key=key)                                   # nothing there: no record

    records = read_stream(streams, stream_arn(ddb, table_name))

    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    wire = {k: ({"B": "AAE="} if k == "blob" else v) for k, v in first.items()}  # base64 as on the wire
    wire2 = {**wire, "state": {"S": "running"}}
    expected = [expected_body(view_type, key, None, wire, t0), expected_body(view_type, key, wire, wire2, t1),
                expected_body(view_type, key, wire2, None, t2)]
    sequence_numbers = []
    for record, body in zip(records, expected):
        assert set(record) == RECORD_FIELDS  # no userIdentity on a user's write
        assert re.fullmatch(r"[0-9a-f]{32}", record["eventID"])
        assert (record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
            "1.1", "aws:dynamodb", "us-east-1")
        dynamodb = dict(record["dynamodb"])
        sequence_numbers.append(dynamodb.pop("SequenceNumber"))
        created = dynamodb.pop("ApproximateCreationDateTime")
        assert created.timestamp() == body.pop("ApproximateCreationDateTime")
        for image in ("NewImage", "OldImage"):
            if image in dynamodb:  # botocore decodes binary; compare in wire form
                dynamodb[image] = {k: ({"B": "AAE="} if k == "blob" else v) for k, v in dynamodb[image].items()}
        assert dynamodb == body
    assert len({r["eventID"] for r in records}) == 3
    assert all(re.fullmatch(r"\d{21,40}", s) for s in sequence_numbers)
    assert sorted(sequence_numbers, key=int) == sequence_numbers and len(set(sequence_numbers)) == 3


def test_stream_arn_and_label_follow_dynamodb_format(ddb: Any, table_name: str) -> None:
    create_table(ddb, table_name, "NEW_IMAGE")
    table = ddb.describe_table(TableName=table_name)["Table"]
    label = table["LatestStreamLabel"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", label)
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{label}"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}

