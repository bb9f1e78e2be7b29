"""Iterators and checkpoints survive a server restart (data-dir server, killed with SIGKILL)."""
from __future__ import annotations

import signal
from typing import Any

from jobtable.streams import run_lambda_handler
from streamhelp import shard_ids, stream_arn
from tests.conftest import ServerProcess


def test_iterators_and_checkpoints_survive_a_restart(tmp_path: Any) -> None:
    data_dir, checkpoint = str(tmp_path / "data"), str(tmp_path / "checkpoint.json")
    seen: list[str] = []

    def handler(event: dict, context: Any) -> None:
        seen.extend(r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"])

    # Manual clocks start at the wall time, so the restarted server's clock moves on from the first
    # one's (a fixed old time would make the records look days old to the retention pass at start-up).
    server = ServerProcess("--manual-clock", data_dir=data_dir).start()
    try:
        ddb, streams = server.client(), server.client("dynamodbstreams")
        ddb.create_table(TableName="events", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        for item_id in ("a", "b", "c"):
            ddb.put_item(TableName="events", Item={"id": {"S": item_id}})
        arn = stream_arn(ddb, "events")
        shard = shard_ids(streams, arn)[0]
        first = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        page = streams.get_records(ShardIterator=first["ShardIterator"], Limit=2)
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"]] == ["a", "b"]
        run_lambda_handler(handler, "events", endpoint_url=server.endpoint, checkpoint_file=checkpoint,
                           stop_when_idle=True)
        assert seen == ["a", "b", "c"]
    finally:
        server.stop(signal.SIGKILL)

    restarted = ServerProcess("--manual-clock", data_dir=data_dir).start()
    try:
        ddb, streams = restarted.client(), restarted.client("dynamodbstreams")
        rest = streams.get_records(ShardIterator=page["NextShardIterator"])  # issued before the restart
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in rest["Records"]] == ["c"]
        assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLED"
        for item_id in ("d", "e"):
            ddb.put_item(TableName="events", Item={"id": {"S": item_id}})
        run_lambda_handler(handler, "events", endpoint_url=restarted.endpoint, checkpoint_file=checkpoint,
                           stop_when_idle=True)
        assert seen == ["a", "b", "c", "d", "e"]  # resumed after "c", nothing twice
        next_page = streams.get_records(ShardIterator=rest["NextShardIterator"])
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in next_page["Records"]] == ["d", "e"]
    finally:
        restarted.stop()
