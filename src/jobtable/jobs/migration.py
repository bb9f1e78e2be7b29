"""Copy (and optionally transform) a table: parallel Scan in, BatchWriteItem out.

The seed's "Data Migration" recipe (`scan > backup.json`, then `batch-write-item`) breaks
past 1 MB and 25 items and silently drops UnprocessedItems; this does it properly: one
thread per scan segment, batches of 25, unprocessed items retried with exponential
backoff and jitter, progress reported as items land.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from jobtable.jobs.retry import DEFAULT_BACKOFF, Backoff, call_with_backoff
from jobtable.module.waits import Waiter, table_and_indexes_active

BATCH_SIZE = 25  # BatchWriteItem's limit

Item = dict[str, Any]
Transform = Callable[[Item], "Item | None"]


@dataclass(frozen=True)
class CopyResult:
    scanned: int
    written: int
    skipped: int  # items the transform dropped (returned None)


class UnprocessedItemsError(RuntimeError):
    pass


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
    totals = {"scanned": 0, "written": 0, "skipped": 0}
    lock = threading.Lock()

    def report(scanned: int, written: int, skipped: int) -> None:
        with lock:
            totals["scanned"] += scanned
            totals["written"] += written
            totals["skipped"] += skipped
            if progress is not None and written:
                progress(written)

    def copy_segment(segment: int) -> None:
        params: dict[str, Any] = {"TableName": source_table, "Segment": segment, "TotalSegments": segments}
        while True:
            page = call_with_backoff(source_client.scan, backoff, **params)
            items = page.get("Items", [])
            out = items if transform is None else [t for t in map(transform, items) if t is not None]
            for start in range(0, len(out), BATCH_SIZE):
                write_batch(target_client, target_table, out[start:start + BATCH_SIZE], backoff)
                report(0, len(out[start:start + BATCH_SIZE]), 0)
            report(len(items), 0, len(items) - len(out))
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    with ThreadPoolExecutor(max_workers=segments, thread_name_prefix="copy-table") as pool:
        for future in [pool.submit(copy_segment, n) for n in range(segments)]:
            future.result()  # re-raises the first failure
    return CopyResult(**totals)


def write_batch(client: Any, table: str, items: list[Item], backoff: Backoff = DEFAULT_BACKOFF) -> None:
    """BatchWriteItem up to 25 puts, retrying UnprocessedItems with backoff until none remain."""
    request = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in range(backoff.max_attempts):
        response = call_with_backoff(client.batch_write_item, backoff, RequestItems=request)
        request = {t: r for t, r in (response.get("UnprocessedItems") or {}).items() if r}
        if not request:
            return
        backoff.wait(attempt)
    left = sum(len(r) for r in request.values())
    raise UnprocessedItemsError(f"{left} items still unprocessed after {backoff.max_attempts} attempts")


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
    Waiter(timeout=3600, interval=0.05).until(f"table {table_name} and its indexes to be ACTIVE",
                                              table_and_indexes_active(client, table_name))
