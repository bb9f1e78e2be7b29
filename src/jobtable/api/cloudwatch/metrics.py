"""GetMetricStatistics, GetMetricData, ListMetrics and PutMetricData over the engine's metric store."""
from __future__ import annotations

import math
from typing import Any

from jobtable.api.cloudwatch.errors import epoch, invalid_combination, invalid_value, missing, moment
from jobtable.api.ops.common import page_of
from jobtable.engine.metrics import MINUTE, STATISTICS, Aggregate, Datapoint, Dimensions, canonical

MAX_DATAPOINTS = 1440
LIST_PAGE = 500
RESERVED_NAMESPACE = "AWS/"


def dims_of(entries: list[dict] | None) -> Dimensions:
    return canonical((d["Name"], d["Value"]) for d in entries or [])


def wire_dims(dims: Dimensions) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in dims]


def _window(req: dict, period_member: Any = None) -> tuple[float, float, int]:
    start, end = epoch(req["StartTime"], "StartTime"), epoch(req["EndTime"], "EndTime")
    period = int(period_member if period_member is not None else req["Period"])
    if period < MINUTE or period % MINUTE:
        raise invalid_value("The parameter Period must be a multiple of 60.")
    if start >= end:
        raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")
    return math.floor(start / MINUTE) * MINUTE, end, period


def _points(ctx: Any, namespace: str, name: str, dims: Dimensions, start: float, end: float, period: int,
            unit: str | None) -> list[Datapoint]:
    points = ctx.engine.metrics.datapoints(namespace, name, dims, start, end, period)
    return [p for p in points if unit is None or p.unit == unit]


def get_metric_statistics(req: dict, ctx: Any) -> dict:
    start, end, period = _window(req)
    statistics = req.get("Statistics") or []
    if req.get("ExtendedStatistics"):
        raise invalid_value("jobtable keeps SampleCount, Sum, Minimum and Maximum per minute; percentile "
                            "(extended) statistics are not available.")
    if not statistics:
        raise missing("Statistics")
    wanted = math.ceil((end - start) / period)
    if wanted > MAX_DATAPOINTS:
        raise invalid_combination(
            f"You have requested up to {wanted:,} datapoints, which exceeds the limit of {MAX_DATAPOINTS:,}. You "
            "may reduce the datapoints requested by increasing Period, or decreasing the time range.")
    points = _points(ctx, req["Namespace"], req["MetricName"], dims_of(req.get("Dimensions")), start, end, period,
                     req.get("Unit"))
    datapoints = []
    for point in points:
        datapoint: dict[str, Any] = {"Timestamp": moment(point.timestamp), "Unit": point.unit}
        for statistic in statistics:
            datapoint[statistic] = point.aggregate.statistic(statistic)
        datapoints.append(datapoint)
    return {"Label": req["MetricName"], "Datapoints": datapoints}


def _query_result(ctx: Any, query: dict, start: float, end: float, descending: bool) -> dict:
    stat = query.get("MetricStat")
    if stat is None:
        raise invalid_value(f"jobtable does not evaluate metric math; query {query['Id']} needs a MetricStat "
                            "instead of an Expression.")
    if stat["Stat"] not in STATISTICS:
        raise invalid_value(f"The statistic {stat['Stat']} is not available: jobtable keeps "
                            f"{', '.join(STATISTICS)} per minute.")
    metric = stat["Metric"]
    period = int(stat["Period"])
    if period < MINUTE or period % MINUTE:
        raise invalid_value("The parameter MetricDataQueries.member.MetricStat.Period must be a multiple of 60.")
    points = _points(ctx, metric["Namespace"], metric["MetricName"], dims_of(metric.get("Dimensions")),
                     start, end, period, stat.get("Unit"))
    if descending:
        points.reverse()
    return {"Id": query["Id"], "Label": query.get("Label") or metric["MetricName"],
            "Timestamps": [moment(p.timestamp) for p in points],
            "Values": [p.aggregate.statistic(stat["Stat"]) for p in points], "StatusCode": "Complete"}


def get_metric_data(req: dict, ctx: Any) -> dict:
    start, end = epoch(req["StartTime"], "StartTime"), epoch(req["EndTime"], "EndTime")
    if start >= end:
        raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")
    start = math.floor(start / MINUTE) * MINUTE
    ids = [q["Id"] for q in req["MetricDataQueries"]]
    if len(set(ids)) != len(ids):
        raise invalid_value("The values for parameter id in MetricDataQueries are not unique.")
    descending = (req.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    results = [_query_result(ctx, q, start, end, descending) for q in req["MetricDataQueries"]
               if q.get("ReturnData", True)]
    return {"MetricDataResults": results, "Messages": []}


def list_metrics(req: dict, ctx: Any) -> dict:
    filters = [(f["Name"], f.get("Value")) for f in req.get("Dimensions") or []]
    since = ctx.engine.clock.now() - 3 * 3600 if req.get("RecentlyActive") == "PT3H" else None
    keys = sorted(ctx.engine.metrics.series(req.get("Namespace"), req.get("MetricName"), filters, since))
    page, next_token = page_of(keys, req.get("NextToken"), LIST_PAGE)
    out: dict[str, Any] = {"Metrics": [{"Namespace": ns, "MetricName": name, "Dimensions": wire_dims(dims)}
                                       for ns, name, dims in page]}
    if next_token:
        out["NextToken"] = next_token
    return out


def put_metric_data(req: dict, ctx: Any) -> dict:
    namespace = req["Namespace"]
    if namespace.startswith(RESERVED_NAMESPACE):
        raise invalid_value(f"The value {namespace} for parameter Namespace is invalid.")
    now = ctx.engine.clock.now()
    for datum in req.get("MetricData") or []:
        at = epoch(datum["Timestamp"], "Timestamp") if datum.get("Timestamp") is not None else now
        dims, unit = dims_of(datum.get("Dimensions")), datum.get("Unit") or "None"
        samples = _samples(datum)
        ctx.engine.metrics.record_aggregate(namespace, datum["MetricName"], dims, samples, at, unit)
    return {}


def _samples(datum: dict) -> Aggregate:
    if datum.get("StatisticValues"):
        s = datum["StatisticValues"]
        return Aggregate(float(s["SampleCount"]), float(s["Sum"]), float(s["Minimum"]), float(s["Maximum"]))
    values = datum.get("Values")
    if values:
        counts = datum.get("Counts") or [1.0] * len(values)
        if len(counts) != len(values):
            raise invalid_value("The parameters MetricData.member.Values and MetricData.member.Counts must be of "
                                "the same size.")
        aggregate = Aggregate()
        for value, count in zip(values, counts):
            aggregate.add_repeated(value, count)
        return aggregate
    if datum.get("Value") is None:
        raise missing("MetricData.member.Value")
    aggregate = Aggregate()
    aggregate.add(float(datum["Value"]))
    return aggregate


ACTIONS = {
    "GetMetricStatistics": get_metric_statistics,
    "GetMetricData": get_metric_data,
    "ListMetrics": list_metrics,
    "PutMetricData": put_metric_data,
}
