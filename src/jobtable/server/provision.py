"""The seed's job table, provisioned through the public DynamoDB API (in-process client).

A minimal built-in step for `jobtable up`; the module layer (jobtable.module) is the full
version (TTL, PITR, insights, backups) and works against any endpoint.
"""
from __future__ import annotations

import time

from botocore.exceptions import ClientError

from jobtable.engine.engine import Engine

SYSTEM_STATUS_ID = "system-status"
ONE_YEAR_SECONDS = 365 * 24 * 3600


def job_table_definition(table_name: str) -> dict:
    """The seed's table (jobs.schema) with encryption and the module's standard tags."""
    from jobtable.jobs.schema import create_table_request

    spec = create_table_request(table_name)
    spec["SSESpecification"] = {"Enabled": True}
    spec["Tags"] = [{"Key": "Project", "Value": "cloud-tools"}, {"Key": "ManagedBy", "Value": "jobtable"}]
    return spec


def provision_job_table(engine: Engine, table_name: str) -> bool:
    """Create the job table if missing; returns True when it was created."""
    from jobtable.inprocess import client

    ddb = client(engine=engine)
    try:
        ddb.describe_table(TableName=table_name)
        return False
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    ddb.create_table(**job_table_definition(table_name))
    engine.run_background_until_idle()
    now = int(engine.clock.now())
    _optional(ddb.update_time_to_live, TableName=table_name,
              TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    _optional(ddb.update_continuous_backups, TableName=table_name,
              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    _optional(ddb.update_contributor_insights, TableName=table_name, ContributorInsightsAction="ENABLE")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now))
    ddb.put_item(TableName=table_name, Item={
        "jobId": {"S": SYSTEM_STATUS_ID}, "status": {"S": "active"}, "userId": {"S": "system"},
        "createdAt": {"S": stamp}, "updatedAt": {"S": stamp}, "jobType": {"S": "system"},
        "ttl": {"N": str(now + ONE_YEAR_SECONDS)}})
    return True


def _optional(call, **kwargs) -> None:
    """Features that later modules add (TTL, PITR) are switched on when the server has them."""
    try:
        call(**kwargs)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "UnknownOperationException":
            raise
