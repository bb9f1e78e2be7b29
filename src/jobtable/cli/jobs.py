"""`jobtable jobs ...`: create, inspect, move, claim and list jobs from the shell.

Everything goes through `jobtable.jobs.JobStore` (boto3), so the same commands work against
the local server, moto or AWS DynamoDB (`--aws`).
"""
from __future__ import annotations

import functools
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import click
from botocore.exceptions import ClientError, EndpointConnectionError
from rich.console import Console
from rich.live import Live
from rich.table import Table

from jobtable.cli.common import (
    OneLineErrorGroup, Target, fail, friendly_errors, output_option, print_json, target_options,
)
from jobtable.jobs import STATUSES, Job, JobError, JobStore
from jobtable.jobs.retry import error_code
from jobtable.jobs.schema import DEFAULT_TABLE_NAME
from jobtable.jobs.states import COMPLETED, TERMINAL

LIST_COLUMNS = ("jobId", "status", "userId", "jobType", "createdAt", "updatedAt", "attempts")


def table_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--table", envvar="JOBTABLE_TABLE", default=DEFAULT_TABLE_NAME, show_default=True,
                        help="Job table name (env JOBTABLE_TABLE).")(func)


def job_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Shared plumbing: target/table/output options, one-line errors, a JobStore argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, target: Target, table: str, **kwargs: Any) -> Any:
        try:
            return func(*args, store=JobStore(target.client(), table), **kwargs)
        except JobError as exc:
            fail(str(exc))
        except EndpointConnectionError:
            fail(f"cannot reach {target.endpoint_url or 'AWS'}: is the server running? (start one: jobtable up)")
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                fail(f"table '{table}' not found at {target.endpoint_url or 'AWS'} (create it: jobtable up, "
                     "or jobtable module apply)")
            raise

    return target_options(table_option(output_option(friendly_errors(wrapper))))


def parse_json_option(name: str, text: str | None) -> Any:
    """JSON from an option value, or from a file when the value is `@path`."""
    if text is None:
        return None
    source = text
    if text.startswith("@"):
        source = Path(text[1:]).read_text()
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON ({exc.msg} at position {exc.pos})", param_hint=name) from None


# --- output -----------------------------------------------------------------------------

def wide_console(stderr: bool = False) -> Console:
    """A terminal keeps its width; a pipe gets room enough that ids and times never wrap."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=200)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def show_job(job: Job | None, output: str, empty_message: str = "No job.") -> None:
    if output == "json":
        print_json(job.to_dict() if job else None)
        return
    if job is None:
        click.echo(empty_message)
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in job.to_dict().items():
        table.add_row(name, _cell(value))
    wide_console().print(table)


def show_jobs(jobs: list[Job], cursor: str | None, output: str) -> None:
    if output == "json":
        print_json({"jobs": [j.to_dict() for j in jobs], "cursor": cursor})
        return
    table = Table(*LIST_COLUMNS, show_lines=False)
    for job in jobs:
        row = job.to_dict()
        table.add_row(*(_cell(row.get(col)) for col in LIST_COLUMNS))
    wide_console().print(table)
    click.echo(f"{len(jobs)} job(s)." + (f" Next page: --cursor {cursor}" if cursor else ""))


def counts_table(counts: dict[str, int]) -> Table:
    table = Table("status", "jobs")
    for status, n in counts.items():
        table.add_row(status, str(n))
    table.add_row("[bold]total[/bold]", f"[bold]{sum(counts.values())}[/bold]")
    return table


# --- commands ---------------------------------------------------------------------------

@click.group(cls=OneLineErrorGroup)
def jobs() -> None:
    """Create, move, claim and list jobs in the job table.

    \b
    Examples:
      jobtable jobs create --user user123 --type convert --payload '{"format": "pdf"}'
      jobtable jobs claim --worker w1          # oldest pending job -> processing
      jobtable jobs complete JOB_ID --worker w1 --output-file out.pdf
      jobtable jobs list --status failed --since 2026-11-01 --until 2026-12-01
    """


@jobs.command("create")
@click.option("--user", "-u", "user_id", required=True, help="Owner of the job (userId).")
@click.option("--type", "-t", "job_type", required=True, help="Kind of job (jobType), e.g. convert.")
@click.option("--payload", "-p", help="Job parameters as JSON, or @file.json.")
@click.option("--input-file", help="Original file information (inputFile).")
@click.option("--ttl-days", type=click.FloatRange(min=0), default=30, show_default=True,
              help="Delete the job this many days after creation (0: never).")
@click.option("--id", "job_id", help="Use this jobId instead of a new UUID (fails if it exists).")
@job_command
def create_command(store: JobStore, output: str, user_id: str, job_type: str, payload: str | None,
                   input_file: str | None, ttl_days: float, job_id: str | None) -> None:
    """Create a pending job.

    \b
    Examples:
      jobtable jobs create -u user123 -t convert --input-file in.docx
      jobtable jobs create -u user123 -t compress -p @params.json --ttl-days 7 -o json
    """
    ttl = timedelta(days=ttl_days) if ttl_days else None
    show_job(store.create_job(user_id, job_type, parse_json_option("--payload", payload), input_file,
                              ttl, job_id=job_id), output)


@jobs.command("get")
@click.argument("job_id")
@job_command
def get_command(store: JobStore, output: str, job_id: str) -> None:
    """Show one job.

    \b
    Example:
      jobtable jobs get 0b7c1e9a-... -o json
    """
    show_job(store.get_job(job_id), output)


@jobs.command("list")
@click.option("--status", "-s", type=click.Choice(STATUSES), help="Only jobs in this status (StatusIndex).")
@click.option("--user", "-u", "user_id", help="Only this user's jobs (UserIndex).")
@click.option("--since", help="Created at or after (ISO-8601, e.g. 2026-11-01 or 2026-11-01T10:00:00Z).")
@click.option("--until", help="Created before (exclusive, ISO-8601).")
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=50, show_default=True, help="Jobs per page.")
@click.option("--cursor", help="Continue from the cursor a previous page printed.")
@click.option("--oldest-first", is_flag=True, help="Oldest first (default: newest first).")
@click.option("--all", "all_pages", is_flag=True, help="Follow cursors and print every matching job.")
@job_command
def list_command(store: JobStore, output: str, status: str | None, user_id: str | None, since: str | None,
                 until: str | None, limit: int, cursor: str | None, oldest_first: bool, all_pages: bool) -> None:
    """List jobs by status and/or user, newest first, a page at a time.

    \b
    Examples:
      jobtable jobs list --status pending
      jobtable jobs list --user user123 --since 2026-11-01 --until 2026-12-01
      jobtable jobs list --status completed --limit 100 --cursor eyJwIjp7...
      jobtable jobs list --user user123 --all -o json
    """
    filters = dict(status=status, user_id=user_id, since=since, until=until, limit=limit,
                   newest_first=not oldest_first)
    if all_pages:
        show_jobs(list(store.iter_jobs(**filters)), None, output)
        return
    page = store.list_jobs(cursor=cursor, **filters)
    show_jobs(page.jobs, page.cursor, output)


@jobs.command("watch")
@click.argument("job_id", required=False)
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--timeout", type=click.FloatRange(min=0), help="Give up after this many seconds.")
@job_command
def watch_command(store: JobStore, output: str, job_id: str | None, interval: float, timeout: float | None) -> None:
    """Follow a job until it finishes, or (without JOB_ID) the counts by status.

    With JOB_ID: prints each status change; exits 0 when the job completes and 1 when it
    fails, is cancelled or the timeout passes. Without: a live table of counts.

    \b
    Examples:
      jobtable jobs watch 0b7c1e9a-... --timeout 600
      jobtable jobs watch                      # live counts, Ctrl-C to stop
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    if job_id is None:
        _watch_counts(store, output, interval, deadline)
        return
    last = None
    while True:
        job = store.get_job(job_id)
        if job.status != last:
            last = job.status
            if output == "json":
                click.echo(json.dumps(job.to_dict(), default=str, ensure_ascii=False))
            else:
                click.echo(f"{job.updated_at}  {job.job_id}  {job.status}")
        if job.status in TERMINAL:
            if job.status != COMPLETED:
                fail(f"job '{job_id}' {job.status}" + (f": {job.error}" if job.error else ""))
            return
        if deadline is not None and time.monotonic() >= deadline:
            fail(f"timed out after {timeout:g}s; job '{job_id}' is still {job.status}")
        time.sleep(interval)


def _watch_counts(store: JobStore, output: str, interval: float, deadline: float | None) -> None:
    if output == "json":
        while True:
            click.echo(json.dumps(store.count_by_status()))
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(interval)
    with Live(counts_table(store.count_by_status()), console=wide_console(), auto_refresh=False) as live:
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(interval)
                live.update(counts_table(store.count_by_status()), refresh=True)
        except KeyboardInterrupt:
            pass


@jobs.command("claim")
@click.option("--worker", "-w", "worker_id", required=True, help="This worker's id (workerId).")
@click.option("--type", "-t", "job_type", help="Only claim jobs of this type.")
@click.option("--visibility-timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds before an un-heartbeated job returns to pending.")
@job_command
def claim_command(store: JobStore, output: str, worker_id: str, job_type: str | None,
                  visibility_timeout: float) -> None:
    """Take the oldest pending job (it becomes processing, leased to WORKER).

    Prints the job, or "No pending job." (JSON: null) when there is none.

    \b
    Example:
      JOB=$(jobtable jobs claim -w w1 -t convert -o json | jq -r .jobId)
    """
    show_job(store.claim_next(worker_id, job_type, visibility_timeout), output, "No pending job.")


@jobs.command("heartbeat")
@click.argument("job_id")
@click.option("--worker", "-w", "worker_id", required=True, help="The worker holding the job.")
@click.option("--visibility-timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="New lease length in seconds.")
@job_command
def heartbeat_command(store: JobStore, output: str, job_id: str, worker_id: str, visibility_timeout: float) -> None:
    """Extend the lease on a job this worker is processing.

    \b
    Example:
      jobtable jobs heartbeat JOB_ID -w w1
    """
    show_job(store.heartbeat(job_id, worker_id, visibility_timeout), output)


@jobs.command("complete")
@click.argument("job_id")
@click.option("--result", "-r", help="Result as JSON, or @file.json.")
@click.option("--output-file", help="Processed file information (outputFile).")
@click.option("--worker", "-w", "worker_id", help="Only if this worker still holds the job.")
@job_command
def complete_command(store: JobStore, output: str, job_id: str, result: str | None, output_file: str | None,
                     worker_id: str | None) -> None:
    """Mark a processing job completed.

    \b
    Example:
      jobtable jobs complete JOB_ID -w w1 --output-file s3://bucket/out.pdf -r '{"pages": 3}'
    """
    show_job(store.complete(job_id, parse_json_option("--result", result), worker_id=worker_id,
                            output_file=output_file), output)


@jobs.command("fail")
@click.argument("job_id")
@click.option("--error", "-e", "message", required=True, help="What went wrong.")
@click.option("--worker", "-w", "worker_id", help="Only if this worker still holds the job.")
@job_command
def fail_command(store: JobStore, output: str, job_id: str, message: str, worker_id: str | None) -> None:
    """Mark a processing job failed.

    \b
    Example:
      jobtable jobs fail JOB_ID -w w1 --error "unsupported format"
    """
    show_job(store.fail(job_id, message, worker_id=worker_id), output)


@jobs.command("retry")
@click.argument("job_id")
@job_command
def retry_command(store: JobStore, output: str, job_id: str) -> None:
    """Send a failed job back to pending (counts the retry).

    \b
    Example:
      jobtable jobs retry JOB_ID
    """
    show_job(store.retry(job_id), output)


@jobs.command("cancel")
@click.argument("job_id")
@job_command
def cancel_command(store: JobStore, output: str, job_id: str) -> None:
    """Cancel a pending or processing job.

    \b
    Example:
      jobtable jobs cancel JOB_ID
    """
    show_job(store.cancel(job_id), output)


@jobs.command("counts")
@click.option("--user", "-u", "user_id", help="Only this user's jobs.")
@job_command
def counts_command(store: JobStore, output: str, user_id: str | None) -> None:
    """Number of jobs in each status.

    \b
    Example:
      jobtable jobs counts -o json
    """
    counts = store.count_by_status(user_id)
    if output == "json":
        print_json(counts)
    else:
        wide_console().print(counts_table(counts))


@jobs.command("requeue-expired")
@job_command
def requeue_command(store: JobStore, output: str) -> None:
    """Return processing jobs whose lease expired to pending (claim also does this).

    \b
    Example:
      jobtable jobs requeue-expired
    """
    moved = store.requeue_expired()
    if output == "json":
        print_json({"requeued": moved})
    else:
        click.echo(f"Requeued {moved} job(s).")


def register(cli: click.Group) -> None:
    cli.add_command(jobs)

