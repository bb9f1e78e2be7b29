"""Request bodies shared by the boto3 workloads (``client.op(**body)``) and raw HTTP (JSON)."""
from __future__ import annotations

import random
from typing import Any

from bench.dataset import PENDING, TABLE, job_id, job_item, user_count, user_id, user_window

STATUS_NAME = {"#status": "status"}


def get_job(i: int) -> dict[str, Any]:
    return {"TableName": TABLE, "Key": {"jobId": {"S": job_id(i)}}}


def put_job(i: int, n: int) -> dict[str, Any]:
    return {"TableName": TABLE, "Item": job_item(i, n)}


def pending_jobs(limit: int, newest_first: bool) -> dict[str, Any]:
    """Query StatusIndex for pending jobs (newest first: the dashboard; oldest: a worker)."""
    return {
        "TableName": TABLE,
        "IndexName": "StatusIndex",
        "KeyConditionExpression": "#status = :status",
        "ExpressionAttributeNames": STATUS_NAME,
        "ExpressionAttributeValues": {":status": {"S": PENDING}},
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }


def user_jobs_window(rng: random.Random, n: int) -> dict[str, Any]:
    """Query UserIndex: one random user's jobs in a createdAt range holding 25 of them."""
    u = rng.randrange(user_count(n))
    low, high = user_window(u, n, rng.randrange(25), 25)
    return {
        "TableName": TABLE,
        "IndexName": "UserIndex",
        "KeyConditionExpression": "userId = :user AND createdAt BETWEEN :low AND :high",
        "ExpressionAttributeValues": {":user": {"S": user_id(u)}, ":low": {"S": low}, ":high": {"S": high}},
    }
