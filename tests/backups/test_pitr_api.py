"""PITR settings, windows and errors, and restores of deleted tables by SourceTableArn."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from backup_helpers import align, enable_pitr, error_of, scan_all, simple_table, when


def put(ddb: Any, table: str, key: str, **attrs: str) -> None:
    ddb.put_item(TableName=table, Item={"jobId": {"S": key}, **{k: {"S": v} for k, v in attrs.items()}})


def recovery(ddb: Any, table: str) -> dict:
    return ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]


def test_enable_describe_change_and_disable(ddb: Any, backend: Any, job_table: str) -> None:
    assert ddb.describe_continuous_backups(TableName=job_table)["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    enabled_at = backend.advance(0)
    described = ddb.update_continuous_backups(TableName=job_table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert described["PointInTimeRecoveryStatus"] == "ENABLED" and described["RecoveryPeriodInDays"] == 35
    assert described["EarliestRestorableDateTime"].timestamp() == pytest.approx(enabled_at)
    now = backend.advance(3600)
    described = recovery(ddb, job_table)
    assert described["LatestRestorableDateTime"].timestamp() == pytest.approx(now)
    assert described["EarliestRestorableDateTime"].timestamp() == pytest.approx(enabled_at)
    assert enable_pitr(ddb, job_table, days=7)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    ddb.update_continuous_backups(TableName=job_table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    assert recovery(ddb, job_table) == {"PointInTimeRecoveryStatus": "DISABLED"}
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName=job_table, TargetTableName=f"{job_table}-x",
                                           UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("PointInTimeRecoveryUnavailableException",
                                 f"Point in time recovery is not enabled for table '{job_table}'")
    reenabled_at = backend.advance(60)
    enable_pitr(ddb, job_table)  # re-enabling starts a new window
    assert recovery(ddb, job_table)["EarliestRestorableDateTime"].timestamp() == pytest.approx(reenabled_at)


def test_restore_time_errors(ddb: Any, backend: Any, job_table: str) -> None:
    align(backend)
    enable_pitr(ddb, job_table)
    now = backend.advance(100)
    for second in (now - 3600, now + 3600):
        with pytest.raises(ClientError) as excinfo:
            ddb.restore_table_to_point_in_time(SourceTableName=job_table, TargetTableName=f"{job_table}-x",
                                               RestoreDateTime=when(second))
        assert error_of(excinfo) == ("InvalidRestoreTimeException",
                                     "Invalid restore time specified. RestoreDateTime must be between "
                                     "EarliestRestorableDateTime and LatestRestorableDateTime.")
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName=job_table, TargetTableName=job_table,
                                           UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("TableAlreadyExistsException", f"Table already exists: {job_table}")
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName=f"{job_table}-gone", TargetTableName=f"{job_table}-x",
                                           UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("TableNotFoundException", f"Table not found: {job_table}-gone")
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(TargetTableName=f"{job_table}-x", UseLatestRestorableTime=True)
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_continuous_backups(TableName=f"{job_table}-gone")
    assert error_of(excinfo) == ("TableNotFoundException", f"Table not found: {job_table}-gone")


def test_a_deleted_table_is_restored_by_its_arn(ddb: Any, backend: Any, job_table: str) -> None:
    arn = ddb.describe_table(TableName=job_table)["Table"]["TableArn"]
    align(backend)
    enable_pitr(ddb, job_table)
    put(ddb, job_table, "a", status="queued")
    early = backend.advance(600)
    backend.advance(1)
    put(ddb, job_table, "a", status="running")
    put(ddb, job_table, "b", status="queued")
    backend.advance(600)
    ddb.delete_table(TableName=job_table)
    backend.settle()
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_continuous_backups(TableName=job_table)
    assert error_of(excinfo)[0] == "TableNotFoundException"
    with pytest.raises(ClientError) as excinfo:  # by name, a deleted table is gone
        ddb.restore_table_to_point_in_time(SourceTableName=job_table, TargetTableName=f"{job_table}-x",
                                           UseLatestRestorableTime=True)
    assert error_of(excinfo)[0] == "TableNotFoundException"
    backend.advance(10 * 86400)  # still restorable days later: the state just before deletion ...
    restored = ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=f"{job_table}-last",
                                                  UseLatestRestorableTime=True)["TableDescription"]
    assert restored["RestoreSummary"]["SourceTableArn"] == arn
    backend.settle()
    last = scan_all(ddb, f"{job_table}-last")
    assert {k: v["status"]["S"] for k, v in last.items()} == {"a": "running", "b": "queued"}
    ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=f"{job_table}-early",
                                       RestoreDateTime=when(early))  # ... and earlier seconds of its window
    backend.settle()
    assert {k: v["status"]["S"] for k, v in scan_all(ddb, f"{job_table}-early").items()} == {"a": "queued"}
    backend.advance(26 * 86400)  # 36 days after deletion the history is gone
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=f"{job_table}-late",
                                           UseLatestRestorableTime=True)
    assert error_of(excinfo)[0] == "TableNotFoundException"


def test_latest_restorable_time_lags_as_configured(local: Any) -> None:
    local.engine.extensions["pitr_lag_seconds"] = 300
    simple_table(local.ddb, "lagging")
    enable_pitr(local.ddb, "lagging")
    now = local.advance(3600)
    window = recovery(local.ddb, "lagging")
    assert window["LatestRestorableDateTime"].timestamp() == pytest.approx(now - 300)
    with pytest.raises(ClientError) as excinfo:
        local.ddb.restore_table_to_point_in_time(SourceTableName="lagging", TargetTableName="lagged",
                                                 RestoreDateTime=when(now - 60))
    assert error_of(excinfo)[0] == "InvalidRestoreTimeException"
