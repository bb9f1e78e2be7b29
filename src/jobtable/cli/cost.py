"""`jobtable cost TABLE`: the monthly AWS bill for both billing modes, and which to choose."""
from __future__ import annotations

import datetime as dt
import json

import click
from rich.console import Console
from rich.table import Table

from jobtable.cli.common import Target, friendly_errors, output_option, print_json, target_options
from jobtable.ops.cost import CostEstimate, Usage, estimate_cost
from jobtable.ops.prices import prices_for
from jobtable.ops.usage import collect_usage


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _print_estimate(estimate: CostEstimate) -> None:
    console = Console()
    table = Table(title=f"{estimate.table_name}: estimated monthly cost ({estimate.prices.region}, "
                        f"measured over {estimate.usage.hours} h)")
    table.add_column("")
    table.add_column("PAY_PER_REQUEST", justify="right")
    table.add_column("PROVISIONED + auto scaling", justify="right")
    od, pv = estimate.on_demand, estimate.provisioned
    for label, attr in (("reads", "reads"), ("writes", "writes"), ("storage", "storage"), ("PITR", "pitr"),
                        ("backups", "backups"), ("stream reads", "streams"), ("total", "total")):
        table.add_row(label, _money(getattr(od, attr)), _money(getattr(pv, attr)))
    console.print(table)
    console.print(f"Recommendation: [bold]{estimate.recommended_mode}[/bold] — {estimate.reason}")
    if estimate.recommended_mode == "PROVISIONED":
        for resource, dims in pv.capacity.items():
            for dim, capacity in dims.items():
                console.print(f"  {resource} {dim}: min {capacity.minimum}, max {capacity.maximum}, "
                              f"target {capacity.target_utilization:.0%}")
    console.print(f"[dim]Prices as of {estimate.prices.as_of}; free tier not subtracted.[/dim]")


@click.command("cost")
@click.argument("table")
@click.option("--days", type=click.FloatRange(min=1 / 24), default=30, show_default=True,
              help="How much history to measure (CloudWatch, hourly).")
@click.option("--prices", "prices_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="JSON or TOML file overriding the built-in price table (see docs/cost.md).")
@click.option("--target-utilization", type=click.IntRange(20, 90), default=70, show_default=True,
              help="Auto scaling target (percent) assumed for the provisioned estimate.")
@click.option("--usage", "usage_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Estimate from a usage summary JSON (as printed by --show-usage) instead of measuring.")
@click.option("--end-time", type=click.DateTime(), default=None,
              help="End of the measured window (UTC; default: now).")
@click.option("--show-usage", is_flag=True, help="Print the measured usage summary (JSON) instead of the estimate.")
@target_options
@output_option
@friendly_errors
def cost_command(table: str, days: float, prices_file: str | None, target_utilization: int, usage_file: str | None,
                 end_time: dt.datetime | None, show_usage: bool, target: Target, output: str) -> None:
    """Estimate TABLE's monthly AWS cost in both billing modes from its measured usage.

    \b
    Examples:
      jobtable cost CloudToolsJobs
      jobtable cost CloudToolsJobs --aws --days 14 --prices my-prices.toml -o json
    """
    if usage_file:
        with open(usage_file, encoding="utf-8") as handle:
            usage = Usage.from_dict(json.load(handle))
    else:
        end = end_time.replace(tzinfo=dt.timezone.utc) if end_time else None
        usage = collect_usage(target.client("dynamodb"), target.client("cloudwatch"), table, days, end)
    if show_usage:
        print_json(usage.as_dict())
        return
    estimate = estimate_cost(usage, prices_for(target.region, prices_file), target_utilization / 100)
    if output == "json":
        print_json(estimate.as_dict())
    else:
        _print_estimate(estimate)


def register(cli: click.Group) -> None:
    cli.add_command(cost_command)
