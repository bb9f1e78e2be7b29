"""CloudWatch graphs (GetMetricData) and Contributor Insights top keys (GetInsightRuleReport).

Both go through the CloudWatch API on this server, so they show what `aws cloudwatch`
would: the AWS/DynamoDB namespace, per table or per GSI, with DynamoDB's metric names.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from jobtable.dashboard import charts

WINDOWS = {"1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400}
LATENCY_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan")


@dataclass(frozen=True)
class Graph:
    title: str
    unit: str
    stat: str
    metrics: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # (label, metric name, extra dims)
    zero_when_missing: bool  # Sum metrics: no datapoint means nothing happened


def graphs_for(index: str | None) -> list[Graph]:
    """The graphs the Operations page draws for a table, or for one of its GSIs."""
    capacity = Graph("Consumed capacity", " units", "Sum", (
        ("read", "ConsumedReadCapacityUnits", ()), ("write", "ConsumedWriteCapacityUnits", ())), True)
    throttles = Graph("Throttle events", "", "Sum", (
        ("read", "ReadThrottleEvents", ()), ("write", "WriteThrottleEvents", ())), True)
    if index:
        return [capacity, throttles]
    latency = Graph("Successful request latency (average)", " ms", "Average", tuple(
        (op, "SuccessfulRequestLatency", (("Operation", op),)) for op in LATENCY_OPERATIONS), False)
    return [capacity, throttles, latency]


def period_for(window_seconds: int) -> int:
    """About 96 points per graph, in whole minutes (CloudWatch periods are multiples of 60)."""
    return max(60, math.ceil(window_seconds / 96 / 60) * 60)


def metric_points(cloudwatch: Any, params: dict[str, Any]) -> dict[str, dict[float, float]]:
    """GetMetricData with its pages followed: query id -> {epoch seconds: value}."""
    params = dict(params)
    found: dict[str, dict[float, float]] = {}
    while True:
        response = cloudwatch.get_metric_data(**params)
        for result in response.get("MetricDataResults", []):
            points = found.setdefault(result["Id"], {})
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", [])):
                points[stamp.timestamp()] = float(value)
        if not response.get("NextToken"):
            break
        params["NextToken"] = response["NextToken"]
    return found


def metric_charts(cloudwatch: Any, table: str, index: str | None, end: float, window_seconds: int) -> list[charts.Chart]:
    """One line chart per graph, from a single GetMetricData call (NextToken followed)."""
    period = period_for(window_seconds)
    end = math.floor(end / period) * period + period
    start = end - window_seconds
    base_dims = [{"Name": "TableName", "Value": table}]
    if index:
        base_dims.append({"Name": "GlobalSecondaryIndexName", "Value": index})
    queries, owners = [], []
    for g, graph in enumerate(graphs_for(index)):
        for m, (label, name, extra) in enumerate(graph.metrics):
            query_id = f"g{g}m{m}"
            dims = base_dims + [{"Name": k, "Value": v} for k, v in extra]
            queries.append({"Id": query_id, "ReturnData": True, "Label": label, "MetricStat": {
                "Metric": {"Namespace": "AWS/DynamoDB", "MetricName": name, "Dimensions": dims},
                "Period": period, "Stat": graph.stat}})
            owners.append((query_id, g, label))
    found = metric_points(cloudwatch, {"MetricDataQueries": queries, "ScanBy": "TimestampAscending",
                                       "StartTime": dt.datetime.fromtimestamp(start, dt.timezone.utc),
                                       "EndTime": dt.datetime.fromtimestamp(end, dt.timezone.utc)})
    times = [start + i * period for i in range(window_seconds // period)]
    made = []
    for g, graph in enumerate(graphs_for(index)):
        series = {}
        for query_id, owner, label in owners:
            if owner == g:
                points = found.get(query_id, {})
                default = 0.0 if graph.zero_when_missing else None
                series[label] = [points.get(t, default) for t in times]
        made.append(charts.line_chart(graph.title, times, series, start, end, graph.unit))
    return made


def rule_kind(rule_name: str) -> str:
    """AWS names a table's rules ...-PKC-..., -SKC-, -PKT-, -SKT- (keys accessed / throttled)."""
    for marker, kind in (("-PKC-", "Most accessed partition keys"), ("-SKC-", "Most accessed keys"),
                         ("-PKT-", "Most throttled partition keys"), ("-SKT-", "Most throttled keys")):
        if marker in rule_name:
            return kind
    return rule_name


def top_keys_charts(cloudwatch: Any, rules: list[str], end: float, window_seconds: int,
                    count: int = 10) -> list[charts.Chart]:
    """A bar chart of the top contributors of each Contributor Insights rule."""
    made = []
    period = period_for(window_seconds)
    for rule in rules:
        report = cloudwatch.get_insight_rule_report(
            RuleName=rule, StartTime=dt.datetime.fromtimestamp(end - window_seconds, dt.timezone.utc),
            EndTime=dt.datetime.fromtimestamp(end, dt.timezone.utc), Period=period,
            MaxContributorCount=count, OrderBy="Sum")
        rows = [(" | ".join(c.get("Keys", [])), float(c.get("ApproximateAggregateValue", 0)))
                for c in report.get("Contributors", [])]
        rows.sort(key=lambda row: row[1], reverse=True)
        kind = rule_kind(rule)
        made.append(charts.horizontal_bars(f"{kind} ({rule})", rows[:count], "s3" if "throttled" in kind else "s0"))
    return made
