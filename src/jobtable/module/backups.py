"""The daily backup schedule, run from cron (`jobtable backups run-schedule`) or a scheduler.

One on-demand backup per UTC day named `{table-name}-backup-YYYY-MM-DD`; re-running on the
same day creates nothing. Backups named that way whose date is `retention_days` or more
days before today are deleted, so at most `retention_days` daily backups are kept. Other
backups of the table (manual ones, other names) are never touched. Only CreateBackup,
ListBackups and DeleteBackup are used, so the runner works against AWS as well.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from botocore.exceptions import ClientError

from jobtable.clock import Clock
from jobtable.module.config import BACKUP_RETENTION_TAG, BACKUP_SCHEDULE_TAG, DEFAULT_BACKUP_RETENTION_DAYS
from jobtable.module.observe import list_tags

MAX_BACKUP_NAME = 255


@dataclass(frozen=True)
class DailyBackup:
    name: str
    arn: str
    day: dt.date
    status: str
    created_at: float | None = None  # epoch seconds, from BackupCreationDateTime


@dataclass
class ScheduleReport:
    table_name: str
    today: dt.date
    retention_days: int
    created: str | None = None          # name of the backup made by this run
    already_present: str | None = None  # today's backup when it existed before this run
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "table_name": self.table_name, "date": self.today.isoformat(), "retention_days": self.retention_days,
            "created": self.created, "already_present": self.already_present,
            "deleted": self.deleted, "kept": self.kept, "errors": self.errors,
        }


def backup_name(table_name: str, day: dt.date) -> str:
    name = f"{table_name}-backup-{day.isoformat()}"
    if len(name) > MAX_BACKUP_NAME:
        raise ValueError(f"backup name {name!r} would exceed {MAX_BACKUP_NAME} characters")
    return name


def utc_today(clock: Clock) -> dt.date:
    return dt.datetime.fromtimestamp(clock.now(), dt.timezone.utc).date()


def _backup_summaries(client: Any, table_name: str) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"TableName": table_name, "BackupType": "USER"}
    while True:
        page = client.list_backups(**kwargs)
        yield from page.get("BackupSummaries", [])
        if not page.get("LastEvaluatedBackupArn"):
            return
        kwargs["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]


def daily_backups(client: Any, table_name: str) -> list[DailyBackup]:
    """The table's schedule-made backups, oldest first."""
    pattern = re.compile(rf"^{re.escape(table_name)}-backup-(\d{{4}}-\d{{2}}-\d{{2}})$")
    found = []
    for summary in _backup_summaries(client, table_name):
        match = pattern.match(summary.get("BackupName", ""))
        if not match or summary.get("BackupStatus") == "DELETED":
            continue
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            continue
        created = summary.get("BackupCreationDateTime")
        found.append(DailyBackup(summary["BackupName"], summary["BackupArn"], day, summary.get("BackupStatus", ""),
                                 created.timestamp() if isinstance(created, dt.datetime) else None))
    return sorted(found, key=lambda b: (b.day, b.name))


def latest_daily_backup(client: Any, table_name: str) -> DailyBackup | None:
    backups = daily_backups(client, table_name)
    return backups[-1] if backups else None


def run_backup_schedule(client: Any, table_name: str, retention_days: int, clock: Clock | None = None,
                        today: dt.date | None = None) -> ScheduleReport:
    """Make today's backup if missing, then delete the expired daily backups.

    `today` pins the run's day (a scheduler fixes it once, so a clock moving mid-run cannot
    name one table's backup after one day and the next table's after another)."""
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1; got {retention_days}")
    today = today or utc_today(clock or Clock())
    report = ScheduleReport(table_name=table_name, today=today, retention_days=retention_days)
    existing = daily_backups(client, table_name)
    todays_name = backup_name(table_name, today)
    if any(b.name == todays_name for b in existing):
        report.already_present = todays_name
    else:
        try:
            client.create_backup(TableName=table_name, BackupName=todays_name)
            report.created = todays_name
        except ClientError as exc:
            report.errors.append(f"create {todays_name}: {_describe(exc)}")
    oldest_kept = today - dt.timedelta(days=retention_days - 1)
    for backup in existing:
        if backup.day >= oldest_kept:
            if backup.name != todays_name:
                report.kept.append(backup.name)
            continue
        try:
            client.delete_backup(BackupArn=backup.arn)
            report.deleted.append(backup.name)
        except ClientError as exc:
            report.errors.append(f"delete {backup.name}: {_describe(exc)}")
    if report.created or report.already_present:
        report.kept.append(todays_name)
    return report


def _describe(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', '')}"


def scheduled_tables(client: Any) -> list[tuple[str, int]]:
    """Tables tagged for the daily schedule (`BackupSchedule=daily`) with their retention,
    as the module tags production tables; `BackupRetentionDays` defaults to 30."""
    found = []
    for page in client.get_paginator("list_tables").paginate():
        for name in page.get("TableNames", []):
            arn = client.describe_table(TableName=name)["Table"]["TableArn"]
            tags = list_tags(client, arn)
            if tags.get(BACKUP_SCHEDULE_TAG, "").lower() != "daily":
                continue
            try:
                retention = int(tags.get(BACKUP_RETENTION_TAG, DEFAULT_BACKUP_RETENTION_DAYS))
            except ValueError:
                retention = DEFAULT_BACKUP_RETENTION_DAYS
            found.append((name, max(retention, 1)))
    return found


def run_all_scheduled(client: Any, clock: Clock | None = None,
                      retention_override: int | None = None, today: dt.date | None = None) -> list[ScheduleReport]:
    """Run the schedule for every table tagged `BackupSchedule=daily`."""
    today = today or utc_today(clock or Clock())
    return [run_backup_schedule(client, name, retention_override or retention, clock, today=today)
            for name, retention in scheduled_tables(client)]


class DailyBackupScheduler:
    """For a server's background loop: `tick()` often; it runs the schedule once per UTC day,
    at or after `at_hour` (runs are idempotent per day, so a restart re-running is harmless)."""

    def __init__(self, client: Any, clock: Clock, at_hour: int = 3) -> None:
        if not 0 <= at_hour <= 23:
            raise ValueError(f"at_hour must be 0-23; got {at_hour}")
        self.client, self.clock, self.at_hour = client, clock, at_hour
        self.last_run: dt.date | None = None

    def due_day(self) -> dt.date | None:
        """The UTC day a run is owed for, or None."""
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.timezone.utc)
        return now.date() if now.hour >= self.at_hour and self.last_run != now.date() else None

    def due(self) -> bool:
        return self.due_day() is not None

    def tick(self) -> list[ScheduleReport]:
        """One run at most per day. Not re-entrant: the engine runs background passes one at a
        time; the day is fixed before the run because the clock may move while it goes."""
        today = self.due_day()
        if today is None:
            return []
        reports = run_all_scheduled(self.client, self.clock, today=today)
        self.last_run = today
        return reports
