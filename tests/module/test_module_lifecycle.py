"""plan/apply/outputs/health/destroy of whole environments, black-box over boto3."""
from __future__ import annotations

import datetime as dt

import pytest

from jobtable.module import DeletionProtectedError, format_plan


def resources(changes):
    return [(c.action, c.resource) for c in changes]


def test_development_environment_round_trip(make_module, client):
    module = make_module("development", enable_point_in_time_recovery=False,
                         tags={"Environment": "development", "Project": "cloud-tools", "ManagedBy": "terraform"})
    planned = resources(module.plan())
    assert planned[0] == ("create", f"table {module.name}")
    assert ("create", "index StatusIndex") in planned and ("create", "index UserIndex") in planned
    assert ("create", "point_in_time_recovery") not in planned
    assert ("create", "daily_backup") not in planned

    report = module.apply()
    assert report.changed
    assert module.plan() == [], format_plan(module.plan())
    assert not module.apply().changed  # idempotent

    table = client.describe_table(TableName=module.name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["DeletionProtectionEnabled"] is False
    ttl = client.describe_time_to_live(TableName=module.name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    pitr = client.describe_continuous_backups(TableName=module.name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    tags = {t["Key"]: t["Value"] for t in client.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags == {"Environment": "development", "Project": "cloud-tools", "ManagedBy": "terraform"}

    item = client.get_item(TableName=module.name, Key={"jobId": {"S": "system-status"}})["Item"]
    assert item["status"] == {"S": "active"} and item["userId"] == {"S": "system"}
    assert int(item["ttl"]["N"]) == int(module.clock.now()) + 365 * 86400

    outputs = module.outputs()
    assert outputs["table_name"] == outputs["table_id"] == module.name == "cloud-tools-development-CloudToolsJobs-" \
        + module.config.resource_suffix
    assert outputs["table_arn"] == table["TableArn"]
    assert outputs["table_stream_arn"] == table["LatestStreamArn"]
    assert [(i["name"], i["hash_key"], i["range_key"], i["projection_type"])
            for i in outputs["global_secondary_indexes"]] == [
        ("StatusIndex", "status", "createdAt", "ALL"), ("UserIndex", "userId", "createdAt", "ALL")]
    assert module.iam_policy_document()["Statement"][0]["Resource"] == [
        table["TableArn"], table["TableArn"] + "/index/*"]

    health = module.health()
    assert health.healthy, health.as_dict()
    assert {c.name: c.status for c in health.checks}["point_in_time_recovery"] == "skip"

    destroyed = module.destroy()
    assert f"table {module.name}" in destroyed.deleted
    assert client.list_tables()["TableNames"].count(module.name) == 0
    assert resources(module.plan())[0] == ("create", f"table {module.name}")
    assert not module.health().healthy


def test_production_environment_is_protected_and_backed_up(make_module, client, clock):
    module = make_module("production")
    module.apply()
    assert module.plan() == [], format_plan(module.plan())
    table = client.describe_table(TableName=module.name)["Table"]
    assert table["DeletionProtectionEnabled"] is True
    backups = client.list_backups(TableName=module.name)["BackupSummaries"]
    assert [b["BackupName"] for b in backups] == [f"{module.name}-backup-{_utc_day(clock)}"]
    checks = {c.name: c.status for c in module.health().checks}
    assert checks["daily_backup"] == "pass" and checks["point_in_time_recovery"] == "pass"

    with pytest.raises(DeletionProtectedError, match="deletion protection"):
        module.destroy()
    assert client.describe_table(TableName=module.name)["Table"]["TableStatus"] == "ACTIVE"
    assert client.get_item(TableName=module.name, Key={"jobId": {"S": "system-status"}}).get("Item")

    # A day and a bit later the backup is stale until the schedule (or apply) runs again.
    clock.advance(27 * 3600)
    report = module.health()
    assert not report.healthy
    assert {c.name: c.status for c in report.checks}["daily_backup"] == "fail"
    assert [c.resource for c in module.plan()] == [f"daily_backup {module.name}-backup-{_utc_day(clock)}"]

    unprotected = make_module("production", deletion_protection=False)
    assert [str(c) for c in unprotected.plan()][0] == "~ deletion_protection: enabled -> disabled"
    unprotected.apply()
    unprotected.destroy()
    assert module.name not in client.list_tables()["TableNames"]
    # Daily backups outlive the table, as on AWS.
    assert len(client.list_backups(TableName=module.name)["BackupSummaries"]) == 2


def test_system_status_item_is_renewed_before_it_expires(make_module, client, clock):
    module = make_module("development")
    module.apply()
    first = client.get_item(TableName=module.name, Key={"jobId": {"S": "system-status"}})["Item"]
    clock.advance(300 * 86400)
    assert module.plan() == []  # 65 days left: still fresh
    clock.advance(40 * 86400)
    assert [c.resource for c in module.plan()] == ["system_status_item"]
    module.apply()
    renewed = client.get_item(TableName=module.name, Key={"jobId": {"S": "system-status"}})["Item"]
    assert int(renewed["ttl"]["N"]) == int(clock.now()) + 365 * 86400
    assert renewed["createdAt"] == first["createdAt"] and renewed["updatedAt"] != first["updatedAt"]

    clock.advance(400 * 86400)
    status = {c.name: c for c in module.health().checks}["system_status_item"]
    # The endpoint may already have swept the expired item; either way it is not healthy.
    assert status.status == "fail"


def _utc_day(clock) -> str:
    return dt.datetime.fromtimestamp(clock.now(), dt.timezone.utc).date().isoformat()
