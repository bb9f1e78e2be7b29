"""Streams and shards: which slice of a table's change log each stream and shard covers.

A stream is a window of the table's log: from the first sequence number after it was
enabled to the last one before it was disabled. Shards split that window in time (a new
child shard every SHARD_ROLLOVER_SECONDS, as DynamoDB rolls shards over every few hours).
Only these boundaries are stored (`jt_streams`, `jt_stream_shards`); the records are
the log rows themselves, so there is no second copy of any data.

Disabled streams stay listable as DISABLED for 24 hours, closed shards for 24 hours after
they close, as in DynamoDB.
"""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from jobtable.engine import changelog
from jobtable.engine.catalog import TableMeta
from jobtable.engine.periodic import Periodic

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

SHARD_ROLLOVER_SECONDS = 4 * 3600
KEEP_AFTER_CLOSE_SECONDS = changelog.STREAM_RETENTION_SECONDS
MAINTENANCE_EVERY_SECONDS = 60.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS jt_streams(arn TEXT PRIMARY KEY, table_name TEXT NOT NULL,"
    " tid INTEGER NOT NULL, label TEXT NOT NULL, view_type TEXT NOT NULL, key_schema TEXT NOT NULL,"
    " created REAL NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER, disabled_at REAL)",
    "CREATE INDEX IF NOT EXISTS jt_streams_tid ON jt_streams(tid)",
    "CREATE TABLE IF NOT EXISTS jt_stream_shards(arn TEXT NOT NULL, shard_id TEXT NOT NULL, parent TEXT,"
    " created REAL NOT NULL, start_seq INTEGER NOT NULL, end_seq INTEGER, closed_at REAL,"
    " PRIMARY KEY(arn, shard_id))",
)


@dataclass
class Stream:
    arn: str
    table_name: str
    tid: int
    label: str
    view_type: str
    key_schema: list[dict]
    created: float
    first_seq: int
    last_seq: int | None    # set when the stream is disabled
    disabled_at: float | None

    @property
    def status(self) -> str:
        return "ENABLED" if self.disabled_at is None else "DISABLED"

    @property
    def key_names(self) -> list[str]:
        return [element["AttributeName"] for element in self.key_schema]


@dataclass
class Shard:
    arn: str
    shard_id: str
    parent: str | None
    created: float
    start_seq: int
    end_seq: int | None     # set when the shard closes
    closed_at: float | None

    @property
    def is_open(self) -> bool:
        return self.end_seq is None


def ensure_schema(engine: "Engine") -> None:
    with engine.storage.transaction() as c:
        for statement in _SCHEMA:
            c.execute(statement)


def _stream(row: tuple) -> Stream:
    fields = list(row)
    fields[5] = orjson.loads(fields[5])
    return Stream(*fields)


_STREAM_COLUMNS = "arn, table_name, tid, label, view_type, key_schema, created, first_seq, last_seq, disabled_at"
_SHARD_COLUMNS = "arn, shard_id, parent, created, start_seq, end_seq, closed_at"


def _key_schema(meta: TableMeta) -> list[dict]:
    schema = [{"AttributeName": meta.hash.name, "KeyType": "HASH"}]
    if meta.range:
        schema.append({"AttributeName": meta.range.name, "KeyType": "RANGE"})
    return schema


def _shard_id(arn: str, created: float, start_seq: int) -> str:
    digest = hashlib.sha256(f"{arn}/{start_seq}".encode()).hexdigest()[:8]
    return f"shardId-{int(created * 1000):020d}-{digest}"


def _open_shard(c: sqlite3.Connection, arn: str, parent: str | None, now: float, start_seq: int) -> None:
    c.execute(f"INSERT INTO jt_stream_shards({_SHARD_COLUMNS}) VALUES(?, ?, ?, ?, ?, NULL, NULL)",
              (arn, _shard_id(arn, now, start_seq), parent, now, start_seq))


# -- lifecycle (called from the table hooks, inside the table change's transaction) -------
def sync_table(engine: "Engine", meta: TableMeta, dropping: bool = False) -> None:
    """Make the registry match the table: close a stream that ended, open the one that began."""
    now = engine.clock.now()
    wanted = meta.stream_arn if meta.stream_enabled and not dropping else None
    with engine.storage.transaction() as c:
        last = changelog.last_sequence(c, meta)
        for (arn,) in c.execute("SELECT arn FROM jt_streams WHERE tid=? AND disabled_at IS NULL",
                                (meta.tid,)).fetchall():
            if arn != wanted:
                c.execute("UPDATE jt_streams SET last_seq=?, disabled_at=? WHERE arn=?", (last, now, arn))
                c.execute("UPDATE jt_stream_shards SET end_seq=?, closed_at=? WHERE arn=? AND end_seq IS NULL",
                          (last, now, arn))
        if wanted is None or c.execute("SELECT 1 FROM jt_streams WHERE arn=?", (wanted,)).fetchone():
            return
        c.execute(f"INSERT INTO jt_streams({_STREAM_COLUMNS}) VALUES(?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                  (wanted, meta.name, meta.tid, meta.stream_label, meta.stream_view_type,
                   orjson.dumps(_key_schema(meta)), now, last + 1))
        _open_shard(c, wanted, None, now, last + 1)


def sync_all(engine: "Engine") -> None:
    """Register streams of tables enabled before this registry existed (old data dirs)."""
    for meta in engine.catalog.all():
        if meta.stream_enabled:
            with engine.storage.read() as c:
                known = c.execute("SELECT 1 FROM jt_streams WHERE arn=?", (meta.stream_arn,)).fetchone()
            if not known:
                sync_table(engine, meta)


# -- reads ------------------------------------------------------------------------------
def list_streams(engine: "Engine", table_name: str | None = None) -> list[Stream]:
    """Streams (enabled and recently disabled), newest first within a table."""
    sql = f"SELECT {_STREAM_COLUMNS} FROM jt_streams"
    args: tuple = ()
    if table_name is not None:
        sql += " WHERE table_name=?"
        args = (table_name,)
    with engine.storage.read() as c:
        rows = c.execute(sql + " ORDER BY table_name, label DESC, arn", args).fetchall()
    return [_stream(row) for row in rows]


def get_stream(engine: "Engine", arn: str) -> Stream | None:
    with engine.storage.read() as c:
        row = c.execute(f"SELECT {_STREAM_COLUMNS} FROM jt_streams WHERE arn=?", (arn,)).fetchone()
    return _stream(row) if row else None


def table_of(engine: "Engine", stream: Stream) -> TableMeta | None:
    """The live table whose log holds this stream's records (None once the table is deleted)."""
    meta = engine.catalog.get(stream.table_name)
    return meta if meta is not None and meta.tid == stream.tid else None


def shards(engine: "Engine", stream: Stream) -> list[Shard]:
    """The stream's shards, oldest first, after rolling the open shard over if it is due."""
    found = _read_shards(engine, stream)
    open_shard = next((s for s in found if s.is_open), None)
    if open_shard is not None and _roll_over_due(engine, stream, open_shard):
        with engine.storage.transaction() as c:
            _roll_over(engine, c, stream)
        found = _read_shards(engine, stream)
    return found


def _read_shards(engine: "Engine", stream: Stream) -> list[Shard]:
    with engine.storage.read() as c:
        rows = c.execute(f"SELECT {_SHARD_COLUMNS} FROM jt_stream_shards WHERE arn=? ORDER BY created, shard_id",
                         (stream.arn,)).fetchall()
    return [Shard(*row) for row in rows]


def _roll_over_due(engine: "Engine", stream: Stream, shard: Shard) -> bool:
    """An open shard rolls over once it is SHARD_ROLLOVER_SECONDS old and holds records."""
    meta = table_of(engine, stream)
    if stream.disabled_at is not None or meta is None:
        return False
    if engine.clock.now() - shard.created < SHARD_ROLLOVER_SECONDS:
        return False
    with engine.storage.read() as c:
        return changelog.last_sequence(c, meta) >= shard.start_seq


def _roll_over(engine: "Engine", c: sqlite3.Connection, stream: Stream) -> None:
    """Close the open shard at the log's last sequence number and open its child after it."""
    row = c.execute(f"SELECT {_SHARD_COLUMNS} FROM jt_stream_shards WHERE arn=? AND end_seq IS NULL",
                    (stream.arn,)).fetchone()
    meta = table_of(engine, stream)
    if row is None or meta is None or not _roll_over_due(engine, stream, Shard(*row)):
        return  # someone else rolled it over meanwhile
    now = engine.clock.now()
    last = changelog.last_sequence(c, meta)
    c.execute("UPDATE jt_stream_shards SET end_seq=?, closed_at=? WHERE arn=? AND shard_id=?",
              (last, now, stream.arn, row[1]))
    _open_shard(c, stream.arn, row[1], now, last + 1)


# -- retention --------------------------------------------------------------------------
def log_retention_seconds(engine: "Engine", meta: TableMeta) -> float:
    """Changelog retention rule: 24 h of log while the table has a live or recent stream."""
    since = engine.clock.now() - KEEP_AFTER_CLOSE_SECONDS
    with engine.storage.read() as c:
        row = c.execute("SELECT 1 FROM jt_streams WHERE tid=? AND (disabled_at IS NULL OR disabled_at >= ?)",
                        (meta.tid, since)).fetchone()
    return changelog.STREAM_RETENTION_SECONDS if row else 0.0


def maintain(engine: "Engine") -> None:
    """Roll shards over and forget shards and streams closed more than 24 hours ago."""
    for stream in list_streams(engine):
        if stream.disabled_at is None:
            shards(engine, stream)
    expired = engine.clock.now() - KEEP_AFTER_CLOSE_SECONDS
    with engine.storage.transaction() as c:
        c.execute("DELETE FROM jt_stream_shards WHERE closed_at IS NOT NULL AND closed_at < ?", (expired,))
        c.execute("DELETE FROM jt_stream_shards WHERE arn IN (SELECT arn FROM jt_streams"
                  " WHERE disabled_at IS NOT NULL AND disabled_at < ?)", (expired,))
        c.execute("DELETE FROM jt_streams WHERE disabled_at IS NOT NULL AND disabled_at < ?", (expired,))


def register(engine: "Engine") -> None:
    ensure_schema(engine)
    sync_all(engine)
    if log_retention_seconds not in changelog.RETENTION_RULES:
        changelog.RETENTION_RULES.append(log_retention_seconds)
    schedule = Periodic(MAINTENANCE_EVERY_SECONDS)

    def maintenance_task(engine: "Engine") -> bool:
        now = engine.clock.now()
        if schedule.due(now):
            maintain(engine)
            schedule.ran(now)
        return False

    engine.add_background_task("stream-shards", maintenance_task)
