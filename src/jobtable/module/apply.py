"""apply: carry out a plan, one DynamoDB call per step, waiting where DynamoDB is asynchronous."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from jobtable.clock import Clock
from jobtable.module.backups import ScheduleReport, run_backup_schedule
from jobtable.module.config import ModuleConfig
from jobtable.module.observe import is_unsupported, error_code
from jobtable.module.plan import STEP_ORDER, Change
from jobtable.module.state import (
    TableSettings, same_keys, attribute_definitions, create_table_request, index_definition, sse_specification,
    stream_specification, throughput,
)
from jobtable.module.system_status import write_system_status
from jobtable.module.waits import Waiter, index_gone, table_and_indexes_active


@dataclass
class ApplyReport:
    table_name: str
    applied: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backup: ScheduleReport | None = None

    @property
    def changed(self) -> bool:
        return bool(self.applied)


@dataclass
class ApplyContext:
    client: Any
    config: ModuleConfig
    desired: TableSettings
    actual: TableSettings | None
    clock: Clock
    waiter: Waiter
    report: ApplyReport

    @property
    def name(self) -> str:
        return self.desired.name

    def wait_active(self) -> None:
        self.waiter.until(f"table {self.name} and its indexes to be ACTIVE",
                          table_and_indexes_active(self.client, self.name))

    def update_table(self, **kwargs: Any) -> None:
        self.wait_active()
        self.client.update_table(TableName=self.name, **kwargs)
        self.wait_active()


def create_table(ctx: ApplyContext, changes: list[Change]) -> None:
    ctx.client.create_table(**create_table_request(ctx.desired))
    ctx.wait_active()


def set_deletion_protection(ctx: ApplyContext, changes: list[Change]) -> None:
    ctx.update_table(DeletionProtectionEnabled=ctx.desired.deletion_protection)


def delete_indexes(ctx: ApplyContext, changes: list[Change]) -> None:
    for change in changes:
        name = change.resource.split()[1]
        ctx.update_table(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
        ctx.waiter.until(f"index {name} to be deleted", index_gone(ctx.client, ctx.name, name))


def set_capacity(ctx: ApplyContext, changes: list[Change]) -> None:
    """One UpdateTable: billing mode, table throughput and every remaining index's throughput."""
    desired, actual = ctx.desired, ctx.actual
    assert actual is not None
    kwargs: dict[str, Any] = {"BillingMode": desired.billing_mode}
    if desired.billing_mode == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = throughput(desired.read_capacity, desired.write_capacity)
        kept = [n for n in desired.indexes if n in actual.indexes and same_keys(actual.indexes[n], desired.indexes[n])]
        updates = [{"Update": {"IndexName": n, "ProvisionedThroughput": throughput(
            desired.indexes[n].read_capacity, desired.indexes[n].write_capacity)}} for n in sorted(kept)]
        if updates:
            kwargs["GlobalSecondaryIndexUpdates"] = updates
    if actual.billing_mode == desired.billing_mode == "PROVISIONED" and \
            (actual.read_capacity, actual.write_capacity) == (desired.read_capacity, desired.write_capacity):
        kwargs.pop("ProvisionedThroughput")  # only index capacity changes
    ctx.update_table(**kwargs)


def create_indexes(ctx: ApplyContext, changes: list[Change]) -> None:
    for change in changes:
        name = change.resource.split()[1]
        ctx.update_table(
            AttributeDefinitions=attribute_definitions({name: ctx.desired.indexes[name]}),
            GlobalSecondaryIndexUpdates=[{"Create": index_definition(name, ctx.desired.indexes[name])}],
        )


def set_stream(ctx: ApplyContext, changes: list[Change]) -> None:
    assert ctx.actual is not None
    if ctx.actual.stream_enabled:  # the view type of a live stream cannot change: turn it off first
        ctx.update_table(StreamSpecification={"StreamEnabled": False})
    if ctx.desired.stream_enabled:
        ctx.update_table(StreamSpecification=stream_specification(ctx.desired))


def set_encryption(ctx: ApplyContext, changes: list[Change]) -> None:
    ctx.update_table(SSESpecification=sse_specification(ctx.desired))


def set_tags(ctx: ApplyContext, changes: list[Change]) -> None:
    arn = ctx.client.describe_table(TableName=ctx.name)["Table"]["TableArn"]
    removed = [c.resource.split(" ", 1)[1] for c in changes if c.action == "delete"]
    added = {c.resource.split(" ", 1)[1]: c.after for c in changes if c.action != "delete"}
    if removed:
        ctx.client.untag_resource(ResourceArn=arn, TagKeys=removed)
    if added:
        ctx.client.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(added.items())])


def set_time_to_live(ctx: ApplyContext, changes: list[Change]) -> None:
    actual = ctx.actual
    if actual is not None and actual.ttl_enabled and actual.ttl_attribute != ctx.desired.ttl_attribute:
        ctx.client.update_time_to_live(TableName=ctx.name, TimeToLiveSpecification={
            "AttributeName": actual.ttl_attribute, "Enabled": False})
    ctx.client.update_time_to_live(TableName=ctx.name, TimeToLiveSpecification={
        "AttributeName": ctx.desired.ttl_attribute, "Enabled": ctx.desired.ttl_enabled})


def set_point_in_time_recovery(ctx: ApplyContext, changes: list[Change]) -> None:
    ctx.client.update_continuous_backups(TableName=ctx.name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": ctx.desired.point_in_time_recovery})


def set_contributor_insights(ctx: ApplyContext, changes: list[Change]) -> None:
    action = "ENABLE" if ctx.desired.contributor_insights else "DISABLE"
    try:
        ctx.client.update_contributor_insights(TableName=ctx.name, ContributorInsightsAction=action)
    except ClientError as exc:
        if not is_unsupported(exc):
            raise
        ctx.report.warnings.append(f"the endpoint does not support Contributor Insights ({error_code(exc)}); skipped")


def put_system_status_item(ctx: ApplyContext, changes: list[Change]) -> None:
    write_system_status(ctx.client, ctx.config, ctx.clock)


def take_daily_backup(ctx: ApplyContext, changes: list[Change]) -> None:
    ctx.report.backup = run_backup_schedule(ctx.client, ctx.name, ctx.config.backup_retention_days, ctx.clock)
    ctx.report.warnings.extend(ctx.report.backup.errors)


STEPS: dict[str, Callable[[ApplyContext, list[Change]], None]] = {
    "table": create_table,
    "deletion_protection": set_deletion_protection,
    "index_delete": delete_indexes,
    "capacity": set_capacity,
    "index_create": create_indexes,
    "stream": set_stream,
    "encryption": set_encryption,
    "tags": set_tags,
    "time_to_live": set_time_to_live,
    "point_in_time_recovery": set_point_in_time_recovery,
    "contributor_insights": set_contributor_insights,
    "system_status_item": put_system_status_item,
    "daily_backup": take_daily_backup,
}
assert tuple(STEPS) == STEP_ORDER


def run_steps(ctx: ApplyContext, changes: list[Change]) -> ApplyReport:
    for step in STEP_ORDER:
        selected = [c for c in changes if c.step == step]
        if selected:
            STEPS[step](ctx, selected)
            ctx.report.applied.extend(selected)
    return ctx.report
