"""`jobtable backups`: on-demand backups — create, list, describe, delete, restore.

The `backups` group is open for more commands (e.g. the module's `run-schedule`): other
modules add theirs with `backups.add_command(...)`.
"""
from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table

from jobtable.cli.common import friendly_errors, output_option, print_json, target_options
from jobtable.cli.waiting import iso, table_restore_poll, wait_with_progress


@click.group()
def backups() -> None:
    """On-demand backups of a table, and restores from them into new tables.

    \b
    Examples:
      jobtable backups create CloudToolsJobs
      jobtable backups list --table CloudToolsJobs
      jobtable backups restore <backup-arn> --target CloudToolsJobs-restored
    """


def _find_backup(ddb: Any, arn_or_name: str) -> dict:
    """A backup by ARN, or by name (the newest backup with that name)."""
    if arn_or_name.startswith("arn:"):
        return ddb.describe_backup(BackupArn=arn_or_name)["BackupDescription"]
    matches = [b for page in _pages(ddb, BackupType="ALL") for b in page if b["BackupName"] == arn_or_name]
    if not matches:
        raise click.ClickException(f"no backup named {arn_or_name}")
    newest = max(matches, key=lambda b: b["BackupCreationDateTime"])
    return ddb.describe_backup(BackupArn=newest["BackupArn"])["BackupDescription"]


def _pages(ddb: Any, **kwargs: Any):
    while True:
        page = ddb.list_backups(**kwargs)
        yield page.get("BackupSummaries", [])
        if not page.get("LastEvaluatedBackupArn"):
            return
        kwargs["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]


@backups.command("create")
@click.argument("table")
@click.option("--name", "backup_name", help="Backup name (default: <table>-backup-YYYY-MM-DD-HHMMSS).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until the backup is AVAILABLE.")
@target_options
@output_option
@friendly_errors
def create(table: str, backup_name: str | None, wait: bool, target: Any, output: str) -> None:
    """Back up TABLE as it is now."""
    import datetime as dt

    ddb = target.client()
    name = backup_name or f"{table}-backup-{dt.datetime.now(dt.timezone.utc):%Y-%m-%d-%H%M%S}"
    details = ddb.create_backup(TableName=table, BackupName=name)["BackupDetails"]
    if wait:
        def poll() -> tuple[bool, int, int | None, str]:
            current = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
            status = current["BackupDetails"]["BackupStatus"]
            items = current["SourceTableDetails"].get("ItemCount", 0)
            return status == "AVAILABLE", items if status == "AVAILABLE" else 0, items, status

        wait_with_progress(f"backing up {table}", poll)
        details = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]["BackupDetails"]
    if output == "json":
        print_json(details)
    else:
        click.echo(f"{details['BackupStatus']}  {details['BackupArn']}  ({details['BackupSizeBytes']} bytes)")


@backups.command("list")
@click.option("--table", help="Only backups of this table (name or ARN).")
@click.option("--type", "backup_type", type=click.Choice(["USER", "SYSTEM", "AWS_BACKUP", "ALL"]), default="ALL",
              show_default=True)
@target_options
@output_option
@friendly_errors
def list_(table: str | None, backup_type: str, target: Any, output: str) -> None:
    """List backups, oldest first."""
    ddb = target.client()
    kwargs: dict[str, Any] = {"BackupType": backup_type}
    if table:
        kwargs["TableName"] = table
    found = [b for page in _pages(ddb, **kwargs) for b in page]
    if output == "json":
        print_json(found)
        return
    view = Table("created", "table", "name", "type", "status", "bytes", "arn")
    for b in found:
        view.add_row(iso(b["BackupCreationDateTime"]), b["TableName"], b["BackupName"], b["BackupType"],
                     b["BackupStatus"], str(b.get("BackupSizeBytes", "")), b["BackupArn"])
    Console().print(view)


@backups.command("describe")
@click.argument("backup")
@target_options
@friendly_errors
def describe(backup: str, target: Any) -> None:
    """Show one backup (by ARN, or by name: the newest with that name)."""
    print_json(_find_backup(target.client(), backup))


@backups.command("delete")
@click.argument("backup")
@target_options
@friendly_errors
def delete(backup: str, target: Any) -> None:
    """Delete a backup (by ARN or name)."""
    ddb = target.client()
    arn = _find_backup(ddb, backup)["BackupDetails"]["BackupArn"]
    ddb.delete_backup(BackupArn=arn)
    click.echo(f"deleted {arn}")


@backups.command("restore")
@click.argument("backup")
@click.option("--target", "target_table", required=True, help="Name of the new table.")
@click.option("--billing-mode", type=click.Choice(["PAY_PER_REQUEST", "PROVISIONED"]),
              help="Billing mode of the restored table (default: the source's).")
@click.option("--without-indexes", is_flag=True, help="Restore without the global secondary indexes.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until the table is ACTIVE.")
@target_options
@friendly_errors
def restore(backup: str, target_table: str, billing_mode: str | None, without_indexes: bool, wait: bool,
            target: Any) -> None:
    """Restore BACKUP (ARN or name) into a new table."""
    ddb = target.client()
    description = _find_backup(ddb, backup)
    kwargs: dict[str, Any] = {"TargetTableName": target_table,
                              "BackupArn": description["BackupDetails"]["BackupArn"]}
    if billing_mode:
        kwargs["BillingModeOverride"] = billing_mode
    if without_indexes:
        kwargs["GlobalSecondaryIndexOverride"] = []
    ddb.restore_table_from_backup(**kwargs)
    if wait:
        total = description["SourceTableDetails"].get("ItemCount")
        wait_with_progress(f"restoring {target_table}", table_restore_poll(ddb, target_table, total))
    click.echo(f"restored {kwargs['BackupArn']} into {target_table}")


def register(cli: click.Group) -> None:
    existing = cli.commands.get("backups")
    if isinstance(existing, click.Group) and existing is not backups:  # e.g. run-schedule registered first
        for name, command in existing.commands.items():
            backups.add_command(command, name)
    cli.add_command(backups)
