"""Restore drills (`jobtable backups verify`): a good backup passes, a damaged backup file is caught."""
from __future__ import annotations

import glob
import gzip
import os
import subprocess
import sys
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError

from jobtable.ops.batch_writes import write_items
from jobtable.ops.drills import run_restore_drill
from tests.conftest import InProcessBackend, ServerProcess

from .helpers import create_simple_table, sample_item

BACKUPS_PENDING = "backups (CreateBackup/RestoreTableFromBackup) are not on this branch yet"


@pytest.fixture
def local() -> Any:
    backend = InProcessBackend()
    yield backend
    backend.engine.close()


def _require_backups(ddb: Any, table: str) -> None:
    try:
        ddb.list_backups(TableName=table)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "UnknownOperationException":
            pytest.skip(BACKUPS_PENDING)
        raise


def _table_with_backup(local: Any, pitr: bool) -> tuple[Any, str]:
    ddb = local.client("dynamodb")
    create_simple_table(ddb, "jobs")
    _require_backups(ddb, "jobs")
    if pitr:
        ddb.update_continuous_backups(TableName="jobs",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        local.advance(1)
    write_items(ddb, "jobs", [sample_item(i) for i in range(300)])
    local.advance(1)
    arn = ddb.create_backup(TableName="jobs", BackupName="nightly")["BackupDetails"]["BackupArn"]
    local.advance(1)
    ddb.put_item(TableName="jobs", Item=sample_item(999))  # after the backup: must not be expected
    local.advance(1)
    return ddb, arn


def _alter_one_item(path: str) -> None:
    """Change one item's payload inside the (gzip) backup file, as bit rot or tampering would."""
    raw = gzip.decompress(open(path, "rb").read())
    assert b"job-000007" in raw
    with open(path, "wb") as handle:
        handle.write(gzip.compress(raw.replace(b"job-000007", b"job-00000X", 1)))


def _drill(local: Any, ddb: Any, **kwargs: Any) -> Any:
    return run_restore_drill(ddb, "jobs", sleep=lambda _: local.settle(), now=local.engine.clock.now, **kwargs)


def _tables(ddb: Any) -> list[str]:
    return ddb.list_tables()["TableNames"]


def test_drill_restores_the_latest_backup_and_cross_checks_pitr(local: Any) -> None:
    ddb, arn = _table_with_backup(local, pitr=True)
    report = _drill(local, ddb)
    assert report.ok, report.problems
    assert report.source == arn and report.expected_items == report.restored_items == 300
    assert report.reference_checksum == report.restored_checksum and report.restore_seconds is not None
    assert _tables(ddb) == ["jobs"]  # scratch tables deleted


def test_drill_catches_a_damaged_backup_file(local: Any) -> None:
    ddb, arn = _table_with_backup(local, pitr=False)
    from jobtable.engine import backups  # fault injection needs the file's location

    _alter_one_item(backups.get(local.engine, arn).path)
    report = _drill(local, ddb)
    assert not report.ok
    assert "dropped before it became ACTIVE" in report.summary()
    assert _tables(ddb) == ["jobs"]


def test_drill_catches_a_backup_file_with_a_flipped_byte(local: Any) -> None:
    ddb, arn = _table_with_backup(local, pitr=False)
    from jobtable.engine import backups

    path = backups.get(local.engine, arn).path
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF  # the compressed stream itself is damaged
    open(path, "wb").write(bytes(data))
    report = _drill(local, ddb, timeout=2)
    assert not report.ok and "restore into jobs-drill-backup-" in report.summary()


def test_a_table_without_backups_fails_the_drill(local: Any) -> None:
    ddb = local.client("dynamodb")
    create_simple_table(ddb, "jobs")
    _require_backups(ddb, "jobs")
    report = _drill(local, ddb)
    assert not report.ok and "no AVAILABLE backup" in report.summary()


def test_cli_verify_against_a_server_and_a_damaged_file(tmp_path: Any) -> None:
    server = ServerProcess(data_dir=str(tmp_path / "data"), env={"JOBTABLE_ENDPOINT_URL": ""}).start()
    try:
        ddb = server.client()
        create_simple_table(ddb, "jobs")
        _require_backups(ddb, "jobs")
        write_items(ddb, "jobs", [sample_item(i) for i in range(50)])
        ddb.create_backup(TableName="jobs", BackupName="first-backup")
        command = [sys.executable, "-m", "jobtable.cli.main", "backups", "verify", "jobs", "--endpoint-url",
                   server.endpoint, "--timeout", "60", "-o", "json"]
        good = subprocess.run(command, capture_output=True, timeout=120)
        assert good.returncode == 0, good.stderr.decode()
        assert orjson.loads(good.stdout)["restored_items"] == 50
        (path,) = glob.glob(os.path.join(str(tmp_path / "data"), "backups", "*.jtbackup"))
        _alter_one_item(path)
        bad = subprocess.run(command, capture_output=True, timeout=120)
        assert bad.returncode == 1
        assert orjson.loads(bad.stdout)["ok"] is False
        assert ddb.list_tables()["TableNames"] == ["jobs"]
    finally:
        server.stop()


def test_module_health_runs_the_drill_on_request(tmp_path: Any) -> None:
    from jobtable.module import TableModule

    server = ServerProcess(data_dir=str(tmp_path / "data")).start()
    try:
        ddb = server.client()
        module = TableModule("tools", "staging", "drill", client=ddb)
        try:
            module.apply()
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "UnknownOperationException":
                raise
            pytest.skip(f"the module needs {exc.operation_name}, not on this branch yet")
        _require_backups(ddb, module.name)
        ddb.put_item(TableName=module.name, Item={"jobId": {"S": "j-1"}, "status": {"S": "PENDING"}})
        ddb.create_backup(TableName=module.name, BackupName="before-release")
        checks = {c.name: c for c in module.health(restore_drill=True).checks}
        assert checks["restore_drill"].status == "pass", checks["restore_drill"].detail
        assert "restore_drill" not in {c.name for c in module.health().checks}
    finally:
        server.stop()
