"""DescribeTable's per-index ItemCount of one engine never leaks into another engine's
description (in-process users run one fresh engine per test, as the `dynamodb` fixture does)."""
from __future__ import annotations

from jobtable.clock import ManualClock
from jobtable.engine.engine import Engine
from jobtable.inprocess import client

from tests.conftest import START_TIME, job_table_spec


def test_index_item_count_is_per_engine() -> None:
    first, second = Engine(None, clock=ManualClock(START_TIME)), Engine(None, clock=ManualClock(START_TIME))
    try:
        busy, empty = client("dynamodb", engine=first), client("dynamodb", engine=second)
        for ddb, engine in ((busy, first), (empty, second)):
            ddb.create_table(**job_table_spec("jobs-table"))
            engine.run_background_until_idle()
        for n in range(3):
            busy.put_item(TableName="jobs-table", Item={
                "jobId": {"S": f"j{n}"}, "status": {"S": "PENDING"}, "userId": {"S": "u"},
                "createdAt": {"S": f"2026-01-0{n + 1}"}})
        counts = [{i["IndexName"]: i["ItemCount"] for i in ddb.describe_table(TableName="jobs-table")
                   ["Table"]["GlobalSecondaryIndexes"]} for ddb in (busy, empty)]
        assert set(counts[0].values()) == {3}
        assert set(counts[1].values()) == {0}
    finally:
        first.close()
        second.close()
