"""AWS/DynamoDB metrics through the CloudWatch API: exact sums of a known workload."""
from __future__ import annotations

import pytest
from botocore.config import Config

from tests.capacity.conftest import moment
from tests.capacity.helpers import code_of, error_of, item_of_units, provisioned_table

NS = "AWS/DynamoDB"


def table_dims(table, **extra):
    return [{"Name": "TableName", "Value": table}] + [{"Name": k, "Value": v} for k, v in extra.items()]


def statistics(cloudwatch, metric, dims, start, end, period=60, stats=("Sum", "SampleCount")):
    out = cloudwatch.get_metric_statistics(Namespace=NS, MetricName=metric, Dimensions=dims,
                                           StartTime=moment(start), EndTime=moment(end), Period=period,
                                           Statistics=list(stats))
    return sorted(out["Datapoints"], key=lambda d: d["Timestamp"])


def test_get_metric_statistics_returns_the_exact_capacity_of_a_known_workload(ddb, backend, cloudwatch, table_name):
    start = backend.advance(60 - backend.advance(0) % 60)  # on a minute boundary
    provisioned_table(ddb, table_name, rcu=1000, wcu=1000, gsi=("ByG", 1000, 1000))
    for i in range(10):  # 10 puts x 3 KB: 3 units each on the table, 4 on the GSI (entry + 100 bytes)
        ddb.put_item(TableName=table_name, Item=item_of_units(f"k{i}", 3, g={"S": "v"}))
    for i in range(5):  # strongly consistent 3 KB reads: 1 unit each
        ddb.get_item(TableName=table_name, Key={"pk": {"S": f"k{i}"}}, ConsistentRead=True)
    backend.advance(60)
    for i in range(4):  # eventually consistent: half a unit each, in the second minute
        ddb.get_item(TableName=table_name, Key={"pk": {"S": f"k{i}"}})
    ddb.query(TableName=table_name, IndexName="ByG", KeyConditionExpression="g = :g",
              ExpressionAttributeValues={":g": {"S": "v"}})  # 10 x 3 KB entries: ceil(30.9 KB/4 KB)/2 = 4
    end = backend.advance(60)

    writes = statistics(cloudwatch, "ConsumedWriteCapacityUnits", table_dims(table_name), start, end)
    assert [(d["Sum"], d["SampleCount"]) for d in writes] == [(30.0, 10.0)]
    assert writes[0]["Timestamp"] == moment(start)
    index_writes = statistics(cloudwatch, "ConsumedWriteCapacityUnits", table_dims(
        table_name, GlobalSecondaryIndexName="ByG"), start, end)
    assert [d["Sum"] for d in index_writes] == [40.0]
    reads = statistics(cloudwatch, "ConsumedReadCapacityUnits", table_dims(table_name), start, end)
    assert [(d["Sum"], d["SampleCount"]) for d in reads] == [(5.0, 5.0), (2.0, 4.0)]
    whole = statistics(cloudwatch, "ConsumedReadCapacityUnits", table_dims(table_name), start, end, period=300,
                       stats=("Sum", "Average", "Minimum", "Maximum"))
    assert [(d["Sum"], d["Minimum"], d["Maximum"]) for d in whole] == [(7.0, 0.5, 1.0)]
    index_reads = statistics(cloudwatch, "ConsumedReadCapacityUnits", table_dims(
        table_name, GlobalSecondaryIndexName="ByG"), start, end)
    assert [d["Sum"] for d in index_reads] == [4.0]
    returned = statistics(cloudwatch, "ReturnedItemCount", table_dims(table_name, Operation="Query"), start, end)
    assert [d["Sum"] for d in returned] == [10.0]
    latency = statistics(cloudwatch, "SuccessfulRequestLatency", table_dims(table_name, Operation="GetItem"),
                         start, end, period=300)
    assert latency[0]["SampleCount"] == 9.0 and latency[0]["Unit"] == "Milliseconds"
    provisioned = statistics(cloudwatch, "ProvisionedWriteCapacityUnits", table_dims(table_name), start, end,
                             stats=("Maximum",))
    assert provisioned and all(d["Maximum"] == 1000.0 for d in provisioned)


def test_get_metric_data_and_list_metrics(ddb, backend, cloudwatch, table_name):
    start = backend.advance(0)
    provisioned_table(ddb, table_name, rcu=100, wcu=100)
    for i in range(3):
        ddb.put_item(TableName=table_name, Item=item_of_units(f"k{i}", 2))
    end = backend.advance(60)
    query = {"Id": "w", "MetricStat": {"Metric": {"Namespace": NS, "MetricName": "ConsumedWriteCapacityUnits",
                                                  "Dimensions": table_dims(table_name)},
                                       "Period": 60, "Stat": "Sum"}}
    result = cloudwatch.get_metric_data(MetricDataQueries=[query], StartTime=moment(start - 60),
                                        EndTime=moment(end))["MetricDataResults"][0]
    assert result["Id"] == "w" and result["StatusCode"] == "Complete" and result["Values"] == [6.0]
    names = {m["MetricName"] for m in cloudwatch.list_metrics(
        Namespace=NS, Dimensions=[{"Name": "TableName", "Value": table_name}])["Metrics"]}
    assert {"ConsumedWriteCapacityUnits", "SuccessfulRequestLatency", "ProvisionedReadCapacityUnits"} <= names
    assert "ConsumedReadCapacityUnits" not in names


def test_throttles_errors_and_failed_conditions_are_counted(backend, cloudwatch, table_name):
    ddb = backend.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    start = backend.advance(0)
    provisioned_table(ddb, table_name, rcu=1, wcu=1)
    ddb.put_item(TableName=table_name, Item=item_of_units("drain", 300))
    for _ in range(3):
        assert code_of(ddb.put_item, TableName=table_name,
                       Item={"pk": {"S": "x"}}) == "ProvisionedThroughputExceededException"
    backend.advance(10)
    assert code_of(ddb.put_item, TableName=table_name, Item={"pk": {"S": "drain"}},
                   ConditionExpression="attribute_not_exists(pk)") == "ConditionalCheckFailedException"
    end = backend.advance(60)
    throttled = statistics(cloudwatch, "ThrottledRequests", table_dims(table_name, Operation="PutItem"), start, end,
                           period=300)
    assert throttled[0]["Sum"] == 3.0
    events = statistics(cloudwatch, "WriteThrottleEvents", table_dims(table_name), start, end, period=300)
    assert events[0]["Sum"] == 3.0
    failed = statistics(cloudwatch, "ConditionalCheckFailedRequests", table_dims(table_name), start, end, period=300)
    assert failed[0]["Sum"] == 1.0


def test_cloudwatch_errors_use_the_query_codes(cloudwatch, backend):
    now = backend.advance(0)
    error = error_of(cloudwatch.get_metric_statistics, Namespace=NS, MetricName="X", StartTime=moment(now),
                     EndTime=moment(now - 60), Period=60, Statistics=["Sum"])
    assert error["Error"]["Code"] == "InvalidParameterValue"
    assert error["Error"]["Message"] == "The parameter StartTime must be less than the parameter EndTime."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = error_of(cloudwatch.get_metric_statistics, Namespace=NS, MetricName="X", StartTime=moment(now - 86400 * 2),
                     EndTime=moment(now), Period=60, Statistics=["Sum"])
    assert error["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(cloudwatch.exceptions.InvalidParameterValueException):
        cloudwatch.put_metric_data(Namespace="AWS/Mine", MetricData=[{"MetricName": "m", "Value": 1.0}])


def test_put_metric_data_round_trips(cloudwatch, backend, table_name):
    now = backend.advance(0)
    namespace = f"Jobs/{table_name}"  # the HTTP server is shared: one namespace per test run
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Done", "Value": 2.0, "Unit": "Count", "Timestamp": moment(now)},
        {"MetricName": "Done", "Values": [1.0, 5.0], "Counts": [2.0, 1.0], "Unit": "Count", "Timestamp": moment(now)},
        {"MetricName": "Done", "StatisticValues": {"SampleCount": 2, "Sum": 10, "Minimum": 4, "Maximum": 6},
         "Unit": "Count", "Timestamp": moment(now)}])
    points = cloudwatch.get_metric_statistics(Namespace=namespace, MetricName="Done", StartTime=moment(now - 60),
                                              EndTime=moment(now + 60), Period=120,
                                              Statistics=["Sum", "SampleCount", "Minimum", "Maximum"])["Datapoints"]
    assert [(p["Sum"], p["SampleCount"], p["Minimum"], p["Maximum"]) for p in points] == [(19.0, 6.0, 1.0, 6.0)]


def test_history_is_bounded_by_the_retention_window(backend, cloudwatch, ddb, table_name):
    if backend.name != "inprocess":
        pytest.skip("the retention is a server start option; the engine is reached in-process")
    backend.engine.metrics.retention_seconds = 3600  # what `serve --metrics-retention-hours 1` sets
    start = backend.advance(0)
    provisioned_table(ddb, table_name, rcu=10, wcu=10)
    ddb.put_item(TableName=table_name, Item=item_of_units("k", 1))
    assert statistics(cloudwatch, "ConsumedWriteCapacityUnits", table_dims(table_name), start - 60, start + 60)
    end = backend.advance(3 * 3600)
    assert statistics(cloudwatch, "ConsumedWriteCapacityUnits", table_dims(table_name), start - 60, end) == []


def test_ttl_deletions_are_counted_from_the_change_log(ddb, backend, cloudwatch, table_name):
    provisioned_table(ddb, table_name, rcu=100, wcu=100)
    ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    start = backend.advance(0)
    for i in range(3):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"old{i}"}, "ttl": {"N": str(int(start) - 10)}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "kept"}, "ttl": {"N": str(int(start) + 86400)}})
    end = backend.advance(180)
    assert ddb.scan(TableName=table_name, Select="COUNT")["Count"] == 1
    deleted = statistics(cloudwatch, "TimeToLiveDeletedItemCount", table_dims(table_name), start - 60, end + 60,
                         period=300)
    assert [d["Sum"] for d in deleted] == [3.0]
