"""Exponential backoff with full jitter for throttled DynamoDB calls.

botocore retries a few times on its own; bulk copies and a job system under load need more
patience than that (the seed's "Throttling Errors" advice). Only throttling is retried: a
failed condition is an answer, not a transient error. Shared by jobtable.jobs (every call
the jobs layer makes) and jobtable.ops (copy, dump, load).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "Throttling",
})


def is_throttling(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in THROTTLING_CODES


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass
class Backoff:
    """Delays of `base * 2**attempt`, capped, with full jitter (AWS architecture blog)."""

    base: float = 0.05
    cap: float = 5.0
    max_attempts: int = 10
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * (2 ** attempt)))

    def wait(self, attempt: int) -> None:
        self.sleep(self.delay(attempt))


DEFAULT_BACKOFF = Backoff()


def call_with_backoff(method: Callable[..., Any], backoff: Backoff = DEFAULT_BACKOFF, **params: Any) -> Any:
    """Call `method(**params)`, retrying throttling errors up to `backoff.max_attempts`."""
    attempt = 0
    while True:
        try:
            return method(**params)
        except ClientError as exc:
            attempt += 1
            if not is_throttling(exc) or attempt >= backoff.max_attempts:
                raise
            backoff.wait(attempt - 1)
