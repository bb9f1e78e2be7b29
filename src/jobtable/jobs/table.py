"""`JobTable`: the one place the jobs layer calls DynamoDB (boto3 only).

It owns the client, the table name, the clock and the backoff policy, so every operation
gets throttling retries and the same notion of "now".
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from jobtable.clock import Clock
from jobtable.jobs import schema as s
from jobtable.jobs.codec import string
from jobtable.jobs.retry import DEFAULT_BACKOFF, Backoff, call_with_backoff, error_code
from jobtable.jobs.timestamps import format_timestamp


class JobTable:
    def __init__(self, client: Any, table_name: str = s.DEFAULT_TABLE_NAME, *,
                 clock: Clock | None = None, backoff: Backoff | None = None) -> None:
        self.client = client
        self.table_name = table_name
        self.clock = clock or Clock()
        self.backoff = backoff or DEFAULT_BACKOFF

    def call(self, operation: str, **params: Any) -> Any:
        """`client.<operation>(TableName=..., **params)` with throttling retries."""
        return call_with_backoff(getattr(self.client, operation), self.backoff,
                                 TableName=self.table_name, **params)

    def now(self) -> float:
        return self.clock.now()

    def timestamp(self, offset_seconds: float = 0.0) -> str:
        return format_timestamp(self.clock.now() + offset_seconds)

    def read_item(self, job_id: str) -> dict[str, Any] | None:
        """The job's wire-format item (strongly consistent), or None."""
        response = self.call("get_item", Key={s.JOB_ID: string(job_id)}, ConsistentRead=True)
        return response.get("Item")


def is_condition_failure(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"
