"""ListStreams, DescribeStream, GetShardIterator, GetRecords on the wire."""
from __future__ import annotations

import datetime as dt
from typing import Any

from jobtable.api.protocol import RequestContext
from jobtable.engine.errors import ValidationException
from jobtable.engine.streams import records, registry
from jobtable.engine.streams.records import sequence_text

MAX_LIST_LIMIT = 100
MAX_SHARD_LIMIT = 100


def _limit(req: dict, maximum: int) -> int:
    limit = req.get("Limit")
    if limit is None:
        return maximum
    if limit > maximum:
        raise ValidationException(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                                  f"constraint: Member must have value less than or equal to {maximum}")
    return limit


def list_streams(req: dict, ctx: RequestContext) -> dict:
    limit = _limit(req, MAX_LIST_LIMIT)
    streams = registry.list_streams(ctx.engine, req.get("TableName"))
    start = req.get("ExclusiveStartStreamArn")
    if start is not None:
        arns = [s.arn for s in streams]
        streams = streams[arns.index(start) + 1:] if start in arns else []
    out: dict[str, Any] = {"Streams": [{"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label}
                                       for s in streams[:limit]]}
    if len(streams) > limit:
        out["LastEvaluatedStreamArn"] = streams[limit - 1].arn
    return out


def _shard(shard: registry.Shard) -> dict[str, Any]:
    numbers = {"StartingSequenceNumber": sequence_text(shard.start_seq)}
    if shard.end_seq is not None:
        numbers["EndingSequenceNumber"] = sequence_text(max(shard.end_seq, shard.start_seq))
    out: dict[str, Any] = {"ShardId": shard.shard_id, "SequenceNumberRange": numbers}
    if shard.parent:
        out["ParentShardId"] = shard.parent
    return out


def describe_stream(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    stream = records.require_stream(engine, req["StreamArn"])
    limit = _limit(req, MAX_SHARD_LIMIT)
    shards = registry.shards(engine, stream)
    shard_filter = req.get("ShardFilter")
    if shard_filter:
        if shard_filter.get("Type") != "CHILD_SHARDS" or not shard_filter.get("ShardId"):
            raise ValidationException("ShardFilter requires Type CHILD_SHARDS and a ShardId")
        shards = [s for s in shards if s.parent == shard_filter["ShardId"]]
    start = req.get("ExclusiveStartShardId")
    if start is not None:
        ids = [s.shard_id for s in shards]
        shards = shards[ids.index(start) + 1:] if start in ids else []
    description: dict[str, Any] = {
        "StreamArn": stream.arn,
        "StreamLabel": stream.label,
        "StreamStatus": stream.status,
        "StreamViewType": stream.view_type,
        "CreationRequestDateTime": stream.created,
        "TableName": stream.table_name,
        "KeySchema": stream.key_schema,
        "Shards": [_shard(s) for s in shards[:limit]],
    }
    if len(shards) > limit:
        description["LastEvaluatedShardId"] = shards[limit - 1].shard_id
    return {"StreamDescription": description}


def _epoch_seconds(value: Any) -> float | None:
    """A wire timestamp (epoch seconds, or ISO 8601 text) as epoch seconds."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValidationException(f"Invalid Timestamp: {value}") from None


def get_shard_iterator(req: dict, ctx: RequestContext) -> dict:
    iterator = records.shard_iterator(ctx.engine, req["StreamArn"], req["ShardId"], req["ShardIteratorType"],
                                      req.get("SequenceNumber"), _epoch_seconds(req.get("Timestamp")))
    return {"ShardIterator": iterator}


def get_records(req: dict, ctx: RequestContext) -> dict:
    return records.get_records(ctx.engine, req["ShardIterator"], req.get("Limit"))


OPERATIONS = {
    "ListStreams": list_streams,
    "DescribeStream": describe_stream,
    "GetShardIterator": get_shard_iterator,
    "GetRecords": get_records,
}
