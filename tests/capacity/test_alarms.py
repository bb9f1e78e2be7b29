"""Metric alarms evaluated on the manual clock: ThrottledRequests goes to ALARM and back to OK."""
from __future__ import annotations

import json

from botocore.config import Config

from tests.capacity.helpers import error_of, item_of_units, provisioned_table


def alarm_state(cloudwatch, name):
    alarms = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert len(alarms) == 1
    return alarms[0]


def throttle_alarm(cloudwatch, name, table, **extra):
    spec = dict(AlarmName=name, Namespace="AWS/DynamoDB", MetricName="ThrottledRequests",
                Dimensions=[{"Name": "TableName", "Value": table}, {"Name": "Operation", "Value": "PutItem"}],
                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                ComparisonOperator="GreaterThanOrEqualToThreshold",
                AlarmActions=["arn:aws:sns:us-east-1:000000000000:ops"])
    cloudwatch.put_metric_alarm(**{**spec, **extra})


def test_throttled_requests_alarm_goes_to_alarm_and_back_to_ok(backend, cloudwatch, table_name):
    ddb = backend.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    provisioned_table(ddb, table_name, rcu=1, wcu=1)
    name = f"{table_name}-throttled"
    throttle_alarm(cloudwatch, name, table_name, TreatMissingData="notBreaching",
                   Tags=[{"Key": "team", "Value": "jobs"}])
    created = alarm_state(cloudwatch, name)
    if created["StateValue"] == "INSUFFICIENT_DATA":  # a live server's background pass may have evaluated it
        assert created["StateReason"] == "Unchecked: Initial alarm creation"
    assert created["AlarmArn"].endswith(f":alarm:{name}") and created["AlarmActions"][0].endswith(":ops")
    backend.advance(0)
    assert alarm_state(cloudwatch, name)["StateValue"] == "OK"  # no throttles, missing data is not breaching

    backend.advance(60 - backend.advance(0) % 60 + 1)  # early in a fresh minute
    ddb.put_item(TableName=table_name, Item=item_of_units("drain", 300))
    for key in ("a", "b"):
        assert error_of(ddb.put_item, TableName=table_name,
                        Item={"pk": {"S": key}})["Error"]["Code"] == "ProvisionedThroughputExceededException"
    backend.advance(60)
    alarmed = alarm_state(cloudwatch, name)
    assert alarmed["StateValue"] == "ALARM"
    assert alarmed["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [2.0 (")
    assert alarmed["StateReason"].endswith("was greater than or equal to the threshold (1.0) (minimum 1 datapoint "
                                           "for OK -> ALARM transition).")
    assert json.loads(alarmed["StateReasonData"])["recentDatapoints"] == [2.0]
    assert cloudwatch.describe_alarms(StateValue="ALARM", AlarmNamePrefix=table_name)["MetricAlarms"][0][
        "AlarmName"] == name

    backend.advance(60)  # a minute without throttles
    recovered = alarm_state(cloudwatch, name)
    assert recovered["StateValue"] == "OK"
    assert recovered["StateReason"] == ("Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                        "datapoint was treated as [NonBreaching].")
    assert cloudwatch.list_tags_for_resource(ResourceARN=recovered["AlarmArn"])["Tags"] == [
        {"Key": "team", "Value": "jobs"}]


def test_missing_data_means_insufficient_data_by_default(backend, cloudwatch, table_name):
    name = f"{table_name}-default"
    throttle_alarm(cloudwatch, name, table_name, EvaluationPeriods=3, DatapointsToAlarm=2)
    backend.advance(60)
    alarm = alarm_state(cloudwatch, name)
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Insufficient Data: 3 datapoints were unknown."
    assert alarm["DatapointsToAlarm"] == 2 and alarm["EvaluationPeriods"] == 3


def test_alarm_validation_tags_and_delete(backend, cloudwatch, table_name):
    name = f"{table_name}-bad"
    error = error_of(throttle_alarm, cloudwatch, name, table_name, DatapointsToAlarm=5)
    assert error["Error"]["Code"] == "ValidationError"
    error = error_of(cloudwatch.put_metric_alarm, AlarmName=name, Namespace="AWS/DynamoDB", MetricName="X",
                     Statistic="Sum", Period=45, EvaluationPeriods=1, Threshold=1.0,
                     ComparisonOperator="GreaterThanThreshold")
    assert error["Error"]["Code"] == "InvalidParameterValue"
    throttle_alarm(cloudwatch, name, table_name)
    arn = alarm_state(cloudwatch, name)["AlarmArn"]
    cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert error_of(cloudwatch.delete_alarms, AlarmNames=[name, name + "-nope"])["Error"]["Code"] == "ResourceNotFound"
    cloudwatch.delete_alarms(AlarmNames=[name])
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []
    assert error_of(cloudwatch.list_tags_for_resource, ResourceARN=arn)["Error"]["Code"] == "ResourceNotFoundException"
