"""Time to Live that really deletes: settings, the `expires` backfill and the sweeper.

The write path stores each item's TTL value (a Number, epoch seconds) in the indexed
`expires` column (writes.expiry_of). The sweeper reads that index for `expires <= now`,
so a sweep costs the expired items, never a scan, and deletes them through the one write
path with origin "ttl": indexes follow, the change log (and so the stream) records a
service REMOVE, and no capacity is charged. DynamoDB sweeps within ~48 hours; we sweep
every `interval` seconds on purpose, and say so in docs/ttl-and-streams.md.

Metrics: `ttl_state(engine).deleted[table_name]` is the cumulative TimeToLiveDeletedItemCount,
and `ttl_state(engine).observers` are called as observer(table_name, count, at) after each
committed batch of TTL deletions.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from jobtable.engine.catalog import TableMeta
from jobtable.engine.periodic import Periodic
from jobtable.engine.walk import cursor_after, items_after
from jobtable.engine.writes import apply_write, decode_doc, expiry_of

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

DEFAULT_INTERVAL = 5.0                  # seconds between sweeps (`jobtable serve --ttl-interval`)
IGNORED_AFTER_SECONDS = 5 * 365 * 86400  # TTL values more than five years in the past never expire
SWEEP_BATCH = 200                       # deletions per table per transaction and per pass
BACKFILL_CHUNK = 2000                   # items whose `expires` is recomputed per transaction
CHANGE_COOLDOWN_SECONDS = 3600          # UpdateTimeToLive: one change per table per hour
EXTENSION_KEY = "ttl"

log = logging.getLogger("jobtable.ttl")

TtlObserver = Callable[[str, int, float], None]


@dataclass
class TtlState:
    """The sweeper's per-engine state: schedule, counters and observers."""

    schedule: Periodic = field(default_factory=lambda: Periodic(DEFAULT_INTERVAL))
    deleted: dict[str, int] = field(default_factory=dict)  # TimeToLiveDeletedItemCount per table
    observers: list[TtlObserver] = field(default_factory=list)


def ttl_state(engine: "Engine") -> TtlState:
    state = engine.extensions.get(EXTENSION_KEY)
    if state is None:
        state = engine.extensions[EXTENSION_KEY] = TtlState()
    return state  # type: ignore[return-value]


def set_interval(engine: "Engine", seconds: float) -> None:
    ttl_state(engine).schedule.interval = max(0.0, float(seconds))


def register(engine: "Engine") -> None:
    ttl_state(engine)
    engine.add_background_task("ttl", run)


# -- settings -------------------------------------------------------------------------
def is_enabled(meta: TableMeta) -> bool:
    return meta.ttl_status == "ENABLED" and bool(meta.ttl_attribute)


def last_change(meta: TableMeta) -> float | None:
    return meta.extras.get("ttl_changed_at")


def enable(engine: "Engine", meta: TableMeta, attribute: str) -> None:
    """Switch TTL on: new writes fill `expires` at once, existing items are backfilled."""
    with engine.storage.transaction():
        meta.ttl_attribute = attribute
        meta.ttl_status = "ENABLED"
        meta.extras["ttl_changed_at"] = engine.clock.now()
        meta.extras["ttl_backfill"] = {"cursor": None}
        engine.catalog.save(meta)
    engine.wake()


def disable(engine: "Engine", meta: TableMeta) -> None:
    """Switch TTL off: the sweeper skips the table; stale `expires` values are rewritten on re-enable."""
    with engine.storage.transaction():
        meta.ttl_attribute = None
        meta.ttl_status = "DISABLED"
        meta.extras["ttl_changed_at"] = engine.clock.now()
        meta.extras.pop("ttl_backfill", None)
        engine.catalog.save(meta)


# -- background work ------------------------------------------------------------------
def run(engine: "Engine") -> bool:
    """One background pass: backfill a chunk if any table needs it, else sweep when due."""
    for meta in engine.catalog.all():
        if is_enabled(meta) and "ttl_backfill" in meta.extras:
            return _backfill_chunk(engine, meta)
    schedule = ttl_state(engine).schedule
    now = engine.clock.now()
    if not schedule.due(now):
        return False
    busy = False
    for meta in engine.catalog.all():
        if is_enabled(meta):
            busy = sweep_table(engine, meta, now) or busy
    if not busy:  # a pass that hit the batch bound continues on the next tick
        schedule.ran(now)
    return busy


def _backfill_chunk(engine: "Engine", meta: TableMeta) -> bool:
    """Recompute `expires` for the next chunk of items in key order; True while work remains."""
    with engine.storage.transaction() as c:
        backfill = meta.extras.get("ttl_backfill")
        if engine.catalog.get(meta.name) is not meta or backfill is None:
            return True  # changed meanwhile; look again
        rows = items_after(c, meta, backfill.get("cursor"), BACKFILL_CHUNK)
        c.executemany(f"UPDATE {meta.items_table} SET expires=? WHERE pk=? AND sk=?",
                      [(expiry_of(meta, decode_doc(engine, doc)), pk, sk) for pk, sk, doc in rows])
        if len(rows) < BACKFILL_CHUNK:
            meta.extras.pop("ttl_backfill", None)
        else:
            backfill["cursor"] = cursor_after(rows)
        engine.catalog.save(meta)
    return True  # the next pass sweeps (or backfills further)


def sweep_table(engine: "Engine", meta: TableMeta, now: float) -> bool:
    """Delete up to SWEEP_BATCH expired items of one table; True if more may be expired."""
    oldest = now - IGNORED_AFTER_SECONDS
    deleted = 0
    with engine.storage.transaction() as c:
        if engine.catalog.get(meta.name) is not meta or not is_enabled(meta):
            return False
        due = c.execute(f"SELECT pk, sk, doc FROM {meta.items_table} WHERE expires IS NOT NULL"
                        f" AND expires <= ? AND expires >= ? ORDER BY expires LIMIT {SWEEP_BATCH}",
                        (now, oldest)).fetchall()
        for pk, sk, doc in due:
            item = decode_doc(engine, doc)
            expires = expiry_of(meta, item)  # trust the item itself, not only the column
            if expires is None or not oldest <= expires <= now:
                c.execute(f"UPDATE {meta.items_table} SET expires=? WHERE pk=? AND sk=?", (expires, pk, sk))
                continue
            apply_write(engine, meta, item, None, origin="ttl")
            deleted += 1
        if deleted:
            name = meta.name
            engine.storage.on_commit(lambda: _count(engine, name, deleted, now))
    return len(due) >= SWEEP_BATCH


def _count(engine: "Engine", table_name: str, count: int, at: float) -> None:
    state = ttl_state(engine)
    state.deleted[table_name] = state.deleted.get(table_name, 0) + count
    for observer in list(state.observers):
        try:
            observer(table_name, count, at)
        except Exception:  # a metrics bug must not undo or stop deletions
            log.exception("TTL observer failed")
