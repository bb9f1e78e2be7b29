"""`JobStore`: the jobs API in one object (create, move, claim, list, count)."""
from __future__ import annotations

from typing import Any

from jobtable.clock import Clock
from jobtable.jobs import schema as s
from jobtable.jobs.claims import Claims
from jobtable.jobs.lifecycle import DEFAULT_VISIBILITY_TIMEOUT
from jobtable.jobs.listing import Listing
from jobtable.jobs.retry import Backoff


class JobStore(Claims, Listing):
    """Jobs in a DynamoDB table shaped like the seed's, through any boto3 client.

        store = JobStore(boto3.client("dynamodb", endpoint_url="http://127.0.0.1:8000"))
        job = store.create_job("user-1", "convert", {"format": "pdf"})
        claimed = store.claim_next("worker-1")   # the oldest pending job, now processing
        store.complete(claimed.job_id, {"pages": 3}, worker_id="worker-1")
    """

    def __init__(self, client: Any, table_name: str = s.DEFAULT_TABLE_NAME, *, clock: Clock | None = None,
                 backoff: Backoff | None = None, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
                 sweep_interval: float = 30.0) -> None:
        super().__init__(client, table_name, clock=clock, backoff=backoff)
        if visibility_timeout <= 0:
            raise ValueError("visibility_timeout must be positive")
        self.visibility_timeout = float(visibility_timeout)
        self.sweep_interval = float(sweep_interval)
        self._last_sweep = None
