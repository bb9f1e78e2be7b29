"""The Streams API: stream lifecycle, shards, iterator types, expiry (15 min) and trimming (24 h)."""
from __future__ import annotations

from typing import Any

from streamhelp import DAY, HOUR, drain, error_of, read_stream, shard_ids, stream_arn

TRIMMED = ("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")


def simple_table(ddb: Any, name: str, view_type: str | None = "NEW_AND_OLD_IMAGES") -> None:
    spec: dict[str, Any] = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
    if view_type:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    ddb.create_table(**spec)


def put(ddb: Any, table: str, *ids: str) -> None:
    for item_id in ids:
        ddb.put_item(TableName=table, Item={"id": {"S": item_id}})


def ids(records: list[dict]) -> list[str]:
    return [r["dynamodb"]["Keys"]["id"]["S"] for r in records]


def iterator(streams: Any, arn: str, shard: str, kind: str, seq: str | None = None) -> str:
    extra = {"SequenceNumber": seq} if seq else {}
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)["ShardIterator"]


def test_stream_lifecycle_errors_new_arn_on_reenable_and_disabled_streams_stay_listed(
        ddb: Any, streams: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name, None)
    assert streams.list_streams(TableName=table_name)["Streams"] == []
    assert "LatestStreamArn" not in ddb.describe_table(TableName=table_name)["Table"]

    def update(**spec: Any) -> None:
        ddb.update_table(TableName=table_name, StreamSpecification=spec)

    assert error_of(update, StreamEnabled=False) == (
        "ValidationException", f"Table has no stream to disable: TableName: {table_name}")
    assert error_of(update, StreamEnabled=True) == (
        "ValidationException", "One or more parameter values were invalid: If stream is being enabled then "
                               "UpdateViewType is required")
    update(StreamEnabled=True, StreamViewType="KEYS_ONLY")
    first = stream_arn(ddb, table_name)
    assert error_of(update, StreamEnabled=True, StreamViewType="NEW_IMAGE") == (
        "ValidationException", f"Table already has an enabled stream: TableName: {table_name}")
    assert error_of(update, StreamEnabled=False, StreamViewType="KEYS_ONLY") == (
        "ValidationException", "One or more parameter values were invalid: If stream is being disabled, then "
                               "UpdateViewType must not be specified")
    put(ddb, table_name, "in-first")
    update(StreamEnabled=False)
    put(ddb, table_name, "while-disabled")
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert "StreamSpecification" not in table and table["LatestStreamArn"] == first  # the ARN lingers
    described = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert described["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in described["Shards"])
    assert ids(read_stream(streams, first)) == ["in-first"]

    update(StreamEnabled=True, StreamViewType="NEW_AND_OLD_IMAGES")  # same clock instant, still a new stream
    second = stream_arn(ddb, table_name)
    assert second != first and second.rsplit("/", 1)[1] > first.rsplit("/", 1)[1]
    put(ddb, table_name, "in-second")
    assert ids(read_stream(streams, second)) == ["in-second"]
    assert ids(read_stream(streams, first)) == ["in-first"]
    listed = streams.list_streams(TableName=table_name)
    assert [s["StreamArn"] for s in listed["Streams"]] == [second, first]
    assert all(s["TableName"] == table_name for s in listed["Streams"])
    page = streams.list_streams(TableName=table_name, Limit=1)
    assert [s["StreamArn"] for s in page["Streams"]] == [second] and page["LastEvaluatedStreamArn"] == second
    page = streams.list_streams(TableName=table_name, Limit=1, ExclusiveStartStreamArn=second)
    assert [s["StreamArn"] for s in page["Streams"]] == [first] and "LastEvaluatedStreamArn" not in page

    ddb.delete_table(TableName=table_name)
    assert [s["StreamArn"] for s in streams.list_streams(TableName=table_name)["Streams"]] == [second, first]
    assert streams.describe_stream(StreamArn=second)["StreamDescription"]["StreamStatus"] == "DISABLED"
    backend.advance(DAY + 120)
    assert streams.list_streams(TableName=table_name)["Streams"] == []
    code, message = error_of(streams.describe_stream, StreamArn=first)
    assert (code, message) == ("ResourceNotFoundException", f"Requested resource not found: Stream: {first} not found")


def test_stream_description_shape(ddb: Any, streams: Any, table_name: str, now: Any) -> None:
    t = now()
    simple_table(ddb, table_name, "NEW_IMAGE")
    arn = stream_arn(ddb, table_name)
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shard = description.pop("Shards")[0]
    created = description.pop("CreationRequestDateTime")
    assert abs(created.timestamp() - t) < 1
    assert description == {"StreamArn": arn, "StreamLabel": arn.rsplit("/", 1)[1], "StreamStatus": "ENABLED",
                           "StreamViewType": "NEW_IMAGE", "TableName": table_name,
                           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
    assert set(shard) == {"ShardId", "SequenceNumberRange"}
    assert 28 <= len(shard["ShardId"]) <= 65 and shard["ShardId"].startswith("shardId-")
    assert set(shard["SequenceNumberRange"]) == {"StartingSequenceNumber"}  # open shard


def test_iterator_types_and_paging(ddb: Any, streams: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "a", "b", "c", "d", "e")
    arn = stream_arn(ddb, table_name)
    shard = shard_ids(streams, arn)[0]
    pages = []
    it = iterator(streams, arn, shard, "TRIM_HORIZON")
    for _ in range(4):
        page = streams.get_records(ShardIterator=it, Limit=2)
        pages.append(ids(page["Records"]))
        it = page["NextShardIterator"]  # an open shard always gives one
    assert pages == [["a", "b"], ["c", "d"], ["e"], []]
    sequence = [r["dynamodb"]["SequenceNumber"] for r in read_stream(streams, arn)]
    assert ids(drain(streams, iterator(streams, arn, shard, "AT_SEQUENCE_NUMBER", sequence[2]))[0]) == ["c", "d", "e"]
    assert ids(drain(streams, iterator(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", sequence[2]))[0]) == ["d", "e"]
    latest = iterator(streams, arn, shard, "LATEST")
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    put(ddb, table_name, "f")
    assert ids(drain(streams, latest)[0]) == ["f"]


def test_at_timestamp_starts_at_the_first_record_written_then(
        ddb: Any, streams: Any, backend: Any, table_name: str, now: Any) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "early")
    backend.advance(10)
    middle = now()
    put(ddb, table_name, "late")
    arn = stream_arn(ddb, table_name)
    shard = shard_ids(streams, arn)[0]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=middle)["ShardIterator"]
    assert ids(drain(streams, at)[0]) == ["late"]
    code, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AT_TIMESTAMP")
    assert code == "ValidationException"


def test_iterator_errors(ddb: Any, streams: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "a")
    arn = stream_arn(ddb, table_name)
    shard = shard_ids(streams, arn)[0]
    code, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert code == "ValidationException"
    code, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON",
                       SequenceNumber="0" * 21)
    assert code == "ValidationException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber="0" * 21) == ("ValidationException", "Invalid SequenceNumber for the shard")
    code, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                       ShardIteratorType="LATEST")
    assert code == "ResourceNotFoundException"
    missing = arn.replace(table_name, "no-such-table")
    assert error_of(streams.get_shard_iterator, StreamArn=missing, ShardId=shard, ShardIteratorType="LATEST") == (
        "ResourceNotFoundException", f"Requested resource not found: Stream: {missing} not found")
    assert error_of(streams.get_records, ShardIterator="x" * 40) == ("ValidationException", "Invalid ShardIterator")
    code, message = error_of(streams.get_records, ShardIterator=iterator(streams, arn, shard, "LATEST"), Limit=1001)
    assert code == "ValidationException" and "less than or equal to 1000" in message


def test_shard_iterators_expire_after_15_minutes(ddb: Any, streams: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "a")
    arn = stream_arn(ddb, table_name)
    first = iterator(streams, arn, shard_ids(streams, arn)[0], "TRIM_HORIZON")
    backend.advance(14 * 60)
    page = streams.get_records(ShardIterator=first)
    assert ids(page["Records"]) == ["a"]
    backend.advance(60 + 1)
    code, message = error_of(streams.get_records, ShardIterator=first)
    assert code == "ExpiredIteratorException"
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert message.endswith("which is further in the future than the tolerated delay of 900000 milliseconds.")
    put(ddb, table_name, "b")
    assert ids(streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]) == ["b"]  # 61 s old


def test_records_are_trimmed_after_24_hours(ddb: Any, streams: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "a", "b", "c")
    arn = stream_arn(ddb, table_name)
    first_shard = shard_ids(streams, arn)[0]
    sequence = [r["dynamodb"]["SequenceNumber"] for r in read_stream(streams, arn)]
    backend.advance(DAY - 60)
    horizon = iterator(streams, arn, first_shard, "TRIM_HORIZON")
    assert ids(streams.get_records(ShardIterator=horizon, Limit=1)["Records"]) == ["a"]
    backend.advance(120)  # the records pass 24 h while the iterator is still valid
    assert error_of(streams.get_records, ShardIterator=horizon) == TRIMMED
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=first_shard,
                    ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence[1]) == TRIMMED
    assert read_stream(streams, arn) == []
    put(ddb, table_name, "d")
    assert ids(read_stream(streams, arn)) == ["d"]


def test_shards_roll_over_to_children_with_parents(ddb: Any, streams: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    put(ddb, table_name, "a", "b")
    arn = stream_arn(ddb, table_name)
    backend.advance(4 * HOUR + 60)
    put(ddb, table_name, "c")
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 2
    parent, child = shards
    assert "ParentShardId" not in parent and child["ParentShardId"] == parent["ShardId"]
    assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) + 1 == int(
        child["SequenceNumberRange"]["StartingSequenceNumber"])
    page = streams.get_records(ShardIterator=iterator(streams, arn, parent["ShardId"], "TRIM_HORIZON"))
    assert ids(page["Records"]) == ["a", "b"] and "NextShardIterator" not in page  # a closed shard ends
    assert ids(drain(streams, iterator(streams, arn, child["ShardId"], "TRIM_HORIZON"))[0]) == ["c"]
    children = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS",
                                                                    "ShardId": parent["ShardId"]})
    assert [s["ShardId"] for s in children["StreamDescription"]["Shards"]] == [child["ShardId"]]
    page = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert [s["ShardId"] for s in page["Shards"]] == [parent["ShardId"]]
    assert page["LastEvaluatedShardId"] == parent["ShardId"]
    rest = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=parent["ShardId"])["StreamDescription"]
    assert [s["ShardId"] for s in rest["Shards"]] == [child["ShardId"]]
