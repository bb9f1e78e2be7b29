"""Workers: claim the oldest pending job under a lease, heartbeat, and requeue the dead.

A claim is a Query on StatusIndex (status = pending, oldest createdAt first) followed by a
conditional update `#status = pending -> processing`. When several workers race for the
same job exactly one update succeeds; the others move on to the next candidate. A claimed
job carries `leaseExpiresAt`; if its worker stops heartbeating, `requeue_expired()` (which
`claim_next()` runs every `sweep_interval` seconds) puts it back to pending.
"""
from __future__ import annotations

import random
from typing import Any

from botocore.exceptions import ClientError

from jobtable.jobs import schema as s
from jobtable.jobs import states
from jobtable.jobs.codec import string
from jobtable.jobs.errors import InvalidTransition, JobNotFound
from jobtable.jobs.lifecycle import Lifecycle, lease_lost
from jobtable.jobs.model import Job
from jobtable.jobs.table import is_condition_failure
from jobtable.jobs.updates import Update

CLAIM_PAGE_SIZE = 25


class Claims(Lifecycle):
    sweep_interval: float = 30.0
    _last_sweep: float | None = None

    def claim_next(self, worker_id: str, job_type: str | None = None,
                   visibility_timeout: float | None = None) -> Job | None:
        """Take the oldest pending job (optionally of one type) for `worker_id`, or None."""
        if not worker_id:
            raise ValueError("worker_id must be a non-empty string")
        self._sweep_if_due()
        lease = self.visibility_timeout if visibility_timeout is None else float(visibility_timeout)
        for page in self._pending_pages(job_type):
            for job_id in _contention_order([item[s.JOB_ID]["S"] for item in page]):
                job = self._take(job_id, worker_id, lease)
                if job is not None:
                    return job
        return None

    def heartbeat(self, job_id: str, worker_id: str, visibility_timeout: float | None = None) -> Job:
        """Extend the lease of a job `worker_id` holds; LeaseLost if it no longer does."""
        lease = self.visibility_timeout if visibility_timeout is None else float(visibility_timeout)
        update = Update().set(s.LEASE_EXPIRES_AT, string(self.timestamp(lease)))
        update.set(s.UPDATED_AT, string(self.timestamp()))
        update.equals(s.STATUS, string(states.PROCESSING)).equals(s.WORKER_ID, string(worker_id))
        return self._update_or_explain(job_id, update, lambda old: lease_lost(job_id, worker_id, old))

    def requeue_expired(self) -> int:
        """Return every processing job whose lease has expired to pending; how many moved."""
        now = self.timestamp()
        self._last_sweep = self.now()
        moved = 0
        for item in self._query_status(states.PROCESSING, filter_expired_before=now):
            update = Update().set(s.STATUS, string(states.PENDING)).set(s.UPDATED_AT, string(now))
            update.remove(s.WORKER_ID, s.LEASE_EXPIRES_AT)
            # Only the lease we saw: a heartbeat or a finish since then wins.
            update.equals(s.STATUS, string(states.PROCESSING))
            update.equals(s.LEASE_EXPIRES_AT, item[s.LEASE_EXPIRES_AT])
            try:
                self.call("update_item", Key={s.JOB_ID: item[s.JOB_ID]}, **update.request())
                moved += 1
            except ClientError as exc:
                if not is_condition_failure(exc):
                    raise
        return moved

    def _sweep_if_due(self) -> None:
        if self._last_sweep is None or self.now() - self._last_sweep >= self.sweep_interval:
            self.requeue_expired()

    def _take(self, job_id: str, worker_id: str, lease: float) -> Job | None:
        """pending -> processing for this worker, or None when someone else got it first
        (or the index was stale and the job has moved on)."""
        try:
            return self.update_status(job_id, states.PROCESSING, worker_id=worker_id, visibility_timeout=lease)
        except (InvalidTransition, JobNotFound):
            return None

    def _pending_pages(self, job_type: str | None) -> Any:
        return self._query_status(states.PENDING, job_type=job_type, page_size=CLAIM_PAGE_SIZE, by_page=True)

    def _query_status(self, status: str, *, job_type: str | None = None, filter_expired_before: str | None = None,
                      page_size: int | None = None, by_page: bool = False) -> Any:
        """Items (or pages of items) of one status, oldest first; a generator that stops
        querying when dropped."""
        names = {"#status": s.STATUS}
        values: dict[str, Any] = {":status": string(status)}
        filters = []
        if job_type is not None:
            names["#type"] = s.JOB_TYPE
            values[":type"] = string(job_type)
            filters.append("#type = :type")
        if filter_expired_before is not None:
            names["#lease"] = s.LEASE_EXPIRES_AT
            values[":now"] = string(filter_expired_before)
            filters.append("#lease < :now")
        params: dict[str, Any] = {
            "IndexName": s.STATUS_INDEX, "KeyConditionExpression": "#status = :status",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values, "ScanIndexForward": True,
        }
        if filters:
            params["FilterExpression"] = " AND ".join(filters)
        if page_size:
            params["Limit"] = page_size
        while True:
            response = self.call("query", **params)
            if by_page:
                yield response.get("Items", [])
            else:
                yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _contention_order(job_ids: list[str]) -> list[str]:
    """The oldest job first, then the rest of the page in random order.

    Uncontended, a worker gets the oldest job. When N workers race, all but one lose the
    oldest; if the losers then walked the page in order they would collide again on the
    next job (measured: ~6.7 conditional writes per claim with 8 workers). Shuffling the
    rest spreads them out, so "oldest" becomes "among the oldest page" under contention.
    """
    rest = job_ids[1:]
    random.shuffle(rest)
    return job_ids[:1] + rest
