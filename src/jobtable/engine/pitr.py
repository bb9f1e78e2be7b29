"""Point-in-time recovery: a baseline taken when PITR is enabled, plus the table's change log.

The state of a table at second T is, for every key, the new image of its last change-log
row at or before T (None: deleted), or its baseline value when it has no such row. The log
is the one every write already fills (Streams read it too); PITR adds no second copy of
writes, only the baseline — the table as it was when PITR was switched on.

A background step rolls the baseline forward: log rows older than the recovery period are
folded into the baseline and removed, so storage stays bounded by the table plus the
period's changes. Readers in progress hold the log (snapshots.hold_log) so a roll-forward
never moves the ground under a restore or export.

When a table with PITR is deleted its baseline and log are kept as an archive for 35 days:
RestoreTableToPointInTime by SourceTableArn then restores any second of the window the
table had when it was deleted (DynamoDB itself offers only the moment before deletion, as
the SYSTEM backup `<name>$DeletedTableBackup`, which jobtable also creates).

State lives in `meta.extras["pitr"]` = {"enabled", "recovery_period_days", "enabled_at",
"baseline": {"table", "seq", "at"}}. The change log's retention (engine/changelog.py) keeps
every row PITR still needs through `history_needed_seconds`, a registered retention rule.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from jobtable.engine.catalog import TableMeta
from jobtable.engine import changelog
from jobtable.engine.snapshots import (KeyOrderedReader, LiveSnapshot, Row, current_seq, hold_log, log_hold_floor,
                                       log_hold_since, release_log, rows_after)
from jobtable.engine.values import item_size

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

DAY = 86400.0
DEFAULT_PERIOD_DAYS = 35
DELETED_RETENTION_DAYS = 35
FOLD_CHUNK = 5000
LAG_ENV = "JOBTABLE_PITR_LAG_SECONDS"


@dataclass
class PitrSource:
    """Where a table's point-in-time history lives (a live table, or the archive of a deleted one)."""

    name: str
    arn: str
    table_id: str
    tid: int
    meta: TableMeta
    baseline_table: str
    log_table: str
    base_seq: int
    base_at: float
    period_days: int
    deleted_at: float | None = None


def create_storage(engine: "Engine") -> None:
    with engine.storage.transaction() as c:
        c.execute("CREATE TABLE IF NOT EXISTS jt_pitr_archive(arn TEXT NOT NULL, deleted_at REAL NOT NULL,"
                  " name TEXT NOT NULL, meta TEXT NOT NULL, baseline_table TEXT NOT NULL, log_table TEXT NOT NULL,"
                  " base_seq INTEGER NOT NULL, base_at REAL NOT NULL, period INTEGER NOT NULL,"
                  " expires REAL NOT NULL, PRIMARY KEY(arn, deleted_at))")


# -- settings -------------------------------------------------------------------------------
def settings(meta: TableMeta) -> dict[str, Any] | None:
    return meta.extras.get("pitr")


def is_enabled(meta: TableMeta) -> bool:
    """PITR is on and its baseline exists (state written by anything else is not trusted)."""
    state = settings(meta)
    return bool(state and state.get("enabled") and state.get("baseline"))


def lag_seconds(engine: "Engine") -> float:
    """How far LatestRestorableDateTime trails now (AWS: about 5 minutes; jobtable: 0 by default)."""
    configured = engine.extensions.get("pitr_lag_seconds")
    if configured is None:
        configured = float(os.environ.get(LAG_ENV) or 0)
    return float(configured)


def enable(engine: "Engine", meta: TableMeta, period_days: int) -> None:
    """Switch PITR on: take the baseline (a consistent copy that lets writers run between chunks)."""
    table = f"pitrbase_{meta.tid}"
    with engine.storage.transaction() as c:
        c.execute(f"DROP TABLE IF EXISTS {table}")
        c.execute(f"CREATE TABLE {table}(pk BLOB NOT NULL, sk BLOB NOT NULL, doc BLOB NOT NULL,"
                  " size INTEGER NOT NULL, PRIMARY KEY(pk, sk)) WITHOUT ROWID")
    taken_at = engine.clock.now()
    snapshot = LiveSnapshot(engine, meta)
    try:
        while (rows := snapshot.next_chunk()) is not None:
            if rows:  # the baseline keeps documents sealed like the table does
                sealed = [(pk, sk, engine.sealer.seal(meta.sse_enabled, doc), size) for pk, sk, doc, size in rows]
                with engine.storage.transaction() as c:
                    c.executemany(f"INSERT INTO {table}(pk, sk, doc, size) VALUES(?, ?, ?, ?)", sealed)
    finally:
        snapshot.close()
    meta.extras["pitr"] = {"enabled": True, "recovery_period_days": period_days, "enabled_at": taken_at,
                           "baseline": {"table": table, "seq": snapshot.seq, "at": taken_at}}
    engine.catalog.save(meta)


def disable(engine: "Engine", meta: TableMeta) -> None:
    state = settings(meta) or {}
    with engine.storage.transaction() as c:
        if state.get("baseline"):
            c.execute(f"DROP TABLE IF EXISTS {state['baseline']['table']}")
        meta.extras["pitr"] = {"enabled": False,
                               "recovery_period_days": state.get("recovery_period_days", DEFAULT_PERIOD_DAYS)}
        engine.catalog.save(meta)


def set_period(engine: "Engine", meta: TableMeta, period_days: int) -> None:
    meta.extras["pitr"]["recovery_period_days"] = period_days
    engine.catalog.save(meta)


# -- sources and windows --------------------------------------------------------------------
def live_source(meta: TableMeta) -> PitrSource | None:
    if not is_enabled(meta):
        return None
    state = meta.extras["pitr"]
    base = state["baseline"]
    return PitrSource(meta.name, meta.arn, meta.table_id, meta.tid, meta, base["table"], meta.log_table,
                      int(base["seq"]), float(base["at"]), int(state["recovery_period_days"]))


def archived_source(engine: "Engine", arn: str) -> PitrSource | None:
    """The most recent unexpired archive of a deleted table with this ARN."""
    with engine.storage.read() as c:
        row = c.execute("SELECT name, meta, baseline_table, log_table, base_seq, base_at, period, deleted_at"
                        " FROM jt_pitr_archive WHERE arn=? AND expires > ? ORDER BY deleted_at DESC LIMIT 1",
                        (arn, engine.clock.now())).fetchone()
    if row is None:
        return None
    meta = TableMeta.from_json(row[1])
    return PitrSource(row[0], arn, meta.table_id, meta.tid, meta, row[2], row[3], row[4], row[5], row[6], row[7])


def window(engine: "Engine", source: PitrSource) -> tuple[float, float]:
    """(EarliestRestorableDateTime, LatestRestorableDateTime) in epoch seconds."""
    if source.deleted_at is not None:  # the window the table had when it was deleted, kept as it was
        return max(source.base_at, source.deleted_at - source.period_days * DAY), source.deleted_at
    now = engine.clock.now()
    latest = now - lag_seconds(engine)
    earliest = max(source.base_at, now - source.period_days * DAY)
    return earliest, max(latest, earliest)


def archive_on_delete(engine: "Engine", meta: TableMeta) -> PitrSource | None:
    """Keep a PITR table's baseline and log when it is deleted (a DeleteTable hook).

    The catalog renames the log instead of dropping it (`extras["keep_log_as"]`) once every
    deletion hook has run, so other hooks (Streams) still see the live log.
    """
    source = live_source(meta)
    if source is None:
        return None
    now = engine.clock.now()
    archived_log = f"pitrlog_{meta.tid}"
    meta.extras["keep_log_as"] = archived_log
    with engine.storage.transaction() as c:
        c.execute("INSERT OR REPLACE INTO jt_pitr_archive VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (meta.arn, now, meta.name, meta.to_json(), source.baseline_table, archived_log,
                   source.base_seq, source.base_at, source.period_days, now + DELETED_RETENTION_DAYS * DAY))
    source.deleted_at = now  # (its log is read under the live name until the catalog renames it)
    return source


# -- reading the past -----------------------------------------------------------------------
class PointInTimeReader(KeyOrderedReader):
    """The items of `source` as they were at `at`, chunk by chunk in key order."""

    def __init__(self, engine: "Engine", source: PitrSource, at: float, max_seq: int | None = None) -> None:
        self.engine = engine
        self.source = source
        self.at = at
        self._hold = hold_log(engine, source.tid, source.base_seq, source.base_at)
        with engine.storage.read() as c:
            self.max_seq = current_seq(c, source.log_table) if max_seq is None else max_seq
        self._changed: dict[tuple[bytes, bytes], int] | None = None
        self._keys: list[tuple[bytes, bytes]] = []
        self._next_key = 0

    def _load_changes(self) -> None:
        """Which keys changed after the baseline, up to `at`: key -> seq of its last such change."""
        source, changed, last = self.source, {}, self.source.base_seq
        while last < self.max_seq:
            with self.engine.storage.read() as c:
                rows = c.execute(f"SELECT seq, pk, sk, at FROM {source.log_table} WHERE seq > ? AND seq <= ?"
                                 " ORDER BY seq LIMIT 20000", (last, self.max_seq)).fetchall()
            if not rows:
                break
            for seq, pk, sk, at in rows:
                if at <= self.at:
                    changed[(pk, sk)] = seq
            last = rows[-1][0]
        self._changed = changed
        self._keys = sorted(changed)

    def next_chunk(self, limit: int = 5000) -> list[Row] | None:
        if self._done:
            return None
        if self._changed is None:
            self._load_changes()
        source, cursor = self.source, self._cursor
        with self.engine.storage.read() as c:
            rows = rows_after(c, source.baseline_table, cursor, limit)
            upto = (rows[-1][0], rows[-1][1]) if len(rows) >= limit else None
            keys = []
            while self._next_key < len(self._keys) and (upto is None or self._keys[self._next_key] <= upto):
                keys.append(self._keys[self._next_key])
                self._next_key += 1
            images = self._new_images(c, [self._changed[k] for k in keys])
        return self._finish_chunk(self.engine, rows, {key: images.get(self._changed[key]) for key in keys}, upto)

    def _new_images(self, c, seqs: list[int]) -> dict[int, bytes | None]:
        images: dict[int, bytes | None] = {}
        for start in range(0, len(seqs), 500):
            part = seqs[start:start + 500]
            marks = ",".join("?" * len(part))
            images.update(c.execute(f"SELECT seq, new FROM {self.source.log_table} WHERE seq IN ({marks})",
                                    part).fetchall())
        return images

    def close(self) -> None:
        release_log(self.engine, self._hold)
        self._hold = None


# -- log retention ---------------------------------------------------------------------------
def history_needed_seconds(engine: "Engine", meta: TableMeta) -> float:
    """changelog retention rule: keep every log row PITR (or a reader in progress) still needs.

    PITR needs every row after its baseline (the roll-forward removes the ones it folds); a
    backup, restore or export in progress needs the rows after the position it holds.
    """
    since = [float(meta.extras["pitr"]["baseline"]["at"])] if is_enabled(meta) else []
    held = log_hold_since(engine, meta.tid)
    if held is not None:
        since.append(held)
    return max(0.0, engine.clock.now() - min(since)) if since else 0.0


changelog.RETENTION_RULES.append(history_needed_seconds)


# -- background upkeep ----------------------------------------------------------------------
def maintain(engine: "Engine") -> bool:
    """Roll baselines forward past the recovery period and drop expired archives."""
    now = engine.clock.now()
    busy = False
    for meta in engine.catalog.all():
        if is_enabled(meta) and meta.status == "ACTIVE" and log_hold_floor(engine, meta.tid) is None:
            cutoff = now - int(meta.extras["pitr"]["recovery_period_days"]) * DAY
            busy = _roll_forward(engine, meta, cutoff) or busy
    _expire_archives(engine, now)
    return busy


def _roll_forward(engine: "Engine", meta: TableMeta, cutoff: float) -> bool:
    base = meta.extras["pitr"]["baseline"]
    with engine.storage.transaction() as c:
        if engine.catalog.get(meta.name) is not meta:
            return False
        first = c.execute(f"SELECT at FROM {meta.log_table} WHERE seq > ? ORDER BY seq LIMIT 1",
                          (base["seq"],)).fetchone()
        if first is None or first[0] >= cutoff:
            return False
        rows = c.execute(f"SELECT seq, at, pk, sk, new FROM {meta.log_table} WHERE seq > ? ORDER BY seq"
                         f" LIMIT {FOLD_CHUNK}", (base["seq"],)).fetchall()
        folded = 0
        for seq, at, pk, sk, new in rows:
            if at >= cutoff:
                break
            if new is None:
                c.execute(f"DELETE FROM {base['table']} WHERE pk=? AND sk=?", (pk, sk))
            else:
                c.execute(f"INSERT OR REPLACE INTO {base['table']}(pk, sk, doc, size) VALUES(?, ?, ?, ?)",
                          (pk, sk, new, item_size(orjson.loads(engine.sealer.open(new)))))
            folded += 1
        last_seq, last_at = rows[folded - 1][0], rows[folded - 1][1]
        c.execute(f"DELETE FROM {meta.log_table} WHERE seq > ? AND seq <= ?", (base["seq"], last_seq))
        base["seq"] = last_seq
        base["at"] = max(float(base["at"]), float(last_at))
        engine.catalog.save(meta)
    return folded == FOLD_CHUNK


def _expire_archives(engine: "Engine", now: float) -> None:
    with engine.storage.read() as c:
        expired = c.execute("SELECT arn, deleted_at, baseline_table, log_table FROM jt_pitr_archive"
                            " WHERE expires <= ?", (now,)).fetchall()
    for arn, deleted_at, baseline_table, log_table in expired:
        with engine.storage.transaction() as c:
            c.execute(f"DROP TABLE IF EXISTS {baseline_table}")
            c.execute(f"DROP TABLE IF EXISTS {log_table}")
            c.execute("DELETE FROM jt_pitr_archive WHERE arn=? AND deleted_at=?", (arn, deleted_at))
