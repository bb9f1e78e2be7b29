"""The jobs API: job tracking on the seed's table, through boto3 against any endpoint.

    from jobtable.jobs import JobStore
    store = JobStore(boto3.client("dynamodb"), "CloudToolsJobs")

See docs/jobs.md for the state machine, ids, timestamps and cursors.
"""
from __future__ import annotations

from jobtable.jobs.errors import InvalidCursor, InvalidTransition, JobError, JobExists, JobNotFound, LeaseLost
from jobtable.jobs.listing import JobPage
from jobtable.jobs.migration import CopyResult, copy_table
from jobtable.jobs.model import Job
from jobtable.jobs.retry import Backoff
from jobtable.jobs.schema import DEFAULT_TABLE_NAME, create_jobs_table
from jobtable.jobs.states import CANCELLED, COMPLETED, FAILED, PENDING, PROCESSING, STATUSES
from jobtable.jobs.store import JobStore

__all__ = [
    "Backoff", "CANCELLED", "COMPLETED", "CopyResult", "DEFAULT_TABLE_NAME", "FAILED", "InvalidCursor",
    "InvalidTransition", "Job", "JobError", "JobExists", "JobNotFound", "JobPage", "JobStore", "LeaseLost",
    "PENDING", "PROCESSING", "STATUSES", "copy_table", "create_jobs_table",
]
