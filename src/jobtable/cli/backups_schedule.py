"""`jobtable backups run-schedule`: the daily backup schedule, for cron.

Joins the `backups` group if another module created it, so `backups create/list/restore`
and `backups run-schedule` live side by side whatever the registration order.
"""
from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from jobtable.cli.common import command_group, Target, friendly_errors, output_option, print_json, target_options
from jobtable.module.backups import run_all_scheduled, run_backup_schedule
from jobtable.module.config import DEFAULT_BACKUP_RETENTION_DAYS


@click.command("run-schedule")
@click.option("--table-name", "table_names", multiple=True,
              help="Table to back up (repeatable). Default: every table tagged BackupSchedule=daily.")
@click.option("--retention-days", type=click.IntRange(min=1), default=None,
              help="Keep this many daily backups. Default: the table's BackupRetentionDays tag, else 30.")
@target_options
@output_option
@friendly_errors
def run_schedule_command(table_names: tuple[str, ...], retention_days: int | None, target: Target,
                         output: str) -> None:
    """Make today's `{table}-backup-YYYY-MM-DD` backup (once per UTC day) and delete expired ones."""
    client = target.client("dynamodb")
    if table_names:
        reports = [run_backup_schedule(client, name, retention_days or DEFAULT_BACKUP_RETENTION_DAYS)
                   for name in table_names]
    else:
        reports = run_all_scheduled(client, retention_override=retention_days)
    if output == "json":
        print_json([r.as_dict() for r in reports])
    else:
        if not reports:
            click.echo("No tables to back up (none given, none tagged BackupSchedule=daily).")
        table = Table("table", "date", "today's backup", "deleted", "kept", "errors")
        for r in reports:
            todays = f"created {r.created}" if r.created else "already present" if r.already_present else "-"
            table.add_row(r.table_name, r.today.isoformat(), todays, ", ".join(r.deleted) or "-",
                          str(len(r.kept)), "; ".join(r.errors) or "-")
        if reports:
            Console().print(table)
    if any(not r.ok for r in reports):
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    command_group(cli, "backups", "Backups of DynamoDB tables.").add_command(run_schedule_command)
