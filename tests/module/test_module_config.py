"""Variables, naming and the documents the module derives from them (no endpoint needed)."""
from __future__ import annotations

import pytest

from jobtable.module import JOB_ACTIONS, ModuleConfig, TableModule, iam_policy_document, table_name_for


def config(**kwargs):
    kwargs.setdefault("project_name", "cloud-tools")
    kwargs.setdefault("environment", "production")
    kwargs.setdefault("resource_suffix", "abc123")
    return ModuleConfig(**kwargs)


def test_physical_name_follows_the_documented_pattern():
    assert config().physical_table_name == "cloud-tools-production-CloudToolsJobs-abc123"
    assert config(table_name="CustomJobsTable", environment="development").physical_table_name == \
        "cloud-tools-development-CustomJobsTable-abc123"
    assert table_name_for("p", "dev", "T", "s") == "p-dev-T-s"


@pytest.mark.parametrize("kwargs, message", [
    ({"billing_mode": "ON_DEMAND"}, "billing_mode must be one of"),
    ({"environment": "Prod"}, "environment must be"),
    ({"project_name": "cloud tools"}, "project_name must be"),
    ({"resource_suffix": ""}, "resource_suffix must be"),
    ({"read_capacity": 0}, "read_capacity must be a positive integer"),
    ({"stream_view_type": "ALL"}, "stream_view_type must be one of"),
    ({"backup_retention_days": 0}, "backup_retention_days must be between"),
    ({"server_side_encryption": False, "kms_key_arn": "arn:aws:kms:us-east-1:1:key/x"}, "kms_key_arn needs"),
    ({"table_name": "x" * 250}, "must be 3-255 characters"),
])
def test_invalid_variables_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        config(**kwargs)


def test_environment_decides_protection_and_daily_backups():
    prod, dev = config(), config(environment="development")
    assert prod.deletion_protection_enabled and prod.daily_backups
    assert not dev.deletion_protection_enabled and not dev.daily_backups
    assert not config(deletion_protection=False).deletion_protection_enabled


def test_tags_carry_module_tags_and_the_backup_marker_in_production():
    tags = config(tags={"Owner": "platform-team", "ManagedBy": "terraform"}, backup_retention_days=7).resolved_tags()
    assert tags == {"Project": "cloud-tools", "Environment": "production", "ManagedBy": "terraform",
                    "Owner": "platform-team", "BackupSchedule": "daily", "BackupRetentionDays": "7"}
    assert "BackupSchedule" not in config(environment="development").resolved_tags()


def test_desired_state_describes_the_seeds_schema():
    module = TableModule("cloud-tools", "development", "abc123", client=object(), billing_mode="PROVISIONED",
                         read_capacity=7, write_capacity=3)
    table = module.desired_state()["table"]
    assert table["KeySchema"] == [{"AttributeName": "jobId", "KeyType": "HASH"}]
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {"jobId", "status", "userId", "createdAt"}
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert indexes["StatusIndex"]["KeySchema"] == [{"AttributeName": "status", "KeyType": "HASH"},
                                                   {"AttributeName": "createdAt", "KeyType": "RANGE"}]
    assert indexes["UserIndex"]["Projection"] == {"ProjectionType": "ALL"}
    assert indexes["UserIndex"]["ProvisionedThroughput"] == {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3}
    assert table["ProvisionedThroughput"] == {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3}
    assert table["SSESpecification"] == {"Enabled": True, "SSEType": "KMS"}
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert module.desired_state()["time_to_live"] == {"AttributeName": "ttl", "Enabled": True}


def test_without_the_user_index_its_attribute_is_not_defined():
    module = TableModule("cloud-tools", "development", "abc123", client=object(), enable_user_index=False)
    table = module.desired_state()["table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["StatusIndex"]
    assert "userId" not in {a["AttributeName"] for a in table["AttributeDefinitions"]}


def test_iam_policy_is_least_privilege_on_table_and_indexes():
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    document = iam_policy_document(arn)
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == list(JOB_ACTIONS)
    assert set(JOB_ACTIONS) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"}
    assert statement["Resource"] == [arn, f"{arn}/index/*"]
