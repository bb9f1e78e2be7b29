"""TableModule: the seed's Terraform module as a Python API, over boto3 and any endpoint."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import boto3
from botocore.exceptions import ClientError

from jobtable.clock import Clock
from jobtable.module.apply import ApplyContext, ApplyReport, run_steps
from jobtable.module.backups import daily_backups, utc_today, backup_name
from jobtable.module.config import ModuleConfig
from jobtable.module.health import HealthReport, check_health
from jobtable.module.observe import is_unsupported, describe_table, error_code, observe
from jobtable.module.plan import Change, diff_new_table, diff_table, sort_changes
from jobtable.module.policy import iam_policy_document
from jobtable.module.state import HASH_KEY, TTL_ATTRIBUTE, create_table_request, desired_settings
from jobtable.module.system_status import SYSTEM_STATUS_JOB_ID, read_system_status
from jobtable.module.waits import Waiter, table_gone


class DeletionProtectedError(RuntimeError):
    """destroy() refused: the table has deletion protection enabled."""


@dataclass
class DestroyReport:
    table_name: str
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class TableModule:
    """The job table with its indexes, TTL, PITR, encryption, stream, tags, insights,
    system status item and (in production) daily backups.

    The physical table name is `{project_name}-{environment}-{table_name}-{resource_suffix}`
    unless `table_name_override` gives an exact one.
    Pass `client` (a boto3 DynamoDB client), or `session` and/or `endpoint_url`.
    """

    def __init__(self, project_name: str, environment: str, resource_suffix: str, *,
                 table_name: str = "CloudToolsJobs", billing_mode: str = "PAY_PER_REQUEST",
                 enable_point_in_time_recovery: bool = True, tags: Mapping[str, str] | None = None,
                 read_capacity: int = 5, write_capacity: int = 5,
                 gsi_read_capacity: int | None = None, gsi_write_capacity: int | None = None,
                 enable_user_index: bool = True, deletion_protection: bool | None = None,
                 stream_enabled: bool = True, stream_view_type: str = "NEW_AND_OLD_IMAGES",
                 server_side_encryption: bool = True, kms_key_arn: str | None = None,
                 backup_retention_days: int = 30, enable_contributor_insights: bool = True,
                 table_name_override: str | None = None,
                 session: boto3.session.Session | None = None, endpoint_url: str | None = None,
                 region_name: str | None = None, client: Any = None, clock: Clock | None = None,
                 waiter: Waiter | None = None) -> None:
        self.config = ModuleConfig(
            project_name=project_name, environment=environment, resource_suffix=resource_suffix,
            table_name=table_name, billing_mode=billing_mode,
            enable_point_in_time_recovery=enable_point_in_time_recovery, tags=dict(tags or {}),
            read_capacity=read_capacity, write_capacity=write_capacity,
            gsi_read_capacity=gsi_read_capacity, gsi_write_capacity=gsi_write_capacity,
            enable_user_index=enable_user_index, deletion_protection=deletion_protection,
            stream_enabled=stream_enabled, stream_view_type=stream_view_type,
            server_side_encryption=server_side_encryption, kms_key_arn=kms_key_arn,
            backup_retention_days=backup_retention_days, enable_contributor_insights=enable_contributor_insights,
            table_name_override=table_name_override,
        )
        if client is None:
            client = _client_for(session or boto3.session.Session(), endpoint_url, region_name)
        self.client = client
        self.clock = clock or Clock()
        self.waiter = waiter or Waiter()

    @property
    def name(self) -> str:
        return self.config.physical_table_name

    def desired_state(self) -> dict[str, Any]:
        """What apply() converges to, as DynamoDB requests and settings."""
        desired = desired_settings(self.config)
        return {
            "table": create_table_request(desired),
            "time_to_live": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
            "point_in_time_recovery": desired.point_in_time_recovery,
            "contributor_insights": desired.contributor_insights,
            "system_status_item": {HASH_KEY: SYSTEM_STATUS_JOB_ID, "ttl": "one year after it is written"},
            "daily_backups": {"enabled": desired.daily_backups,
                              "retention_days": self.config.backup_retention_days,
                              "name_pattern": f"{self.name}-backup-YYYY-MM-DD"},
        }

    def plan(self) -> list[Change]:
        """What apply() would change, in the order it would do it (empty: up to date)."""
        desired = desired_settings(self.config)
        actual = observe(self.client, self.name)
        return sort_changes(self._plan(desired, actual))

    def _plan(self, desired: Any, actual: Any) -> list[Change]:
        if actual is None:
            return diff_new_table(desired)
        changes = diff_table(desired, actual)
        now = self.clock.now()
        status = read_system_status(self.client, self.name)
        if status.needs_renewal(now):
            changes.append(Change("create" if not status.present else "update", "system_status_item",
                                  "system_status_item", before=status.expires_at, after="expires in 365 days"))
        if desired.daily_backups:
            today = backup_name(self.name, utc_today(self.clock))
            if today not in {b.name for b in daily_backups(self.client, self.name)}:
                changes.append(Change("create", f"daily_backup {today}", "daily_backup"))
        return changes

    def apply(self) -> ApplyReport:
        """Create or converge the table; a second apply() changes nothing."""
        desired = desired_settings(self.config)
        actual = observe(self.client, self.name)
        changes = sort_changes(self._plan(desired, actual))
        ctx = ApplyContext(self.client, self.config, desired, actual, self.clock, self.waiter, ApplyReport(self.name))
        return run_steps(ctx, changes)

    def outputs(self) -> dict[str, Any]:
        """The seed's five outputs (same names and shapes as the Terraform module's)."""
        table = describe_table(self.client, self.name)
        if table is None:
            raise LookupError(f"table {self.name} does not exist; run apply first")
        return {
            "table_name": table["TableName"],
            "table_id": table["TableName"],
            "table_arn": table["TableArn"],
            "table_stream_arn": table.get("LatestStreamArn") if table.get("StreamSpecification", {}).get(
                "StreamEnabled") else None,
            "global_secondary_indexes": [global_secondary_index_output(i) for i in sorted(
                table.get("GlobalSecondaryIndexes", []), key=lambda i: i["IndexName"])],
        }

    def iam_policy_document(self) -> dict[str, Any]:
        """Least-privilege access for the jobs code, on the table and its indexes."""
        return iam_policy_document(self.outputs()["table_arn"])

    def health(self, restore_drill: bool = False) -> HealthReport:
        return check_health(self.client, self.config, self.clock, restore_drill)

    def destroy(self) -> DestroyReport:
        """Delete the table (its daily backups are kept). Refuses while deletion protection is on."""
        report = DestroyReport(self.name)
        table = describe_table(self.client, self.name)
        if table is None:
            return report
        if table.get("DeletionProtectionEnabled"):
            raise DeletionProtectedError(
                f"table {self.name} has deletion protection enabled; apply with deletion_protection=False first")
        self.client.delete_item(TableName=self.name, Key={HASH_KEY: {"S": SYSTEM_STATUS_JOB_ID}})
        report.deleted.append("system_status_item")
        try:
            self.client.update_contributor_insights(TableName=self.name, ContributorInsightsAction="DISABLE")
            report.deleted.append("contributor_insights")
        except ClientError as exc:
            if not is_unsupported(exc):
                raise
            report.warnings.append("the endpoint does not support Contributor Insights")
        self.waiter.until(f"table {self.name} to be ACTIVE", lambda: (describe_table(
            self.client, self.name) or {}).get("TableStatus") == "ACTIVE")
        self.client.delete_table(TableName=self.name)
        self.waiter.until(f"table {self.name} to be deleted", table_gone(self.client, self.name))
        report.deleted.append(f"table {self.name}")
        return report


def _client_for(session: boto3.session.Session, endpoint_url: str | None, region_name: str | None) -> Any:
    """A DynamoDB client; a local endpoint (endpoint_url) also works on a machine with no AWS
    configuration: region us-east-1 and placeholder credentials unless some are configured."""
    kwargs: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region_name}
    if endpoint_url:
        kwargs["region_name"] = region_name or session.region_name or "us-east-1"
        if session.get_credentials() is None:
            kwargs.update(aws_access_key_id="jobtable", aws_secret_access_key="jobtable")
    return session.client("dynamodb", **kwargs)


def global_secondary_index_output(index: dict[str, Any]) -> dict[str, Any]:
    """One index as the Terraform provider's `global_secondary_index` attribute shows it."""
    keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
    projection = index.get("Projection", {})
    throughput = index.get("ProvisionedThroughput", {})
    return {
        "name": index["IndexName"],
        "hash_key": keys.get("HASH"),
        "range_key": keys.get("RANGE"),
        "projection_type": projection.get("ProjectionType"),
        "non_key_attributes": projection.get("NonKeyAttributes", []),
        "read_capacity": throughput.get("ReadCapacityUnits", 0),
        "write_capacity": throughput.get("WriteCapacityUnits", 0),
    }
