"""The seed's Terraform module, applied with the real AWS provider against a jobtable server:
offline init -> apply -> plan clean -> in-place update -> plan clean -> destroy."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def variables(server, suffix: str, **values) -> list[str]:
    values = {"endpoint": server.url, "resource_suffix": suffix, **values}
    if server.name == "moto":
        values.setdefault("enable_contributor_insights", False)  # moto has no Contributor Insights
    args = []
    for key, value in values.items():
        args += ["-var", f"{key}={json.dumps(value) if isinstance(value, bool) else value}"]
    return args


def clients(server):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    return session.client("dynamodb", endpoint_url=server.url), session.client("iam", endpoint_url=server.url)


def alarm_names(server, name: str) -> list[str]:
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    cloudwatch = session.client("cloudwatch", endpoint_url=server.url)
    return sorted(a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=name)["MetricAlarms"])


def assert_plan_clean(terraform, args) -> None:
    result = terraform.run("plan", "-detailed-exitcode", "-input=false", *args, check=False)
    assert result.returncode == 0, "second plan is not clean:\n" + result.stdout[-6000:] + result.stderr[-3000:]
    assert "No changes." in result.stdout


def test_apply_plan_update_destroy(terraform, tf_server):
    ddb, iam = clients(tf_server)
    name = "cloud-tools-development-CloudToolsJobs-tfcycle"
    first = variables(tf_server, "tfcycle", enable_user_index=False)
    terraform.run("init", "-input=false")
    terraform.run("apply", "-auto-approve", "-input=false", *first)

    table = ddb.describe_table(TableName=name)["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["StatusIndex"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags == {"Project": "cloud-tools", "Environment": "development", "ManagedBy": "terraform",
                    "Owner": "platform-team"}
    item = ddb.get_item(TableName=name, Key={"jobId": {"S": "system-status"}})["Item"]
    assert item["status"] == {"S": "active"} and int(item["ttl"]["N"]) > 0
    if tf_server.name != "moto":
        assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "ENABLED"
    outputs = json.loads(terraform.run("output", "-json").stdout)
    assert outputs["table_name"]["value"] == outputs["table_id"]["value"] == name
    assert outputs["table_arn"]["value"] == table["TableArn"]
    assert outputs["table_stream_arn"]["value"] == table["LatestStreamArn"]
    policy_arn = f"arn:aws:iam::{table['TableArn'].split(':')[4]}:policy/{name}-access"
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Resource"] == [table["TableArn"], table["TableArn"] + "/index/*"]
    # The example turns the alarms on: throttles, and SystemErrors per job operation (single-metric alarms).
    assert alarm_names(tf_server, name) == sorted(
        [f"{name}-read-throttles", f"{name}-write-throttles"]
        + [f"{name}-system-errors-{op}" for op in ("DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem")])

    assert_plan_clean(terraform, first)

    # In place: on-demand -> provisioned, add UserIndex, switch PITR off.
    second = variables(tf_server, "tfcycle", billing_mode="PROVISIONED", enable_user_index=True,
                       enable_point_in_time_recovery=False)
    plan = terraform.run("plan", "-input=false", *second).stdout
    assert "must be replaced" not in plan and "1 to change" in plan
    terraform.run("apply", "-auto-approve", "-input=false", *second)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["StatusIndex", "UserIndex"]
    assert all(i["ProvisionedThroughput"]["ReadCapacityUnits"] == 5 for i in table["GlobalSecondaryIndexes"])
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    assert_plan_clean(terraform, second)

    terraform.run("destroy", "-auto-approve", "-input=false", *second)
    assert name not in ddb.list_tables()["TableNames"]
    assert alarm_names(tf_server, name) == []
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=policy_arn)
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"


def test_production_plan_includes_protection_and_daily_backups(terraform, tf_server):
    """Plan only: AWS Backup resources are planned in production (applied on AWS, not locally)."""
    root = terraform.workdir.parent / "production"
    root.mkdir()
    (root / "main.tf").write_text(PRODUCTION_ROOT)  # the local example pins enable_aws_backup = false
    terraform.workdir = root
    terraform.run("init", "-input=false")
    terraform.run("plan", "-input=false", "-out=prod.tfplan", "-var", f"endpoint={tf_server.url}")
    plan = json.loads(terraform.run("show", "-json", "prod.tfplan").stdout)
    planned = {c["address"]: c["change"]["after"] for c in plan["resource_changes"]
               if c["change"]["actions"] == ["create"]}
    for address in ("aws_backup_vault.main[0]", "aws_backup_plan.daily[0]", "aws_iam_role.backup[0]",
                    "aws_iam_role_policy_attachment.backup[0]", "aws_backup_selection.table[0]"):
        assert f"module.dynamodb.{address}" in planned
    table = planned["module.dynamodb.aws_dynamodb_table.main"]
    assert table["name"] == "cloud-tools-production-CloudToolsJobs-prodplan"
    assert table["deletion_protection_enabled"] is True
    assert table["tags"]["BackupSchedule"] == "daily" and table["tags"]["BackupRetentionDays"] == "7"
    (rule,) = planned["module.dynamodb.aws_backup_plan.daily[0]"]["rule"]
    assert rule["schedule"] == "cron(0 3 * * ? *)" and rule["lifecycle"][0]["delete_after"] == 7
    assert len(planned["module.dynamodb.aws_backup_plan.daily[0]"]["name"]) <= 50


PRODUCTION_ROOT = """
variable "endpoint" { type = string }
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "jobtable"
  secret_key                  = "jobtable"
  skip_credentials_validation = true
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2
  endpoints {
    dynamodb   = var.endpoint
    iam        = var.endpoint
    sts        = var.endpoint
    cloudwatch = var.endpoint
  }
}
module "dynamodb" {
  source                = "../../modules/dynamodb"
  project_name          = "cloud-tools"
  environment           = "production"
  resource_suffix       = "prodplan"
  backup_retention_days = 7
}
"""
