"""Job ids: random UUIDv4 strings.

Why not ULID: `jobId` is the table's partition key, which DynamoDB hashes, so an id that
sorts by time buys nothing there — time order comes from the `createdAt` sort key of the
GSIs. UUIDv4 is in the standard library (no dependency), has 122 random bits (no
coordination between writers) and reveals nothing about when or where a job was created.
"""
from __future__ import annotations

import uuid


def new_job_id() -> str:
    return str(uuid.uuid4())
