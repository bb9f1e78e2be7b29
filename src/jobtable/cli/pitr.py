"""`jobtable pitr`: point-in-time recovery — status, enable, disable, restore."""
from __future__ import annotations

from typing import Any

import click

from jobtable.cli.common import friendly_errors, output_option, print_json, target_options
from jobtable.cli.waiting import iso, parse_time, table_restore_poll, wait_with_progress


@click.group()
def pitr() -> None:
    """Point-in-time recovery: restore a table as it was at any second of its recovery period.

    \b
    Examples:
      jobtable pitr enable CloudToolsJobs --days 35
      jobtable pitr status CloudToolsJobs
      jobtable pitr restore CloudToolsJobs --target jobs-at-10 --to '2026-11-20T10:00:00Z'
    """


def _show(description: dict, output: str) -> None:
    recovery = description["PointInTimeRecoveryDescription"]
    if output == "json":
        print_json(description)
    elif recovery["PointInTimeRecoveryStatus"] == "ENABLED":
        click.echo(f"ENABLED ({recovery['RecoveryPeriodInDays']} days): restorable from "
                   f"{iso(recovery['EarliestRestorableDateTime'])} to {iso(recovery['LatestRestorableDateTime'])}")
    else:
        click.echo("DISABLED")


@pitr.command("status")
@click.argument("table")
@target_options
@output_option
@friendly_errors
def status(table: str, target: Any, output: str) -> None:
    """Show TABLE's point-in-time recovery window."""
    _show(target.client().describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"], output)


@pitr.command("enable")
@click.argument("table")
@click.option("--days", type=click.IntRange(1, 35), default=35, show_default=True, help="Recovery period.")
@target_options
@output_option
@friendly_errors
def enable(table: str, days: int, target: Any, output: str) -> None:
    """Turn point-in-time recovery on for TABLE."""
    spec = {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days}
    result = target.client().update_continuous_backups(TableName=table, PointInTimeRecoverySpecification=spec)
    _show(result["ContinuousBackupsDescription"], output)


@pitr.command("disable")
@click.argument("table")
@target_options
@output_option
@friendly_errors
def disable(table: str, target: Any, output: str) -> None:
    """Turn point-in-time recovery off for TABLE (its history is dropped)."""
    result = target.client().update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    _show(result["ContinuousBackupsDescription"], output)


@pitr.command("restore")
@click.argument("source")
@click.option("--target", "target_table", required=True, help="Name of the new table.")
@click.option("--to", "to_time", help="The second to restore, e.g. 2026-11-20T10:00:00Z (UTC if no zone).")
@click.option("--latest", is_flag=True, help="Restore the latest restorable second.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until the table is ACTIVE.")
@target_options
@friendly_errors
def restore(source: str, target_table: str, to_time: str | None, latest: bool, wait: bool, target: Any) -> None:
    """Restore SOURCE (a table name, or the ARN of a deleted table) as it was at --to."""
    if bool(to_time) == latest:
        raise click.UsageError("give exactly one of --to or --latest")
    ddb = target.client()
    kwargs: dict[str, Any] = {"TargetTableName": target_table}
    kwargs["SourceTableArn" if source.startswith("arn:") else "SourceTableName"] = source
    if latest:
        kwargs["UseLatestRestorableTime"] = True
    else:
        kwargs["RestoreDateTime"] = parse_time(to_time or "")
    ddb.restore_table_to_point_in_time(**kwargs)
    if wait:
        wait_with_progress(f"restoring {target_table}", table_restore_poll(ddb, target_table, None))
    when = "the latest restorable time" if latest else iso(kwargs["RestoreDateTime"])
    click.echo(f"restored {source} at {when} into {target_table}")


def register(cli: click.Group) -> None:
    cli.add_command(pitr)
