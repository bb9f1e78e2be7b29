"""The table's change log (`log_<tid>`): sequence positions, ranged reads and retention.

Every write appends one row (seq, at, pk, sk, old, new, origin) in its own transaction
(engine/writes.py). Streams read 24 hours of it; point-in-time recovery reads its recovery
window. There is one copy, so there is one pruning rule: `prune` deletes only rows that no
feature still needs, a bounded chunk per call.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from jobtable.engine.catalog import TableMeta
from jobtable.engine.periodic import Periodic

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

DAY_SECONDS = 24 * 3600
STREAM_RETENTION_SECONDS = DAY_SECONDS   # DynamoDB Streams keeps records 24 hours
PITR_DEFAULT_DAYS = 35
PRUNE_CHUNK = 5000                       # rows deleted per table per background pass
PRUNE_EVERY_SECONDS = 60.0               # clock seconds between retention passes

# Features that need history register here: rule(engine, meta) -> seconds of log to keep.
# Streams registers its 24 hours; PITR's window is read from meta.extras["pitr"] below.
RETENTION_RULES: list[Callable[["Engine", TableMeta], float]] = []


@dataclass
class LogRow:
    seq: int
    at: float
    pk: bytes
    sk: bytes
    old: bytes | None  # stored documents (writes.decode_doc opens them), None for "absent"
    new: bytes | None
    origin: str        # "user" | "ttl" | ...


def last_sequence(c: sqlite3.Connection, meta: TableMeta) -> int:
    """The highest sequence number ever given in this table's log (0 before the first write).

    Read from sqlite_sequence, so it stays right after pruning emptied the log.
    """
    row = c.execute("SELECT seq FROM sqlite_sequence WHERE name=?", (meta.log_table,)).fetchone()
    return int(row[0]) if row else 0


def complete_after(c: sqlite3.Connection, meta: TableMeta, seq: int) -> bool:
    """Whether every log row after position `seq` is still there (none pruned or folded away)."""
    kept = c.execute(f"SELECT count(*) FROM {meta.log_table} WHERE seq > ?", (seq,)).fetchone()[0]
    return kept == max(0, last_sequence(c, meta) - seq)


def read_rows(c: sqlite3.Connection, meta: TableMeta, first: int, last: int | None,
              limit: int) -> list[LogRow]:
    """Rows with first <= seq (<= last), in sequence order, at most `limit`."""
    sql = f"SELECT seq, at, pk, sk, old, new, origin FROM {meta.log_table} WHERE seq >= ?"
    args: list = [first]
    if last is not None:
        sql += " AND seq <= ?"
        args.append(last)
    sql += " ORDER BY seq LIMIT ?"
    args.append(limit)
    return [LogRow(*row) for row in c.execute(sql, args)]


def first_sequence_since(c: sqlite3.Connection, meta: TableMeta, since: float, first: int) -> int | None:
    """The first sequence number >= `first` written at or after `since` (None if there is none)."""
    row = c.execute(f"SELECT min(seq) FROM {meta.log_table} WHERE seq >= ? AND at >= ?",
                    (first, since)).fetchone()
    return row[0] if row and row[0] is not None else None


def pitr_window_seconds(meta: TableMeta) -> float:
    """The recovery window PITR needs (0 when PITR is off); set by the backups feature."""
    pitr = meta.extras.get("pitr") or {}
    if not pitr.get("enabled"):
        return 0.0
    return float(pitr.get("recovery_period_days") or PITR_DEFAULT_DAYS) * DAY_SECONDS


def retention_seconds(engine: "Engine", meta: TableMeta) -> float:
    """How much history this table's log must keep: the longest any feature needs."""
    keep = pitr_window_seconds(meta)
    for rule in RETENTION_RULES:
        keep = max(keep, rule(engine, meta))
    return keep


def prune(engine: "Engine", meta: TableMeta) -> bool:
    """Delete one chunk of log rows older than every feature's need; True if more remain."""
    cutoff = engine.clock.now() - retention_seconds(engine, meta)
    with engine.storage.transaction() as c:
        if engine.catalog.get(meta.name) is not meta:
            return False  # dropped or replaced meanwhile
        deleted = c.execute(
            f"DELETE FROM {meta.log_table} WHERE seq IN (SELECT seq FROM {meta.log_table}"
            f" WHERE at < ? ORDER BY seq LIMIT {PRUNE_CHUNK})", (cutoff,)).rowcount
    return deleted >= PRUNE_CHUNK


def register(engine: "Engine") -> None:
    schedule = Periodic(PRUNE_EVERY_SECONDS)

    def retention_task(engine: "Engine") -> bool:
        """Prune every table's log, at most once per PRUNE_EVERY_SECONDS of clock."""
        now = engine.clock.now()
        if not schedule.due(now):
            return False
        busy = False
        for meta in engine.catalog.all():
            busy = prune(engine, meta) or busy
        if not busy:
            schedule.ran(now)
        return busy

    engine.add_background_task("changelog-retention", retention_task)
