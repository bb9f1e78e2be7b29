"""On-demand and system backups: a registry in SQLite, one checksummed file per backup.

CreateBackup records the backup as CREATING at the table's current change-log position
and returns; a background step then writes the file chunk by chunk from a consistent
snapshot at that position (snapshots.LiveSnapshot), so writers are never blocked for
more than one chunk and the backup is exactly the table at BackupCreationDateTime. The
backup becomes AVAILABLE when the file is sealed. SYSTEM backups (made when a table
with PITR is deleted) are written the same way from the PITR archive at the moment of
deletion, and expire after 35 days.

Files live in `<data_dir>/backups/` (a private temp dir for in-memory engines).
"""
from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from jobtable.engine import changelog, pitr
from jobtable.engine.backupfile import BackupWriter, remove_partial_files
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import BackupInUseException, BackupNotFoundException
from jobtable.engine.localfiles import feature_dir
from jobtable.engine.snapshots import LiveSnapshot

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

CHUNK = 2000  # rows per snapshot read: the longest a writer can wait on a backup
SYSTEM_BACKUP_SUFFIX = "$DeletedTableBackup"
log = logging.getLogger("jobtable.engine")


@dataclass
class Backup:
    arn: str
    name: str
    table_name: str
    table_arn: str
    table_id: str
    type: str          # USER | SYSTEM
    status: str        # CREATING | AVAILABLE
    created: float
    expires: float | None
    size: int
    items: int
    path: str
    sha256: str | None
    source: dict[str, Any]   # how the file is produced: live table at a log position, or a PITR archive
    meta: TableMeta          # the table's metadata at backup time (schema, indexes, settings)

    @property
    def backup_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


_COLUMNS = ("arn, name, table_name, table_arn, table_id, type, status, created, expires, size, items, path,"
            " sha256, source, meta")


def create_storage(engine: "Engine") -> None:
    with engine.storage.transaction() as c:
        c.execute("CREATE TABLE IF NOT EXISTS jt_backups(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
                  " table_name TEXT NOT NULL, table_arn TEXT NOT NULL, table_id TEXT NOT NULL, type TEXT NOT NULL,"
                  " status TEXT NOT NULL, created REAL NOT NULL, expires REAL, size INTEGER NOT NULL,"
                  " items INTEGER NOT NULL, path TEXT NOT NULL, sha256 TEXT, source TEXT NOT NULL,"
                  " meta TEXT NOT NULL)")
        c.execute("CREATE INDEX IF NOT EXISTS jt_backups_created ON jt_backups(created)")


def _from_row(row: tuple) -> Backup:
    return Backup(*row[:13], source=orjson.loads(row[13]), meta=TableMeta.from_json(row[14]))


def new_arn(table_arn: str, now: float) -> str:
    """DynamoDB's backup ARN: `<table arn>/backup/<epoch millis, 14 digits>-<8 hex>`."""
    return f"{table_arn}/backup/{int(now * 1000):014d}-{secrets.token_hex(4)}"


def get(engine: "Engine", arn: str) -> Backup:
    with engine.storage.read() as c:
        row = c.execute(f"SELECT {_COLUMNS} FROM jt_backups WHERE arn=?", (arn,)).fetchone()
    if row is None:
        raise BackupNotFoundException(f"Backup not found: {arn}")
    return _from_row(row)


def all_backups(engine: "Engine") -> list[Backup]:
    with engine.storage.read() as c:
        rows = c.execute(f"SELECT {_COLUMNS} FROM jt_backups ORDER BY created, rowid").fetchall()
    return [_from_row(r) for r in rows]


def _insert(engine: "Engine", backup: Backup) -> None:
    with engine.storage.transaction() as c:
        c.execute(f"INSERT INTO jt_backups({_COLUMNS}) VALUES({','.join('?' * 15)})",
                  (backup.arn, backup.name, backup.table_name, backup.table_arn, backup.table_id, backup.type,
                   backup.status, backup.created, backup.expires, backup.size, backup.items, backup.path,
                   backup.sha256, orjson.dumps(backup.source), backup.meta.to_json()))
    engine.wake()


def create_backup(engine: "Engine", meta: TableMeta, name: str) -> Backup:
    """Record a USER backup of `meta` as it is now; the file is written in the background.

    The first chunk is written at once, so a small table's backup is AVAILABLE when the call returns.
    """
    now = engine.clock.now()
    with engine.storage.read() as c:
        count, size = engine.stats.get(c, meta)
        seq = c.execute(f"SELECT max(seq) FROM {meta.log_table}").fetchone()[0] or 0
    arn = new_arn(meta.arn, now)
    path = os.path.join(feature_dir(engine, "backups"), arn.rsplit("/", 1)[-1] + ".jtbackup")
    backup = Backup(arn, name, meta.name, meta.arn, meta.table_id, "USER", "CREATING", now, None, size, count,
                    path, None, {"kind": "live", "table": meta.name, "tid": meta.tid, "seq": seq},
                    TableMeta.from_json(meta.to_json()))
    _insert_and_start(engine, backup)
    return backup


def _insert_and_start(engine: "Engine", backup: Backup) -> None:
    """Record the backup, open its writer and write its first chunk, under the jobs lock."""
    from jobtable.engine.recovery import job_lock

    with job_lock(engine, "backups"):
        _insert(engine, backup)
        job = _start_job(engine, backup)
        for _ in range(2):  # one chunk of rows, then the seal if that was all
            if job.step():
                engine.extensions["backup_jobs"].pop(backup.arn, None)
                backup.status = "AVAILABLE"
                backup.size, backup.items = job.writer.bytes, job.writer.items
                break


def _start_job(engine: "Engine", backup: Backup, resumed: bool = False) -> "_BackupJob":
    """Create the writer now, so the snapshot's log hold is in place before the request returns."""
    job = _BackupJob(engine, backup, resumed)
    engine.extensions.setdefault("backup_jobs", {})[backup.arn] = job
    return job


def create_system_backup(engine: "Engine", source: "pitr.PitrSource") -> Backup:
    """The `<name>$DeletedTableBackup` DynamoDB keeps for 35 days when a PITR table is deleted."""
    assert source.deleted_at is not None
    arn = new_arn(source.arn, source.deleted_at)
    path = os.path.join(feature_dir(engine, "backups"), arn.rsplit("/", 1)[-1] + ".jtbackup")
    backup = Backup(arn, source.name + SYSTEM_BACKUP_SUFFIX, source.name, source.arn, source.table_id, "SYSTEM",
                    "CREATING", source.deleted_at, source.deleted_at + pitr.DELETED_RETENTION_DAYS * pitr.DAY,
                    0, 0, path, None, {"kind": "pitr-archive", "arn": source.arn, "at": source.deleted_at},
                    source.meta)
    _insert(engine, backup)  # written by the background step, once the catalog has archived the log
    return backup


def delete_backup(engine: "Engine", arn: str) -> Backup:
    from jobtable.engine.recovery import job_lock

    with job_lock(engine, "backups"):
        backup = get(engine, arn)
        if backup.status == "CREATING" or restoring_from(engine, arn):
            raise BackupInUseException("There is another ongoing conflicting backup control plane operation on "
                                       f"the table. The backup is either being created, deleted or restored to a "
                                       f"table: {arn}")
        _remove(engine, backup)
    backup.status = "DELETED"
    return backup


def restoring_from(engine: "Engine", arn: str) -> bool:
    """Whether some table is still being restored from this backup."""
    for meta in engine.catalog.all():
        restore = meta.extras.get("restore")
        if restore and restore.get("in_progress") and restore.get("source", {}).get("arn") == arn \
                and restore["source"].get("kind") == "backup":
            return True
    return False


def _remove(engine: "Engine", backup: Backup) -> None:
    job = engine.extensions.get("backup_jobs", {}).pop(backup.arn, None)
    if job is not None:
        job.abort()
    with engine.storage.transaction() as c:
        c.execute("DELETE FROM jt_backups WHERE arn=?", (backup.arn,))
    remove_partial_files(backup.path)
    if os.path.exists(backup.path):
        os.remove(backup.path)


# -- background work ----------------------------------------------------------------------
class _BackupJob:
    """Writes one CREATING backup's file, a chunk per background step."""

    def __init__(self, engine: "Engine", backup: Backup, resumed: bool) -> None:
        self.engine = engine
        self.backup = backup
        kind = backup.source["kind"]
        if kind == "live":
            meta = engine.catalog.get(backup.source["table"])
            if meta is None or meta.tid != backup.source["tid"]:
                raise LookupError(f"table {backup.table_name} is gone")
            seq = backup.source["seq"]
            if resumed:  # the hold on the log died with the last process: are the rows it kept still there?
                with engine.storage.read() as c:
                    if not changelog.complete_after(c, meta, seq):
                        raise LookupError(f"the change log of {backup.table_name} since the backup's moment "
                                          "was pruned while the server was down")
            # Always the table at the backup's own moment, also when resumed after a restart.
            self.reader: Any = LiveSnapshot(engine, meta, seq, since=backup.created)
        else:
            source = pitr.archived_source(engine, backup.source["arn"])
            if source is None:
                raise LookupError(f"the point-in-time archive of {backup.table_name} is gone")
            self.reader = pitr.PointInTimeReader(engine, source, backup.source["at"])
        header = {"backup_arn": backup.arn, "backup_name": backup.name, "created": backup.created,
                  "type": backup.type, "table": orjson.loads(backup.meta.to_json())}
        sse = backup.meta.sse_enabled
        self.writer = BackupWriter(backup.path, header, (lambda doc: engine.sealer.seal(True, doc)) if sse else None)

    def step(self) -> bool:
        """Write one chunk; True when the backup is complete."""
        try:
            rows = self.reader.next_chunk(CHUNK)
        except sqlite3.OperationalError as exc:  # the table was dropped under the snapshot
            raise LookupError(str(exc)) from None
        if rows is None:
            digest = self.writer.finish()
            with self.engine.storage.transaction() as c:
                c.execute("UPDATE jt_backups SET status='AVAILABLE', size=?, items=?, sha256=? WHERE arn=?",
                          (self.writer.bytes, self.writer.items, digest, self.backup.arn))
            return True
        self.writer.add([(doc, size) for _pk, _sk, doc, size in rows])
        return False

    def abort(self) -> None:
        self.reader.close()
        self.writer.abort()


def resume_jobs(engine: "Engine") -> None:
    """At start-up, reopen the backups a stopped process left CREATING, before any log pruning runs.

    Opening a live backup's snapshot puts its hold on the change log back in place, so the
    rows after its position stay until the file is written; a job that cannot be reopened
    is dealt with by the next `backup_step`.
    """
    jobs: dict[str, _BackupJob] = engine.extensions.setdefault("backup_jobs", {})
    for backup in all_backups(engine):
        if backup.status == "CREATING" and backup.arn not in jobs:
            try:
                _start_job(engine, backup, resumed=True)
            except LookupError:
                pass


def backup_step(engine: "Engine") -> bool:
    """Advance every CREATING backup by one chunk and expire SYSTEM backups; True while work remains."""
    jobs: dict[str, _BackupJob] = engine.extensions.setdefault("backup_jobs", {})
    busy = False
    now = engine.clock.now()
    for backup in all_backups(engine):
        if backup.expires is not None and backup.expires <= now and backup.status == "AVAILABLE":
            _remove(engine, backup)
            continue
        if backup.status != "CREATING":
            continue
        job = jobs.get(backup.arn)
        try:
            if job is None:  # CREATING when the process stopped: write it again from the start
                job = _start_job(engine, backup, resumed=True)
            finished = job.step()
        except LookupError as exc:  # its table, archive or history vanished before the file was sealed
            log.error("backup %s failed and was removed: %s", backup.arn, exc)
            _remove(engine, backup)
            continue
        if finished:
            jobs.pop(backup.arn, None)
        else:
            busy = True
    return busy
