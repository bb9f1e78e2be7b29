"""A backup left CREATING by a stopped process: resumed at its own moment, or cleanly failed.

In-process and deterministic (manual clock, no server); the SIGKILL version of the same
story is test_crash_backups.py.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from jobtable.engine.storage import DATABASE_FILE
from tests.backups.backup_helpers import LocalEngine, scan_all, simple_table


@pytest.fixture
def env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalEngine]:
    from jobtable.engine import backups

    monkeypatch.setattr(backups, "CHUNK", 2)  # so the backup is still being written after the call
    local = LocalEngine(str(tmp_path / "data"))
    simple_table(local.ddb, "src")  # no stream, no PITR: the log keeps nothing nobody holds
    for n in range(10):
        local.ddb.put_item(TableName="src", Item={"pk": {"S": f"k{n}"}, "v": {"N": str(n)}})
    yield local
    local.engine.close()


def _status(ddb: Any, arn: str) -> str:
    return ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]


def _change_after_backup(ddb: Any) -> None:
    ddb.put_item(TableName="src", Item={"pk": {"S": "k0"}, "v": {"N": "-1"}})
    ddb.delete_item(TableName="src", Key={"pk": {"S": "k9"}})
    ddb.put_item(TableName="src", Item={"pk": {"S": "new"}})


def test_a_backup_resumed_after_a_restart_holds_the_table_at_its_own_moment(env: LocalEngine) -> None:
    before = scan_all(env.ddb, "src")
    arn = env.ddb.create_backup(TableName="src", BackupName="across-restart")["BackupDetails"]["BackupArn"]
    assert _status(env.ddb, arn) == "CREATING"
    _change_after_backup(env.ddb)
    env.reopen()  # stopped before any background step; an hour passes: log retention is due at once
    env.advance(3600)
    assert _status(env.ddb, arn) == "AVAILABLE"
    env.ddb.restore_table_from_backup(TargetTableName="copy", BackupArn=arn)
    env.settle()
    assert scan_all(env.ddb, "copy") == before


def test_a_backup_whose_history_was_pruned_while_stopped_is_removed_with_an_error(
        env: LocalEngine, caplog: pytest.LogCaptureFixture) -> None:
    from jobtable.engine import backups

    arn = env.ddb.create_backup(TableName="src", BackupName="unresumable")["BackupDetails"]["BackupArn"]
    _change_after_backup(env.ddb)
    backup = backups.get(env.engine, arn)
    log_table = env.engine.catalog.require("src").log_table
    conn = sqlite3.connect(os.path.join(env.data_dir, DATABASE_FILE))
    with conn:  # as if pruned while no process held it: the first change after the backup's moment gone
        deleted = conn.execute(f"DELETE FROM {log_table} WHERE seq = (SELECT min(seq) FROM {log_table}"
                               " WHERE seq > ?)", (backup.source["seq"],)).rowcount
    conn.close()
    assert deleted == 1
    with caplog.at_level(logging.ERROR, logger="jobtable.engine"):
        env.reopen()
        env.settle()
    with pytest.raises(ClientError) as excinfo:
        env.ddb.describe_backup(BackupArn=arn)
    assert excinfo.value.response["Error"]["Code"] == "BackupNotFoundException"
    assert any(f"backup {arn} failed" in r.getMessage() and "pruned" in r.getMessage() for r in caplog.records)
    assert not os.path.exists(backup.path) and not os.listdir(os.path.dirname(backup.path))  # no file, no partial file
    assert len(scan_all(env.ddb, "src")) == 10  # the source is untouched
