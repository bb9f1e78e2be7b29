"""A job's history, read from the table's DynamoDB stream (the Streams API on this server).

Every write to a job is a stream record (INSERT, MODIFY, REMOVE with the images the
stream's view type keeps), so the history is those records for the job's key, oldest
first. The stream keeps 24 hours; reading it means walking the latest stream's shards
(parents before children) from TRIM_HORIZON — bounded by MAX_RECORDS per page view.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from jobtable.dashboard.wire import display

MAX_RECORDS = 20_000
PAGE = 1000


@dataclass(frozen=True)
class Event:
    at: float
    name: str  # INSERT | MODIFY | REMOVE
    status_before: str | None
    status_after: str | None
    changed: list[str]
    by_service: bool  # TTL deletions carry the DynamoDB service identity
    sequence: str
    new_image: Mapping[str, Any] | None = None


@dataclass
class History:
    events: list[Event] = field(default_factory=list)
    view_type: str = ""
    truncated: bool = False
    note: str = ""


def _changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[str]:
    """Attributes a MODIFY changed (an INSERT or REMOVE is the whole item)."""
    if not old or not new:
        return []
    return sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))


def _status(image: Mapping[str, Any] | None, attribute: str) -> str | None:
    return display(image.get(attribute)) or None if image else None


def _ordered_shards(shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before children: shard ranges start at increasing sequence numbers."""
    return sorted(shards, key=lambda s: int(s["SequenceNumberRange"]["StartingSequenceNumber"]))


def _all_shards(streams: Any, arn: str) -> tuple[list[dict[str, Any]], str]:
    shards: list[dict[str, Any]] = []
    params: dict[str, Any] = {"StreamArn": arn}
    while True:
        description = streams.describe_stream(**params)["StreamDescription"]
        shards.extend(description.get("Shards", []))
        last = description.get("LastEvaluatedShardId")
        if not last:
            return shards, description.get("StreamViewType", "")
        params["ExclusiveStartShardId"] = last


def job_history(ddb: Any, streams: Any, table: str, key: Mapping[str, Any], status_attribute: str = "status") -> History:
    """The stream records of one item, oldest first (ClientErrors propagate to the caller)."""
    description = ddb.describe_table(TableName=table)["Table"]
    arn = description.get("LatestStreamArn")
    if not description.get("StreamSpecification", {}).get("StreamEnabled") or not arn:
        return History(note=f"{table} has no stream enabled, so no history is kept "
                            "(enable a NEW_AND_OLD_IMAGES stream to record every change).")
    shards, view_type = _all_shards(streams, arn)
    history = History(view_type=view_type)
    read = 0
    for shard in _ordered_shards(shards):
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON").get("ShardIterator")
        while iterator and read < MAX_RECORDS:
            page = streams.get_records(ShardIterator=iterator, Limit=PAGE)
            records = page.get("Records", [])
            read += len(records)
            for record in records:
                data = record["dynamodb"]
                if data.get("Keys") != dict(key):
                    continue
                old, new = data.get("OldImage"), data.get("NewImage")
                stamp = data.get("ApproximateCreationDateTime")
                history.events.append(Event(
                    stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp or 0), record["eventName"],
                    _status(old, status_attribute), _status(new, status_attribute), _changed(old, new),
                    bool(record.get("userIdentity")), data.get("SequenceNumber", ""), new))
            iterator = page.get("NextShardIterator")
            if not records:
                break  # caught up with an open shard (or an empty page of a closed one)
        if read >= MAX_RECORDS:
            history.truncated = True
            break
    if view_type in ("KEYS_ONLY",):
        history.note = "The stream keeps keys only (KEYS_ONLY): changes are listed without their values."
    return history
