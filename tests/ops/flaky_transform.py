"""Transforms for the migration tests: an upgrade step, and one that crashes once half way."""
from __future__ import annotations

import threading
import time
from typing import Any

CRASH = {"after": None, "seen": 0}
_lock = threading.Lock()


class SimulatedCrash(RuntimeError):
    pass


def crash_half_way(item: dict[str, Any]) -> dict[str, Any]:
    """Identity, except that it raises once `CRASH["after"]` items have gone through."""
    with _lock:
        CRASH["seen"] += 1
        if CRASH["after"] is not None and CRASH["seen"] > CRASH["after"]:
            CRASH["after"] = None
            raise SimulatedCrash("simulated crash in the middle of the copy")
    return item


def add_version_drop_odd(item: dict[str, Any]) -> dict[str, Any] | None:
    """A schema upgrade: odd items are dropped, the rest gain `schemaVersion = 2`."""
    if int(item["n"]["N"]) % 2:
        return None
    return {**item, "schemaVersion": {"N": "2"}}


def slow_identity(item: dict[str, Any]) -> dict[str, Any]:
    """Slows the copier down (a few ms per item) so a test can kill it in the middle."""
    time.sleep(0.002)
    return item
