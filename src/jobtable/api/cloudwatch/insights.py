"""GetInsightRuleReport for the Contributor Insights rules DynamoDB creates (engine/insights.py)."""
from __future__ import annotations

from typing import Any

from jobtable.api.cloudwatch.errors import CloudWatchError, epoch, invalid_value, moment
from jobtable.engine.metrics import MINUTE

DEFAULT_CONTRIBUTORS = 10
MAX_CONTRIBUTORS = 100
RULE_METRICS = ("UniqueContributors", "MaxContributorValue", "SampleCount", "Sum", "Average", "Minimum", "Maximum")


def get_insight_rule_report(req: dict, ctx: Any) -> dict:
    found = ctx.engine.insights.find_rule(req["RuleName"])
    if found is None:
        raise CloudWatchError("ResourceNotFoundException", f"Rule {req['RuleName']} does not exist.")
    start, end = epoch(req["StartTime"], "StartTime"), epoch(req["EndTime"], "EndTime")
    period = int(req["Period"])
    if period < MINUTE or period % MINUTE:
        raise invalid_value("The parameter Period must be a multiple of 60.")
    if start >= end:
        raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")
    count = req.get("MaxContributorCount") or DEFAULT_CONTRIBUTORS
    if not 1 <= count <= MAX_CONTRIBUTORS:
        raise invalid_value(f"The parameter MaxContributorCount must be between 1 and {MAX_CONTRIBUTORS}.")
    metrics = req.get("Metrics") or []
    unknown = [m for m in metrics if m not in RULE_METRICS]
    if unknown:
        raise invalid_value(f"The metric {unknown[0]} is not valid; use one of {', '.join(RULE_METRICS)}.")
    meta, index, kind = found
    start = (start // MINUTE) * MINUTE
    report = ctx.engine.insights.report(meta, index, kind, start, end, period, count, req.get("OrderBy") or "Sum")
    out: dict[str, Any] = {
        "KeyLabels": report.key_labels, "AggregationStatistic": "Sum", "AggregateValue": report.aggregate_value,
        "ApproximateUniqueCount": report.unique_count,
        "Contributors": [{"Keys": list(keys), "ApproximateAggregateValue": total,
                          "Datapoints": [{"Timestamp": moment(t), "ApproximateValue": v} for t, v in values]}
                         for keys, total, values in report.contributors]}
    if metrics:
        out["MetricDatapoints"] = [{"Timestamp": moment(p["Timestamp"]), **{m: p[m] for m in metrics}}
                                   for p in report.periods]
    return out


ACTIONS = {"GetInsightRuleReport": get_insight_rule_report}
