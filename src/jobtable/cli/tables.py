"""`jobtable tables ...`: list, describe and copy tables on any endpoint."""
from __future__ import annotations

from typing import Any

import click
from botocore.exceptions import ClientError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jobtable.cli.common import Target, fail, friendly_errors, output_option, print_json, target_options
from jobtable.cli.common import OneLineErrorGroup
from jobtable.cli.jobs import wide_console
from jobtable.jobs.migration import copy_table, create_table_like
from jobtable.jobs.retry import error_code
from jobtable.jobs.schema import DEFAULT_TABLE_NAME


@click.group(cls=OneLineErrorGroup)
def tables() -> None:
    """List, describe and copy tables.

    \b
    Examples:
      jobtable tables list
      jobtable tables describe CloudToolsJobs -o json
      jobtable tables copy CloudToolsJobs CloudToolsJobs-v2 --create-target
    """


def _describe(client: Any, name: str) -> dict[str, Any]:
    try:
        return client.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            fail(f"table '{name}' not found")
        raise


def _optional(call: Any, **params: Any) -> Any:
    """Settings some endpoints do not implement: absent instead of an error."""
    try:
        return call(**params)
    except ClientError as exc:
        if error_code(exc) in ("UnknownOperationException", "UnrecognizedClientException", "NotImplemented"):
            return None
        raise


def _index_summary(index: dict[str, Any]) -> str:
    keys = ", ".join(f"{k['AttributeName']} {k['KeyType']}" for k in index["KeySchema"])
    status = index.get("IndexStatus", "ACTIVE")
    return f"{index['IndexName']} ({keys}; {index['Projection']['ProjectionType']}; {status})"


@tables.command("list")
@target_options
@output_option
@friendly_errors
def list_command(target: Target, output: str) -> None:
    """List the tables at the endpoint with status and item count.

    \b
    Example:
      jobtable tables list --endpoint-url http://127.0.0.1:8000
    """
    client = target.client()
    names: list[str] = []
    for page in client.get_paginator("list_tables").paginate():
        names.extend(page.get("TableNames", []))
    rows = [_describe(client, name) for name in names]
    if output == "json":
        print_json([{"TableName": t["TableName"], "TableStatus": t["TableStatus"], "ItemCount": t.get("ItemCount", 0)}
                    for t in rows])
        return
    table = Table("table", "status", "items", "indexes")
    for t in rows:
        table.add_row(t["TableName"], t["TableStatus"], str(t.get("ItemCount", 0)),
                      ", ".join(ix["IndexName"] for ix in t.get("GlobalSecondaryIndexes", [])))
    wide_console().print(table)


@tables.command("describe")
@click.argument("name", default=DEFAULT_TABLE_NAME, envvar="JOBTABLE_TABLE")
@target_options
@output_option
@friendly_errors
def describe_command(target: Target, output: str, name: str) -> None:
    """Keys, indexes, status, TTL and point-in-time recovery of a table.

    NAME defaults to $JOBTABLE_TABLE or CloudToolsJobs.

    \b
    Examples:
      jobtable tables describe
      jobtable tables describe CloudToolsJobs -o json
    """
    client = target.client()
    description = _describe(client, name)
    ttl = _optional(client.describe_time_to_live, TableName=name)
    backups = _optional(client.describe_continuous_backups, TableName=name)
    ttl_info = (ttl or {}).get("TimeToLiveDescription", {})
    pitr = ((backups or {}).get("ContinuousBackupsDescription", {})
            .get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus"))
    if output == "json":
        print_json({"Table": description, "TimeToLiveDescription": ttl_info or None,
                    "PointInTimeRecoveryStatus": pitr})
        return
    stream = description.get("StreamSpecification") or {}
    rows = [
        ("name", description["TableName"]),
        ("status", description["TableStatus"]),
        ("arn", description.get("TableArn", "")),
        ("key", ", ".join(f"{k['AttributeName']} {k['KeyType']}" for k in description["KeySchema"])),
        ("billing", (description.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")),
        ("items", str(description.get("ItemCount", 0))),
        ("size (bytes)", str(description.get("TableSizeBytes", 0))),
        ("created", str(description.get("CreationDateTime", ""))),
        ("stream", stream.get("StreamViewType", "") if stream.get("StreamEnabled") else "disabled"),
        ("ttl", f"{ttl_info.get('TimeToLiveStatus', 'unknown')} ({ttl_info.get('AttributeName', '-')})"),
        ("point-in-time recovery", pitr or "unknown"),
    ]
    rows += [("global index", _index_summary(ix)) for ix in description.get("GlobalSecondaryIndexes", [])]
    rows += [("local index", _index_summary(ix)) for ix in description.get("LocalSecondaryIndexes", [])]
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value)
    wide_console().print(table)


@tables.command("copy")
@click.argument("source")
@click.argument("target_table")
@click.option("--to-endpoint-url", help="Write to this endpoint instead of the source's (e.g. local -> AWS).")
@click.option("--segments", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Parallel scan segments (one thread each).")
@click.option("--create-target", is_flag=True, help="Create TARGET_TABLE with SOURCE's keys and indexes first.")
@target_options
@output_option
@friendly_errors
def copy_command(target: Target, output: str, source: str, target_table: str, to_endpoint_url: str | None,
                 segments: int, create_target: bool) -> None:
    """Copy every item of SOURCE into TARGET_TABLE (parallel scan + batch writes).

    Shows a progress bar on stderr; unprocessed items are retried with backoff.

    \b
    Examples:
      jobtable tables copy CloudToolsJobs CloudToolsJobs-copy --create-target
      jobtable tables copy CloudToolsJobs CloudToolsJobs --to-endpoint-url http://other:8000
    """
    source_client = target.client()
    target_client = (Target(to_endpoint_url, target.region, target.profile, use_aws=False).client()
                     if to_endpoint_url else source_client)
    description = _describe(source_client, source)
    if create_target:
        create_table_like(description, target_client, target_table)
    else:
        _describe(target_client, target_table)
    total = description.get("ItemCount") or None  # approximate on AWS (refreshed every ~6 h)
    columns = [TextColumn(f"copy {source} -> {target_table}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=wide_console(stderr=True), transient=False) as progress:
        task = progress.add_task("copy", total=total)
        result = copy_table(source_client, source, target_client, target_table, segments=segments,
                            progress=lambda n: progress.advance(task, n))
    summary = {"scanned": result.scanned, "written": result.written, "skipped": result.skipped}
    if output == "json":
        print_json(summary)
    else:
        click.echo(f"Copied {result.written} item(s) from {source} to {target_table}.")


def register(cli: click.Group) -> None:
    cli.add_command(tables)
