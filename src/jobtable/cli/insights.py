"""`jobtable insights TABLE`: the most accessed and most throttled keys (Contributor Insights).

Talks to any endpoint through boto3 only: DescribeContributorInsights for the rule names,
CloudWatch's GetInsightRuleReport for the counts, UpdateContributorInsights to switch it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import click

from jobtable.cli.common import Target, fail, friendly_errors, output_option, print_json, target_options

RULE_TITLES = {"PKC": "Most accessed partition keys", "SKC": "Most accessed keys (partition + sort)",
               "PKT": "Most throttled partition keys", "SKT": "Most throttled keys (partition + sort)"}


def report_window(minutes: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) of the last `minutes` whole minutes, the current one included."""
    now = now or dt.datetime.now(dt.timezone.utc)
    end = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return end - dt.timedelta(minutes=minutes), end


def rule_kind(name: str) -> str:
    parts = name.split("-")
    return parts[1] if len(parts) > 1 else name


def collect(target: Target, table: str, index: str | None, minutes: int, top: int) -> dict[str, Any]:
    ddb = target.client("dynamodb")
    kwargs = {"TableName": table, **({"IndexName": index} if index else {})}
    described = ddb.describe_contributor_insights(**kwargs)
    out: dict[str, Any] = {"table": table, "index": index, "status": described["ContributorInsightsStatus"],
                           "mode": described.get("ContributorInsightsMode"), "rules": []}
    if described["ContributorInsightsStatus"] != "ENABLED":
        return out
    cloudwatch = target.client("cloudwatch")
    start, end = report_window(minutes)
    for name in described.get("ContributorInsightsRuleList", []):
        report = cloudwatch.get_insight_rule_report(RuleName=name, StartTime=start, EndTime=end, Period=60,
                                                    MaxContributorCount=top)
        total = report.get("AggregateValue") or 0.0
        out["rules"].append({
            "rule": name, "kind": rule_kind(name), "key_labels": report.get("KeyLabels", []), "total": total,
            "unique": report.get("ApproximateUniqueCount", 0),
            "contributors": [{"keys": c["Keys"], "count": c["ApproximateAggregateValue"],
                              "share": (c["ApproximateAggregateValue"] / total) if total else 0.0}
                             for c in report.get("Contributors", [])]})
    return out


def render(data: dict[str, Any], minutes: int) -> None:
    from rich.console import Console  # lazy: `serve` imports this module (through cli.metrics)
    from rich.table import Table

    console = Console()
    where = data["table"] + (f" / {data['index']}" if data["index"] else "")
    if data["status"] != "ENABLED":
        console.print(f"Contributor Insights for {where} is {data['status']}. "
                      f"Turn it on with: jobtable insights {data['table']} --enable")
        return
    for rule in data["rules"]:
        title = f"{RULE_TITLES.get(rule['kind'], rule['kind'])} — {where}, last {minutes} min"
        grid = Table(title=title, title_justify="left")
        grid.add_column("#", justify="right")
        for label in rule["key_labels"]:
            grid.add_column(label)
        grid.add_column("count", justify="right")
        grid.add_column("share", justify="right")
        for rank, contributor in enumerate(rule["contributors"], 1):
            grid.add_row(str(rank), *contributor["keys"], f"{contributor['count']:g}", f"{contributor['share']:.0%}")
        console.print(grid)
        console.print(f"  {rule['total']:g} in total, {rule['unique']} distinct keys  [dim]({rule['rule']})[/dim]")


@click.command()
@click.argument("table")
@click.option("--index", "index", default=None, help="A global secondary index of TABLE.")
@click.option("--minutes", default=60, show_default=True, type=click.IntRange(1, 1440), help="Report window.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100), help="Keys per rule.")
@click.option("--enable", "action", flag_value="ENABLE", help="Turn Contributor Insights on.")
@click.option("--disable", "action", flag_value="DISABLE", help="Turn Contributor Insights off.")
@click.option("--throttled-only", is_flag=True, help="With --enable: count throttled keys only (THROTTLED_KEYS).")
@output_option
@target_options
@friendly_errors
def insights(table: str, index: str | None, minutes: int, top: int, action: str | None, throttled_only: bool,
             output: str, target: Target) -> None:
    """Show TABLE's most accessed and most throttled keys.

    \b
    Examples:
      jobtable insights CloudToolsJobs --enable
      jobtable insights CloudToolsJobs --minutes 15 --top 5
      jobtable insights CloudToolsJobs --index StatusIndex -o json
    """
    if throttled_only and action != "ENABLE":
        fail("--throttled-only goes with --enable")
    if action:
        kwargs: dict[str, Any] = {"TableName": table, "ContributorInsightsAction": action}
        if index:
            kwargs["IndexName"] = index
        if throttled_only:
            kwargs["ContributorInsightsMode"] = "THROTTLED_KEYS"
        status = target.client("dynamodb").update_contributor_insights(**kwargs)["ContributorInsightsStatus"]
        if output == "json":
            print_json({"table": table, "index": index, "status": status})
        else:
            click.echo(f"Contributor Insights for {table}{' / ' + index if index else ''}: {status}")
        return
    data = collect(target, table, index, minutes, top)
    if output == "json":
        print_json(data)
    else:
        render(data, minutes)


def register(cli: click.Group) -> None:
    cli.add_command(insights)
