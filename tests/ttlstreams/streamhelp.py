"""Stream-reading helpers shared by the TTL and Streams tests."""
from __future__ import annotations

from typing import Any, Callable

import pytest

HOUR = 3600.0
DAY = 24 * HOUR


def stream_arn(ddb: Any, table: str) -> str:
    return ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def shard_ids(streams: Any, arn: str) -> list[str]:
    return [s["ShardId"] for s in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]


def drain(streams: Any, iterator: str | None, limit: int | None = None) -> tuple[list[dict], str | None]:
    """Follow NextShardIterator until a page comes back empty (or the shard ends)."""
    records: list[dict] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
        records.extend(page["Records"])
        next_iterator = page.get("NextShardIterator")
        if not page["Records"]:
            return records, next_iterator
        iterator = next_iterator
    return records, None


def read_stream(streams: Any, arn: str) -> list[dict]:
    """Every retained record of the stream, shard by shard from the oldest."""
    records: list[dict] = []
    for shard_id in shard_ids(streams, arn):
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records.extend(drain(streams, iterator)[0])
    return records


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")
