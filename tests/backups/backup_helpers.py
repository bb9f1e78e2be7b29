"""Helpers for the backup, PITR, export and import tests (fixtures are in conftest.py)."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from tests.conftest import InProcessBackend


def when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def align(backend: Any) -> float:
    """Move the clock to the next whole second: boto3 sends RestoreDateTime/ExportTime in whole
    seconds, and other tests on the shared server may leave the clock at a fraction."""
    now = backend.advance(0)
    return backend.advance(math.ceil(now) - now) if now != int(now) else now


def scan_all(ddb: Any, table: str) -> dict[str, dict]:
    """Every item of a single-key table, by its partition key value (low-level wire form)."""
    described = ddb.describe_table(TableName=table)["Table"]
    key = described["KeySchema"][0]["AttributeName"]
    items: dict[str, dict] = {}
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        for item in page["Items"]:
            items[next(iter(item[key].values()))] = item
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def enable_pitr(ddb: Any, table: str, days: int = 35) -> dict:
    return ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days})["ContinuousBackupsDescription"]


def table_status(ddb: Any, table: str) -> str:
    return ddb.describe_table(TableName=table)["Table"]["TableStatus"]


class LocalEngine(InProcessBackend):
    """An in-process engine with a manual clock, for tests that reach below the API; `ddb` is
    its DynamoDB client and `reopen` restarts it on the same data dir."""

    def __init__(self, data_dir: str | None = None) -> None:
        super().__init__(data_dir)
        self.data_dir = data_dir
        self.ddb = self.client()

    def reopen(self) -> None:
        """Close and reopen the same data dir (a restart), keeping the clock."""
        now = self.engine.clock.now()
        self.engine.close()
        super().__init__(self.data_dir, now)
        self.ddb = self.client()


def simple_table(ddb: Any, name: str, **extra: Any) -> str:
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)
    return name
