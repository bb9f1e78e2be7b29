"""One injectable clock for everything that depends on time.

TTL sweeps, PITR windows, stream retention, throttling buckets and metric windows all
read `Clock.now()`, so tests move time with `ManualClock.advance()` instead of sleeping.
"""
from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock time in epoch seconds (float)."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock(Clock):
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, epoch_seconds: float) -> None:
        with self._lock:
            self._now = float(epoch_seconds)
