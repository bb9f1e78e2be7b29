"""BatchWriteItem done right: chunks of 25, UnprocessedItems retried with backoff and jitter.

BatchWriteItem may accept only part of a request (throttling, size) and return the rest
as UnprocessedItems; a loader that ignores them silently loses data. Throttling errors on
the whole call are retried the same way.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

BATCH_LIMIT = 25  # items per BatchWriteItem request
RETRYABLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                             "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable"})


@dataclass
class Backoff:
    """Exponential backoff with full jitter: sleep uniform(0, min(cap, base * 2**attempt))."""

    base: float = 0.05
    cap: float = 5.0
    max_attempts: int = 12
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def wait(self, attempt: int) -> None:
        self.sleep(self.rng.uniform(0, min(self.cap, self.base * (2 ** attempt))))


class UnprocessedItemsError(RuntimeError):
    """BatchWriteItem kept returning UnprocessedItems past the retry budget."""


def chunks(items: list[Any], size: int = BATCH_LIMIT) -> list[list[Any]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def write_batch(client: Any, table: str, items: list[dict[str, Any]], backoff: Backoff | None = None) -> int:
    """Put up to 25 items; returns how many BatchWriteItem calls it took."""
    backoff = backoff or Backoff()
    request: dict[str, list[Any]] = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in range(backoff.max_attempts):
        response = call_with_retries(client.batch_write_item, backoff, RequestItems=request)
        request = {name: reqs for name, reqs in (response.get("UnprocessedItems") or {}).items() if reqs}
        if not request:
            return attempt + 1
        backoff.wait(attempt)
    left = sum(len(reqs) for reqs in request.values())
    raise UnprocessedItemsError(f"{left} items still unprocessed after {backoff.max_attempts} BatchWriteItem attempts")


def write_items(client: Any, table: str, items: list[dict[str, Any]], backoff: Backoff | None = None) -> None:
    """Put any number of items in chunks of 25."""
    for chunk in chunks(items):
        write_batch(client, table, chunk, backoff)


def call_with_retries(method: Callable[..., Any], backoff: Backoff | None = None, **params: Any) -> Any:
    """Call a boto3 method, retrying throttling and transient server errors with backoff."""
    backoff = backoff or Backoff()
    for attempt in range(backoff.max_attempts):
        try:
            return method(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in RETRYABLE_CODES or attempt + 1 == backoff.max_attempts:
                raise
            backoff.wait(attempt)
    raise AssertionError("unreachable")
