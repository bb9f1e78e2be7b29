"""Wires backups, restores, point-in-time recovery, exports and imports into an engine.

Called once per engine: creates their registries in the database and adds their
background steps (write backup files, load restores, roll PITR baselines forward,
run exports and imports). Work found half-done at start-up (after a crash) resumes.

Each step runs under its own lock: the server's background thread and a test's
`run_background_until_idle` (or `POST /_jobtable/clock`) may drive the same jobs, and a
job's reader and file must only ever advance from one thread at a time.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine


def job_lock(engine: "Engine", family: str) -> threading.RLock:
    """The lock that serialises work on one family's jobs (e.g. "backups")."""
    locks: dict[str, threading.RLock] = engine.extensions.setdefault("recovery_locks", {})
    return locks.setdefault(family, threading.RLock())


def _serialized(family: str, step: Callable[["Engine"], bool]) -> Callable[["Engine"], bool]:
    def run(engine: "Engine") -> bool:
        with job_lock(engine, family):
            return step(engine)

    return run


def register(engine: "Engine") -> None:
    from jobtable.engine import backups, exports, imports, pitr, restores

    for module in (backups, pitr, exports, imports):
        module.create_storage(engine)
    backups.resume_jobs(engine)  # before the first background pass: their log holds must come first
    for family, step in (("backups", backups.backup_step), ("restores", restores.restore_step),
                         ("exports", exports.export_step), ("imports", imports.import_step),
                         ("pitr", pitr.maintain)):
        job_lock(engine, family)
        engine.add_background_task(family, _serialized(family, step))
