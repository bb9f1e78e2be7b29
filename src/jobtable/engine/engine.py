"""The Engine: one data dir's storage, catalog, clock and background work, shared by all APIs."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from jobtable.clock import Clock
from jobtable.engine.catalog import Catalog
from jobtable.engine.storage import Storage
from jobtable.engine.writes import TableStats
from jobtable.security.encryption import DocSealer

log = logging.getLogger("jobtable.engine")

# A background task returns True when it still has work queued (so the loop comes back soon).
BackgroundTask = Callable[["Engine"], bool]


class Engine:
    """A DynamoDB-compatible database over one SQLite file (or memory)."""

    def __init__(self, data_dir: str | None = None, *, clock: Clock | None = None,
                 region: str = "us-east-1", account_id: str = "000000000000",
                 synchronous: str = "NORMAL", throttling: bool = True, data_key: bytes | None = None,
                 integrity_check: str | None = None) -> None:
        self.clock = clock or Clock()
        self.region = region
        self.account_id = account_id
        self.throttling = throttling
        self.storage = Storage(data_dir, synchronous=synchronous, check=integrity_check)
        self.catalog = Catalog(self.storage, region, account_id)
        # Seals stored documents of SSE tables (jobtable.security.encryption; docs/security.md).
        self.sealer = DocSealer(data_key, data_dir)
        self.stats = TableStats()
        # Guards run before an operation (operation, request, ctx) and may refuse it (throttling);
        # observers see every request's outcome (operation, response, latency, ctx): metrics, insights.
        self.request_guards: list[Callable[..., None]] = []
        self.request_observers: list[Callable[..., None]] = []
        self.background_tasks: list[tuple[str, BackgroundTask]] = []
        self.extensions: dict[str, object] = {}  # per-feature state (streams, backups...)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # One background pass at a time: the loop thread and a caller draining work
        # (POST /_jobtable/clock, in-process tests) must not run the same task concurrently.
        self._background_pass = threading.RLock()
        from jobtable.engine import changelog, indexes, recovery, streams, ttl  # register their background tasks

        indexes.register(self)
        ttl.register(self)
        streams.register(self)
        changelog.register(self)
        recovery.register(self)
        from jobtable.engine import accounting  # throttle, metrics, insights: last, after the writers

        accounting.register(self)

    @property
    def data_dir(self) -> str | None:
        return self.storage.data_dir

    @property
    def lock(self) -> threading.RLock:
        return self.storage.lock

    # -- background work ---------------------------------------------------------------
    def add_background_task(self, name: str, task: BackgroundTask) -> None:
        self.background_tasks.append((name, task))

    def run_background_once(self) -> bool:
        """Run every background task once; True when some task has more work queued."""
        busy = False
        with self._background_pass:
            for name, task in list(self.background_tasks):
                try:
                    busy = bool(task(self)) or busy
                except Exception:  # a failing task must not kill the loop; it retries next tick
                    log.exception("background task %s failed", name)
        return busy

    def run_background_until_idle(self, max_rounds: int = 10_000) -> None:
        """Drain queued background work synchronously (tests, in-process clients)."""
        for _ in range(max_rounds):
            if not self.run_background_once():
                return

    def wake(self) -> None:
        self._wake.set()

    def start_background(self, interval: float = 1.0) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.is_set():
                busy = self.run_background_once()
                if not busy:
                    self._wake.wait(interval)
                    self._wake.clear()

        self._thread = threading.Thread(target=loop, name="jobtable-background", daemon=True)
        self._thread.start()

    def stop_background(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def close(self) -> None:
        self.stop_background()
        self.storage.close()
