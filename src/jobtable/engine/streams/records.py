"""Reading a stream: shard iterators, trimming, and change-log rows rendered as stream records.

A shard iterator names a position (the next sequence number to read) in one shard and
the time it was handed out; it is plain data, so iterators survive a server restart.
Records older than 24 hours are trimmed from the stream even when the log still holds
them for point-in-time recovery. Sequence numbers are the log's own, as 21-digit strings.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from jobtable.engine import changelog
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import (ExpiredIteratorException, ResourceNotFoundException,
                                    TrimmedDataAccessException, ValidationException)
from jobtable.engine.streams.registry import Shard, Stream, get_stream, shards, table_of
from jobtable.engine.values import item_size
from jobtable.engine.writes import decode_doc

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

ITERATOR_LIFETIME_SECONDS = 15 * 60
MAX_RECORDS = 1000
MAX_RESPONSE_BYTES = 1024 * 1024
EVENT_VERSION = "1.1"
SERVICE_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
TRIMMED = "The operation attempted to read past the oldest stream record in a shard."


def sequence_text(seq: int) -> str:
    return f"{seq:021d}"


def parse_sequence(text: str) -> int:
    if not text.isdigit():
        raise ValidationException(f"Invalid SequenceNumber: {text}")
    return int(text)


@dataclass
class Position:
    """Where a shard iterator points: the next sequence number to read in a shard."""

    stream_arn: str
    shard_id: str
    seq: int
    issued: float

    def encode(self) -> str:
        token = base64.b64encode(orjson.dumps([self.shard_id, self.seq, self.issued])).decode()
        return f"{self.stream_arn}|1|{token}"

    @classmethod
    def decode(cls, text: str) -> "Position":
        try:
            arn, version, token = text.rsplit("|", 2)
            shard_id, seq, issued = orjson.loads(base64.b64decode(token, validate=True))
            if version != "1" or not isinstance(seq, int) or not isinstance(issued, (int, float)):
                raise ValueError(text)
            return cls(arn, str(shard_id), seq, float(issued))
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise ValidationException("Invalid ShardIterator") from None


def stream_arn_of_iterator(text: str) -> str | None:
    """The stream a shard iterator reads (IAM checks GetRecords against it), None if malformed."""
    try:
        return Position.decode(text).stream_arn
    except ValidationException:
        return None


# -- lookups ------------------------------------------------------------------------------
def require_stream(engine: "Engine", arn: str) -> Stream:
    stream = get_stream(engine, arn)
    if stream is None:
        raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
    return stream


def require_shard(engine: "Engine", stream: Stream, shard_id: str) -> Shard:
    for shard in shards(engine, stream):
        if shard.shard_id == shard_id:
            return shard
    raise ResourceNotFoundException(f"Requested resource not found: Shard: {shard_id} in Stream: "
                                    f"{stream.arn} not found")


def _last_in_shard(engine: "Engine", meta: TableMeta | None, shard: Shard) -> int:
    """The last sequence number the shard holds so far."""
    if shard.end_seq is not None:
        return shard.end_seq
    if meta is None:
        return shard.start_seq - 1
    with engine.storage.read() as c:
        return changelog.last_sequence(c, meta)


def trim_point(engine: "Engine", meta: TableMeta | None, shard: Shard) -> int:
    """The oldest untrimmed sequence number of the shard (one past its end if all is trimmed)."""
    past_end = _last_in_shard(engine, meta, shard) + 1
    if meta is None:
        return past_end  # the table and its log are gone
    since = engine.clock.now() - changelog.STREAM_RETENTION_SECONDS
    with engine.storage.read() as c:
        first = changelog.first_sequence_since(c, meta, since, shard.start_seq)
    return past_end if first is None else min(max(first, shard.start_seq), past_end)


# -- GetShardIterator -------------------------------------------------------------------
def shard_iterator(engine: "Engine", arn: str, shard_id: str, kind: str, sequence: str | None = None,
                   timestamp: float | None = None) -> str:
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if sequence is None:
            raise ValidationException(f"SequenceNumber must be specified when ShardIteratorType is {kind}")
    elif sequence is not None:
        raise ValidationException(f"SequenceNumber must not be specified when ShardIteratorType is {kind}")
    if kind == "AT_TIMESTAMP" and timestamp is None:
        raise ValidationException("Timestamp must be specified when ShardIteratorType is AT_TIMESTAMP")
    stream = require_stream(engine, arn)
    shard = require_shard(engine, stream, shard_id)
    meta = table_of(engine, stream)
    trim = trim_point(engine, meta, shard)
    past_end = _last_in_shard(engine, meta, shard) + 1
    if kind == "TRIM_HORIZON":
        seq = trim
    elif kind == "LATEST":
        seq = past_end
    elif kind == "AT_TIMESTAMP":
        seq = _first_at_or_after(engine, meta, shard, float(timestamp), trim, past_end)
    else:
        requested = parse_sequence(sequence or "")
        if requested < shard.start_seq or (shard.end_seq is not None and requested > shard.end_seq):
            raise ValidationException("Invalid SequenceNumber for the shard")
        if requested < trim:
            raise TrimmedDataAccessException(TRIMMED)
        seq = requested + (1 if kind == "AFTER_SEQUENCE_NUMBER" else 0)
    return Position(arn, shard_id, seq, engine.clock.now()).encode()


def _first_at_or_after(engine: "Engine", meta: TableMeta | None, shard: Shard, when: float, trim: int,
                       past_end: int) -> int:
    if meta is None:
        return past_end
    with engine.storage.read() as c:
        first = changelog.first_sequence_since(c, meta, when, max(trim, shard.start_seq))
    return past_end if first is None else min(first, past_end)


# -- GetRecords -------------------------------------------------------------------------
def get_records(engine: "Engine", iterator: str, limit: int | None) -> dict[str, Any]:
    """Records from the iterator's position, and the iterator to continue with (absent at a closed end)."""
    if limit is not None and limit > MAX_RECORDS:
        raise ValidationException(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                                  f"constraint: Member must have value less than or equal to {MAX_RECORDS}")
    position = Position.decode(iterator)
    now = engine.clock.now()
    if now - position.issued > ITERATOR_LIFETIME_SECONDS:
        raise ExpiredIteratorException(_expired_message(position.issued, now))
    stream = require_stream(engine, position.stream_arn)
    shard = require_shard(engine, stream, position.shard_id)
    meta = table_of(engine, stream)
    if position.seq < trim_point(engine, meta, shard):
        raise TrimmedDataAccessException(TRIMMED)
    records: list[dict] = []
    next_seq = position.seq
    if meta is not None:
        with engine.storage.read() as c:
            rows = changelog.read_rows(c, meta, position.seq, shard.end_seq, limit or MAX_RECORDS)
        size = 0
        for row in rows:
            record = render_record(engine, stream, row)
            size += record["dynamodb"]["SizeBytes"]
            if records and size > MAX_RESPONSE_BYTES:
                break
            records.append(record)
            next_seq = row.seq + 1
    out: dict[str, Any] = {"Records": records}
    if shard.is_open or next_seq <= _last_in_shard(engine, meta, shard):
        out["NextShardIterator"] = Position(stream.arn, shard.shard_id, next_seq, now).encode()
    return out


def _expired_message(issued: float, now: float) -> str:
    def java_date(t: float) -> str:
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(t))

    return (f"Iterator expired. The iterator was created at time {java_date(issued)} while right now it is "
            f"{java_date(now)} which is further in the future than the tolerated delay of "
            f"{ITERATOR_LIFETIME_SECONDS * 1000} milliseconds.")


def render_record(engine: "Engine", stream: Stream, row: changelog.LogRow) -> dict[str, Any]:
    """One change-log row as the stream record DynamoDB Streams returns for the stream's view type."""
    old = decode_doc(engine, row.old) if row.old is not None else None
    new = decode_doc(engine, row.new) if row.new is not None else None
    event = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
    item = new if new is not None else old
    keys = {name: item[name] for name in stream.key_names if name in item}
    body: dict[str, Any] = {"ApproximateCreationDateTime": math.floor(row.at), "Keys": keys}
    size = item_size(keys)
    if new is not None and stream.view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = new
        size += item_size(new)
    if old is not None and stream.view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = old
        size += item_size(old)
    body["SequenceNumber"] = sequence_text(row.seq)
    body["SizeBytes"] = max(1, size)
    body["StreamViewType"] = stream.view_type
    record: dict[str, Any] = {
        "eventID": hashlib.md5(f"{stream.arn}/{row.seq}".encode(), usedforsecurity=False).hexdigest(),
        "eventName": event,
        "eventVersion": EVENT_VERSION,
        "eventSource": "aws:dynamodb",
        "awsRegion": engine.region,
        "dynamodb": body,
    }
    if row.origin == "ttl":
        record["userIdentity"] = dict(SERVICE_IDENTITY)
    return record
