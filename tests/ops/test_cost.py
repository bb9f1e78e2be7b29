"""The cost estimate for a known workload equals the hand computation (docs/cost.md)."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from jobtable.ops.cost import ResourceUsage, Usage, estimate_cost
from jobtable.ops.prices import prices_for

GIB = 1 << 30

# One day: 12 busy hours (reads 100/s, writes 50/s) and 12 quiet hours (reads 10/s, no writes),
# on the table; the GSI takes half the writes. 2 GiB table + 1 GiB index, 1M items each,
# PITR on, 3 GiB of backups, 240,000 stream GetRecords calls.
BUSY, QUIET = 12, 12
WORKLOAD = Usage(
    table_name="CloudToolsJobs", hours=24,
    resources=[ResourceUsage("table", [360_000.0] * BUSY + [36_000.0] * QUIET, [180_000.0] * BUSY + [0.0] * QUIET),
               ResourceUsage("StatusIndex", [0.0] * 24, [90_000.0] * BUSY + [0.0] * QUIET)],
    table_bytes=2 * GIB, table_items=1_000_000, index_bytes=1 * GIB, index_items=1_000_000,
    backup_bytes=3 * GIB, pitr_enabled=True, stream_read_requests=240_000)


def test_known_workload_matches_the_hand_computation() -> None:
    estimate = estimate_cost(WORKLOAD, prices_for("us-east-1"), 0.70)
    month = 730 / 24  # the measured day scaled to AWS's 730-hour month
    # On demand: 4,752,000 read units and 3,240,000 write units a day.
    assert estimate.on_demand.reads == pytest.approx(4_752_000 * month * 0.125 / 1e6)      # $18.0675
    assert estimate.on_demand.writes == pytest.approx(3_240_000 * month * 0.625 / 1e6)     # $61.59375
    # Provisioned at 70 %: reads need ceil(100/.7)=143 for 12 busy hours (held one more hour while
    # scaling in) and ceil(10/.7)=15 (the minimum) for the other 11: 13*143 + 11*15 = 2024 RCU-hours.
    # Table writes need ceil(50/.7)=72 or the minimum 1: 13*72 + 11 = 947 WCU-hours; the GSI's
    # ceil(25/.7)=36 or 1: 13*36 + 11 = 479. The GSI has no reads: its minimum, 1 RCU, all month.
    assert estimate.provisioned.reads == pytest.approx((2024 / 24 + 1) * 730 * 0.00013)     # $8.0981
    assert estimate.provisioned.writes == pytest.approx((947 + 479) / 24 * 730 * 0.00065)   # $28.1951
    # Storage: 3 GiB + 100 B x 2M items; PITR: 2 GiB + 100 B x 1M; backups 3 GiB; streams 240k/day.
    assert estimate.on_demand.storage == pytest.approx((3 * GIB + 200_000_000) / GIB * 0.25)
    assert estimate.on_demand.pitr == pytest.approx((2 * GIB + 100_000_000) / GIB * 0.20)
    assert estimate.on_demand.backups == pytest.approx(3 * 0.10)
    assert estimate.on_demand.streams == pytest.approx(240_000 * month / 100_000 * 0.02)   # $1.46
    assert estimate.provisioned.storage == estimate.on_demand.storage
    # $36.29 vs $79.66: provisioned wins by far more than the 15 % margin.
    assert estimate.recommended_mode == "PROVISIONED"
    table_reads = estimate.provisioned.capacity["table"]["read"]
    assert (table_reads.minimum, table_reads.maximum, table_reads.target_utilization) == (15, 286, 0.70)


def test_spiky_traffic_recommends_on_demand() -> None:
    # One hour of 1,000 writes/s in a week, nothing otherwise.
    spiky = Usage("t", 168, [ResourceUsage("table", [0.0] * 168, [3_600_000.0] + [0.0] * 167)])
    estimate = estimate_cost(spiky, prices_for("us-east-1"))
    assert estimate.on_demand.writes == pytest.approx(3_600_000 * 730 / 168 * 0.625 / 1e6)  # $9.78
    # Provisioned: 1429 WCU for the spike and the hour after, the minimum 1 WCU the other 166 hours.
    assert estimate.provisioned.writes == pytest.approx((2 * 1429 + 166) / 168 * 730 * 0.00065)
    # Cheaper on paper ($8.54 vs $9.78), but a 168x spike is not what auto scaling can follow.
    assert estimate.recommended_mode == "PAY_PER_REQUEST" and "168x" in estimate.reason


def test_price_overrides_and_unknown_regions(tmp_path: Any) -> None:
    toml = tmp_path / "prices.toml"
    toml.write_text('storage_gb_month = 0.5\n[eu-west-1]\nas_of = "2025-02 quote"\n'
                    'write_request_per_million = 0.7\nread_request_per_million = 0.14\nwcu_hour = 0.0007\n'
                    'rcu_hour = 0.00014\npitr_gb_month = 0.22\nbackup_gb_month = 0.11\nstream_read_per_100k = 0.022\n')
    assert prices_for("us-east-1", str(toml)).storage_gb_month == 0.5
    eu = prices_for("eu-west-1", str(toml))
    assert (eu.storage_gb_month, eu.wcu_hour, eu.as_of) == (0.5, 0.0007, "2025-02 quote")
    with pytest.raises(ValueError, match="no built-in DynamoDB prices for ap-south-1"):
        prices_for("ap-south-1")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"storage_per_gb": 1}))
    with pytest.raises(ValueError, match="unknown price names"):
        prices_for("us-east-1", str(bad))


def test_cli_estimates_from_a_usage_file(tmp_path: Any) -> None:
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(WORKLOAD.as_dict()))
    result = subprocess.run([sys.executable, "-m", "jobtable.cli.main", "cost", "CloudToolsJobs", "--usage", str(path),
                             "-o", "json"], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    report = json.loads(result.stdout)
    assert report["recommended_mode"] == "PROVISIONED"
    assert report["PAY_PER_REQUEST"]["writes"] == pytest.approx(61.59375, abs=1e-4)


def test_usage_is_measured_from_cloudwatch_hourly_sums(backend: Any, table_name: str) -> None:
    """collect_usage asks CloudWatch for the table's and each GSI's hourly sums (stubbed here:
    the request shapes are checked against botocore's CloudWatch model) and DynamoDB for sizes."""
    import datetime as dt

    import boto3
    from botocore.stub import ANY, Stubber

    from jobtable.ops.usage import collect_usage
    from tests.conftest import job_table_spec

    ddb = backend.client("dynamodb")
    ddb.create_table(**job_table_spec(table_name))
    backend.settle()
    ddb.put_item(TableName=table_name, Item={"jobId": {"S": "j1"}, "status": {"S": "PENDING"},
                                            "userId": {"S": "u"}, "createdAt": {"S": "2026-01-01"}})
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    end = dt.datetime(2026, 9, 21, 12, 0, tzinfo=dt.timezone.utc)
    start = end - dt.timedelta(hours=3)
    description = ddb.describe_table(TableName=table_name)["Table"]
    resources = ["table"] + [i["IndexName"] for i in description["GlobalSecondaryIndexes"]]
    with Stubber(cloudwatch) as stub:
        for n, _ in enumerate(resources):
            for metric, value in (("ConsumedReadCapacityUnits", 100.0 * (n + 1)), ("ConsumedWriteCapacityUnits", 7.0)):
                stub.add_response("get_metric_statistics", {"Datapoints": [
                    {"Timestamp": start + dt.timedelta(hours=1, minutes=0), "Sum": value, "Unit": "Count"},
                    {"Timestamp": start + dt.timedelta(hours=2), "Sum": value, "Unit": "Count"}]},
                    {"Namespace": "AWS/DynamoDB", "MetricName": metric, "Dimensions": ANY, "StartTime": start,
                     "EndTime": end, "Period": 3600, "Statistics": ["Sum"]})
        if description.get("LatestStreamLabel"):
            stub.add_response("get_metric_statistics", {"Datapoints": [
                {"Timestamp": start, "SampleCount": 1200.0, "Unit": "Milliseconds"}]},
                {"Namespace": "AWS/DynamoDB", "MetricName": "SuccessfulRequestLatency", "StartTime": start,
                 "EndTime": end, "Period": 3600, "Statistics": ["SampleCount"],
                 "Dimensions": [{"Name": "TableName", "Value": table_name}, {"Name": "Operation", "Value": "GetRecords"},
                                {"Name": "StreamLabel", "Value": description["LatestStreamLabel"]}]})
        usage = collect_usage(ddb, cloudwatch, table_name, days=3 / 24, end=end + dt.timedelta(minutes=20))
    assert [r.name for r in usage.resources] == resources
    assert usage.stream_read_requests == (1200.0 if description.get("LatestStreamLabel") else 0.0)
    assert usage.resources[0].hourly_read_units == [0.0, 100.0, 100.0]
    assert usage.resources[1].hourly_read_units == [0.0, 200.0, 200.0]
    assert usage.resources[0].hourly_write_units == [0.0, 7.0, 7.0]
    assert usage.hours == 3 and usage.table_items == 1 and usage.table_bytes > 0
    assert usage.billing_mode in ("PAY_PER_REQUEST", "PROVISIONED")


def test_usage_from_the_endpoints_own_cloudwatch_metrics(backend: Any, table_name: str) -> None:
    """Against jobtable itself: 40 writes of small items = 40 write units in the measured hour."""
    import datetime as dt

    from jobtable.ops.usage import collect_usage

    ddb = backend.client("dynamodb")
    ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    backend.settle()
    for n in range(40):
        ddb.put_item(TableName=table_name, Item={"id": {"S": f"k{n}"}})
    now = backend.advance(3600)
    end = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    usage = collect_usage(ddb, backend.client("cloudwatch"), table_name, days=2 / 24, end=end)
    (table,) = usage.resources
    assert sum(table.hourly_write_units) == 40.0 and usage.table_items == 40
