"""The job state machine.

    pending ──claim──> processing ──> completed
       ^                   │   └────> failed ──retry──> pending
       └──lease expired────┘
    pending | processing ──cancel──> cancelled

Every move is a conditional write on the current status, so two workers can never both
move the same job.
"""
from __future__ import annotations

PENDING = "pending"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"

STATUSES: tuple[str, ...] = (PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED)
TERMINAL: frozenset[str] = frozenset({COMPLETED, FAILED, CANCELLED})

# current status -> statuses it may move to through update_status().
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({PROCESSING, CANCELLED}),
    PROCESSING: frozenset({COMPLETED, FAILED, CANCELLED}),
    FAILED: frozenset({PENDING}),  # a retry
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status '{status}': expected one of {', '.join(STATUSES)}")
    return status


def sources_of(new_status: str) -> tuple[str, ...]:
    """The statuses from which a job may move to `new_status`, in a stable order."""
    check_status(new_status)
    return tuple(s for s in STATUSES if new_status in TRANSITIONS[s])
