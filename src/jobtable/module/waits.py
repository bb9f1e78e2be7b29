"""Polling until the endpoint reports a state (table/index ACTIVE, TTL ENABLED, ...).

DynamoDB changes are asynchronous: CreateTable returns CREATING, a new index backfills.
The sleep function is injectable so tests against an instant endpoint never wait.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from jobtable.module.observe import describe_table


class WaitTimeout(TimeoutError):
    pass


@dataclass
class Waiter:
    timeout: float = 900.0
    interval: float = 0.2
    max_interval: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    def until(self, what: str, check: Callable[[], bool]) -> None:
        """Call `check` until it returns True, backing off up to `max_interval`."""
        deadline = self.monotonic() + self.timeout
        interval = self.interval
        while not check():
            if self.monotonic() >= deadline:
                raise WaitTimeout(f"timed out after {self.timeout:.0f}s waiting for {what}")
            self.sleep(interval)
            interval = min(interval * 1.5, self.max_interval)


def table_and_indexes_active(client: Any, table_name: str) -> Callable[[], bool]:
    def check() -> bool:
        table = describe_table(client, table_name)
        if table is None or table.get("TableStatus") != "ACTIVE":
            return False
        return all(i.get("IndexStatus") == "ACTIVE" for i in table.get("GlobalSecondaryIndexes", []))
    return check


def index_gone(client: Any, table_name: str, index_name: str) -> Callable[[], bool]:
    def check() -> bool:
        table = describe_table(client, table_name) or {}
        return index_name not in {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} \
            and table.get("TableStatus") == "ACTIVE"
    return check


def table_gone(client: Any, table_name: str) -> Callable[[], bool]:
    return lambda: describe_table(client, table_name) is None
