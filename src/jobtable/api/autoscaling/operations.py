"""The Application Auto Scaling operations DynamoDB auto scaling uses (Terraform's
aws_appautoscaling_target / aws_appautoscaling_policy, the AWS CLI, boto3)."""
from __future__ import annotations

import uuid
from typing import Any

from jobtable.api.autoscaling import state
from jobtable.engine.engine import Engine

DIMENSIONS = {"dynamodb:table:ReadCapacityUnits": ("table", "read"),
              "dynamodb:table:WriteCapacityUnits": ("table", "write"),
              "dynamodb:index:ReadCapacityUnits": ("index", "read"),
              "dynamodb:index:WriteCapacityUnits": ("index", "write")}
METRICS = {"DynamoDBReadCapacityUtilization": "read", "DynamoDBWriteCapacityUtilization": "write"}


class AutoScalingError(Exception):
    code = "ValidationException"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(AutoScalingError):
    pass


class ObjectNotFound(AutoScalingError):
    code = "ObjectNotFoundException"


def parse_resource(resource_id: str, dimension: str) -> tuple[str, str | None, str]:
    """(table, index or None, "read"|"write") for a DynamoDB resource id and dimension."""
    if dimension not in DIMENSIONS:
        raise ValidationError(f"Unsupported scalable dimension: {dimension}")
    kind, direction = DIMENSIONS[dimension]
    parts = resource_id.split("/")
    if kind == "table" and len(parts) == 2 and parts[0] == "table" and parts[1]:
        return parts[1], None, direction
    if kind == "index" and len(parts) == 4 and parts[0] == "table" and parts[2] == "index" and parts[1] and parts[3]:
        return parts[1], parts[3], direction
    raise ValidationError(f"Unsupported resource ID {resource_id} for scalable dimension {dimension}")


def _require_dynamodb(req: dict) -> None:
    if req.get("ServiceNamespace") != "dynamodb":
        raise ValidationError(f"Unsupported service namespace: {req.get('ServiceNamespace')} "
                              "(jobtable scales DynamoDB tables and indexes only)")


def _target_arn(engine: Engine) -> str:
    return (f"arn:aws:application-autoscaling:{engine.region}:{engine.account_id}:"
            f"scalable-target/{uuid.uuid4().hex[:28]}")


def _not_found(req: dict) -> ObjectNotFound:
    return ObjectNotFound(f"No scalable target registered for service namespace: {req['ServiceNamespace']}, "
                          f"resource ID: {req['ResourceId']}, scalable dimension: {req['ScalableDimension']}")


def _check_resource_exists(engine: Engine, table: str, index: str | None, resource_id: str) -> None:
    meta = engine.catalog.get(table)
    if meta is None or (index is not None and index not in {i.name for i in meta.gsis}):
        raise ValidationError(f"Unable to register scalable target: the resource {resource_id} does not exist")


def register_scalable_target(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    table, index, _ = parse_resource(req["ResourceId"], req["ScalableDimension"])
    _check_resource_exists(engine, table, index, req["ResourceId"])
    key = state.target_key(req["ResourceId"], req["ScalableDimension"])
    current = state.get(engine, "target", key)
    if current is None and ("MinCapacity" not in req or "MaxCapacity" not in req):
        raise ValidationError("MinCapacity and MaxCapacity are required for registering a new scalable target")
    doc = current or {"ServiceNamespace": "dynamodb", "ResourceId": req["ResourceId"],
                      "ScalableDimension": req["ScalableDimension"], "CreationTime": engine.clock.now(),
                      "ScalableTargetARN": _target_arn(engine),
                      "RoleARN": req.get("RoleARN") or (
                          f"arn:aws:iam::{engine.account_id}:role/aws-service-role/dynamodb.application-autoscaling"
                          ".amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"),
                      "SuspendedState": {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
                                         "ScheduledScalingSuspended": False}}
    for name in ("MinCapacity", "MaxCapacity", "RoleARN"):
        if name in req:
            doc[name] = req[name]
    doc["SuspendedState"].update(req.get("SuspendedState") or {})
    if req.get("Tags"):
        doc["Tags"] = {**doc.get("Tags", {}), **req["Tags"]}
    if doc["MinCapacity"] < 1 or doc["MaxCapacity"] < doc["MinCapacity"]:
        raise ValidationError(f"Maximum capacity ({doc['MaxCapacity']}) must be at least the minimum capacity "
                              f"({doc['MinCapacity']}), which must be at least 1")
    state.put(engine, "target", key, doc)
    return {"ScalableTargetARN": doc["ScalableTargetARN"]}


def _matches(doc: dict, req: dict) -> bool:
    ids = req.get("ResourceIds")
    return ((not ids or doc["ResourceId"] in ids)
            and (not req.get("ResourceId") or doc["ResourceId"] == req["ResourceId"])
            and (not req.get("ScalableDimension") or doc["ScalableDimension"] == req["ScalableDimension"]))


def _page(items: list[dict], req: dict, key: str) -> dict:
    start = int(req.get("NextToken") or 0)
    size = int(req.get("MaxResults") or 50)
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


def describe_scalable_targets(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    targets = [{k: v for k, v in t.items() if k != "Tags"} for t in state.scan(engine, "target") if _matches(t, req)]
    return _page(targets, req, "ScalableTargets")


def deregister_scalable_target(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    key = state.target_key(req["ResourceId"], req["ScalableDimension"])
    if not state.delete(engine, "target", key):
        raise _not_found(req)
    for policy in list(state.scan(engine, "policy", key + "|")):
        state.delete(engine, "policy", f"{key}|{policy['PolicyName']}")
    return {}


def put_scaling_policy(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    _, _, direction = parse_resource(req["ResourceId"], req["ScalableDimension"])
    key = state.target_key(req["ResourceId"], req["ScalableDimension"])
    if state.get(engine, "target", key) is None:
        raise _not_found(req)
    policy_type = req.get("PolicyType", "StepScaling")
    if policy_type != "TargetTrackingScaling":
        raise ValidationError(f"Unsupported policy type {policy_type} for DynamoDB in jobtable: "
                              "use TargetTrackingScaling")
    config = req.get("TargetTrackingScalingPolicyConfiguration")
    if not config:
        raise ValidationError("TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy")
    metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if METRICS.get(metric) != direction:
        raise ValidationError(f"Unsupported metric {metric} for dimension {req['ScalableDimension']}: use "
                              f"{'DynamoDBReadCapacityUtilization' if direction == 'read' else 'DynamoDBWriteCapacityUtilization'}")
    if not 20 <= float(config["TargetValue"]) <= 90:
        raise ValidationError("TargetValue for DynamoDB capacity utilization must be between 20 and 90")
    policy_key = f"{key}|{req['PolicyName']}"
    existing = state.get(engine, "policy", policy_key)
    arn = existing["PolicyARN"] if existing else (
        f"arn:aws:autoscaling:{engine.region}:{engine.account_id}:scalingPolicy:{uuid.uuid4()}:resource/dynamodb/"
        f"{req['ResourceId']}:policyName/{req['PolicyName']}")
    prefix = f"TargetTracking-{req['ResourceId']}"
    alarms = [{"AlarmName": f"{prefix}-AlarmHigh-{arn[-8:]}", "AlarmARN": f"{arn}:alarm/high"},
              {"AlarmName": f"{prefix}-AlarmLow-{arn[-8:]}", "AlarmARN": f"{arn}:alarm/low"}]
    doc = {"PolicyARN": arn, "PolicyName": req["PolicyName"], "ServiceNamespace": "dynamodb",
           "ResourceId": req["ResourceId"], "ScalableDimension": req["ScalableDimension"],
           "PolicyType": policy_type, "TargetTrackingScalingPolicyConfiguration": config, "Alarms": alarms,
           "CreationTime": existing["CreationTime"] if existing else engine.clock.now()}
    state.put(engine, "policy", policy_key, doc)
    return {"PolicyARN": arn, "Alarms": alarms}


def describe_scaling_policies(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    names = req.get("PolicyNames")
    policies = [p for p in state.scan(engine, "policy") if _matches(p, req) and (not names or p["PolicyName"] in names)]
    return _page(policies, req, "ScalingPolicies")


def delete_scaling_policy(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    key = f"{state.target_key(req['ResourceId'], req['ScalableDimension'])}|{req['PolicyName']}"
    if not state.delete(engine, "policy", key):
        raise ObjectNotFound(f"No scaling policy found for service namespace: dynamodb, resource ID: "
                             f"{req['ResourceId']}, scalable dimension: {req['ScalableDimension']}, "
                             f"policy name: {req['PolicyName']}")
    return {}


def describe_scaling_activities(engine: Engine, req: dict) -> dict:
    _require_dynamodb(req)
    activities = [a for a in state.scan(engine, "activity", newest_first=True) if _matches(a, req)]
    return _page(activities, req, "ScalingActivities")


def _target_by_arn(engine: Engine, arn: str) -> tuple[str, dict]:
    for target in state.scan(engine, "target"):
        if target["ScalableTargetARN"] == arn:
            return state.target_key(target["ResourceId"], target["ScalableDimension"]), target
    raise ObjectNotFound(f"No scalable target found for ARN {arn}")


def tag_resource(engine: Engine, req: dict) -> dict:
    key, target = _target_by_arn(engine, req["ResourceARN"])
    target["Tags"] = {**target.get("Tags", {}), **req.get("Tags", {})}
    state.put(engine, "target", key, target)
    return {}


def untag_resource(engine: Engine, req: dict) -> dict:
    key, target = _target_by_arn(engine, req["ResourceARN"])
    target["Tags"] = {k: v for k, v in target.get("Tags", {}).items() if k not in set(req.get("TagKeys", []))}
    state.put(engine, "target", key, target)
    return {}


def list_tags_for_resource(engine: Engine, req: dict) -> dict:
    return {"Tags": _target_by_arn(engine, req["ResourceARN"])[1].get("Tags", {})}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
    "RegisterScalableTarget": register_scalable_target,
    "DescribeScalableTargets": describe_scalable_targets,
    "DeregisterScalableTarget": deregister_scalable_target,
    "PutScalingPolicy": put_scaling_policy,
    "DescribeScalingPolicies": describe_scaling_policies,
    "DeleteScalingPolicy": delete_scaling_policy,
    "DescribeScalingActivities": describe_scaling_activities,
}
