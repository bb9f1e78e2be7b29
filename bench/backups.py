"""On-demand backup and restore of the loaded table, timed end to end through the AWS API.

Backup: CreateBackup until DescribeBackup says AVAILABLE. Restore: RestoreTableFromBackup
until the new table is ACTIVE, then a few jobs are read back from it (a restore that only
creates an empty table is not a restore).
"""
from __future__ import annotations

import time
from typing import Any

from bench.dataset import TABLE, job_id

RESTORED_TABLE = TABLE + "-restored"
POLL_SECONDS = 0.05


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{what} not done after {timeout:.0f}s")


def measure_backup_restore(client: Any, n: int, timeout: float = 600.0) -> dict[str, Any]:
    started = time.perf_counter()
    arn = client.create_backup(TableName=TABLE, BackupName=f"bench-{n}")["BackupDetails"]["BackupArn"]
    _wait(
        lambda: client.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE",
        timeout,
        "backup",
    )
    backup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    client.restore_table_from_backup(TargetTableName=RESTORED_TABLE, BackupArn=arn)
    _wait(
        lambda: client.describe_table(TableName=RESTORED_TABLE)["Table"]["TableStatus"] == "ACTIVE",
        timeout,
        "restore",
    )
    restore_seconds = time.perf_counter() - started
    for i in sorted({0, n // 2, n - 1}):
        if "Item" not in client.get_item(TableName=RESTORED_TABLE, Key={"jobId": {"S": job_id(i)}}):
            raise AssertionError(f"restored table lacks {job_id(i)}")
    return {
        "backup_seconds": round(backup_seconds, 3),
        "restore_seconds": round(restore_seconds, 3),
        "restore_items_per_second": round(n / restore_seconds, 1) if restore_seconds else None,
    }
