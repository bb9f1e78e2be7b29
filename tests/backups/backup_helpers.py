"""Helpers for the backup, PITR, export and import tests (fixtures are in conftest.py)."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from jobtable.clock import ManualClock

START = 1_790_000_000.0


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


class LocalEngine:
    """An in-process engine with a manual clock, for tests that reach below the API."""

    def __init__(self, data_dir: str | None = None) -> None:
        from jobtable.engine.engine import Engine
        from jobtable.inprocess import client

        self.data_dir = data_dir
        self.engine = Engine(data_dir, clock=ManualClock(START))
        self.ddb = client(engine=self.engine)

    def advance(self, seconds: float) -> float:
        now = self.engine.clock.advance(seconds)
        self.engine.run_background_until_idle()
        return now

    def settle(self) -> None:
        self.engine.run_background_until_idle()

    def reopen(self) -> None:
        """Close and reopen the same data dir (a restart), keeping the clock."""
        from jobtable.engine.engine import Engine
        from jobtable.inprocess import client

        now = self.engine.clock.now()
        self.engine.close()
        self.engine = Engine(self.data_dir, clock=ManualClock(now))
        self.ddb = client(engine=self.engine)


def simple_table(ddb: Any, name: str, **extra: Any) -> str:
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)
    return name
