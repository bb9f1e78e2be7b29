"""`Periodic`: background work that runs at most once per interval of the engine's clock.

Reading the injectable clock (not wall time) lets tests trigger it by moving a ManualClock;
a clock moved backwards (a test setting an earlier time) makes the work due at once.
"""
from __future__ import annotations


class Periodic:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last_run: float | None = None

    def due(self, now: float) -> bool:
        last = self.last_run
        return last is None or now < last or now - last >= self.interval

    def ran(self, now: float) -> None:
        self.last_run = now
