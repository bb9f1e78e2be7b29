"""The boto3 workloads on the seed's schema: what a user of any DynamoDB endpoint feels.

Each workload builds one operation (a closure over a reused client) that the timing loop
calls back to back. Writes keep N constant: puts overwrite existing jobs with their own
content, status transitions flip a fixed pool of jobs back and forth with a condition.
"""
from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from bench.dataset import (
    COMPLETED,
    FAILED,
    PENDING,
    PROCESSING,
    SYSTEM_STATUS_KEY,
    TABLE,
    TRANSACT_POOL_SLOTS,
    UPDATE_POOL_SLOTS,
    USER_JOBS,
    job_id,
    job_item,
    pool,
    user_count,
    user_id,
)
from bench.requests import STATUS_NAME, get_job, pending_jobs, put_job, user_jobs_window

SCAN_SEGMENTS = 4


@dataclass
class Context:
    """What a workload needs: a client factory (one client per thread), N, and a seed."""

    make_client: Callable[[], Any]
    n: int
    seed: int = 12
    verify: bool = True  # check answers (off only for the `{}` ceiling server)
    scan_timeout: float = 120.0  # a whole-table pass slower than this is abandoned

    def expect(self, what: str, got: int, wanted: int) -> None:
        """A wrong answer is an error, not a fast result."""
        if self.verify and got != wanted:
            raise AssertionError(f"{what}: got {got}, expected {wanted}")

    def rng(self) -> random.Random:
        return random.Random(self.seed)


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    unit: str  # what units_per_second counts
    build: Callable[[Context], Callable[[], Any]]
    units_per_op: Callable[[int], int]
    kind: str  # "point": many short calls; "scan": few long ones
    on_trivial: bool  # meaningful against the `{}` ceiling server


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _put_item(ctx: Context) -> Callable[[], Any]:
    client, rng, n = ctx.make_client(), ctx.rng(), ctx.n
    return lambda: client.put_item(**put_job(rng.randrange(n), n))


def _get_item(ctx: Context) -> Callable[[], Any]:
    client, rng, n = ctx.make_client(), ctx.rng(), ctx.n

    def operation() -> Any:
        response = client.get_item(**get_job(rng.randrange(n)))
        ctx.expect("GetItem items", 1 if "Item" in response else 0, 1)
        return response

    return operation


def _batch_write(ctx: Context) -> Callable[[], Any]:
    client, rng, n = ctx.make_client(), ctx.rng(), ctx.n

    def operation() -> Any:
        keys = rng.sample(range(n), min(25, n))
        requests = [{"PutRequest": {"Item": job_item(i, n)}} for i in keys]
        response = client.batch_write_item(RequestItems={TABLE: requests})
        if response.get("UnprocessedItems"):
            raise RuntimeError("UnprocessedItems returned")
        return response

    return operation


def _query_status(ctx: Context) -> Callable[[], Any]:
    client = ctx.make_client()
    wanted = min(50, len(pool(ctx.n, (0, 1, 2, 3))))  # the pending jobs

    def operation() -> Any:
        response = client.query(**pending_jobs(50, newest_first=True))
        ctx.expect("StatusIndex items", len(response.get("Items", [])), wanted)
        return response

    return operation


def _query_user(ctx: Context) -> Callable[[], Any]:
    client, rng, n = ctx.make_client(), ctx.rng(), ctx.n

    def operation() -> Any:
        response = client.query(**user_jobs_window(rng, n))
        if n >= USER_JOBS:  # every user owns at least 50 jobs, so the window holds 25
            ctx.expect("UserIndex items", len(response.get("Items", [])), 25)
        return response

    return operation


class FlipPool:
    """Jobs that start as processing; pass 0 moves them to completed, pass 1 back, and so on.

    The condition on the old status always holds, so each call is a real conditional write.
    """

    def __init__(self, n: int, slots: tuple[int, ...]):
        self.items = pool(n, slots)
        self.position = 0
        self.passes = 0

    def next_transition(self) -> tuple[int, str, str]:
        i = self.items[self.position]
        old, new = (PROCESSING, COMPLETED) if self.passes % 2 == 0 else (COMPLETED, PROCESSING)
        self.position += 1
        if self.position == len(self.items):
            self.position, self.passes = 0, self.passes + 1
        return i, old, new


def _transition_update(i: int, old: str, new: str) -> dict[str, Any]:
    return {
        "TableName": TABLE,
        "Key": {"jobId": {"S": job_id(i)}},
        "UpdateExpression": "SET #status = :new, updatedAt = :now",
        "ConditionExpression": "#status = :old",
        "ExpressionAttributeNames": STATUS_NAME,
        "ExpressionAttributeValues": {":new": {"S": new}, ":old": {"S": old}, ":now": {"S": _now()}},
    }


def _update_item(ctx: Context) -> Callable[[], Any]:
    client, flips = ctx.make_client(), FlipPool(ctx.n, UPDATE_POOL_SLOTS)
    return lambda: client.update_item(**_transition_update(*flips.next_transition()))


def _transact_write(ctx: Context) -> Callable[[], Any]:
    client, flips = ctx.make_client(), FlipPool(ctx.n, TRANSACT_POOL_SLOTS)

    def operation() -> Any:
        job_update = _transition_update(*flips.next_transition())
        counter = {
            "TableName": TABLE,
            "Key": {"jobId": {"S": SYSTEM_STATUS_KEY}},
            "UpdateExpression": "ADD completedCount :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
        return client.transact_write_items(TransactItems=[{"Update": job_update}, {"Update": counter}])

    return operation


def _mixed_worker(ctx: Context) -> Callable[[], Any]:
    """One cycle of a job system: enqueue a job, claim the oldest pending one, complete it."""
    client = ctx.make_client()
    worker = "bench-worker-1"
    counter = iter(range(10**12))

    def operation() -> Any:
        k = next(counter)
        now = _now()
        client.put_item(
            TableName=TABLE,
            Item={
                "jobId": {"S": f"mixed-{ctx.seed}-{k:08d}"},
                "status": {"S": PENDING},
                "userId": {"S": user_id(k % user_count(ctx.n))},
                "createdAt": {"S": now},
                "jobType": {"S": "convert"},
            },
            ConditionExpression="attribute_not_exists(jobId)",
        )
        oldest = client.query(**pending_jobs(1, newest_first=False))["Items"]
        if not oldest:
            raise RuntimeError("no pending job to claim")
        key = {"jobId": oldest[0]["jobId"]}
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET #status = :processing, workerId = :me, updatedAt = :now",
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames=STATUS_NAME,
            ExpressionAttributeValues={
                ":processing": {"S": PROCESSING},
                ":pending": {"S": PENDING},
                ":me": {"S": worker},
                ":now": {"S": now},
            },
        )
        return client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET #status = :completed, outputFile = :out, updatedAt = :now",
            ConditionExpression="#status = :processing AND workerId = :me",
            ExpressionAttributeNames=STATUS_NAME,
            ExpressionAttributeValues={
                ":completed": {"S": COMPLETED},
                ":processing": {"S": PROCESSING},
                ":me": {"S": worker},
                ":out": {"S": f"s3://cloud-tools-results/{k}.out"},
                ":now": {"S": now},
            },
        )

    return operation


class ScanTooSlow(RuntimeError):
    """A whole-table pass exceeded its time budget (the run must go on)."""


def _scan_pages(client: Any, deadline: float, **segment: Any) -> int:
    """Every page of a filtered Scan (failed jobs, 5 %); returns the items scanned."""
    scanned = 0
    started = time.monotonic()
    request: dict[str, Any] = {
        "TableName": TABLE,
        "FilterExpression": "#status = :failed",
        "ExpressionAttributeNames": STATUS_NAME,
        "ExpressionAttributeValues": {":failed": {"S": FAILED}},
        **segment,
    }
    while True:
        page = client.scan(**request)
        scanned += page.get("ScannedCount", 0)
        if "LastEvaluatedKey" not in page:
            return scanned
        if time.monotonic() > deadline:
            elapsed = time.monotonic() - started
            raise ScanTooSlow(f"pass abandoned after {elapsed:.1f} s with {scanned} items scanned "
                              f"({scanned / elapsed:.0f} items/s)")
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _scan(ctx: Context) -> Callable[[], Any]:
    client, n = ctx.make_client(), ctx.n

    def operation() -> int:
        scanned = _scan_pages(client, time.monotonic() + ctx.scan_timeout)
        if scanned < n:
            raise RuntimeError(f"Scan saw {scanned} items, expected at least {n}")
        return scanned

    return operation


def _parallel_scan(ctx: Context) -> Callable[[], Any]:
    clients = [ctx.make_client() for _ in range(SCAN_SEGMENTS)]
    executor = ThreadPoolExecutor(max_workers=SCAN_SEGMENTS, thread_name_prefix="scan")
    n = ctx.n

    def segment(k: int, deadline: float) -> int:
        return _scan_pages(clients[k], deadline, Segment=k, TotalSegments=SCAN_SEGMENTS)

    def operation() -> int:
        deadline = time.monotonic() + ctx.scan_timeout
        scanned = sum(executor.map(segment, range(SCAN_SEGMENTS), [deadline] * SCAN_SEGMENTS))
        if scanned < n:
            raise RuntimeError(f"parallel Scan saw {scanned} items, expected at least {n}")
        return scanned

    operation.close = executor.shutdown  # type: ignore[attr-defined]  # the runner calls it
    return operation


def _ops(n: int) -> int:
    return 1


WORKLOADS: list[Workload] = [
    Workload("put_item", "PutItem", "items/s", _put_item, _ops, "point", True),
    Workload("batch_write_item", "BatchWriteItem (25 items)", "items/s", _batch_write, lambda n: min(25, n), "point", True),
    Workload("get_item", "GetItem", "ops/s", _get_item, _ops, "point", True),
    Workload("query_status", "Query StatusIndex (50 newest pending)", "ops/s", _query_status, _ops, "point", True),
    Workload("query_user", "Query UserIndex (createdAt range)", "ops/s", _query_user, _ops, "point", True),
    Workload("update_item", "UpdateItem (conditional status transition)", "ops/s", _update_item, _ops, "point", True),
    Workload("transact_write", "TransactWriteItems (job + counter)", "ops/s", _transact_write, _ops, "point", True),
    Workload("mixed_worker", "Job worker cycle (enqueue, claim, complete)", "cycles/s", _mixed_worker, _ops, "point", False),
    Workload("scan_filter", "Full Scan with FilterExpression", "items scanned/s", _scan, lambda n: n, "scan", False),
    Workload("parallel_scan", "Parallel Scan (4 segments)", "items scanned/s", _parallel_scan, lambda n: n, "scan", False),
]
WORKLOADS_BY_NAME = {w.name: w for w in WORKLOADS}
