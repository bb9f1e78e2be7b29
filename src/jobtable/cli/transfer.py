"""`jobtable export` and `jobtable import`: tables to and from S3 (a jobtable server's export root)."""
from __future__ import annotations

from typing import Any, Callable

import click

from jobtable.cli.common import friendly_errors, output_option, print_json, target_options
from jobtable.cli.waiting import parse_time, wait_with_progress


def _table_arn(ddb: Any, table: str) -> str:
    return table if table.startswith("arn:") else ddb.describe_table(TableName=table)["Table"]["TableArn"]


@click.command("export")
@click.argument("table")
@click.option("--bucket", required=True, help="S3 bucket (on jobtable: a directory under the export root).")
@click.option("--prefix", help="S3 key prefix.")
@click.option("--at", "at_time", help="Export the table as it was at this time (default: latest).")
@click.option("--incremental", is_flag=True, help="Export only what changed between --from and --to.")
@click.option("--from", "from_time", help="Incremental: start of the period (inclusive).")
@click.option("--to", "to_time", help="Incremental: end of the period (exclusive; default: latest).")
@click.option("--view", type=click.Choice(["NEW_AND_OLD_IMAGES", "NEW_IMAGE"]), default="NEW_AND_OLD_IMAGES",
              show_default=True, help="Incremental: which images each changed item carries.")
@click.option("--wait/--no-wait", default=True, show_default=True)
@target_options
@output_option
@friendly_errors
def export(table: str, bucket: str, prefix: str | None, at_time: str | None, incremental: bool,
           from_time: str | None, to_time: str | None, view: str, wait: bool, target: Any, output: str) -> None:
    """Export TABLE (PITR must be on) as DynamoDB JSON, in DynamoDB's S3 layout.

    \b
    Examples:
      jobtable export CloudToolsJobs --bucket backups --prefix nightly
      jobtable export CloudToolsJobs --bucket backups --incremental --from 2026-11-20T09:00:00Z
    """
    ddb = target.client()
    kwargs: dict[str, Any] = {"TableArn": _table_arn(ddb, table), "S3Bucket": bucket,
                              "ExportFormat": "DYNAMODB_JSON"}
    if prefix:
        kwargs["S3Prefix"] = prefix
    if incremental:
        if not from_time:
            raise click.UsageError("--incremental needs --from")
        spec: dict[str, Any] = {"ExportFromTime": parse_time(from_time), "ExportViewType": view}
        if to_time:
            spec["ExportToTime"] = parse_time(to_time)
        kwargs.update(ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec)
    elif at_time:
        kwargs["ExportTime"] = parse_time(at_time)
    started = ddb.export_table_to_point_in_time(**kwargs)["ExportDescription"]
    _finish(started, wait=wait, output=output, what=f"exporting {table}",
            describe=lambda: ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"],
            status_key="ExportStatus", count_key="ItemCount",
            summary=lambda d: f"{d['ExportStatus']}  {d['ExportArn']}  s3://{bucket}/{d.get('ExportManifest', '')}")


def _finish(started: dict, *, wait: bool, output: str, what: str, describe: Callable[[], dict], status_key: str,
            count_key: str, summary: Callable[[dict], str]) -> None:
    """Follow an export or import to its end (unless --no-wait), then print its description
    (-o json) or its one-line summary."""
    description = _follow(what, describe, status_key, count_key) if wait else started
    if output == "json":
        print_json(description)
    else:
        click.echo(summary(description))


def _follow(what: str, describe: Callable[[], dict], status_key: str, count_key: str) -> dict:
    """Poll an export or import until it leaves IN_PROGRESS; its final description (FAILED: an error)."""
    def poll() -> tuple[bool, int, int | None, str]:
        current = describe()
        status, count = current[status_key], current.get(count_key, 0)
        done = status not in ("IN_PROGRESS", "CANCELLING")
        errors = f", {current['ErrorCount']} errors" if "ErrorCount" in current else ""
        return done, count, count if done else None, status + errors

    wait_with_progress(what, poll)
    final = describe()
    if final[status_key] == "FAILED":
        raise click.ClickException(f"{what} failed: {final.get('FailureMessage', '')}")
    return final


def _attribute(spec: str) -> tuple[str, str]:
    name, _, kind = spec.partition(":")
    kind = (kind or "S").upper()
    if not name or kind not in ("S", "N", "B"):
        raise click.BadParameter(f"{spec!r}: use NAME or NAME:S|N|B")
    return name, kind


@click.command("import")
@click.option("--bucket", required=True, help="S3 bucket (on jobtable: a directory under the export root).")
@click.option("--prefix", help="S3 key prefix of the objects to import (e.g. an export's .../data/).")
@click.option("--format", "input_format", type=click.Choice(["DYNAMODB_JSON", "CSV"]), default="DYNAMODB_JSON",
              show_default=True)
@click.option("--compression", type=click.Choice(["GZIP", "NONE"]), default=None,
              help="Default: GZIP for DYNAMODB_JSON, NONE for CSV.")
@click.option("--table-name", required=True, help="The new table to create.")
@click.option("--hash-key", required=True, help="Partition key as NAME:S|N|B.")
@click.option("--range-key", help="Sort key as NAME:S|N|B.")
@click.option("--delimiter", default=None, help="CSV delimiter (default ',').")
@click.option("--wait/--no-wait", default=True, show_default=True)
@target_options
@output_option
@friendly_errors
def import_(bucket: str, prefix: str | None, input_format: str, compression: str | None, table_name: str,
            hash_key: str, range_key: str | None, delimiter: str | None, wait: bool, target: Any,
            output: str) -> None:
    """Import objects from S3 into a new on-demand table.

    \b
    Example:
      jobtable import --bucket backups --prefix nightly/AWSDynamoDB/<export-id>/data/ \\
          --table-name jobs-copy --hash-key jobId:S
    """
    ddb = target.client()
    keys = [(_attribute(hash_key), "HASH")] + ([(_attribute(range_key), "RANGE")] if range_key else [])
    params = {"TableName": table_name, "BillingMode": "PAY_PER_REQUEST",
              "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for (n, t), _ in keys],
              "KeySchema": [{"AttributeName": n, "KeyType": kind} for (n, _t), kind in keys]}
    source = {"S3Bucket": bucket, **({"S3KeyPrefix": prefix} if prefix else {})}
    kwargs: dict[str, Any] = {"S3BucketSource": source, "InputFormat": input_format,
                              "InputCompressionType": compression or ("GZIP" if input_format == "DYNAMODB_JSON"
                                                                      else "NONE"),
                              "TableCreationParameters": params}
    if delimiter:
        kwargs["InputFormatOptions"] = {"Csv": {"Delimiter": delimiter}}
    started = ddb.import_table(**kwargs)["ImportTableDescription"]
    _finish(started, wait=wait, output=output, what=f"importing into {table_name}",
            describe=lambda: ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"],
            status_key="ImportStatus", count_key="ProcessedItemCount",
            summary=lambda d: f"{d['ImportStatus']}  {d['ImportArn']}  imported "
                              f"{d.get('ImportedItemCount', 0)} items, {d.get('ErrorCount', 0)} errors")


def register(cli: click.Group) -> None:
    cli.add_command(export)
    cli.add_command(import_)
