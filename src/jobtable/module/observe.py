"""Read a table's configuration back from any DynamoDB endpoint into `TableSettings`."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from jobtable.module.state import IndexSettings, TableSettings

# What an endpoint answers when it has no such operation: jobtable/AWS use
# UnknownOperationException; other emulators vary.
UNSUPPORTED_ERRORS = {"UnknownOperationException", "NotImplemented", "InvalidAction"}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_unsupported(exc: ClientError) -> bool:
    """Whether the endpoint failed because it lacks the operation (not because of our request)."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error_code(exc)
    # A bare status code means the body was no DynamoDB error at all (e.g. an HTML 500).
    return code in UNSUPPORTED_ERRORS or code.isdigit() or status in (404, 501)


def describe_table(client: Any, table_name: str) -> dict[str, Any] | None:
    """DescribeTable's `Table`, or None when the table does not exist."""
    try:
        return client.describe_table(TableName=table_name)["Table"]
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def list_tags(client: Any, table_arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    kwargs: dict[str, Any] = {"ResourceArn": table_arn}
    while True:
        page = client.list_tags_of_resource(**kwargs)
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        if not page.get("NextToken"):
            return tags
        kwargs["NextToken"] = page["NextToken"]


def contributor_insights_enabled(client: Any, table_name: str) -> bool | None:
    """True/False, or None when the endpoint does not implement Contributor Insights."""
    try:
        status = client.describe_contributor_insights(TableName=table_name).get("ContributorInsightsStatus")
    except ClientError as exc:
        if is_unsupported(exc):
            return None
        raise
    return status in ("ENABLED", "ENABLING")


def _throughput(described: dict[str, Any] | None, on_demand: bool) -> tuple[int | None, int | None]:
    if on_demand or not described:
        return None, None
    return described.get("ReadCapacityUnits"), described.get("WriteCapacityUnits")


def settings_from_description(table: dict[str, Any]) -> TableSettings:
    """The DescribeTable part of the settings; TTL/PITR/tags/insights are filled by `observe`."""
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    on_demand = billing == "PAY_PER_REQUEST"
    read, write = _throughput(table.get("ProvisionedThroughput"), on_demand)
    indexes = {}
    for gsi in table.get("GlobalSecondaryIndexes", []):
        keys = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
        gsi_read, gsi_write = _throughput(gsi.get("ProvisionedThroughput"), on_demand)
        indexes[gsi["IndexName"]] = IndexSettings(
            partition_key=keys.get("HASH", ""),
            sort_key=keys.get("RANGE", ""),
            projection=gsi.get("Projection", {}).get("ProjectionType", ""),
            read_capacity=gsi_read,
            write_capacity=gsi_write,
        )
    stream = table.get("StreamSpecification") or {}
    sse = table.get("SSEDescription") or {}
    sse_enabled = sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
    return TableSettings(
        name=table["TableName"],
        billing_mode=billing,
        read_capacity=read,
        write_capacity=write,
        indexes=indexes,
        stream_enabled=bool(stream.get("StreamEnabled")),
        stream_view_type=stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        sse_enabled=sse_enabled,
        kms_key_arn=sse.get("KMSMasterKeyArn") if sse_enabled else None,
        deletion_protection=bool(table.get("DeletionProtectionEnabled", False)),
        tags={},
        ttl_attribute=None,
        ttl_enabled=False,
        point_in_time_recovery=False,
        contributor_insights=None,
        extra={"description": table},
    )


def observe(client: Any, table_name: str) -> TableSettings | None:
    """The table's current settings, or None when it does not exist."""
    table = describe_table(client, table_name)
    if table is None:
        return None
    settings = settings_from_description(table)
    settings.tags = list_tags(client, table["TableArn"])
    ttl = client.describe_time_to_live(TableName=table_name).get("TimeToLiveDescription", {})
    settings.ttl_attribute = ttl.get("AttributeName")
    settings.ttl_enabled = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    backups = client.describe_continuous_backups(TableName=table_name).get("ContinuousBackupsDescription", {})
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    settings.point_in_time_recovery = pitr in ("ENABLED", "ENABLING")
    settings.contributor_insights = contributor_insights_enabled(client, table_name)
    return settings
