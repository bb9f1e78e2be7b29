"""Time a backup and a restore of a 100k-item job table (and a point-in-time restore of it).

    .venv/bin/python -m bench.backup_restore            # 100,000 items, on disk in a temp dir
    .venv/bin/python -m bench.backup_restore --items 20000 --in-memory

The table is the seed's job table (jobId key, StatusIndex and UserIndex), so the restore
rebuilds two global secondary indexes. Loading the items is set-up and is not timed.
Reported: CreateBackup until AVAILABLE, RestoreTableFromBackup until ACTIVE, the backup
file's size, the longest time one snapshot chunk held the engine lock (what a writer can
wait at most), and RestoreTableToPointInTime until ACTIVE.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from typing import Any

from jobtable.clock import ManualClock
from jobtable.engine import backups as backup_engine
from jobtable.engine import snapshots
from jobtable.engine.engine import Engine
from jobtable.engine.writes import apply_write
from jobtable.inprocess import client
from jobtable.server.provision import job_table_definition

START = 1_790_000_000.0


def load_jobs(engine: Engine, table: str, count: int) -> None:
    """Write `count` job items through the normal write path (indexes and change log included)."""
    meta = engine.catalog.require(table)
    statuses = ("queued", "running", "succeeded", "failed")
    for start in range(0, count, 5000):
        with engine.storage.transaction():
            for n in range(start, min(count, start + 5000)):
                item = {"jobId": {"S": f"job-{n:07d}"}, "status": {"S": statuses[n % 4]},
                        "userId": {"S": f"user-{n % 97}"}, "createdAt": {"S": f"2026-11-20T{n % 24:02d}:00:{n:07d}"},
                        "jobType": {"S": "render"}, "attempts": {"N": str(n % 5)},
                        "payload": {"M": {"input": {"S": f"s3://in/{n}.bin"}, "size": {"N": str(n * 13)}}}}
                apply_write(engine, meta, None, item)


def until(engine: Engine, done: Any) -> None:
    while not done():
        engine.run_background_once()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--in-memory", action="store_true", help="Use an in-memory engine instead of a data dir.")
    parser.add_argument("--no-sse", action="store_true",
                        help="Table without SSE (the seed's table has it: documents are sealed at rest).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jobtable-bench-") as data_dir:
        engine = Engine(None if args.in_memory else data_dir, clock=ManualClock(START))
        ddb = client(engine=engine)
        spec = job_table_definition("jobs")
        spec.pop("Tags")
        if args.no_sse:
            spec.pop("SSESpecification")
        ddb.create_table(**spec)
        ddb.update_continuous_backups(TableName="jobs",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        started = time.perf_counter()
        load_jobs(engine, "jobs", args.items)
        load_seconds = time.perf_counter() - started
        engine.clock.advance(60)

        pauses: list[float] = []
        original = snapshots.LiveSnapshot.next_chunk

        def timed_chunk(self: Any, limit: int = 5000) -> Any:
            t0 = time.perf_counter()
            try:
                return original(self, limit)
            finally:
                pauses.append(time.perf_counter() - t0)

        snapshots.LiveSnapshot.next_chunk = timed_chunk  # type: ignore[method-assign]
        started = time.perf_counter()
        arn = ddb.create_backup(TableName="jobs", BackupName="bench-backup")["BackupDetails"]["BackupArn"]
        until(engine, lambda: backup_engine.get(engine, arn).status == "AVAILABLE")
        backup_seconds = time.perf_counter() - started
        snapshots.LiveSnapshot.next_chunk = original  # type: ignore[method-assign]
        backup = backup_engine.get(engine, arn)

        started = time.perf_counter()
        ddb.restore_table_from_backup(TargetTableName="jobs-restored", BackupArn=arn)
        until(engine, lambda: engine.catalog.require("jobs-restored").status == "ACTIVE")
        restore_seconds = time.perf_counter() - started
        restored = ddb.describe_table(TableName="jobs-restored")["Table"]
        assert restored["ItemCount"] == args.items, restored["ItemCount"]
        for index in engine.catalog.require("jobs-restored").gsis:  # every item is in both indexes
            count = engine.storage.conn.execute(f"SELECT count(*) FROM {index.sql_table}").fetchone()[0]
            assert count == args.items, (index.name, count)

        started = time.perf_counter()
        ddb.restore_table_to_point_in_time(SourceTableName="jobs", TargetTableName="jobs-pitr",
                                           UseLatestRestorableTime=True)
        until(engine, lambda: engine.catalog.require("jobs-pitr").status == "ACTIVE")
        pitr_seconds = time.perf_counter() - started
        assert ddb.describe_table(TableName="jobs-pitr")["Table"]["ItemCount"] == args.items

        result = {
            "items": args.items, "storage": "memory" if args.in_memory else "disk", "sse": not args.no_sse,
            "load_seconds": round(load_seconds, 2),
            "backup_seconds": round(backup_seconds, 2),
            "backup_file_bytes": os.path.getsize(backup.path), "backup_item_bytes": backup.size,
            "longest_lock_hold_ms": round(max(pauses) * 1000, 1),
            "restore_from_backup_seconds": round(restore_seconds, 2),
            "restore_to_point_in_time_seconds": round(pitr_seconds, 2),
        }
        engine.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
