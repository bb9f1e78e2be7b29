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
    def gsi(name: str, hash_key: str) -> dict:
        return {"IndexName": name,
                "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"},
                              {"AttributeName": "createdAt", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}

    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                 for n in ("jobId", "status", "userId", "createdAt")],
        "KeySchema": [{"AttributeName": "jobId", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [gsi("StatusIndex", "status"), gsi("UserIndex", "userId")],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "SSESpecification": {"Enabled": True},
        "Tags": [{"Key": "Project", "Value": "cloud-tools"}, {"Key": "ManagedBy", "Value": "jobtable"}],
    }


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
