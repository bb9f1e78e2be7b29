"""On-demand backups: lifecycle, consistency, restores (also after the source is deleted), errors."""
from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from backup_helpers import enable_pitr, error_of, scan_all, simple_table, table_status


def jobs(n: int, status: str = "queued") -> list[dict]:
    return [{"jobId": {"S": f"job-{i:03d}"}, "status": {"S": status}, "userId": {"S": f"u{i % 3}"},
             "createdAt": {"S": f"2026-11-20T10:{i % 60:02d}:00Z"}, "n": {"N": str(i)}} for i in range(n)]


def put_all(ddb: Any, table: str, items: list[dict]) -> None:
    for item in items:
        ddb.put_item(TableName=table, Item=item)


def test_backup_lifecycle_and_listing(ddb: Any, backend: Any, job_table: str) -> None:
    """A small table's backup is AVAILABLE at once (bigger ones are CREATING, then AVAILABLE)."""
    put_all(ddb, job_table, jobs(7))
    described = ddb.describe_table(TableName=job_table)["Table"]
    details = ddb.create_backup(TableName=job_table, BackupName=f"{job_table}-backup-2026-11-20")["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE" and details["BackupType"] == "USER"
    assert details["BackupArn"].startswith(described["TableArn"] + "/backup/")
    backend.settle()
    description = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert description["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert description["BackupDetails"]["BackupSizeBytes"] == described["TableSizeBytes"]
    source = description["SourceTableDetails"]
    assert (source["TableName"], source["ItemCount"], source["BillingMode"]) == (job_table, 7, "PAY_PER_REQUEST")
    features = description["SourceTableFeatureDetails"]
    assert [g["IndexName"] for g in features["GlobalSecondaryIndexes"]] == ["StatusIndex", "UserIndex"]
    assert features["StreamDescription"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"

    second = ddb.create_backup(TableName=job_table, BackupName="second-one")["BackupDetails"]
    backend.settle()
    listed = ddb.list_backups(TableName=job_table)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [details["BackupArn"], second["BackupArn"]]
    first_page = ddb.list_backups(TableName=job_table, Limit=1)
    assert first_page["LastEvaluatedBackupArn"] == details["BackupArn"]
    rest = ddb.list_backups(TableName=job_table, ExclusiveStartBackupArn=first_page["LastEvaluatedBackupArn"])
    assert [b["BackupArn"] for b in rest["BackupSummaries"]] == [second["BackupArn"]]
    assert ddb.list_backups(TableName=job_table, BackupType="SYSTEM")["BackupSummaries"] == []
    after = second["BackupCreationDateTime"]
    assert [b["BackupArn"] for b in ddb.list_backups(TableName=job_table, TimeRangeUpperBound=after)[
        "BackupSummaries"]] == ([details["BackupArn"]] if after > details["BackupCreationDateTime"] else [])

    deleted = ddb.delete_backup(BackupArn=second["BackupArn"])["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=second["BackupArn"])
    assert error_of(excinfo) == ("BackupNotFoundException", f"Backup not found: {second['BackupArn']}")


def test_backup_holds_the_table_as_it_was_when_requested(ddb: Any, backend: Any, job_table: str) -> None:
    items = jobs(20)
    put_all(ddb, job_table, items)
    arn = ddb.create_backup(TableName=job_table, BackupName="before-changes")["BackupDetails"]["BackupArn"]
    ddb.delete_item(TableName=job_table, Key={"jobId": {"S": "job-000"}})
    ddb.put_item(TableName=job_table, Item={**items[1], "status": {"S": "running"}})
    ddb.put_item(TableName=job_table, Item=jobs(25)[24])
    backend.settle()
    ddb.restore_table_from_backup(TargetTableName=f"{job_table}-copy", BackupArn=arn)
    backend.settle()
    assert scan_all(ddb, f"{job_table}-copy") == {i["jobId"]["S"]: i for i in items}


def test_restore_from_backup_after_the_source_table_is_deleted(ddb: Any, backend: Any, job_table: str) -> None:
    items = jobs(30, status="running")
    put_all(ddb, job_table, items)
    source_arn = ddb.describe_table(TableName=job_table)["Table"]["TableArn"]
    arn = ddb.create_backup(TableName=job_table, BackupName="last-good")["BackupDetails"]["BackupArn"]
    backend.settle()
    ddb.delete_table(TableName=job_table)
    target = f"{job_table}-restored"
    restored = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert restored["TableStatus"] == "CREATING"
    assert restored["RestoreSummary"]["SourceBackupArn"] == arn
    assert restored["RestoreSummary"]["SourceTableArn"] == source_arn
    backend.settle()
    described = ddb.describe_table(TableName=target)["Table"]
    assert described["TableStatus"] == "ACTIVE" and described["ItemCount"] == 30
    assert described["RestoreSummary"]["RestoreInProgress"] is False
    assert {g["IndexName"]: g["IndexStatus"] for g in described["GlobalSecondaryIndexes"]} == {
        "StatusIndex": "ACTIVE", "UserIndex": "ACTIVE"}
    assert scan_all(ddb, target) == {i["jobId"]["S"]: i for i in items}
    page = ddb.query(TableName=target, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                     ExpressionAttributeValues={":u": {"S": "u1"}})
    assert page["Count"] == 10
    ddb.put_item(TableName=target, Item={"jobId": {"S": "after"}})  # a normal, writable table


def test_restore_overrides_indexes_and_billing(ddb: Any, backend: Any, job_table: str) -> None:
    put_all(ddb, job_table, jobs(3))
    arn = ddb.create_backup(TableName=job_table, BackupName="for-overrides")["BackupDetails"]["BackupArn"]
    backend.settle()
    ddb.restore_table_from_backup(TargetTableName=f"{job_table}-lean", BackupArn=arn, GlobalSecondaryIndexOverride=[],
                                  BillingModeOverride="PROVISIONED",
                                  ProvisionedThroughputOverride={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
    backend.settle()
    described = ddb.describe_table(TableName=f"{job_table}-lean")["Table"]
    assert "GlobalSecondaryIndexes" not in described
    assert described["AttributeDefinitions"] == [{"AttributeName": "jobId", "AttributeType": "S"}]
    assert described["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert described["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert len(scan_all(ddb, f"{job_table}-lean")) == 3


def test_backup_errors_use_dynamodb_types_and_messages(ddb: Any, backend: Any, job_table: str) -> None:
    arn = ddb.create_backup(TableName=job_table, BackupName="errs")["BackupDetails"]["BackupArn"]
    backend.settle()
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(TargetTableName=job_table, BackupArn=arn)
    assert error_of(excinfo) == ("TableAlreadyExistsException", f"Table already exists: {job_table}")
    missing = arn[:-8] + "00000000"
    for call in (lambda: ddb.describe_backup(BackupArn=missing), lambda: ddb.delete_backup(BackupArn=missing),
                 lambda: ddb.restore_table_from_backup(TargetTableName="nowhere", BackupArn=missing)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("BackupNotFoundException", f"Backup not found: {missing}")
    with pytest.raises(ClientError) as excinfo:
        ddb.create_backup(TableName=f"{job_table}-missing", BackupName="nope")
    assert error_of(excinfo) == ("TableNotFoundException", f"Table not found: {job_table}-missing")


def test_deleting_a_pitr_table_leaves_a_system_backup_for_35_days(ddb: Any, backend: Any, job_table: str) -> None:
    put_all(ddb, job_table, jobs(4))
    enable_pitr(ddb, job_table)
    ddb.delete_table(TableName=job_table)
    backend.settle()
    system = [b for b in ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"] if b["TableName"] == job_table]
    assert [b["BackupName"] for b in system] == [f"{job_table}$DeletedTableBackup"]
    backup = system[0]
    assert backup["BackupStatus"] == "AVAILABLE"
    lifetime = backup["BackupExpiryDateTime"] - backup["BackupCreationDateTime"]
    assert lifetime.total_seconds() == pytest.approx(35 * 86400)
    ddb.restore_table_from_backup(TargetTableName=f"{job_table}-back", BackupArn=backup["BackupArn"])
    backend.settle()
    assert len(scan_all(ddb, f"{job_table}-back")) == 4
    backend.advance(36 * 86400)
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=backup["BackupArn"])
    assert error_of(excinfo)[0] == "BackupNotFoundException"


# -- below the API: timing-sensitive states and files, on an in-process engine ----------------------
def test_a_table_being_restored_is_not_usable_yet(local: Any, monkeypatch: Any) -> None:
    from jobtable.engine import backups

    monkeypatch.setattr(backups, "CHUNK", 1)  # so the backup is still being written after the call
    ddb = local.ddb
    simple_table(ddb, "src")
    for n in range(3):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{n}"}})
    created = ddb.create_backup(TableName="src", BackupName="in-use")["BackupDetails"]
    arn = created["BackupArn"]
    assert created["BackupStatus"] == "CREATING"
    with pytest.raises(ClientError) as excinfo:  # still being written
        ddb.restore_table_from_backup(TargetTableName="early", BackupArn=arn)
    assert error_of(excinfo)[0] == "BackupInUseException"
    local.settle()
    ddb.restore_table_from_backup(TargetTableName="dst", BackupArn=arn)
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_backup(BackupArn=arn)
    assert error_of(excinfo)[0] == "BackupInUseException"
    with pytest.raises(ClientError) as excinfo:
        ddb.create_backup(TableName="dst", BackupName="too-soon")
    assert error_of(excinfo) == ("ContinuousBackupsUnavailableException",
                                 "Backups are being enabled for the table: dst. Please retry later")
    with pytest.raises(ClientError) as excinfo:
        ddb.update_continuous_backups(TableName="dst", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
    assert error_of(excinfo)[0] == "ContinuousBackupsUnavailableException"
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName="dst", Key={"pk": {"S": "k1"}})
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_table(TableName="dst")
    assert error_of(excinfo)[0] == "ResourceInUseException"
    local.settle()
    assert ddb.get_item(TableName="dst", Key={"pk": {"S": "k1"}})["Item"] == {"pk": {"S": "k1"}}
    ddb.delete_backup(BackupArn=arn)


def test_snapshot_stays_consistent_while_writers_run_between_chunks(local: Any, monkeypatch: Any) -> None:
    from jobtable.engine import backups

    monkeypatch.setattr(backups, "CHUNK", 4)
    ddb, engine = local.ddb, local.engine
    simple_table(ddb, "busy")
    before = {f"k{n:02d}": {"pk": {"S": f"k{n:02d}"}, "v": {"N": str(n)}} for n in range(30)}
    for item in before.values():
        ddb.put_item(TableName="busy", Item=item)
    arn = ddb.create_backup(TableName="busy", BackupName="moving")["BackupDetails"]["BackupArn"]
    tasks = dict(engine.background_tasks)
    step, prune = tasks["backups"], tasks["changelog-retention"]
    n = 100
    while step(engine):  # one chunk per call; writers change keys ahead of and behind the cursor
        ddb.delete_item(TableName="busy", Key={"pk": {"S": f"k{n % 30:02d}"}})
        ddb.put_item(TableName="busy", Item={"pk": {"S": f"k{(n * 7) % 30:02d}"}, "v": {"N": str(n)}})
        ddb.put_item(TableName="busy", Item={"pk": {"S": f"new{n}"}})
        engine.clock.advance(600)
        prune(engine)  # log retention runs meanwhile; the snapshot's hold keeps the rows it needs
        n += 1
    assert n > 105
    ddb.restore_table_from_backup(TargetTableName="then", BackupArn=arn)
    local.settle()
    assert scan_all(ddb, "then") == before


def test_a_damaged_backup_file_is_refused_and_leaves_no_table(local: Any) -> None:
    from jobtable.engine import backups

    ddb = local.ddb
    simple_table(ddb, "src")
    ddb.put_item(TableName="src", Item={"pk": {"S": "a"}, "data": {"S": "x" * 1000}})
    arn = ddb.create_backup(TableName="src", BackupName="to-damage")["BackupDetails"]["BackupArn"]
    local.settle()
    path = backups.get(local.engine, arn).path
    import gzip

    raw = gzip.decompress(open(path, "rb").read()).replace(b"xxxx", b"yyyy", 1)
    with open(path, "wb") as f:
        f.write(gzip.compress(raw))
    ddb.restore_table_from_backup(TargetTableName="dst", BackupArn=arn)
    local.settle()
    assert "dst" not in ddb.list_tables()["TableNames"]


def _damage_compressed_bytes(path: str) -> None:
    """Overwrite bytes inside the deflate stream (not the gzip trailer), so reading fails in zlib itself."""
    import gzip
    import zlib

    raw = open(path, "rb").read()
    for offset in range(len(raw) // 3, len(raw) - 16, 7):
        damaged = raw[:offset] + bytes(b ^ 0xFF for b in raw[offset:offset + 4]) + raw[offset + 4:]
        try:
            gzip.decompress(damaged)
        except zlib.error:  # the damage this test is about: raised by zlib, not a gzip CRC mismatch
            with open(path, "wb") as f:
                f.write(damaged)
            return
        except (OSError, EOFError):
            continue
    raise AssertionError("no offset found whose damage zlib rejects")


def test_a_backup_with_damaged_compression_fails_its_restore_cleanly(local: Any, caplog: Any) -> None:
    from jobtable.engine import backups

    ddb = local.ddb
    simple_table(ddb, "src")
    for n in range(300):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{n:03d}"}, "data": {"S": f"row {n} " * 20}})
    arn = ddb.create_backup(TableName="src", BackupName="bad-gzip")["BackupDetails"]["BackupArn"]
    local.settle()
    _damage_compressed_bytes(backups.get(local.engine, arn).path)
    ddb.restore_table_from_backup(TargetTableName="dst", BackupArn=arn)
    with caplog.at_level("ERROR", logger="jobtable.engine"):
        local.settle()
    assert "dst" not in ddb.list_tables()["TableNames"]  # ended like a checksum mismatch: no table left
    failures = [r.getMessage() for r in caplog.records if "restore of dst failed" in r.getMessage()]
    assert failures and "is damaged" in failures[0], caplog.text
    assert not any("background task" in r.getMessage() for r in caplog.records), caplog.text
    assert len(scan_all(ddb, "src")) == 300
    ddb.delete_backup(BackupArn=arn)  # the backup is no longer held by a restore


def test_backups_and_restores_resume_after_a_restart(local_on_disk: Any) -> None:
    env = local_on_disk
    simple_table(env.ddb, "src")
    for n in range(12):
        env.ddb.put_item(TableName="src", Item={"pk": {"S": f"k{n}"}})
    arn = env.ddb.create_backup(TableName="src", BackupName="interrupted")["BackupDetails"]["BackupArn"]
    env.reopen()  # the process stops before any background work ran
    env.settle()
    assert env.ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    from jobtable.engine import backups

    path = backups.get(env.engine, arn).path
    assert os.path.dirname(path) == os.path.join(env.data_dir, "backups") and os.path.exists(path)
    env.ddb.restore_table_from_backup(TargetTableName="dst", BackupArn=arn)
    env.reopen()
    assert table_status(env.ddb, "dst") == "CREATING"
    env.settle()
    assert table_status(env.ddb, "dst") == "ACTIVE" and len(scan_all(env.ddb, "dst")) == 12


def test_backups_of_encrypted_tables_stay_encrypted(local: Any) -> None:
    import gzip

    from jobtable.engine import backups

    ddb = local.ddb
    simple_table(ddb, "sealed", SSESpecification={"Enabled": True})
    ddb.put_item(TableName="sealed", Item={"pk": {"S": "k"}, "secret": {"S": "correct horse battery staple"}})
    arn = ddb.create_backup(TableName="sealed", BackupName="sealed-backup")["BackupDetails"]["BackupArn"]
    local.settle()
    content = gzip.decompress(open(backups.get(local.engine, arn).path, "rb").read())
    assert b"correct horse" not in content and b"\nS" in content
    ddb.restore_table_from_backup(TargetTableName="unsealed", BackupArn=arn, SSESpecificationOverride={"Enabled": False})
    local.settle()
    assert ddb.get_item(TableName="unsealed", Key={"pk": {"S": "k"}})["Item"]["secret"] == {
        "S": "correct horse battery staple"}
