"""What can go wrong with a job, as exceptions a caller can catch by kind."""
from __future__ import annotations


class JobError(Exception):
    """Base class for the jobs API's own errors (AWS errors stay botocore ClientErrors)."""


class JobNotFound(JobError, LookupError):
    def __init__(self, job_id: str, table: str | None = None) -> None:
        self.job_id = job_id
        where = f" in table '{table}'" if table else ""
        super().__init__(f"job '{job_id}' not found{where}")


class JobExists(JobError):
    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"job '{job_id}' already exists")


class InvalidTransition(JobError, ValueError):
    """The job exists but its current status does not allow the requested move."""

    def __init__(self, job_id: str, current: str | None, requested: str) -> None:
        self.job_id = job_id
        self.current = current
        self.requested = requested
        super().__init__(f"job '{job_id}' is {current or 'without status'}; cannot move it to {requested}")


class LeaseLost(JobError):
    """A worker acted on a job it no longer holds (its lease expired and it moved on)."""

    def __init__(self, job_id: str, worker_id: str, holder: str | None, status: str | None) -> None:
        self.job_id = job_id
        self.worker_id = worker_id
        self.holder = holder
        self.status = status
        held = f"held by worker '{holder}'" if holder else "held by no worker"
        super().__init__(f"job '{job_id}' is not held by worker '{worker_id}' (it is {status}, {held})")


class InvalidCursor(JobError, ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid cursor: {reason}")
