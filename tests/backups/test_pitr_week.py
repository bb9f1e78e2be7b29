"""Point-in-time restores hold exactly the items the table held at the chosen second.

A simulated week of job-tracking traffic (jobs created, moved through statuses, retried,
deleted) runs on the manual clock; the test keeps its own record of the table after every
step, then compares restored tables item by item — and through the StatusIndex — with the
record at that second.
"""
from __future__ import annotations

import copy
import math
import random
from typing import Any

import pytest
from botocore.exceptions import ClientError

from backup_helpers import align, enable_pitr, error_of, scan_all, table_status, when

DAY = 86400
STATUSES = ("queued", "running", "succeeded", "failed")


class JobTraffic:
    """Random but reproducible job traffic that remembers the table's content after each step."""

    def __init__(self, ddb: Any, table: str, seed: int) -> None:
        self.ddb, self.table, self.rng = ddb, table, random.Random(seed)
        self.state: dict[str, dict] = {}
        self.history: list[tuple[float, dict[str, dict]]] = []
        self.created = 0

    def _create(self, now: float) -> None:
        self.created += 1
        job_id = f"job-{self.created:05d}"
        item = {"jobId": {"S": job_id}, "status": {"S": "queued"}, "userId": {"S": f"user-{self.rng.randint(1, 5)}"},
                "createdAt": {"S": f"{now:.0f}-{self.created:05d}"}, "attempts": {"N": "0"},
                "payload": {"M": {"size": {"N": str(self.rng.randint(1, 10**6))},
                                  "tags": {"SS": sorted({f"t{self.rng.randint(0, 9)}" for _ in range(3)})}}}}
        self.ddb.put_item(TableName=self.table, Item=item)
        self.state[job_id] = item

    def _move(self, now: float) -> None:
        job_id = self.rng.choice(sorted(self.state))
        status = self.rng.choice(STATUSES)
        self.ddb.update_item(TableName=self.table, Key={"jobId": {"S": job_id}},
                             UpdateExpression="SET #s = :s, updatedAt = :t ADD attempts :one",
                             ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":s": {"S": status}, ":t": {"N": f"{now:.0f}"},
                                                        ":one": {"N": "1"}})
        item = self.state[job_id]
        item["status"] = {"S": status}
        item["updatedAt"] = {"N": f"{now:.0f}"}
        item["attempts"] = {"N": str(int(item["attempts"]["N"]) + 1)}

    def _delete(self) -> None:
        job_id = self.rng.choice(sorted(self.state))
        self.ddb.delete_item(TableName=self.table, Key={"jobId": {"S": job_id}})
        del self.state[job_id]

    def run(self, backend: Any, seconds: float, mean_gap: int) -> None:
        """Traffic for `seconds` of clock time; after each step the record is stored with its second."""
        now = align(backend)
        end = now + seconds
        while now < end:
            now = backend.advance(self.rng.randint(mean_gap // 2, mean_gap * 3 // 2))
            for _ in range(self.rng.randint(1, 3)):
                roll = self.rng.random()
                if roll < 0.45 or len(self.state) < 3:
                    self._create(now)
                elif roll < 0.85:
                    self._move(now)
                else:
                    self._delete()
            self.history.append((now, copy.deepcopy(self.state)))

    def state_at(self, second: float) -> dict[str, dict]:
        """The recorded table at `second` (the last step at or before it)."""
        found: dict[str, dict] = {}
        for at, state in self.history:
            if at > second:
                break
            found = state
        return found


def restore_at(ddb: Any, backend: Any, source: str, target: str, second: float) -> dict[str, dict]:
    ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=target, RestoreDateTime=when(second))
    backend.settle()
    assert table_status(ddb, target) == "ACTIVE"
    return scan_all(ddb, target)


def by_status(items: dict[str, dict], status: str) -> list[str]:
    return sorted(job_id for job_id, item in items.items() if item["status"]["S"] == status)


def query_status(ddb: Any, table: str, status: str) -> list[str]:
    found, kwargs = [], {"TableName": table, "IndexName": "StatusIndex", "KeyConditionExpression": "#s = :s",
                         "ExpressionAttributeNames": {"#s": "status"},
                         "ExpressionAttributeValues": {":s": {"S": status}}}
    while True:
        page = ddb.query(**kwargs)
        found += [item["jobId"]["S"] for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return sorted(found)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_restores_to_chosen_seconds_of_a_week_match_the_recorded_table(ddb: Any, backend: Any, job_table: str) -> None:
    enable_pitr(ddb, job_table)
    traffic = JobTraffic(ddb, job_table, seed=20261120)
    traffic.run(backend, 7 * DAY, mean_gap=4 * 3600)
    assert len(traffic.history) > 30 and traffic.created > 40
    rng = random.Random(1)
    steps = [at for at, _ in traffic.history]
    # Exact step seconds, a second just before a step (the previous state), and "now".
    chosen = [steps[3], steps[len(steps) // 2] - 1, steps[len(steps) * 3 // 4], float(rng.randint(int(steps[5]), int(steps[-5]))),
              steps[-1]]
    for n, second in enumerate(chosen):
        target = f"{job_table}-at-{n}"
        restored = restore_at(ddb, backend, job_table, target, second)
        expected = traffic.state_at(second)
        assert restored == expected, f"restore to {when(second)} differs from the recorded table"
        for status in STATUSES:  # the restored table's index was rebuilt from the restored items
            assert query_status(ddb, target, status) == by_status(expected, status)
        ddb.delete_table(TableName=target)


def test_roll_forward_past_the_recovery_period_keeps_restores_exact(ddb: Any, backend: Any, job_table: str) -> None:
    enable_pitr(ddb, job_table, days=1)
    traffic = JobTraffic(ddb, job_table, seed=7)
    traffic.run(backend, 3 * DAY, mean_gap=2 * 3600)
    now = backend.advance(60)
    assert now == int(now)
    window = ddb.describe_continuous_backups(TableName=job_table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    earliest = window["EarliestRestorableDateTime"].timestamp()
    assert earliest == pytest.approx(now - DAY, abs=1)
    inside = [at for at, _ in traffic.history if at >= earliest]
    for n, second in enumerate([inside[0], inside[len(inside) // 2], float(math.ceil(earliest))]):
        target = f"{job_table}-rf-{n}"
        assert restore_at(ddb, backend, job_table, target, second) == traffic.state_at(second)
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName=job_table, TargetTableName=f"{job_table}-old",
                                           RestoreDateTime=when(earliest - 3600))
    assert error_of(excinfo)[0] == "InvalidRestoreTimeException"


def test_roll_forward_folds_old_log_rows_into_the_baseline(local: Any) -> None:
    """Storage stays bounded: rows older than the period leave the log (folded into the baseline)."""
    ddb, engine = local.ddb, local.engine
    ddb.create_table(TableName="jobs", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}])
    enable_pitr(ddb, "jobs", days=1)
    for n in range(50):
        ddb.put_item(TableName="jobs", Item={"jobId": {"S": f"j{n % 10}"}, "n": {"N": str(n)}})
        local.advance(3600)
    meta = engine.catalog.require("jobs")
    rows = engine.storage.conn.execute(f"SELECT count(*), min(at) FROM {meta.log_table}").fetchone()
    assert rows[0] <= 25 and rows[1] >= engine.clock.now() - 86400
    baseline = meta.extras["pitr"]["baseline"]
    assert engine.storage.conn.execute(f"SELECT count(*) FROM {baseline['table']}").fetchone()[0] == 10
