"""Waiting for long-running DynamoDB work (backups, restores, exports, imports) with a progress bar.

Everything is polled through boto3, so the same commands follow work on a jobtable server
and on AWS. Progress goes to stderr; results stay on stdout.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any, Callable

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

# poll() -> (done, completed, total or None, status text)
Poll = Callable[[], tuple[bool, int, int | None, str]]


def wait_with_progress(description: str, poll: Poll, interval: float = 0.5, timeout: float | None = None) -> str:
    """Poll until done, drawing a bar (or a spinner while the total is unknown); returns the last status."""
    console = Console(stderr=True)
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[status]}"), TimeElapsedColumn()]
    started = time.monotonic()
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(description, total=None, status="")
        while True:
            done, completed, total, status = poll()
            progress.update(task, completed=completed, total=total, status=status)
            if done:
                if total is None:
                    progress.update(task, total=max(completed, 1), completed=max(completed, 1))
                return status
            if timeout is not None and time.monotonic() - started > timeout:
                raise click.ClickException(f"gave up waiting after {timeout:.0f} s (status: {status})")
            time.sleep(interval)


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time ('2026-11-20T10:00:00Z'; UTC when no zone is given) or epoch seconds."""
    try:
        return dt.datetime.fromtimestamp(float(text), dt.timezone.utc)
    except ValueError:
        pass
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time such as 2026-11-20T10:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "" if value is None else str(value)


def table_restore_poll(ddb: Any, table: str, total: int | None) -> Poll:
    """Progress of a table being restored or imported: its ItemCount until it is ACTIVE."""
    def poll() -> tuple[bool, int, int | None, str]:
        described = ddb.describe_table(TableName=table)["Table"]
        status = described["TableStatus"]
        return status == "ACTIVE", described.get("ItemCount", 0), total, status
    return poll
