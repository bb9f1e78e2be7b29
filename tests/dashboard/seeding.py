"""Seeded job tables for the dashboard tests (through boto3 and the jobs API only)."""
from __future__ import annotations

from typing import Any

from jobtable.jobs import JobStore

JOB_TABLE = "CloudToolsJobs"
USERS = ("alice", "bob", "carol")
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'


def create_job_table(ddb: Any, name: str = JOB_TABLE) -> None:
    from jobtable.server.provision import job_table_definition

    definition = job_table_definition(name)
    definition.pop("SSESpecification", None)
    ddb.create_table(**definition)


def seed_jobs(store: JobStore, advance: Any, count: int = 24) -> dict[str, list[str]]:
    """`count` jobs, ten minutes apart, in every status; returns job ids by status.

    `advance(seconds)` moves the clock the store and the server share."""
    by_status: dict[str, list[str]] = {s: [] for s in ("pending", "processing", "completed", "failed", "cancelled")}
    for i in range(count):
        job = store.create_job(USERS[i % len(USERS)], ("convert", "resize")[i % 2], {"n": i, "format": "pdf"})
        kind = i % 5
        if kind in (1, 2, 3):
            store.update_status(job.job_id, "processing", worker_id=f"w{i}")
            if kind == 2:
                store.complete(job.job_id, {"pages": i}, worker_id=f"w{i}", output_file=f"out-{i}.pdf")
            elif kind == 3:
                store.fail(job.job_id, f"converter crashed on page {i}", worker_id=f"w{i}")
        elif kind == 4:
            store.cancel(job.job_id)
        status = ("pending", "processing", "completed", "failed", "cancelled")[kind]
        by_status[status].append(job.job_id)
        advance(600)
    return by_status
