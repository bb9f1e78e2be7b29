"""DynamoDB Streams over the table's change log: registry of streams/shards, and records.

`registry` knows which slice of the log each stream and shard covers; `records` turns log
rows into stream records and serves iterators. The wire protocol is api/streams.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from jobtable.engine.streams import registry

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine


def register(engine: "Engine") -> None:
    registry.register(engine)
