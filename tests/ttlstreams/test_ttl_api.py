"""UpdateTimeToLive / DescribeTimeToLive: states, refusals, the one-hour cooldown."""
from __future__ import annotations

from typing import Any

from streamhelp import HOUR, error_of


def ttl_spec(enabled: bool, name: str = "ttl") -> dict:
    return {"Enabled": enabled, "AttributeName": name}


def test_describe_on_a_fresh_table_is_disabled_without_attribute(ddb: Any, job_table: str) -> None:
    assert ddb.describe_time_to_live(TableName=job_table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


def test_enable_echoes_the_specification_and_describe_shows_it(ddb: Any, job_table: str) -> None:
    out = ddb.update_time_to_live(TableName=job_table, TimeToLiveSpecification=ttl_spec(True))
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "ttl"}
    assert ddb.describe_time_to_live(TableName=job_table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}


def test_refusals_come_before_the_cooldown_and_match_dynamodb(ddb: Any, backend: Any, job_table: str) -> None:
    assert error_of(ddb.update_time_to_live, TableName=job_table, TimeToLiveSpecification=ttl_spec(False)) == (
        "ValidationException", "TimeToLive is already disabled")
    ddb.update_time_to_live(TableName=job_table, TimeToLiveSpecification=ttl_spec(True))
    assert error_of(ddb.update_time_to_live, TableName=job_table, TimeToLiveSpecification=ttl_spec(True)) == (
        "ValidationException", "TimeToLive is already enabled")
    different = ("ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is ttl")
    assert error_of(ddb.update_time_to_live, TableName=job_table,
                    TimeToLiveSpecification=ttl_spec(True, "expiresAt")) == different
    assert error_of(ddb.update_time_to_live, TableName=job_table,
                    TimeToLiveSpecification=ttl_spec(False, "expiresAt")) == different
    cooldown = ("ValidationException", "Time to live has been modified multiple times within a fixed interval")
    assert error_of(ddb.update_time_to_live, TableName=job_table, TimeToLiveSpecification=ttl_spec(False)) == cooldown
    backend.advance(HOUR - 10)
    assert error_of(ddb.update_time_to_live, TableName=job_table, TimeToLiveSpecification=ttl_spec(False)) == cooldown
    backend.advance(11)
    ddb.update_time_to_live(TableName=job_table, TimeToLiveSpecification=ttl_spec(False))
    assert ddb.describe_time_to_live(TableName=job_table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    # Re-enabling (even another attribute) right after a disable is refused for the same hour.
    assert error_of(ddb.update_time_to_live, TableName=job_table,
                    TimeToLiveSpecification=ttl_spec(True, "expiresAt")) == cooldown
    backend.advance(HOUR)
    ddb.update_time_to_live(TableName=job_table, TimeToLiveSpecification=ttl_spec(True, "expiresAt"))
    assert ddb.describe_time_to_live(TableName=job_table)["TimeToLiveDescription"]["AttributeName"] == "expiresAt"


def test_missing_table_and_bad_specification(ddb: Any) -> None:
    code, message = error_of(ddb.describe_time_to_live, TableName="no-such-table")
    assert (code, message) == ("ResourceNotFoundException", "Requested resource not found: Table: no-such-table not found")
    code, _ = error_of(ddb.update_time_to_live, TableName="no-such-table", TimeToLiveSpecification=ttl_spec(True))
    assert code == "ResourceNotFoundException"
    code, message = error_of(ddb.update_time_to_live, TableName="no-such-table",
                             TimeToLiveSpecification=ttl_spec(True, "x" * 256))
    assert code == "ValidationException" and "Member must have length less than or equal to 255" in message
