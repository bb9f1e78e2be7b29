"""`jobtable backups verify TABLE`: a restore drill (docs/restore-drills.md).

Joins the `backups` group whichever module creates it first (see backups_schedule.py).
"""
from __future__ import annotations

import click
from botocore.exceptions import ClientError

from jobtable.cli.common import command_group, Target, friendly_errors, output_option, print_json, target_options
from jobtable.ops.drills import publish_drill_metrics, run_restore_drill


@click.command("verify")
@click.argument("table")
@click.option("--backup-arn", default=None, help="The backup to drill (default: the newest AVAILABLE one).")
@click.option("--timeout", type=click.FloatRange(min=1), default=3600, show_default=True,
              help="Seconds to wait for each restore.")
@click.option("--no-pitr-check", is_flag=True,
              help="Skip the content cross-check against point-in-time recovery at the backup's time.")
@click.option("--publish-metric", is_flag=True,
              help="Send RestoreDrillSuccess and RestoreSeconds to CloudWatch (namespace jobtable/RestoreDrills).")
@target_options
@output_option
@friendly_errors
def verify_command(table: str, backup_arn: str | None, timeout: float, no_pitr_check: bool, publish_metric: bool,
                   target: Target, output: str) -> None:
    """Restore TABLE's latest backup into a scratch table, check it, report the restore time.

    Exits 1 when the drill fails (the restore is refused, or counts, size or content differ).
    The scratch tables are deleted either way.

    \b
    Examples:
      jobtable backups verify CloudToolsJobs
      jobtable backups verify CloudToolsJobs --aws --publish-metric     # e.g. weekly from cron
    """
    report = run_restore_drill(target.client("dynamodb"), table, backup_arn=backup_arn, timeout=timeout,
                               cross_check_pitr=not no_pitr_check)
    if publish_metric:
        try:
            publish_drill_metrics(target.client("cloudwatch"), report)
        except ClientError as exc:
            report.notes.append(f"metric not published: {exc.response.get('Error', {}).get('Code')}")
    if output == "json":
        print_json(report.as_dict())
    else:
        click.echo(f"{table}: backup {report.source}")
        click.echo(report.summary())
        for note in report.notes:
            click.echo(f"  note: {note}")
    if not report.ok:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    command_group(cli, "backups", "Backups of DynamoDB tables.").add_command(verify_command)
