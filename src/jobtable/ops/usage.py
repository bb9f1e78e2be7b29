"""Measure a table's usage through the AWS APIs, for the cost estimate.

Consumed read/write units per hour come from CloudWatch (AWS/DynamoDB
ConsumedRead/WriteCapacityUnits, Sum over 3600-second periods) for the table and each
GSI; sizes from DescribeTable; backups from ListBackups; PITR from
DescribeContinuousBackups; stream reads from the GetRecords request count
(SuccessfulRequestLatency SampleCount). Works the same against AWS and jobtable.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from botocore.exceptions import ClientError

from jobtable.ops.cost import ResourceUsage, Usage

NAMESPACE = "AWS/DynamoDB"
HOUR = 3600


def _hour_floor(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hourly_sums(cloudwatch: Any, metric: str, dimensions: dict[str, str], start: dt.datetime, hours: int,
                statistic: str = "Sum") -> list[float]:
    """One value per hour of the window (0 for hours without data)."""
    response = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName=metric, Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=start, EndTime=start + dt.timedelta(hours=hours), Period=HOUR, Statistics=[statistic])
    series = [0.0] * hours
    for point in response.get("Datapoints", []):
        index = math.floor((point["Timestamp"] - start).total_seconds() / HOUR)
        if 0 <= index < hours:
            series[index] += float(point[statistic])
    return series


def _backup_bytes(dynamodb: Any, table: str) -> int:
    total, params = 0, {"TableName": table}
    while True:
        page = dynamodb.list_backups(**params)
        total += sum(int(b.get("BackupSizeBytes", 0)) for b in page.get("BackupSummaries", [])
                     if b.get("BackupStatus") == "AVAILABLE")
        if not page.get("LastEvaluatedBackupArn"):
            return total
        params["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]


def _pitr_enabled(dynamodb: Any, table: str) -> bool:
    description = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    return description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"


def _optional(call: Any, default: Any) -> Any:
    """Backups and PITR are optional features of DynamoDB-compatible endpoints."""
    try:
        return call()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("UnknownOperationException", "UnrecognizedClientException"):
            return default
        raise


def collect_usage(dynamodb: Any, cloudwatch: Any, table: str, days: float = 30,
                  end: dt.datetime | None = None) -> Usage:
    """Measure the last `days` (whole hours, ending at the start of the current hour)."""
    hours = max(1, int(days * 24))
    end = _hour_floor(end or dt.datetime.now(dt.timezone.utc))
    start = end - dt.timedelta(hours=hours)
    description = dynamodb.describe_table(TableName=table)["Table"]
    resources = []
    targets = [("table", {"TableName": table})] + [
        (gsi["IndexName"], {"TableName": table, "GlobalSecondaryIndexName": gsi["IndexName"]})
        for gsi in description.get("GlobalSecondaryIndexes", [])]
    for name, dims in targets:
        resources.append(ResourceUsage(name, hourly_sums(cloudwatch, "ConsumedReadCapacityUnits", dims, start, hours),
                                       hourly_sums(cloudwatch, "ConsumedWriteCapacityUnits", dims, start, hours)))
    stream_reads = 0.0
    if description.get("LatestStreamLabel"):
        dims = {"TableName": table, "Operation": "GetRecords", "StreamLabel": description["LatestStreamLabel"]}
        stream_reads = sum(hourly_sums(cloudwatch, "SuccessfulRequestLatency", dims, start, hours, "SampleCount"))
    indexes = description.get("GlobalSecondaryIndexes", []) + description.get("LocalSecondaryIndexes", [])
    return Usage(
        table_name=table, hours=hours, resources=resources,
        table_bytes=int(description.get("TableSizeBytes", 0)), table_items=int(description.get("ItemCount", 0)),
        index_bytes=sum(int(i.get("IndexSizeBytes", 0)) for i in indexes),
        index_items=sum(int(i.get("ItemCount", 0)) for i in indexes),
        backup_bytes=_optional(lambda: _backup_bytes(dynamodb, table), 0),
        pitr_enabled=_optional(lambda: _pitr_enabled(dynamodb, table), False),
        stream_read_requests=stream_reads,
        billing_mode=description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"))
