"""`jobtable module ...`, `jobtable health`, `jobtable backups run-schedule` through click."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from jobtable.cli import backups_schedule, module as module_commands


@pytest.fixture
def cli():
    group = click.Group("jobtable")
    module_commands.register(group)
    backups_schedule.register(group)
    return group


@pytest.fixture
def run(cli, endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("JOBTABLE_ENDPOINT_URL", endpoint.url)

    def invoke(*args: str, expect: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result.output
    return invoke


def module_flags(suffix: str, *extra: str) -> list[str]:
    return ["--project-name", "cloud-tools", "--environment", "production", "--resource-suffix", suffix,
            "--no-contributor-insights", "--backup-retention-days", "5", *extra]


def test_module_commands_provision_check_and_destroy(run, make_module, request):
    suffix = f"cli{abs(hash(request.node.name)) % 10**6}"
    name = f"cloud-tools-production-CloudToolsJobs-{suffix}"
    flags = module_flags(suffix, "--tag", "Owner=platform-team")
    assert f"+ table {name}" in run("module", "plan", *flags)
    assert f"Apply complete" in run("module", "apply", *flags)
    assert "No changes" in run("module", "plan", *flags)
    outputs = json.loads(run("module", "outputs", *flags, "-o", "json"))
    assert outputs["table_name"] == name and outputs["table_arn"].endswith(f":table/{name}")
    assert {i["name"] for i in outputs["global_secondary_indexes"]} == {"StatusIndex", "UserIndex"}

    health = json.loads(run("health", *flags, "-o", "json"))
    assert health["healthy"] is True
    assert {c["name"]: c["status"] for c in health["checks"]}["daily_backup"] == "pass"
    assert "healthy" in run("health", *flags)

    # Deletion protection (on by default in production) makes destroy fail with one line.
    result = CliRunner().invoke(click.Group("x", commands={"module": module_commands.module_group}),
                                ["module", "destroy", *flags, "--yes"])
    assert result.exit_code == 1 and "deletion protection enabled" in result.output
    assert "--no-deletion-protection" in result.output and len(result.output.strip().splitlines()) == 1

    assert "~ tag Owner: platform-team -> data-team" in run(
        "module", "plan", *module_flags(suffix, "--tag", "Owner=data-team"))
    run("module", "apply", *flags, "--no-deletion-protection")
    assert f"table {name}" in run("module", "destroy", *flags, "--no-deletion-protection", "--yes")
    unhealthy = json.loads(run("health", *flags, "-o", "json", expect=1))
    assert unhealthy["checks"] == [{"name": "table", "status": "fail", "detail": "table does not exist"}]


def test_bad_flags_give_one_line_errors(run):
    output = run("module", "plan", "--project-name", "cloud tools", "--environment", "development",
                 "--resource-suffix", "x", expect=1)
    assert output.strip().startswith("Error: project_name must be")


def test_run_schedule_by_name_and_by_tag(run, backup_client, request):
    client = backup_client
    table = f"cli-schedule-{abs(hash(request.node.name)) % 10**6}"
    client.create_table(TableName=table, KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST",
                        Tags=[{"Key": "BackupSchedule", "Value": "daily"}, {"Key": "BackupRetentionDays", "Value": "3"}])
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200})
    first = json.loads(run("backups", "run-schedule", "--table-name", table, "-o", "json"))
    assert first[0]["created"].startswith(f"{table}-backup-") and first[0]["retention_days"] == 30
    tagged = json.loads(run("backups", "run-schedule", "-o", "json"))
    mine = [r for r in tagged if r["table_name"] == table]
    assert mine and mine[0]["created"] is None and mine[0]["already_present"] == first[0]["created"]
    assert mine[0]["retention_days"] == 3
    assert "already present" in run("backups", "run-schedule", "--table-name", table)
    client.delete_table(TableName=table)
