"""Restore drills: prove that a table's backups restore, instead of hoping they do.

A drill restores the latest backup (or a point in time) into a scratch table, waits for it
to become ACTIVE (timing the restore), and compares what came back with what the backup
should hold:
- the item count and size DescribeBackup recorded (`SourceTableDetails.ItemCount`,
  `BackupSizeBytes`);
- when the source table has point-in-time recovery covering the backup's creation time,
  a content checksum: the same moment is restored a second way (RestoreTableToPointInTime
  at BackupCreationDateTime) and both scratch tables must hold identical items.
A restore that fails (e.g. a damaged backup file refused by the server, which then drops
the target table) fails the drill. Scratch tables are always deleted. boto3 only.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from jobtable.ops.transfer import table_digest
from jobtable.ops.wire import Digest

Sleep = Callable[[float], None]


@dataclass
class DrillReport:
    table_name: str
    source: str                    # backup ARN, or "pitr:<time>"
    ok: bool = False
    started_at: float | None = None         # epoch seconds, the drill's clock
    backup_created_at: float | None = None  # epoch seconds (BackupCreationDateTime)
    restore_seconds: float | None = None
    expected_items: int | None = None
    restored_items: int | None = None
    expected_bytes: int | None = None
    restored_checksum: str | None = None
    reference_checksum: str | None = None  # the PITR cross-check, when available
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary(self) -> str:
        if self.ok:
            seconds = f"{self.restore_seconds:.1f}" if self.restore_seconds is not None else "?"
            return (f"restore drill passed: {self.restored_items} items restored in {seconds} s"
                    + (", content matches point-in-time recovery" if self.reference_checksum else ""))
        return "restore drill FAILED: " + "; ".join(self.problems)


class RestoreFailed(RuntimeError):
    pass


def latest_backup(dynamodb: Any, table: str) -> dict[str, Any] | None:
    """The newest AVAILABLE backup of `table` (any type), as ListBackups summarises it."""
    newest, params = None, {"TableName": table, "BackupType": "ALL"}
    while True:
        page = dynamodb.list_backups(**params)
        for backup in page.get("BackupSummaries", []):
            if backup.get("BackupStatus") == "AVAILABLE" and (
                    newest is None or backup["BackupCreationDateTime"] > newest["BackupCreationDateTime"]):
                newest = backup
        if not page.get("LastEvaluatedBackupArn"):
            return newest
        params["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]


def scratch_name(table: str, label: str, now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%d%H%M%S")
    return f"{table[:200]}-drill-{label}-{stamp}"


def wait_until_active(dynamodb: Any, table: str, timeout: float, sleep: Sleep, poll: float = 1.0) -> None:
    """Poll DescribeTable; a table that disappears while CREATING means the restore was refused."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = dynamodb.describe_table(TableName=table)["Table"]["TableStatus"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise RestoreFailed(f"the restore into {table} failed: the table was dropped before it became ACTIVE "
                                    "(damaged or unreadable backup)") from exc
            raise
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise RestoreFailed(f"the restore into {table} did not finish within {timeout:.0f} s (status {status})")
        sleep(poll)


def _delete_quietly(dynamodb: Any, table: str, report: DrillReport) -> None:
    try:
        dynamodb.delete_table(TableName=table)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code != "ResourceNotFoundException":
            report.notes.append(f"could not delete scratch table {table}: {code}")


def _pitr_covers(dynamodb: Any, table: str, moment: dt.datetime) -> bool:
    try:
        description = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    except ClientError:
        return False
    pitr = description.get("PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        return False
    earliest, latest = pitr.get("EarliestRestorableDateTime"), pitr.get("LatestRestorableDateTime")
    return earliest is not None and latest is not None and earliest <= moment <= latest


def _restore_and_digest(dynamodb: Any, start: Callable[[], Any], scratch: str, timeout: float,
                        sleep: Sleep, segments: int) -> tuple[float, Digest]:
    started = time.monotonic()
    start()
    wait_until_active(dynamodb, scratch, timeout, sleep)
    seconds = time.monotonic() - started
    return seconds, table_digest(dynamodb, scratch, segments)


def run_restore_drill(dynamodb: Any, table: str, *, backup_arn: str | None = None, timeout: float = 3600,
                      sleep: Sleep = time.sleep, now: Callable[[], float] = time.time, segments: int = 4,
                      cross_check_pitr: bool = True) -> DrillReport:
    """Restore `backup_arn` (default: the newest AVAILABLE backup of `table`) into a scratch
    table, check it, delete it. Never raises for a failed drill: the report says what failed."""
    started_at = now()
    if backup_arn is None:
        newest = latest_backup(dynamodb, table)
        if newest is None:
            report = DrillReport(table, "(none)", started_at=started_at)
            report.problems.append(f"table {table} has no AVAILABLE backup to restore")
            return report
        backup_arn = newest["BackupArn"]
    report = DrillReport(table, backup_arn, started_at=started_at)
    description = dynamodb.describe_backup(BackupArn=backup_arn)["BackupDescription"]
    details, source = description["BackupDetails"], description.get("SourceTableDetails", {})
    report.backup_created_at = details["BackupCreationDateTime"].timestamp()
    report.expected_items = int(source.get("ItemCount", 0))
    report.expected_bytes = int(details.get("BackupSizeBytes", source.get("TableSizeBytes", 0)))
    scratch = scratch_name(table, "backup", now())
    reference = scratch_name(table, "pitr", now())
    try:
        report.restore_seconds, restored = _restore_and_digest(
            dynamodb, lambda: dynamodb.restore_table_from_backup(TargetTableName=scratch, BackupArn=backup_arn),
            scratch, timeout, sleep, segments)
        report.restored_items, report.restored_checksum = restored.count, restored.checksum
        if restored.count != report.expected_items:
            report.problems.append(f"the backup recorded {report.expected_items} items but {restored.count} were restored")
        restored_bytes = int(dynamodb.describe_table(TableName=scratch)["Table"].get("TableSizeBytes", 0))
        if report.expected_bytes and not restored_bytes:  # AWS refreshes TableSizeBytes about every 6 hours
            report.notes.append("the restored table does not report its size yet: size not compared")
        elif report.expected_bytes and restored_bytes != report.expected_bytes:
            report.problems.append(f"the backup recorded {report.expected_bytes} bytes but the restored table "
                                   f"holds {restored_bytes}")
        created = details["BackupCreationDateTime"]
        if cross_check_pitr and _pitr_covers(dynamodb, table, created):
            _, expected = _restore_and_digest(dynamodb, lambda: dynamodb.restore_table_to_point_in_time(
                SourceTableName=table, TargetTableName=reference, RestoreDateTime=created),
                reference, timeout, sleep, segments)
            report.reference_checksum = expected.checksum
            if expected != restored:
                report.problems.append(
                    f"content differs from the table at {created.isoformat()} (point-in-time recovery): "
                    f"{expected.count} items, checksum {expected.checksum[:16]} vs restored {restored.count}, "
                    f"{restored.checksum[:16]}")
        else:
            report.notes.append("no point-in-time recovery covering the backup time: content checked by count and size")
    except (RestoreFailed, ClientError) as exc:
        report.problems.append(str(exc))
    finally:
        _delete_quietly(dynamodb, scratch, report)
        if cross_check_pitr:
            _delete_quietly(dynamodb, reference, report)
    report.ok = not report.problems
    return report


DRILL_NAMESPACE = "jobtable/RestoreDrills"


def drill_metric_data(report: DrillReport) -> list[dict[str, Any]]:
    """One drill as CloudWatch data, all at the drill's start time with dimension TableName:
    RestoreDrillSuccess (1/0) and, when known, RestoreSeconds, ExpectedItems, RestoredItems,
    ChecksumMatch (1/0, only when the PITR cross-check ran) and BackupAgeSeconds (how old the
    drilled backup was: with ListBackups it names the backup)."""
    dimensions = [{"Name": "TableName", "Value": report.table_name}]
    values: list[tuple[str, float | None, str]] = [
        ("RestoreDrillSuccess", 1.0 if report.ok else 0.0, "Count"),
        ("RestoreSeconds", report.restore_seconds, "Seconds"),
        ("ExpectedItems", report.expected_items, "Count"),
        ("RestoredItems", report.restored_items, "Count"),
        ("ChecksumMatch", None if report.reference_checksum is None
         else float(report.reference_checksum == report.restored_checksum), "Count"),
        ("BackupAgeSeconds", None if report.backup_created_at is None or report.started_at is None
         else report.started_at - report.backup_created_at, "Seconds")]
    stamp = (dt.datetime.fromtimestamp(report.started_at, dt.timezone.utc)
             if report.started_at is not None else None)
    data = []
    for name, value, unit in values:
        if value is not None:
            datum = {"MetricName": name, "Dimensions": dimensions, "Value": float(value), "Unit": unit}
            if stamp is not None:
                datum["Timestamp"] = stamp
            data.append(datum)
    return data


def publish_drill_metrics(cloudwatch: Any, report: DrillReport) -> None:
    """The drill's result in CloudWatch (namespace jobtable/RestoreDrills), for alarms and dashboards."""
    cloudwatch.put_metric_data(Namespace=DRILL_NAMESPACE, MetricData=drill_metric_data(report))
