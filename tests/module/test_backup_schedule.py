"""The daily backup schedule over 40 simulated days (ManualClock; no sleeping)."""
from __future__ import annotations

import datetime as dt

import pytest

from jobtable.clock import ManualClock
from jobtable.module import run_backup_schedule
from jobtable.module.backups import DailyBackupScheduler, daily_backups, scheduled_tables

DAY = 86400
START = dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture
def table(backup_client, request):
    client = backup_client
    name = f"backup-test-{request.node.name[-40:].replace('[', '-').replace(']', '')}"
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200})
    client.put_item(TableName=name, Item={"jobId": {"S": "job-1"}})
    yield name
    client.delete_table(TableName=name)
    for summary in client.list_backups(TableName=name)["BackupSummaries"]:
        client.delete_backup(BackupArn=summary["BackupArn"])


def names(client, table):
    return [b.name for b in daily_backups(client, table)]


def test_forty_days_keep_exactly_the_retention_window(client, table):
    clock = ManualClock(start=START)
    client.create_backup(TableName=table, BackupName=f"{table}-manual")   # never touched
    retention = 7
    for day in range(40):
        today = dt.date(2024, 3, 1) + dt.timedelta(days=day)
        first = run_backup_schedule(client, table, retention, clock)
        assert first.ok, first.errors
        assert first.created == f"{table}-backup-{today.isoformat()}"
        expected_deleted = [f"{table}-backup-{(today - dt.timedelta(days=retention)).isoformat()}"] \
            if day >= retention else []
        assert first.deleted == expected_deleted

        clock.advance(600)  # a re-run later the same UTC day (cron retry) changes nothing
        again = run_backup_schedule(client, table, retention, clock)
        assert (again.created, again.already_present, again.deleted) == (None, first.created, [])

        window = [today - dt.timedelta(days=n) for n in range(min(day + 1, retention))]
        assert names(client, table) == [f"{table}-backup-{d.isoformat()}" for d in sorted(window)]
        clock.advance(DAY - 600)

    all_names = {b["BackupName"] for b in client.list_backups(TableName=table)["BackupSummaries"]}
    assert f"{table}-manual" in all_names and len(all_names) == retention + 1


def test_a_missed_day_and_a_shorter_retention_prune_everything_expired(client, table):
    clock = ManualClock(start=START)
    for _ in range(5):
        run_backup_schedule(client, table, 10, clock)
        clock.advance(DAY)
    clock.advance(3 * DAY)  # cron did not run for three days
    report = run_backup_schedule(client, table, 2, clock)
    assert report.created == f"{table}-backup-2024-03-09"
    assert len(report.deleted) == 5
    assert names(client, table) == [f"{table}-backup-2024-03-09"]


def test_report_and_validation(client, table):
    report = run_backup_schedule(client, table, 3, ManualClock(start=START))
    assert report.as_dict() == {
        "table_name": table, "date": "2024-03-01", "retention_days": 3,
        "created": f"{table}-backup-2024-03-01", "already_present": None,
        "deleted": [], "kept": [f"{table}-backup-2024-03-01"], "errors": []}
    with pytest.raises(ValueError, match="retention_days"):
        run_backup_schedule(client, table, 0, ManualClock(start=START))


def test_missing_table_is_reported_not_raised(backup_client):
    client = backup_client
    report = run_backup_schedule(client, "no-such-table-anywhere", 3, ManualClock(start=START))
    assert not report.ok and report.created is None
    assert report.errors[0].startswith("create no-such-table-anywhere-backup-2024-03-01: ")


def test_tables_tagged_for_the_schedule_are_found(client, table):
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    assert table not in dict(scheduled_tables(client))
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "BackupSchedule", "Value": "daily"},
                                               {"Key": "BackupRetentionDays", "Value": "9"}])
    assert dict(scheduled_tables(client))[table] == 9


def test_daily_scheduler_runs_once_per_utc_day_after_its_hour(backup_client, table):
    client = backup_client
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "BackupSchedule", "Value": "daily"},
                                               {"Key": "BackupRetentionDays", "Value": "2"}])
    clock = ManualClock(start=dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.timezone.utc).timestamp())
    scheduler = DailyBackupScheduler(client, clock, at_hour=3)
    assert scheduler.tick() == []            # 01:00, before the hour
    clock.advance(2 * 3600)
    mine = [r for r in scheduler.tick() if r.table_name == table]
    assert mine[0].created == f"{table}-backup-2024-03-01"
    clock.advance(3600)
    assert scheduler.tick() == []            # same day: nothing
    for _ in range(3):
        clock.advance(DAY)
        scheduler.tick()
    assert names(client, table) == [f"{table}-backup-2024-03-03", f"{table}-backup-2024-03-04"]
