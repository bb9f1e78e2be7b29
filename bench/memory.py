"""Resident memory of a running peer: now, and the peak seen by a background sampler."""
from __future__ import annotations

import threading
from typing import Any

from bench.peers import RunningPeer

MB = 1024 * 1024


def rss_mb(peer: RunningPeer) -> float | None:
    rss = peer.rss_bytes()
    return round(rss / MB, 1) if rss else None


class RssSampler:
    """Samples a peer's RSS every ``interval`` seconds; ``peak_mb`` is the highest seen."""

    def __init__(self, peer: RunningPeer, interval: float = 0.25):
        self.peer, self.interval, self.peak = peer, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{peer.name}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.peer.rss_bytes() or 0)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> RssSampler:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def peak_mb(self) -> float | None:
        return round(self.peak / MB, 1) if self.peak else None
