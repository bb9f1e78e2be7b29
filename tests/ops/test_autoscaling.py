"""Application Auto Scaling for DynamoDB: the API, the target tracking decision, the live scaler."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from jobtable.api.autoscaling.decision import TrackingState, decide
from tests.conftest import START_TIME, ServerProcess

from .helpers import FAST

TABLE_WRITE = "dynamodb:table:WriteCapacityUnits"


def provisioned_table(ddb: Any, name: str, rcu: int = 5, wcu: int = 5) -> None:
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu},
                     GlobalSecondaryIndexes=[{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "KEYS_ONLY"},
                                              "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}])


def write_tracking(aas: Any, table: str, minimum: int = 5, maximum: int = 100, target: float = 50.0,
                   **config: Any) -> str:
    aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table}",
                                 ScalableDimension=TABLE_WRITE, MinCapacity=minimum, MaxCapacity=maximum)
    return aas.put_scaling_policy(
        PolicyName=f"{table}-writes", ServiceNamespace="dynamodb", ResourceId=f"table/{table}",
        ScalableDimension=TABLE_WRITE, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": target, **config,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}})["PolicyARN"]


# -- the decision, as a pure function ------------------------------------------------------
STATE = TrackingState(provisioned=10, minimum=5, maximum=100, target_percent=50.0)


def test_scale_out_needs_two_minutes_above_the_target() -> None:
    assert decide([1.0, 6.0], 0, STATE).capacity is None            # one minute above (60 %) is not enough
    assert decide([6.0, 7.0], 0, STATE).capacity == 14              # ceil(7 / 0.5)
    assert decide([6.0, 700.0], 0, STATE).capacity == 100           # capped at MaxCapacity


def test_scale_in_needs_fifteen_minutes_below_target_minus_twenty() -> None:
    quiet = [1.0] * 15                                              # 10 % < 30 %
    assert decide(quiet[1:], 0, STATE).capacity is None             # 14 minutes are not enough
    assert decide(quiet, 0, STATE).capacity == 5                    # ceil(1 / 0.5) = 2 -> MinCapacity 5
    assert decide([1.0] * 14 + [3.5], 0, STATE).capacity is None    # 35 % breaks the streak
    assert decide(quiet, 0, TrackingState(**{**STATE.__dict__, "disable_scale_in": True})).capacity is None


def test_cooldowns() -> None:
    cooling = TrackingState(**{**STATE.__dict__, "scale_out_cooldown": 300, "last_scale_out": 1000.0,
                               "scale_in_cooldown": 600, "last_scale_in": 1000.0})
    assert decide([6.0, 7.0], 1200, cooling).capacity is None
    assert decide([6.0, 7.0], 1300, cooling).capacity == 14
    assert decide([1.0] * 15, 1500, cooling).capacity is None
    assert decide([1.0] * 15, 1600, cooling).capacity == 5


# -- the API -------------------------------------------------------------------------------
def test_targets_and_policies_round_trip(backend: Any, table_name: str) -> None:
    ddb, aas = backend.client("dynamodb"), backend.client("application-autoscaling")
    provisioned_table(ddb, table_name)
    arn = write_tracking(aas, table_name, ScaleInCooldown=60)
    aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}/index/ByG",
                                 ScalableDimension="dynamodb:index:ReadCapacityUnits", MinCapacity=1, MaxCapacity=9)
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb",
                                            ResourceIds=[f"table/{table_name}"])["ScalableTargets"]
    assert [(t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [(TABLE_WRITE, 5, 100)]
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}")
    (policy,) = policies["ScalingPolicies"]
    assert policy["PolicyARN"] == arn and policy["TargetTrackingScalingPolicyConfiguration"]["ScaleInCooldown"] == 60
    aas.delete_scaling_policy(PolicyName=f"{table_name}-writes", ServiceNamespace="dynamodb",
                              ResourceId=f"table/{table_name}", ScalableDimension=TABLE_WRITE)
    aas.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                                   ScalableDimension=TABLE_WRITE)
    with pytest.raises(ClientError) as missing:
        aas.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                                       ScalableDimension=TABLE_WRITE)
    assert missing.value.response["Error"]["Code"] == "ObjectNotFoundException"
    assert "No scalable target registered" in missing.value.response["Error"]["Message"]


def test_validation_errors(backend: Any, table_name: str) -> None:
    ddb, aas = backend.client("dynamodb"), backend.client("application-autoscaling")
    provisioned_table(ddb, table_name)
    with pytest.raises(ClientError, match="does not exist"):
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/nope",
                                     ScalableDimension=TABLE_WRITE, MinCapacity=1, MaxCapacity=2)
    with pytest.raises(ClientError, match="ObjectNotFoundException"):
        aas.put_scaling_policy(PolicyName="p", ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                               ScalableDimension=TABLE_WRITE, PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0})
    aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                                 ScalableDimension=TABLE_WRITE, MinCapacity=1, MaxCapacity=2)
    with pytest.raises(ClientError, match="DynamoDBWriteCapacityUtilization"):
        aas.put_scaling_policy(PolicyName="p", ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                               ScalableDimension=TABLE_WRITE, PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={
                                   "TargetValue": 50.0, "PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})


# -- the live scaler -----------------------------------------------------------------------
def _load_one_minute(ddb: Any, table: str, writes: int, minute: int) -> None:
    for n in range(writes):
        ddb.put_item(TableName=table, Item={"id": {"S": f"m{minute}-{n}"}, "g": {"S": "x"}})


def test_a_loaded_table_scales_out_within_two_minutes_and_back_in_after_load_stops() -> None:
    from jobtable.clock import ManualClock
    from jobtable.engine.engine import Engine
    from jobtable.inprocess import client

    engine = Engine(None, clock=ManualClock(START_TIME - START_TIME % 60), throttling=False)
    try:
        ddb, aas = client(engine=engine, config=FAST), client("application-autoscaling", engine=engine)
        provisioned_table(ddb, "loaded", wcu=5)
        engine.run_background_until_idle()
        write_tracking(aas, "loaded", minimum=5, maximum=50, target=50.0)

        def minute(writes: int) -> int:
            _load_one_minute(ddb, "loaded", writes, int(engine.clock.now()))
            engine.clock.advance(60)
            engine.run_background_until_idle()
            return ddb.describe_table(TableName="loaded")["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"]

        # 360 writes a minute = 6 WCU/s = 120 % of 5 WCU: above the 50 % target.
        assert minute(360) == 5          # one minute above the target: no change yet
        assert minute(360) == 12         # two consecutive minutes: ceil(6 / 0.5) = 12
        activities = aas.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"]
        assert activities[0]["StatusCode"] == "Successful"
        assert activities[0]["Description"] == "Setting write capacity units to 12."
        quiet = [minute(0) for _ in range(15)]
        assert quiet[:14] == [12] * 14 and quiet[14] == 5   # 15 quiet minutes, then back to the minimum
        latest = aas.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"][0]
        assert latest["Description"] == "Setting write capacity units to 5." and "AlarmLow" in latest["Cause"]
    finally:
        engine.close()


def test_targets_survive_a_restart(tmp_path: Any) -> None:
    data = str(tmp_path / "data")
    server = ServerProcess(data_dir=data).start()
    try:
        ddb = server.client()
        provisioned_table(ddb, "durable")
        write_tracking(server.client("application-autoscaling"), "durable")
    finally:
        server.stop()
    server = ServerProcess(data_dir=data).start()
    try:
        aas = server.client("application-autoscaling")
        (target,) = aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
        assert target["ResourceId"] == "table/durable" and target["MaxCapacity"] == 100
        assert len(aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]) == 1
    finally:
        server.stop()


def test_target_tags(backend: Any, table_name: str) -> None:
    ddb, aas = backend.client("dynamodb"), backend.client("application-autoscaling")
    provisioned_table(ddb, table_name)
    arn = aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{table_name}",
                                       ScalableDimension=TABLE_WRITE, MinCapacity=1, MaxCapacity=3,
                                       Tags={"team": "jobs"})["ScalableTargetARN"]
    aas.tag_resource(ResourceARN=arn, Tags={"env": "dev"})
    aas.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "dev"}
