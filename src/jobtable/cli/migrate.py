"""`jobtable copy`, `jobtable dump`, `jobtable load`: migration that works (docs/migration.md).

copy moves a table between any two endpoints (local, AWS, another DynamoDB-compatible
service); dump/load are the DynamoDB JSON-lines path (`{"Item": {...}}` per line). All
three are resumable through a checkpoint file and end with a count + checksum verification.
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import sys
from typing import Any, Callable

import click
from botocore.config import Config
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text

from jobtable.cli.common import DEFAULT_ENDPOINT, Target, fail, friendly_errors, output_option, print_json, target_options
from jobtable.jobs.migration import create_table_like
from jobtable.ops.transfer import ScanOptions, Transform, TransferReport, copy_table, dump_table, load_file
from jobtable.ops.wire import item_from_json

# Items come from DynamoDB (or a dump of it) and the server validates them anyway: botocore's
# client-side validation would cost about a third of the CPU of each BatchWriteItem.
FAST_CONFIG = Config(parameter_validation=False, retries={"mode": "standard", "max_attempts": 3},
                     connect_timeout=5, read_timeout=60, max_pool_connections=32)


def fast_client(target: Target) -> Any:
    return target.session().client("dynamodb", endpoint_url=target.endpoint_url, config=FAST_CONFIG)


class ItemsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} items/s" if task.speed else "- items/s", style="progress.data.speed")


def progress_bar(description: str) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), ItemsPerSecond(),
                    TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False)


def load_transform(spec: str | None) -> Transform | None:
    """`module:function` (the current directory is importable), called with each wire-format item."""
    if not spec:
        return None
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise click.BadParameter("use module:function, e.g. my_migrations:rename_status", param_hint="--transform")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    function = getattr(importlib.import_module(module_name), function_name, None)
    if not callable(function):
        raise click.BadParameter(f"{spec} is not a function", param_hint="--transform")
    return function


def scan_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--segments/--page-size/--filter/--values/--names, passed on as `scan: ScanOptions`."""

    @click.option("--segments", type=click.IntRange(1, 64), default=4, show_default=True,
                  help="Parallel Scan segments (one thread each).")
    @click.option("--page-size", type=click.IntRange(1), default=None,
                  help="Items per Scan page (Limit); a checkpoint is written after every page.")
    @click.option("--filter", "filter_expression", default=None,
                  help="Only items matching this FilterExpression, e.g. \"begins_with(jobId, :p)\".")
    @click.option("--values", default=None, help='ExpressionAttributeValues as JSON, e.g. \'{":p": {"S": "2024-"}}\'.')
    @click.option("--names", default=None, help='ExpressionAttributeNames as JSON, e.g. \'{"#s": "status"}\'.')
    @functools.wraps(func)
    def wrapper(*args: Any, segments: int, page_size: int | None, filter_expression: str | None,
                values: str | None, names: str | None, **kwargs: Any) -> Any:
        scan = ScanOptions(segments, page_size, filter_expression, item_from_json(json.loads(values)) if values else None,
                           json.loads(names) if names else None)
        return func(*args, scan=scan, **kwargs)

    return wrapper


def transfer_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--no-verify", is_flag=True, help="Skip the final count + checksum verification.")(func)
    func = click.option("--restart", is_flag=True, help="Discard an existing checkpoint and start over.")(func)
    func = click.option("--checkpoint", "checkpoint_path", default=None,
                        help="Checkpoint file (default: next to the output, or .jobtable-copy-SOURCE-TARGET.json).")(func)
    return click.option("--transform", "transform_spec", default=None,
                        help="module:function applied to each item (wire format); returning None skips it.")(func)


def _prepare_checkpoint(path: str, restart: bool) -> bool:
    """True when the job resumes from an existing checkpoint."""
    if restart and os.path.exists(path):
        os.remove(path)
    elif os.path.exists(path):
        click.echo(f"Resuming from checkpoint {path}", err=True)
        return True
    return False


def _item_count(client: Any, table: str) -> int | None:
    try:
        return int(client.describe_table(TableName=table)["Table"].get("ItemCount", 0)) or None
    except Exception:  # the count only sizes the progress bar
        return None


def _run_with_progress(description: str, total: int | None, run: Callable[[Callable[[int], None]], TransferReport]) -> TransferReport:
    with progress_bar(description) as bar:
        task = bar.add_task(description, total=total)
        report = run(lambda n: bar.advance(task, n))
        bar.update(task, total=max(report.written, bar.tasks[0].completed))
    return report


def _print_report(report: TransferReport, output: str) -> None:
    if output == "json":
        print_json(report.as_dict())
    else:
        resumed = " (resumed)" if report.resumed else ""
        click.echo(f"{report.kind}{resumed}: {report.source} -> {report.target}: {report.written} items written, "
                   f"{report.skipped} skipped, {report.seconds:.1f} s")
        if report.verification is not None:
            click.echo(report.verification.describe())
    if report.verification is not None and not report.verification.ok:
        raise SystemExit(2)


def _endpoint_options(prefix: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option(f"--{prefix}-aws", f"{prefix}_aws", is_flag=True, help=f"The {prefix} is AWS DynamoDB.")(func)
        func = click.option(f"--{prefix}-profile", f"{prefix}_profile", default=None, help=f"AWS profile for the {prefix}.")(func)
        func = click.option(f"--{prefix}-region", f"{prefix}_region", default=None,
                            help=f"Region of the {prefix} (default: --region).")(func)
        return click.option(f"--{prefix}-endpoint-url", f"{prefix}_endpoint_url", default=None,
                            help=f"Endpoint of the {prefix} table (default: {DEFAULT_ENDPOINT}).")(func)
    return decorate


@click.command("copy")
@click.argument("source")
@click.argument("target_table", metavar="TARGET")
@_endpoint_options("source")
@_endpoint_options("target")
@click.option("--region", envvar="AWS_DEFAULT_REGION", default="us-east-1", show_default=True)
@click.option("--create-target", is_flag=True,
              help="Create TARGET first with SOURCE's keys and indexes (on-demand billing; not when resuming).")
@scan_options
@transfer_options
@output_option
@friendly_errors
def copy_command(source: str, target_table: str, source_endpoint_url: str | None, source_region: str | None,
                 source_profile: str | None, source_aws: bool, target_endpoint_url: str | None,
                 target_region: str | None, target_profile: str | None, target_aws: bool, region: str,
                 create_target: bool, scan: ScanOptions, transform_spec: str | None, checkpoint_path: str | None,
                 restart: bool, no_verify: bool, output: str) -> None:
    """Copy every item of table SOURCE into the existing table TARGET, on any two endpoints.

    \b
    Examples:
      jobtable copy CloudToolsJobs CloudToolsJobs-v2 --create-target
      jobtable copy CloudToolsJobs CloudToolsJobs --target-aws --target-region eu-west-1
      jobtable copy Jobs Jobs --source-endpoint-url http://old:8000 --target-endpoint-url http://new:8000 \\
          --filter "begins_with(jobId, :p)" --values '{":p": {"S": "2026-"}}' --transform migrations:v2
    """
    report = run_copy(Target(source_endpoint_url, source_region or region, source_profile, source_aws), source,
                      Target(target_endpoint_url, target_region or region, target_profile, target_aws), target_table,
                      create_target=create_target, scan=scan, transform=load_transform(transform_spec),
                      checkpoint_path=checkpoint_path, restart=restart, verify=not no_verify)
    _print_report(report, output)


def run_copy(source_target: Target, source: str, target_target: Target, target_table: str, *, create_target: bool,
             scan: ScanOptions = ScanOptions(), transform: Transform | None = None, checkpoint_path: str | None = None,
             restart: bool = False, verify: bool = True) -> TransferReport:
    """The copy behind `jobtable copy` and `jobtable tables copy`: checkpointed, with a progress bar."""
    source_client, target_client = fast_client(source_target), fast_client(target_target)
    checkpoint_path = checkpoint_path or f".jobtable-copy-{source}-{target_table}.json"
    resuming = _prepare_checkpoint(checkpoint_path, restart)
    if create_target and not resuming:
        create_table_like(source_client.describe_table(TableName=source)["Table"], target_client, target_table)
    return _run_with_progress(f"copy {source}", _item_count(source_client, source), lambda progress: copy_table(
        source_client, source, target_client, target_table, scan=scan, transform=transform,
        checkpoint_path=checkpoint_path, progress=progress, verify=verify))


@click.command("dump")
@click.argument("table")
@click.argument("file", type=click.Path(dir_okay=False))
@target_options
@scan_options
@transfer_options
@output_option
@friendly_errors
def dump_command(table: str, file: str, target: Target, scan: ScanOptions, transform_spec: str | None,
                 checkpoint_path: str | None, restart: bool, no_verify: bool, output: str) -> None:
    """Write TABLE to FILE as DynamoDB JSON lines ({"Item": {...}} per line).

    \b
    This is the JSON-lines path (portable, resumable, readable with jq); `jobtable export`
    is the AWS ExportTableToPointInTime/S3 layout.
    \b
    Example:
      jobtable dump CloudToolsJobs jobs.jsonl && jobtable load jobs.jsonl CloudToolsJobs --aws
    """
    client = fast_client(target)
    checkpoint_path = checkpoint_path or f"{file}.checkpoint.json"
    _prepare_checkpoint(checkpoint_path, restart)
    report = _run_with_progress(f"dump {table}", _item_count(client, table), lambda progress: dump_table(
        client, table, file, scan=scan, transform=load_transform(transform_spec), checkpoint_path=checkpoint_path,
        progress=progress, verify=not no_verify))
    _print_report(report, output)


def _count_lines(path: str) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


@click.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("table")
@target_options
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Concurrent BatchWriteItem calls.")
@transfer_options
@output_option
@friendly_errors
def load_command(file: str, table: str, target: Target, workers: int, transform_spec: str | None,
                 checkpoint_path: str | None, restart: bool, no_verify: bool, output: str) -> None:
    """Put every item of a JSON-lines FILE (from `jobtable dump`) into the existing TABLE.

    \b
    Example:
      jobtable load jobs.jsonl CloudToolsJobs --endpoint-url http://127.0.0.1:8000
    """
    client = fast_client(target)
    checkpoint_path = checkpoint_path or f"{file}.load-{table}.checkpoint.json"
    _prepare_checkpoint(checkpoint_path, restart)
    report = _run_with_progress(f"load {os.path.basename(file)}", _count_lines(file), lambda progress: load_file(
        file, client, table, transform=load_transform(transform_spec), workers=workers,
        checkpoint_path=checkpoint_path, progress=progress, verify=not no_verify))
    _print_report(report, output)


def register(cli: click.Group) -> None:
    for command in (copy_command, dump_command, load_command):
        cli.add_command(command)
