"""run_lambda_handler: Lambda DynamoDB events, checkpoints, retries, shard order (boto3 clients)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from jobtable.streams import HandlerFailed, run_lambda_handler
from streamhelp import HOUR

LAMBDA_FIELDS = {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}


@pytest.fixture
def table(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return table_name


def put(ddb: Any, table: str, *ids: str, **extra: dict) -> None:
    for item_id in ids:
        ddb.put_item(TableName=table, Item={"id": {"S": item_id}, **extra})


class Recorder:
    """A Lambda-style handler that remembers what it saw; can fail on chosen calls."""

    def __init__(self, fail_calls: tuple[int, ...] = (), report_failure: dict[int, int] | None = None) -> None:
        self.events: list[dict] = []
        self.fail_calls = fail_calls
        self.report_failure = report_failure or {}

    def __call__(self, event: dict, context: Any) -> Any:
        call = len(self.events)
        self.events.append(json.loads(json.dumps(event)))  # Lambda events are plain JSON
        assert context.get_remaining_time_in_millis() > 0 and context.function_name
        if call in self.fail_calls:
            raise RuntimeError("handler bug")
        if call in self.report_failure:
            failed = event["Records"][self.report_failure[call]]["dynamodb"]["SequenceNumber"]
            return {"batchItemFailures": [{"itemIdentifier": failed}]}
        return None

    @property
    def ids(self) -> list[str]:
        return [r["dynamodb"]["Keys"]["id"]["S"] for e in self.events for r in e["Records"]]


def run(backend: Any, table: str, handler: Any, checkpoint: Any = None, **kwargs: Any) -> Any:
    return run_lambda_handler(handler, table, checkpoint_file=str(checkpoint) if checkpoint else None,
                              stop_when_idle=True, dynamodb_client=backend.client("dynamodb"),
                              streams_client=backend.client("dynamodbstreams"), **kwargs)


def test_events_use_the_lambda_dynamodb_format(ddb: Any, backend: Any, table: str, now: Any) -> None:
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    put(ddb, table, "bin", data={"B": b"\xff\x00"})
    put(ddb, table, "expiring", ttl={"N": str(int(now()) + 10)})
    backend.advance(60)
    handler = Recorder()
    summary = run(backend, table, handler)
    records = [r for e in handler.events for r in e["Records"]]
    assert (summary.records, [r["eventName"] for r in records]) == (3, ["INSERT", "INSERT", "REMOVE"])
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    first = records[0]
    assert set(first) == LAMBDA_FIELDS and first["eventSourceARN"] == arn
    assert first["dynamodb"]["NewImage"]["data"] == {"B": "/wA="}  # base64 text, as Lambda delivers it
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], float)
    ttl_remove = records[2]
    assert ttl_remove["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert set(ttl_remove) == LAMBDA_FIELDS | {"userIdentity"}


def test_checkpoint_resumes_after_the_last_handled_record(ddb: Any, backend: Any, table: str, tmp_path: Any) -> None:
    checkpoint = tmp_path / "cp.json"
    put(ddb, table, "a", "b", "c")
    first = Recorder()
    assert run(backend, table, first, checkpoint, batch_size=2).records == 3
    assert first.ids == ["a", "b", "c"] and [len(e["Records"]) for e in first.events] == [2, 1]
    saved = json.loads(checkpoint.read_text())
    assert saved["stream_arn"] == ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    put(ddb, table, "d", "e")
    second = Recorder()
    run(backend, table, second, checkpoint)
    assert second.ids == ["d", "e"]


def test_a_failing_handler_is_retried_then_stops_without_checkpointing(
        ddb: Any, backend: Any, table: str, tmp_path: Any) -> None:
    checkpoint = tmp_path / "cp.json"
    put(ddb, table, "a", "b")
    broken = Recorder(fail_calls=(0, 1, 2))
    with pytest.raises(HandlerFailed):
        run(backend, table, broken, checkpoint, retry_attempts=2)
    assert broken.ids == ["a", "b"] * 3
    flaky = Recorder(fail_calls=(0,))
    assert run(backend, table, flaky, checkpoint).records == 2
    assert flaky.ids == ["a", "b", "a", "b"]  # the failed batch came again, nothing was lost


def test_reported_batch_item_failures_resume_at_the_failed_record(ddb: Any, backend: Any, table: str) -> None:
    put(ddb, table, "a", "b", "c")
    handler = Recorder(report_failure={0: 1})  # first call: record "b" failed
    assert run(backend, table, handler).records == 3
    assert handler.ids == ["a", "b", "c", "b", "c"]


def test_latest_skips_what_is_there_and_shards_are_read_parent_first(ddb: Any, backend: Any, table: str) -> None:
    put(ddb, table, "old")
    streams_client, dynamodb_client = backend.client("dynamodbstreams"), backend.client("dynamodb")
    from jobtable.streams import Checkpoint, StreamReader

    reader = StreamReader(table, dynamodb_client, streams_client, Checkpoint(), start="LATEST")
    assert reader.read_batch() is None
    put(ddb, table, "new-1")
    seen = []

    def read_all() -> None:
        while (batch := reader.read_batch()) is not None:
            seen.append((batch.shard_id, [r["dynamodb"]["Keys"]["id"]["S"] for r in batch.records]))
            reader.commit(batch)

    read_all()
    backend.advance(4 * HOUR + 60)  # the shard rolls over; the in-memory iterators expire
    put(ddb, table, "new-2")
    read_all()
    assert [ids for _, ids in seen] == [["new-1"], ["new-2"]]
    assert seen[0][0] < seen[1][0]  # parent shard first
    assert reader.checkpoint.shards[seen[0][0]]["done"] is True
