"""Creates the job table on a peer and fills it with N jobs through BatchWriteItem.

Several threads each hold one raw keep-alive connection (boto3 would cap the rate at the
client); the in-process peer has no socket and is loaded through its boto3 client.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterator

from bench.dataset import TABLE, TABLE_DEFINITION, job_item, system_status_item
from bench.peers import RunningPeer
from bench.wire import RawClient

BATCH = 25
MAX_UNPROCESSED_ROUNDS = 50


def create_table(client: Any, timeout: float = 60.0) -> None:
    """CreateTable with the seed's schema, then wait for ACTIVE (indexes included)."""
    client.create_table(**TABLE_DEFINITION)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = client.describe_table(TableName=TABLE)["Table"]
        indexes = table.get("GlobalSecondaryIndexes", [])
        if table["TableStatus"] == "ACTIVE" and all(i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes):
            return
        time.sleep(0.05)
    raise TimeoutError(f"table {TABLE} not ACTIVE after {timeout:.0f}s")


def _batches(n: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, n, BATCH):
        yield [job_item(i, n) for i in range(start, min(start + BATCH, n))]


Call = Callable[[str, dict[str, Any]], dict[str, Any]]  # (operation, request) -> response


def _unknown_operation(exc: BaseException) -> bool:
    return "UnknownOperationException" in str(exc) or "UnknownOperationException" in repr(getattr(exc, "body", ""))


class _Writer:
    """Writes batches with BatchWriteItem; a peer without it gets one PutItem per item."""

    def __init__(self) -> None:
        self.batch_supported = True

    def write(self, call: Call, items: list[dict[str, Any]]) -> None:
        if self.batch_supported:
            try:
                return self._write_batch(call, items)
            except Exception as exc:
                if not _unknown_operation(exc):
                    raise
                self.batch_supported = False
        for item in items:
            call("PutItem", {"TableName": TABLE, "Item": item})

    @staticmethod
    def _write_batch(call: Call, items: list[dict[str, Any]]) -> None:
        request = {TABLE: [{"PutRequest": {"Item": item}} for item in items]}
        for _ in range(MAX_UNPROCESSED_ROUNDS):
            unprocessed = call("BatchWriteItem", {"RequestItems": request}).get("UnprocessedItems") or {}
            if not unprocessed:
                return
            request = unprocessed
            time.sleep(0.01)
        raise RuntimeError("BatchWriteItem kept returning UnprocessedItems")


def load_items(peer: RunningPeer, n: int, threads: int = 4) -> dict[str, float]:
    """Create the table, write N jobs plus the system-status item; returns the load rate."""
    create_table(peer.make_client())
    started = time.perf_counter()
    batches = _batches(n)
    lock = threading.Lock()
    failures: list[BaseException] = []
    writer = _Writer()

    def next_batch() -> list[dict[str, Any]] | None:
        with lock:
            return next(batches, None)

    def worker() -> None:
        if peer.endpoint_url is None:
            client = peer.make_client()
            methods = {"BatchWriteItem": client.batch_write_item, "PutItem": client.put_item}
            call: Call = lambda operation, payload: methods[operation](**payload)  # noqa: E731
            close = lambda: None  # noqa: E731
        else:
            raw = RawClient(peer.endpoint_url)
            call, close = raw.call, raw.close
        try:
            while not failures and (items := next_batch()) is not None:
                writer.write(call, items)
        except BaseException as exc:  # surfaced to the caller below
            failures.append(exc)
        finally:
            close()

    workers = [threading.Thread(target=worker, name=f"load-{k}") for k in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if failures:
        raise failures[0]
    seconds = time.perf_counter() - started
    peer.make_client().put_item(TableName=TABLE, Item=system_status_item())
    return {
        "items": n,
        "seconds": round(seconds, 3),
        "items_per_second": round(n / seconds, 1) if seconds else 0.0,
        "via": "BatchWriteItem" if writer.batch_supported else "PutItem (the peer has no BatchWriteItem)",
    }
