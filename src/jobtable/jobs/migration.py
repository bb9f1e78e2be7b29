"""Copy (and optionally transform) a table: the jobs API's entry to jobtable.ops.transfer.

The seed's "Data Migration" recipe (`scan > backup.json`, then `batch-write-item`) breaks
past 1 MB and 25 items and silently drops UnprocessedItems; jobtable.ops.transfer does it
properly (parallel scan segments, batches of 25, unprocessed items retried with exponential
backoff and jitter, progress as items land, optional checkpoint and verification; see
docs/migration.md). This module keeps the jobs API's small interface over it and adds
`create_table_like` for targets that do not exist yet.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from jobtable.ops.batch_writes import BATCH_LIMIT as BATCH_SIZE
from jobtable.ops.batch_writes import UnprocessedItemsError, write_batch
from jobtable.ops.retry import DEFAULT_BACKOFF, Backoff
from jobtable.ops.transfer import ScanOptions
from jobtable.ops.transfer import copy_table as copy_with_checkpoints

__all__ = ["BATCH_SIZE", "CopyResult", "UnprocessedItemsError", "copy_table", "create_table_like", "write_batch"]

Item = dict[str, Any]
Transform = Callable[[Item], "Item | None"]


@dataclass(frozen=True)
class CopyResult:
    scanned: int
    written: int
    skipped: int  # items the transform dropped (returned None)


def copy_table(source_client: Any, source_table: str, target_client: Any, target_table: str, segments: int = 4,
               transform: Transform | None = None, progress: Callable[[int], None] | None = None,
               backoff: Backoff = DEFAULT_BACKOFF) -> CopyResult:
    """Copy every item of `source_table` into `target_table` (which must exist).

    `transform(item) -> item | None` sees and returns wire-format items
    (`{"jobId": {"S": ...}}`); None skips the item. `progress(n)` is called (from worker
    threads, serialized) each time n more items have been written. Clients are shared by
    the threads (boto3 clients are thread-safe).
    """
    if segments < 1:
        raise ValueError("segments must be at least 1")
    report = copy_with_checkpoints(source_client, source_table, target_client, target_table,
                                   scan=ScanOptions(segments=segments), transform=transform, progress=progress,
                                   backoff=backoff, verify=False)
    return CopyResult(report.scanned, report.written, report.skipped)


def create_table_like(description: dict[str, Any], client: Any, table_name: str) -> None:
    """Create `table_name` with the keys and indexes of a DescribeTable `description`.

    Billing is PAY_PER_REQUEST (capacity is a property of the destination, not of the
    data); the stream setting is kept. Waits until the table is ACTIVE.
    """
    request: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": description["AttributeDefinitions"],
        "KeySchema": description["KeySchema"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = [{k: ix[k] for k in ("IndexName", "KeySchema", "Projection")} for ix in description.get(kind, [])]
        if indexes:
            request[kind] = indexes
    stream = description.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        request["StreamSpecification"] = stream
    client.create_table(**request)
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
