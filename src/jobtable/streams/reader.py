"""Follow a table's stream through its shards with any DynamoDB Streams endpoint (boto3 only).

`StreamReader` reads parents before children (shards roll over every few hours), renews
expired iterators from its checkpoint, and remembers the last sequence number handed to
the caller per shard only when told to (`commit`), so a crash or restart resumes after
the last committed record. The same code works against jobtable and AWS.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

log = logging.getLogger("jobtable.streams")

START_POSITIONS = ("TRIM_HORIZON", "LATEST")


@dataclass
class Checkpoint:
    """Per-shard progress of one stream, kept in a JSON file (or only in memory when path is None)."""

    path: str | None = None
    stream_arn: str | None = None
    # shard id -> {"seq": last handled SequenceNumber or None, "done": bool, "latest": started at LATEST}
    shards: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | None) -> "Checkpoint":
        if path is None or not os.path.exists(path):
            return cls(path)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return cls(path, data.get("stream_arn"), data.get("shards") or {})

    def save(self) -> None:
        if self.path is None:
            return
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"stream_arn": self.stream_arn, "shards": self.shards}, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)  # atomic: a crash leaves the old or the new checkpoint, never half

    def shard(self, shard_id: str) -> dict[str, Any]:
        return self.shards.setdefault(shard_id, {"seq": None, "done": False})


@dataclass
class Batch:
    shard_id: str
    records: list[dict]
    closes_shard: bool  # the shard has no more records after this batch


class StreamReader:
    """Reads the latest stream of `table_name` in order, one shard batch at a time."""

    def __init__(self, table_name: str, dynamodb: Any, streams: Any, checkpoint: Checkpoint | None = None,
                 start: str = "TRIM_HORIZON", batch_size: int = 100) -> None:
        if start not in START_POSITIONS:
            raise ValueError(f"start must be one of {', '.join(START_POSITIONS)}")
        self.table_name = table_name
        self.dynamodb = dynamodb
        self.streams = streams
        self.checkpoint = checkpoint or Checkpoint()
        self.start = start
        self.batch_size = batch_size
        self._iterators: dict[str, str | None] = {}

    # -- stream and shard discovery ------------------------------------------------------
    def stream_arn(self) -> str:
        table = self.dynamodb.describe_table(TableName=self.table_name)["Table"]
        if not table.get("StreamSpecification", {}).get("StreamEnabled") or not table.get("LatestStreamArn"):
            raise ValueError(f"table {self.table_name} has no enabled stream: enable one with UpdateTable StreamSpecification")
        return table["LatestStreamArn"]

    def _shards(self, arn: str) -> list[dict]:
        shards: list[dict] = []
        kwargs: dict[str, Any] = {"StreamArn": arn}
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            kwargs["ExclusiveStartShardId"] = last

    def _adopt(self, arn: str, shards: list[dict]) -> None:
        """Start following `arn`: a new stream resets progress; LATEST skips what is there now."""
        if self.checkpoint.stream_arn == arn:
            return
        self.checkpoint.stream_arn = arn
        self.checkpoint.shards = {}
        self._iterators.clear()
        if self.start == "LATEST":
            for shard in shards:
                entry = self.checkpoint.shard(shard["ShardId"])
                if "EndingSequenceNumber" in shard["SequenceNumberRange"]:
                    entry["done"] = True
                else:  # until a record is handled here, a lost iterator resumes at LATEST again
                    entry["latest"] = True
                    self._iterators[shard["ShardId"]] = self._iterator(arn, shard["ShardId"], "LATEST")
        self.checkpoint.save()

    # -- reading ---------------------------------------------------------------------------
    def _iterator(self, arn: str, shard_id: str, kind: str, seq: str | None = None) -> str:
        kwargs: dict[str, Any] = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": kind}
        if seq is not None:
            kwargs["SequenceNumber"] = seq
        return self.streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def _resume(self, arn: str, shard_id: str) -> str:
        entry = self.checkpoint.shard(shard_id)
        seq = entry["seq"]
        if seq is None:
            return self._iterator(arn, shard_id, "LATEST" if entry.get("latest") else "TRIM_HORIZON")
        try:
            return self._iterator(arn, shard_id, "AFTER_SEQUENCE_NUMBER", seq)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TrimmedDataAccessException":
                raise
            log.warning("shard %s: records after %s were trimmed (older than 24 h); resuming at the oldest",
                        shard_id, seq)
            return self._iterator(arn, shard_id, "TRIM_HORIZON")

    def _get_records(self, arn: str, shard_id: str) -> dict:
        iterator = self._iterators.get(shard_id) or self._resume(arn, shard_id)
        try:
            return self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                raise
            self._iterators.pop(shard_id, None)  # renew from the checkpoint
            return self.streams.get_records(ShardIterator=self._resume(arn, shard_id), Limit=self.batch_size)

    def read_batch(self) -> Batch | None:
        """The next batch of records in stream order, or None when every shard is caught up."""
        arn = self.stream_arn()
        shards = self._shards(arn)
        self._adopt(arn, shards)
        known = {s["ShardId"] for s in shards}
        done = {sid for sid, entry in self.checkpoint.shards.items() if entry.get("done")}
        for shard in sorted(shards, key=lambda s: s["ShardId"]):
            shard_id = shard["ShardId"]
            parent = shard.get("ParentShardId")
            if shard_id in done or (parent in known and parent not in done):
                continue  # finished, or its parent's records come first
            response = self._get_records(arn, shard_id)
            next_iterator = response.get("NextShardIterator")
            self._iterators[shard_id] = next_iterator
            records = response.get("Records", [])
            if records:
                return Batch(shard_id, records, next_iterator is None)
            if next_iterator is None:
                self.checkpoint.shard(shard_id)["done"] = True
                done.add(shard_id)
                self._forget_expired(known)
                self.checkpoint.save()
        return None

    def commit(self, batch: Batch, upto: int | None = None) -> None:
        """Remember the batch as handled (or only its first `upto` records)."""
        handled = batch.records if upto is None else batch.records[:upto]
        entry = self.checkpoint.shard(batch.shard_id)
        if handled:
            entry["seq"] = handled[-1]["dynamodb"]["SequenceNumber"]
            entry.pop("latest", None)
        if len(handled) < len(batch.records):
            self._iterators.pop(batch.shard_id, None)  # re-read the rest from the checkpoint
        elif batch.closes_shard:
            entry["done"] = True
        self.checkpoint.save()

    def rewind(self, batch: Batch) -> None:
        """Forget the in-memory position so the batch is read again (the handler failed)."""
        self._iterators.pop(batch.shard_id, None)

    def _forget_expired(self, known: set[str]) -> None:
        for shard_id in [sid for sid in self.checkpoint.shards if sid not in known]:
            del self.checkpoint.shards[shard_id]
