"""jobtable: a durable DynamoDB-compatible engine and the job-tracking system built on it."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "client", "resource"]


def __getattr__(name: str):  # lazy: importing jobtable must stay cheap for the CLI
    if name in ("client", "resource"):
        from jobtable import inprocess

        return getattr(inprocess, name)
    raise AttributeError(name)
