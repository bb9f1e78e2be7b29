"""The seed's job table and a deterministic data set of N jobs on it.

Item ``i`` is a pure function of ``i``, so every peer holds the same data and workloads can
pick keys (and know their status) without reading first. The shape keeps result sizes
constant across N: each user owns ~50 jobs, the StatusIndex query always asks for 50.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

TABLE = "bench-jobs"
SYSTEM_STATUS_KEY = "system-status"
USER_JOBS = 50
_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
_TTL_BASE = 1_900_000_000
_JOB_TYPES = ("convert", "compress", "resize", "transcode", "archive")

# status by i % 20: 20 % pending, 30 % processing, 45 % completed, 5 % failed.
PENDING = "pending"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
UPDATE_POOL_SLOTS = (4, 5, 6)  # processing items the UpdateItem workload flips
TRANSACT_POOL_SLOTS = (7, 8, 9)  # processing items the TransactWriteItems workload flips

TABLE_DEFINITION: dict[str, Any] = {
    "TableName": TABLE,
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "jobId", "AttributeType": "S"},
        {"AttributeName": "status", "AttributeType": "S"},
        {"AttributeName": "userId", "AttributeType": "S"},
        {"AttributeName": "createdAt", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "jobId", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "StatusIndex",
            "KeySchema": [
                {"AttributeName": "status", "KeyType": "HASH"},
                {"AttributeName": "createdAt", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
        {
            "IndexName": "UserIndex",
            "KeySchema": [
                {"AttributeName": "userId", "KeyType": "HASH"},
                {"AttributeName": "createdAt", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
    ],
}


def status_of(i: int) -> str:
    slot = i % 20
    if slot < 4:
        return PENDING
    if slot < 10:
        return PROCESSING
    if slot < 19:
        return COMPLETED
    return FAILED


def job_id(i: int) -> str:
    return f"job-{i:08d}"


def user_count(n: int) -> int:
    return max(1, n // USER_JOBS)


def user_id(u: int) -> str:
    return f"user-{u:06d}"


def created_at(i: int) -> str:
    """ISO timestamp, one second per job: createdAt order is insertion order."""
    return (_EPOCH + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def job_item(i: int, n: int) -> dict[str, Any]:
    """Job ``i`` of an N-job table, in DynamoDB's wire format (~400 bytes)."""
    job_type = _JOB_TYPES[i % len(_JOB_TYPES)]
    return {
        "jobId": {"S": job_id(i)},
        "status": {"S": status_of(i)},
        "userId": {"S": user_id(i % user_count(n))},
        "createdAt": {"S": created_at(i)},
        "updatedAt": {"S": created_at(i + 7)},
        "jobType": {"S": job_type},
        "inputFile": {"S": f"s3://cloud-tools-uploads/{user_id(i % user_count(n))}/input-{i}.{job_type}.bin"},
        "metadata": {
            "M": {
                "sizeBytes": {"N": str(1024 + (i * 7919) % 10_000_000)},
                "source": {"S": "bench"},
                "attempts": {"N": str(i % 3)},
                "tags": {"L": [{"S": "batch"}, {"S": f"shard-{i % 16}"}]},
            }
        },
        "ttl": {"N": str(_TTL_BASE + i)},
    }


def system_status_item() -> dict[str, Any]:
    """The seed's system-status entry; TransactWriteItems bumps its counter."""
    return {
        "jobId": {"S": SYSTEM_STATUS_KEY},
        "status": {"S": "healthy"},
        "userId": {"S": "system"},
        "createdAt": {"S": created_at(0)},
        "completedCount": {"N": "0"},
    }


def pool(n: int, slots: tuple[int, ...]) -> list[int]:
    """Indexes of the items whose i % 20 is in ``slots`` (all start as processing)."""
    return [i for i in range(n) if i % 20 in slots]


def user_window(u: int, n: int, start_job: int, length: int) -> tuple[str, str]:
    """createdAt bounds covering jobs start_job .. start_job+length-1 of user ``u``."""
    users = user_count(n)
    return created_at(u + start_job * users), created_at(u + (start_job + length - 1) * users)
