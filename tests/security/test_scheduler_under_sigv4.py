"""The server's own daily backup scheduler keeps working when callers must sign (`--auth sigv4`)."""
from __future__ import annotations

import datetime
import time
from unittest import mock

import boto3
from botocore.config import Config
from tests.conftest import ServerProcess

from jobtable.security.credentials import CredentialStore

TABLE = "Scheduled"


def test_daily_backups_run_with_auth_on(tmp_path):
    store = CredentialStore.open(tmp_path)
    admin = store.add_user("admin")
    store.attach_user_policy("admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    server = ServerProcess("--auth", "sigv4", "--manual-clock", data_dir=str(tmp_path)).start()
    try:
        ddb = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id=admin.access_key_id, aws_secret_access_key=admin.secret_access_key,
                           config=Config(retries={"mode": "standard", "max_attempts": 1}))
        ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         Tags=[{"Key": "BackupSchedule", "Value": "daily"}])
        now = server.advance(86400)  # the next UTC day, past the 03:00 run hour at some point
        now = server.advance(4 * 3600)
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        deadline = time.monotonic() + 30  # the background thread ticks every second
        names: list[str] = []
        # Sign at the server's (moved) time: the guard checks signatures against its own clock.
        server_time = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).replace(tzinfo=None)
        while time.monotonic() < deadline:
            with mock.patch("botocore.auth.get_current_datetime", return_value=server_time):
                names = [b["BackupName"] for b in ddb.list_backups(TableName=TABLE)["BackupSummaries"]]
            if f"{TABLE}-backup-{day}" in names:
                break
            time.sleep(0.2)
        assert f"{TABLE}-backup-{day}" in names
    finally:
        server.stop()
    assert b"daily-backups failed" not in server.proc.stderr.read()
