"""BatchWriteItem done right: chunks of 25, UnprocessedItems retried with backoff and jitter.

BatchWriteItem may accept only part of a request (throttling, size) and return the rest
as UnprocessedItems; a loader that ignores them silently loses data. Throttling errors on
the whole call are retried too (jobtable.ops.retry).
"""
from __future__ import annotations

from typing import Any

from jobtable.ops.retry import DEFAULT_BACKOFF, Backoff, call_with_backoff

BATCH_LIMIT = 25  # items per BatchWriteItem request

Item = dict[str, Any]


class UnprocessedItemsError(RuntimeError):
    """BatchWriteItem kept returning UnprocessedItems past the retry budget."""


def chunks(items: list[Any], size: int = BATCH_LIMIT) -> list[list[Any]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def write_batch(client: Any, table: str, items: list[Item], backoff: Backoff = DEFAULT_BACKOFF) -> int:
    """Put up to 25 items, resubmitting UnprocessedItems until none remain; returns the rounds it took."""
    request: dict[str, list[Any]] = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in range(backoff.max_attempts):
        response = call_with_backoff(client.batch_write_item, backoff, RequestItems=request)
        request = {name: reqs for name, reqs in (response.get("UnprocessedItems") or {}).items() if reqs}
        if not request:
            return attempt + 1
        backoff.wait(attempt)
    left = sum(len(reqs) for reqs in request.values())
    raise UnprocessedItemsError(f"{left} items still unprocessed after {backoff.max_attempts} attempts")


def write_items(client: Any, table: str, items: list[Item], backoff: Backoff = DEFAULT_BACKOFF) -> None:
    """Put any number of items in chunks of 25."""
    for chunk in chunks(items):
        write_batch(client, table, chunk, backoff)
