"""In-place updates: billing mode, indexes, PITR, tags, stream — each applied then planned clean."""
from __future__ import annotations

import pytest

from jobtable.module import format_plan


def plan_text(module):
    return [str(c) for c in module.plan()]


def apply_clean(module):
    module.apply()
    leftover = module.plan()
    assert leftover == [], format_plan(leftover)


def test_billing_mode_switches_both_ways_with_index_capacity(make_module, client):
    apply_clean(make_module())
    provisioned = make_module(billing_mode="PROVISIONED", read_capacity=4, write_capacity=2, gsi_read_capacity=3,
                              gsi_write_capacity=1)
    assert plan_text(provisioned)[0] == "~ billing: PAY_PER_REQUEST -> PROVISIONED read=4 write=2"
    apply_clean(provisioned)
    table = client.describe_table(TableName=provisioned.name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert (table["ProvisionedThroughput"]["ReadCapacityUnits"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == (4, 2)
    for index in table["GlobalSecondaryIndexes"]:
        assert (index["ProvisionedThroughput"]["ReadCapacityUnits"],
                index["ProvisionedThroughput"]["WriteCapacityUnits"]) == (3, 1)

    resized = make_module(billing_mode="PROVISIONED", read_capacity=4, write_capacity=2, gsi_read_capacity=6,
                          gsi_write_capacity=1)
    assert plan_text(resized) == ["~ index StatusIndex capacity: read=3 write=1 -> read=6 write=1",
                                  "~ index UserIndex capacity: read=3 write=1 -> read=6 write=1"]
    apply_clean(resized)

    on_demand = make_module()
    assert plan_text(on_demand) == ["~ billing: PROVISIONED read=4 write=2 -> PAY_PER_REQUEST"]
    apply_clean(on_demand)
    assert client.describe_table(TableName=on_demand.name)["Table"]["BillingModeSummary"]["BillingMode"] == \
        "PAY_PER_REQUEST"


def test_user_index_is_removed_and_added_back_with_its_items(make_module, client):
    apply_clean(make_module())
    without = make_module(enable_user_index=False)
    assert plan_text(without) == ["- index UserIndex"]
    apply_clean(without)
    indexes = client.describe_table(TableName=without.name)["Table"]["GlobalSecondaryIndexes"]
    assert [i["IndexName"] for i in indexes] == ["StatusIndex"]

    for n in range(3):
        client.put_item(TableName=without.name, Item={
            "jobId": {"S": f"job-{n}"}, "status": {"S": "pending"}, "userId": {"S": "user123"},
            "createdAt": {"S": f"2024-01-0{n + 1}T00:00:00Z"}})
    again = make_module()
    assert plan_text(again) == ["+ index UserIndex = userId/createdAt ALL"]
    apply_clean(again)  # waits for the backfill to finish (index ACTIVE)
    found = client.query(TableName=again.name, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                         ExpressionAttributeValues={":u": {"S": "user123"}})["Items"]
    assert sorted(i["jobId"]["S"] for i in found) == ["job-0", "job-1", "job-2"]


def test_point_in_time_recovery_toggles(make_module, client):
    apply_clean(make_module())
    off = make_module(enable_point_in_time_recovery=False)
    assert plan_text(off) == ["~ point_in_time_recovery: enabled -> disabled"]
    apply_clean(off)
    description = client.describe_continuous_backups(TableName=off.name)["ContinuousBackupsDescription"]
    assert description["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    apply_clean(make_module())
    description = client.describe_continuous_backups(TableName=off.name)["ContinuousBackupsDescription"]
    assert description["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_tags_converge_including_removal_of_unmanaged_ones(make_module, client):
    module = make_module(tags={"Owner": "platform-team"})
    apply_clean(module)
    arn = module.outputs()["table_arn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "Stray", "Value": "x"}])
    changed = make_module(tags={"Owner": "data-team", "CostCenter": "engineering"})
    assert plan_text(changed) == ["+ tag CostCenter = engineering", "~ tag Owner: platform-team -> data-team",
                                  "- tag Stray (was x)"]
    apply_clean(changed)
    tags = {t["Key"]: t["Value"] for t in client.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"Project": "cloud-tools", "Environment": "development", "ManagedBy": "jobtable",
                    "Owner": "data-team", "CostCenter": "engineering"}


def test_deletion_protection_and_stream_can_be_switched(make_module, client):
    apply_clean(make_module())
    plain = make_module(deletion_protection=True, stream_enabled=False)
    assert plan_text(plain) == ["~ deletion_protection: disabled -> enabled", "~ stream: NEW_AND_OLD_IMAGES -> disabled"]
    apply_clean(plain)
    table = client.describe_table(TableName=plain.name)["Table"]
    assert table["DeletionProtectionEnabled"] is True
    assert not table.get("StreamSpecification", {}).get("StreamEnabled")
    assert plain.outputs()["table_stream_arn"] is None
    apply_clean(make_module(deletion_protection=False, stream_enabled=False))


def test_encryption_can_be_turned_off_and_on(make_module, client, endpoint):
    if endpoint.name == "moto":
        pytest.skip("moto ignores SSESpecification Enabled=false on UpdateTable")
    apply_clean(make_module())
    plain = make_module(server_side_encryption=False)
    assert plan_text(plain) == ["~ encryption: enabled -> disabled"]
    apply_clean(plain)
    assert client.describe_table(TableName=plain.name)["Table"].get("SSEDescription", {}).get("Status") != "ENABLED"
    apply_clean(make_module())
    assert client.describe_table(TableName=plain.name)["Table"]["SSEDescription"]["Status"] == "ENABLED"


def test_stream_view_type_change_recreates_the_stream(make_module, client, endpoint):
    if endpoint.name == "moto":
        pytest.skip("moto refuses to re-enable a stream once one existed (StreamAlreadyEnabledException)")
    module = make_module()
    apply_clean(module)
    old_arn = module.outputs()["table_stream_arn"]
    keys_only = make_module(stream_view_type="KEYS_ONLY")
    assert plan_text(keys_only) == ["~ stream: NEW_AND_OLD_IMAGES -> KEYS_ONLY"]
    apply_clean(keys_only)
    assert keys_only.outputs()["table_stream_arn"] not in (None, old_arn)

