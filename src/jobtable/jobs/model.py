"""`Job`: one item of the job table, read into Python."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from jobtable.jobs import schema as s
from jobtable.jobs.codec import from_attribute
from jobtable.jobs.states import TERMINAL

# Python field name -> item attribute name, for the attributes the jobs API knows.
_FIELDS = {
    "job_id": s.JOB_ID, "status": s.STATUS, "user_id": s.USER_ID, "job_type": s.JOB_TYPE,
    "created_at": s.CREATED_AT, "updated_at": s.UPDATED_AT, "payload": s.PAYLOAD,
    "input_file": s.INPUT_FILE, "output_file": s.OUTPUT_FILE, "result": s.RESULT,
    "error": s.ERROR, "worker_id": s.WORKER_ID, "lease_expires_at": s.LEASE_EXPIRES_AT,
    "started_at": s.STARTED_AT, "finished_at": s.FINISHED_AT, "attempts": s.ATTEMPTS,
    "retries": s.RETRIES, "ttl": s.TTL,
}


@dataclass(frozen=True)
class Job:
    job_id: str
    status: str
    user_id: str | None = None
    job_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    payload: Any = None
    input_file: str | None = None
    output_file: str | None = None
    result: Any = None
    error: str | None = None
    worker_id: str | None = None
    lease_expires_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    attempts: int = 0
    retries: int = 0
    ttl: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # attributes written by others (e.g. metadata)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> "Job":
        """A wire-format item (`{"jobId": {"S": ...}, ...}`) -> Job."""
        values = {name: from_attribute(v) for name, v in item.items()}
        known = {py: values.pop(attr) for py, attr in _FIELDS.items() if attr in values}
        known.setdefault("job_id", None)
        known.setdefault("status", None)
        return cls(**known, extra=values)

    def to_dict(self) -> dict[str, Any]:
        """The item's attributes by their table names (what `--output json` prints)."""
        out = {attr: getattr(self, py) for py, attr in _FIELDS.items() if getattr(self, py) is not None}
        out.update(self.extra)
        return out

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL
