"""Checkpoint files that make copy/dump/load resumable after an interruption.

The file records what the job is (so a checkpoint is never applied to a different job),
each scan segment's LastEvaluatedKey and the count/checksum of what that segment has
written so far, plus job-specific positions (the dump file's committed size, the number of
input lines loaded). It is rewritten atomically (temp file + rename) after every page, so
a `kill -9` leaves either the old or the new checkpoint, never half of one. Work after the
last checkpoint is redone on resume; puts are idempotent, so redoing them is harmless.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson

from jobtable.ops.wire import Digest, Item, item_from_json, item_to_json


class CheckpointMismatch(ValueError):
    """The checkpoint on disk belongs to another job."""


@dataclass
class SegmentProgress:
    start_key: Item | None = None  # ExclusiveStartKey for the next page (client form)
    done: bool = False
    scanned: int = 0
    digest: Digest = field(default_factory=Digest)

    def as_json(self) -> dict[str, Any]:
        return {"start_key": item_to_json(self.start_key) if self.start_key else None, "done": self.done,
                "scanned": self.scanned, "written": self.digest.count, "checksum": self.digest.checksum}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SegmentProgress":
        key = data.get("start_key")
        return cls(item_from_json(key) if key else None, bool(data["done"]), int(data["scanned"]),
                   Digest.restore(int(data["written"]), data["checksum"]))


@dataclass
class Checkpoint:
    path: str | None
    job: dict[str, Any]
    segments: list[SegmentProgress]
    positions: dict[str, int] = field(default_factory=dict)
    resumed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, path: str | None, job: dict[str, Any], segments: int) -> "Checkpoint":
        """The saved checkpoint for `job` at `path`, or a fresh one."""
        if path and os.path.exists(path):
            with open(path, "rb") as handle:
                data = orjson.loads(handle.read())
            if data.get("job") != job:
                raise CheckpointMismatch(f"checkpoint {path} belongs to another job ({data.get('job')}); "
                                         "delete it or pass --restart")
            return cls(path, job, [SegmentProgress.from_json(s) for s in data["segments"]],
                       {k: int(v) for k, v in data.get("positions", {}).items()}, resumed=True)
        return cls(path, job, [SegmentProgress() for _ in range(segments)])

    def total(self) -> Digest:
        digest = Digest()
        for segment in self.segments:
            digest.merge(segment.digest)
        return digest

    @property
    def scanned(self) -> int:
        return sum(s.scanned for s in self.segments)

    def save(self) -> None:
        """Write atomically; call with `self.lock` held when workers run concurrently."""
        if not self.path:
            return
        payload = orjson.dumps({"job": self.job, "segments": [s.as_json() for s in self.segments],
                                "positions": self.positions}, option=orjson.OPT_INDENT_2)
        temp = f"{self.path}.tmp"
        with open(temp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)

    def remove(self) -> None:
        if self.path and os.path.exists(self.path):
            os.remove(self.path)
