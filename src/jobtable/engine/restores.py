"""Restores into a new table: from a backup file or from a point in time, in the background.

The API layer creates the target table in CREATING state with `meta.extras["restore"]`
describing the source; `restore_step` then loads it a chunk per transaction through the
bulk loader (indexes built as it goes) and finally flips it to ACTIVE. Progress is the
table's live ItemCount against `extras["restore"]["total"]`. A restore interrupted by a
restart starts over from an empty table, so it never ends half-loaded.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jobtable.engine import backups, pitr
from jobtable.engine.backupfile import BackupFileError, BackupReader, verify
from jobtable.engine.bulkload import CHUNK, clear_table, load_documents
from jobtable.engine.catalog import TableMeta

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

log = logging.getLogger("jobtable.engine")


def backup_source(backup: "backups.Backup") -> dict[str, Any]:
    return {"kind": "backup", "arn": backup.arn, "path": backup.path, "sha256": backup.sha256}


def pitr_source(source: "pitr.PitrSource", at: float, max_seq: int) -> dict[str, Any]:
    return {"kind": "pitr", "arn": source.arn, "live": source.deleted_at is None, "at": at, "max_seq": max_seq}


def begin(engine: "Engine", meta: TableMeta, source: dict[str, Any], summary: dict[str, Any],
          total: int | None) -> None:
    """Mark a freshly built target table as being restored (call before adding it to the catalog)."""
    meta.status = "CREATING"
    for index in meta.gsis:
        index.status = "CREATING"
    meta.extras["restore"] = {"source": source, "summary": summary, "in_progress": True, "total": total}
    _started(engine).add(meta.tid)  # before the table is visible: the loader must not think it resumed


class _RestoreJob:
    def __init__(self, engine: "Engine", meta: TableMeta, resumed: bool) -> None:
        self.engine = engine
        self.meta = meta
        source = meta.extras["restore"]["source"]
        if resumed:
            clear_table(engine, meta)
        self.from_history = source["kind"] == "pitr"
        if not self.from_history:
            verify(source["path"], source.get("sha256"))
            self.reader: Any = BackupReader(source["path"], engine.sealer.open)
        else:
            history = _pitr_history(engine, source)
            if history is None or pitr.window(engine, history)[0] > source["at"]:
                raise LookupError(f"the point-in-time history of {meta.name}'s source is gone")
            self.reader = pitr.PointInTimeReader(engine, history, source["at"], source["max_seq"])

    def step(self) -> bool:
        rows = self.reader.next_chunk(CHUNK)
        if rows is None:
            return True
        if self.from_history:
            rows = [(doc, size) for _pk, _sk, doc, size in rows]
        if rows:
            load_documents(self.engine, self.meta, rows)
        return False

    def close(self) -> None:
        self.reader.close()


def _pitr_history(engine: "Engine", source: dict[str, Any]) -> "pitr.PitrSource | None":
    if source["live"]:
        for meta in engine.catalog.all():
            if meta.arn == source["arn"]:
                return pitr.live_source(meta)
        return None
    return pitr.archived_source(engine, source["arn"])


def restore_step(engine: "Engine") -> bool:
    """Load one chunk into every table being restored; True while work remains."""
    jobs: dict[int, _RestoreJob] = engine.extensions.setdefault("restore_jobs", {})
    busy = False
    live = {meta.tid for meta in engine.catalog.all()}
    for tid in [t for t in jobs if t not in live]:  # target deleted meanwhile: let go of its source
        jobs.pop(tid).close()
    for meta in engine.catalog.all():
        restore = meta.extras.get("restore")
        if not restore or not restore.get("in_progress"):
            continue
        job = jobs.get(meta.tid)
        try:
            if job is None:
                job = jobs[meta.tid] = _RestoreJob(engine, meta, resumed=meta.tid not in _started(engine))
            done = job.step()
        except (BackupFileError, LookupError, OSError) as exc:
            if jobs.get(meta.tid) is not None:
                jobs.pop(meta.tid).close()
            _fail(engine, meta, str(exc))
            continue
        if done:
            jobs.pop(meta.tid, None)
            finish(engine, meta)
        else:
            busy = True
    return busy


def _started(engine: "Engine") -> set[int]:
    return engine.extensions.setdefault("restores_started", set())


def started_here(engine: "Engine", meta: TableMeta) -> None:
    """Start loading a restore whose table was just added to the catalog.

    A point-in-time restore opens its reader at once: its log hold must be in place before
    the next roll-forward could fold away the second being restored.
    """
    from jobtable.engine.recovery import job_lock

    with job_lock(engine, "restores"):
        jobs = engine.extensions.setdefault("restore_jobs", {})
        if meta.extras["restore"]["source"]["kind"] == "pitr" and meta.tid not in jobs:
            jobs[meta.tid] = _RestoreJob(engine, meta, resumed=False)
    engine.wake()


def finish(engine: "Engine", meta: TableMeta) -> None:
    with engine.storage.transaction():
        if engine.catalog.get(meta.name) is not meta:
            return
        meta.status = "ACTIVE"
        for index in meta.gsis:
            index.status = "ACTIVE"
        meta.extras["restore"]["in_progress"] = False
        engine.catalog.save(meta)
    _started(engine).discard(meta.tid)


def _fail(engine: "Engine", meta: TableMeta, reason: str) -> None:
    """A restore whose source is unreadable leaves no table behind (DynamoDB shows none either)."""
    log.error("restore of %s failed: %s", meta.name, reason)
    engine.catalog.remove(meta)
    engine.stats.forget(meta.tid)
    _started(engine).discard(meta.tid)
