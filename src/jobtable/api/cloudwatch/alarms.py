"""PutMetricAlarm, DescribeAlarms, DeleteAlarms and alarm tags (TagResource, UntagResource,
ListTagsForResource) over engine/alarms.py; tags share DynamoDB's tag store (`jt_tags`)."""
from __future__ import annotations

from typing import Any

from jobtable.api.cloudwatch.errors import CloudWatchError, invalid_combination, invalid_value, missing, moment
from jobtable.api.ops.common import page_of
from jobtable.engine.alarms import COMPARISONS, alarm_arn, public_view
from jobtable.engine.metrics import MINUTE, STATISTICS

DEFINITION_MEMBERS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                      "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "Dimensions", "Period",
                      "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
                      "TreatMissingData")
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
TIMESTAMPS = ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp")
MAX_RECORDS = 100


def _single_metric(req: dict) -> dict:
    """Metrics=[one MetricStat query] is the same alarm as MetricName/Namespace/Statistic/Period."""
    returned = [q for q in req["Metrics"] if q.get("ReturnData", True)]
    if len(returned) != 1 or "MetricStat" not in returned[0] or len(req["Metrics"]) != 1:
        raise invalid_value("jobtable evaluates alarms on one metric; metric math alarms (Expression or several "
                            "Metrics) are not supported.")
    stat = returned[0]["MetricStat"]
    metric = stat["Metric"]
    return {"MetricName": metric["MetricName"], "Namespace": metric["Namespace"],
            "Dimensions": metric.get("Dimensions") or [], "Statistic": stat["Stat"], "Period": stat["Period"],
            **({"Unit": stat["Unit"]} if stat.get("Unit") else {})}


def _definition(req: dict) -> dict:
    if req.get("Metrics"):
        if req.get("MetricName") or req.get("Namespace"):
            raise invalid_combination("Metrics list and MetricName/Namespace cannot be specified together.")
        req = {**req, **_single_metric(req)}
    if req.get("ExtendedStatistic"):
        raise invalid_value("jobtable keeps SampleCount, Sum, Minimum and Maximum per minute; alarms on percentile "
                            "(extended) statistics are not supported.")
    for member in ("MetricName", "Namespace", "Statistic", "Period", "EvaluationPeriods", "ComparisonOperator"):
        if req.get(member) is None:
            raise missing(member)
    if req.get("Threshold") is None:
        raise missing("Threshold")
    if req["Statistic"] not in STATISTICS:
        raise invalid_value(f"The value {req['Statistic']} for parameter Statistic is invalid.")
    if req["ComparisonOperator"] not in COMPARISONS:
        raise invalid_value(f"jobtable does not evaluate {req['ComparisonOperator']} (anomaly detection) alarms.")
    if int(req["Period"]) < MINUTE or int(req["Period"]) % MINUTE:
        raise invalid_value("The parameter Period must be a multiple of 60.")
    points = req.get("DatapointsToAlarm")
    if points is not None and points > req["EvaluationPeriods"]:
        raise CloudWatchError("ValidationException", "DatapointsToAlarm must be less than or equal to "
                                                     "EvaluationPeriods")
    if req.get("TreatMissingData") not in (None, *TREATMENTS):
        raise invalid_value(f"The value {req['TreatMissingData']} for parameter TreatMissingData is invalid.")
    definition = {k: req[k] for k in DEFINITION_MEMBERS if req.get(k) is not None}
    definition.setdefault("ActionsEnabled", True)
    for actions in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        definition.setdefault(actions, [])
    definition.setdefault("Dimensions", [])
    definition["Threshold"] = float(req["Threshold"])
    return definition


def put_metric_alarm(req: dict, ctx: Any) -> dict:
    engine = ctx.engine
    is_new = engine.alarms.get(req["AlarmName"]) is None
    alarm = engine.alarms.put(_definition(req))
    if is_new and req.get("Tags"):  # as in CloudWatch, Tags only apply when the alarm is created
        _write_tags(ctx, alarm["AlarmArn"], req["Tags"])
    return {}


def _wire(alarm: dict) -> dict:
    out = public_view(alarm)
    for key in TIMESTAMPS:
        if key in out:
            out[key] = moment(out[key])
    return out


def describe_alarms(req: dict, ctx: Any) -> dict:
    limit = req.get("MaxRecords") or 50
    if not 1 <= limit <= MAX_RECORDS:
        raise invalid_value(f"The parameter MaxRecords must be between 1 and {MAX_RECORDS}.")
    types = req.get("AlarmTypes") or ["MetricAlarm"]
    alarms = ctx.engine.alarms.all() if "MetricAlarm" in types else []
    if req.get("AlarmNames"):
        alarms = [a for a in alarms if a["AlarmName"] in req["AlarmNames"]]
    if req.get("AlarmNamePrefix"):
        alarms = [a for a in alarms if a["AlarmName"].startswith(req["AlarmNamePrefix"])]
    if req.get("StateValue"):
        alarms = [a for a in alarms if a["StateValue"] == req["StateValue"]]
    if req.get("ActionPrefix"):
        prefix = req["ActionPrefix"]
        alarms = [a for a in alarms if any(action.startswith(prefix) for key in
                                           ("OKActions", "AlarmActions", "InsufficientDataActions")
                                           for action in a.get(key, []))]
    page, next_token = page_of(alarms, req.get("NextToken"), limit)
    out: dict[str, Any] = {"MetricAlarms": [_wire(a) for a in page], "CompositeAlarms": []}
    if next_token:
        out["NextToken"] = next_token
    return out


def delete_alarms(req: dict, ctx: Any) -> dict:
    unknown = [name for name in req["AlarmNames"] if ctx.engine.alarms.get(name) is None]
    if unknown:
        raise CloudWatchError("ResourceNotFound", f"The following alarms were not found: {', '.join(unknown)}")
    ctx.engine.alarms.delete(req["AlarmNames"])
    return {}


# -- tags ---------------------------------------------------------------------------------

def _require_alarm(ctx: Any, arn: str) -> None:
    prefix = alarm_arn(ctx.engine, "")
    if not arn.startswith(prefix) or ctx.engine.alarms.get(arn[len(prefix):]) is None:
        raise CloudWatchError("ResourceNotFoundException", f"The specified resource {arn} was not found.")


def _write_tags(ctx: Any, arn: str, tags: list[dict]) -> None:
    with ctx.engine.storage.transaction() as c:
        c.executemany("INSERT OR REPLACE INTO jt_tags VALUES(?, ?, ?)", [(arn, t["Key"], t["Value"]) for t in tags])


def tag_resource(req: dict, ctx: Any) -> dict:
    _require_alarm(ctx, req["ResourceARN"])
    _write_tags(ctx, req["ResourceARN"], req["Tags"])
    return {}


def untag_resource(req: dict, ctx: Any) -> dict:
    _require_alarm(ctx, req["ResourceARN"])
    with ctx.engine.storage.transaction() as c:
        c.executemany("DELETE FROM jt_tags WHERE arn=? AND key=?", [(req["ResourceARN"], k) for k in req["TagKeys"]])
    return {}


def list_tags_for_resource(req: dict, ctx: Any) -> dict:
    _require_alarm(ctx, req["ResourceARN"])
    with ctx.engine.storage.read() as c:
        rows = c.execute("SELECT key, value FROM jt_tags WHERE arn=? ORDER BY key", (req["ResourceARN"],)).fetchall()
    return {"Tags": [{"Key": k, "Value": v} for k, v in rows]}


ACTIONS = {
    "PutMetricAlarm": put_metric_alarm,
    "DescribeAlarms": describe_alarms,
    "DeleteAlarms": delete_alarms,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
