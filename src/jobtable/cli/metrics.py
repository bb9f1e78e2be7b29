"""`jobtable metrics TABLE`: a table's AWS/DynamoDB CloudWatch metrics over a recent window.

boto3 only: ListMetrics finds the table's series (per table, GSI and operation), one
GetMetricData call fetches them, DescribeTable adds the provisioned capacity to compare with.
"""
from __future__ import annotations

from typing import Any

import click

from jobtable.cli.common import Target, friendly_errors, output_option, print_json, target_options
from jobtable.cli.insights import report_window

NAMESPACE = "AWS/DynamoDB"
MAX_QUERIES = 500  # GetMetricData's limit per call
AVERAGED = {"SuccessfulRequestLatency"}  # shown as average (and maximum), not sum
GAUGES = {"ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits"}


def _where(dims: dict[str, str]) -> str:
    parts = [dims[k] for k in ("GlobalSecondaryIndexName", "Operation") if k in dims]
    return " / ".join(parts) or "table"


def collect(target: Target, table: str, minutes: int) -> dict[str, Any]:
    cloudwatch = target.client("cloudwatch")
    series: list[dict] = []
    kwargs: dict[str, Any] = {"Namespace": NAMESPACE, "Dimensions": [{"Name": "TableName", "Value": table}]}
    while True:
        page = cloudwatch.list_metrics(**kwargs)
        series.extend(page.get("Metrics", []))
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    series = [s for s in series if s["MetricName"] not in GAUGES][:MAX_QUERIES // 2]
    start, end = report_window(minutes)
    queries = []
    for n, metric in enumerate(series):
        stats = ("Average", "Maximum") if metric["MetricName"] in AVERAGED else ("Sum",)
        for stat in stats:
            queries.append({"Id": f"{stat.lower()}{n}", "MetricStat": {"Metric": metric, "Period": 60, "Stat": stat}})
    values: dict[str, list[float]] = {}
    if queries:
        result = cloudwatch.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
        values = {r["Id"]: r.get("Values", []) for r in result["MetricDataResults"]}
    rows = []
    seconds = minutes * 60
    for n, metric in enumerate(series):
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        averaged = metric["MetricName"] in AVERAGED
        main = values.get(f"{'average' if averaged else 'sum'}{n}", [])
        peaks = values.get(f"maximum{n}", []) if averaged else main  # busiest minute for sums
        total = sum(main)
        rows.append({"metric": metric["MetricName"], "where": _where(dims),
                     "value": (total / len(main)) if averaged and main else total,
                     "per_second": None if averaged else total / seconds,
                     "maximum": max(peaks) if peaks else None, "minutes_with_data": len(main)})
    rows.sort(key=lambda r: (r["metric"], r["where"]))
    description = target.client("dynamodb").describe_table(TableName=table)["Table"]
    return {"table": table, "minutes": minutes, "billing_mode": description.get(
        "BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
            "provisioned": description.get("ProvisionedThroughput", {}), "rows": rows,
            "window": [start.isoformat(), end.isoformat()]}


def render(data: dict[str, Any]) -> None:
    from rich.console import Console  # lazy: `serve` imports this module for its options
    from rich.table import Table

    console = Console()
    grid = Table(title=f"{data['table']} — AWS/DynamoDB, last {data['minutes']} min", title_justify="left")
    for column, justify in (("metric", "left"), ("table / index / operation", "left"), ("sum or average", "right"),
                            ("per second", "right"), ("max per minute", "right"), ("minutes", "right")):
        grid.add_column(column, justify=justify, no_wrap=column == "metric")  # type: ignore[arg-type]
    for row in data["rows"]:
        unit = " ms" if row["metric"] in AVERAGED else ""
        grid.add_row(row["metric"], row["where"], f"{row['value']:.6g}{unit}",
                     "" if row["per_second"] is None else f"{row['per_second']:.3g}",
                     "" if row["maximum"] is None else f"{row['maximum']:.6g}{unit}", str(row["minutes_with_data"]))
    console.print(grid)
    provisioned = data["provisioned"]
    if data["billing_mode"] == "PROVISIONED":
        console.print(f"Provisioned: {provisioned.get('ReadCapacityUnits')} RCU, "
                      f"{provisioned.get('WriteCapacityUnits')} WCU")
    else:
        console.print("Billing: PAY_PER_REQUEST")
    if not data["rows"]:
        console.print("No requests recorded in this window.")


@click.command()
@click.argument("table")
@click.option("--minutes", default=60, show_default=True, type=click.IntRange(1, 1440), help="Window.")
@output_option
@target_options
@friendly_errors
def metrics(table: str, minutes: int, output: str, target: Target) -> None:
    """Show TABLE's consumed capacity, throttles, errors and latency (CloudWatch).

    \b
    Examples:
      jobtable metrics CloudToolsJobs
      jobtable metrics CloudToolsJobs --minutes 5 -o json
    """
    data = collect(target, table, minutes)
    if output == "json":
        print_json(data)
    else:
        render(data)


# `jobtable serve`/`up` options bounding the in-memory history (cli/serve.py adds them).
monitoring_options = [
    click.option("--metrics-retention-hours", default=24.0, show_default=True, type=click.FloatRange(min=0.1),
                 help="CloudWatch metric history kept in memory (1-minute resolution)."),
    click.option("--insights-window-minutes", default=1440.0, show_default=True, type=click.FloatRange(min=1),
                 help="Contributor Insights key counts kept in memory."),
]


def monitoring_settings(options: dict[str, Any]) -> dict[str, Any]:
    """ServerConfig fields from the options given (callers building a config may leave them out)."""
    return {name: options[name] for name in ("metrics_retention_hours", "insights_window_minutes")
            if options.get(name) is not None}


def register(cli: click.Group) -> None:
    cli.add_command(metrics)

