"""`jobtable module plan|apply|outputs|destroy` and `jobtable health`: the seed's module from the shell.

Flags mirror the module's variables; each also reads a JOBTABLE_<NAME> environment variable,
so a shell can set the table once (`export JOBTABLE_PROJECT_NAME=cloud-tools ...`).
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from jobtable.cli.common import Target, friendly_errors, output_option, print_json, target_options
from jobtable.module import DeletionProtectedError, TableModule, format_plan
from jobtable.module.config import BILLING_MODES, STREAM_VIEW_TYPES


def _parse_tags(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    tags = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", ctx, param)
        tags[key] = val
    return tags


def module_options(func: Callable[..., Any] | None = None, *, required: bool = True) -> Any:
    """The module's variables as flags; the command receives `module_args: dict`.

    `required=False` lets the naming variables be left out (the command then falls back
    to `jobtable up`'s table, see `local_module_args`)."""
    if func is None:
        return functools.partial(module_options, required=required)
    options = [
        click.option("--project-name", envvar="JOBTABLE_PROJECT_NAME", required=required, help="Name of the project."),
        click.option("--environment", envvar="JOBTABLE_ENVIRONMENT", required=required,
                     help="Environment name (production enables daily backups and deletion protection)."),
        click.option("--resource-suffix", envvar="JOBTABLE_RESOURCE_SUFFIX", required=required,
                     help="Random suffix for resource naming."),
        click.option("--table-name", envvar="JOBTABLE_TABLE_NAME", default="CloudToolsJobs", show_default=True,
                     help="Name of the DynamoDB table (the middle part of the physical name)."),
        click.option("--billing-mode", envvar="JOBTABLE_BILLING_MODE", type=click.Choice(BILLING_MODES),
                     default="PAY_PER_REQUEST", show_default=True),
        click.option("--point-in-time-recovery/--no-point-in-time-recovery", "enable_point_in_time_recovery",
                     default=True, show_default=True),
        click.option("--tag", "tags", multiple=True, callback=_parse_tags, metavar="KEY=VALUE",
                     help="Tag to apply (repeatable)."),
        click.option("--read-capacity", type=int, default=5, show_default=True, help="Table RCUs (PROVISIONED)."),
        click.option("--write-capacity", type=int, default=5, show_default=True, help="Table WCUs (PROVISIONED)."),
        click.option("--gsi-read-capacity", type=int, default=None, help="Index RCUs (default: --read-capacity)."),
        click.option("--gsi-write-capacity", type=int, default=None, help="Index WCUs (default: --write-capacity)."),
        click.option("--user-index/--no-user-index", "enable_user_index", default=True, show_default=True),
        click.option("--deletion-protection/--no-deletion-protection", default=None,
                     help="Default: on in production, off elsewhere."),
        click.option("--stream/--no-stream", "stream_enabled", default=True, show_default=True),
        click.option("--stream-view-type", type=click.Choice(STREAM_VIEW_TYPES), default="NEW_AND_OLD_IMAGES",
                     show_default=True),
        click.option("--encryption/--no-encryption", "server_side_encryption", default=True, show_default=True),
        click.option("--kms-key-arn", default=None, help="Customer managed KMS key for encryption at rest."),
        click.option("--backup-retention-days", type=int, default=30, show_default=True,
                     help="Days of daily backups kept (production)."),
        click.option("--contributor-insights/--no-contributor-insights", "enable_contributor_insights",
                     default=True, show_default=True),
        click.option("--table-name-override", envvar="JOBTABLE_TABLE_NAME_OVERRIDE", default=None,
                     help="Exact physical table name instead of {project}-{environment}-{table-name}-{suffix}."),
    ]
    names = ["project_name", "environment", "resource_suffix", "table_name", "billing_mode",
             "enable_point_in_time_recovery", "tags", "read_capacity", "write_capacity", "gsi_read_capacity",
             "gsi_write_capacity", "enable_user_index", "deletion_protection", "stream_enabled",
             "stream_view_type", "server_side_encryption", "kms_key_arn", "backup_retention_days",
             "enable_contributor_insights", "table_name_override"]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["module_args"] = {name: kwargs.pop(name) for name in names}
        return func(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


NAMING = ("project_name", "environment", "resource_suffix")


def local_module_args(module_args: dict[str, Any]) -> dict[str, Any]:
    """Without the naming variables: the table `jobtable up` provisions (same module variables,
    exact name from --table-name-override, else $JOBTABLE_TABLE, else CloudToolsJobs)."""
    given = [name for name in NAMING if module_args.get(name)]
    if len(given) == len(NAMING):
        return module_args
    if given:
        missing = ", ".join("--" + n.replace("_", "-") for n in NAMING if n not in given)
        raise click.UsageError(f"give all of --project-name, --environment, --resource-suffix (missing {missing}), "
                               "or none to check the table `jobtable up` serves")
    from jobtable.server.provision import LOCAL_VARIABLES

    override = module_args.get("table_name_override") or os.environ.get("JOBTABLE_TABLE") or "CloudToolsJobs"
    return {**module_args, **LOCAL_VARIABLES, "table_name_override": override}


def build_module(target: Target, module_args: dict[str, Any]) -> TableModule:
    return TableModule(**module_args, client=target.client("dynamodb"))


@click.group("module")
def module_group() -> None:
    """Provision the job table the way the Terraform module does (plan, apply, outputs, destroy)."""


@module_group.command("plan")
@module_options
@target_options
@output_option
@friendly_errors
def plan_command(target: Target, module_args: dict[str, Any], output: str) -> None:
    """Show what apply would change (exit 0 either way)."""
    changes = build_module(target, module_args).plan()
    if output == "json":
        print_json([{"action": c.action, "resource": c.resource, "before": c.before, "after": c.after}
                    for c in changes])
    else:
        click.echo(format_plan(changes))


@module_group.command("apply")
@module_options
@target_options
@friendly_errors
def apply_command(target: Target, module_args: dict[str, Any]) -> None:
    """Create the table or bring it in line with the flags; safe to re-run."""
    module = build_module(target, module_args)
    report = module.apply()
    for change in report.applied:
        click.echo(str(change))
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Apply complete: {len(report.applied)} change(s) to {module.name}.")


@module_group.command("outputs")
@module_options
@target_options
@output_option
@friendly_errors
def outputs_command(target: Target, module_args: dict[str, Any], output: str) -> None:
    """The module's outputs (table_name, table_id, table_arn, table_stream_arn, global_secondary_indexes)."""
    values = build_module(target, module_args).outputs()
    if output == "json":
        print_json(values)
        return
    table = Table("output", "value")
    for key, value in values.items():
        table.add_row(key, json.dumps(value) if isinstance(value, (list, dict)) else str(value))
    Console().print(table)


@module_group.command("destroy")
@module_options
@target_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def destroy_command(target: Target, module_args: dict[str, Any], yes: bool) -> None:
    """Delete the table (refused while deletion protection is on; daily backups are kept)."""
    module = build_module(target, module_args)
    if not yes:
        click.confirm(f"Delete table {module.name} and all its items?", abort=True)
    try:
        report = module.destroy()
    except DeletionProtectedError:
        raise click.ClickException(f"table {module.name} has deletion protection enabled; turn it off first: "
                                   "jobtable module apply ... --no-deletion-protection") from None
    click.echo("Destroyed: " + (", ".join(report.deleted) if report.deleted else "nothing (table not found)"))


STATUS_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}


@click.command("health")
@module_options(required=False)
@click.option("--restore-drill", is_flag=True,
              help="Also restore the latest backup into a scratch table and check it (see `jobtable backups verify`).")
@target_options
@output_option
@friendly_errors
def health_command(target: Target, module_args: dict[str, Any], restore_drill: bool, output: str) -> None:
    """Check the table, indexes, TTL, PITR, daily backups and system status item; exit 1 if unhealthy.

    Without --project-name/--environment/--resource-suffix: the table `jobtable up` serves.

    \b
    Examples:
      jobtable health                                   # after `jobtable up`
      jobtable health --project-name cloud-tools --environment production --resource-suffix abc123
    """
    report = build_module(target, local_module_args(module_args)).health(restore_drill)
    if output == "json":
        print_json(report.as_dict())
    else:
        table = Table("check", "status", "detail", title=f"health of {report.table_name}")
        for check in report.checks:
            table.add_row(check.name, f"[{STATUS_STYLE[check.status]}]{check.status}[/]", check.detail)
        Console().print(table)
        click.echo("healthy" if report.healthy else "UNHEALTHY")
    if not report.healthy:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(module_group)
    cli.add_command(health_command)
