"""The job table's shape, as the seed's Terraform module defines it.

Only names live here (plus a helper that creates the table for tests and scripts), so the
jobs API, the CLI and the tests agree on one schema without importing the module layer.
"""
from __future__ import annotations

from typing import Any

from jobtable.module.waits import Waiter, table_and_indexes_active

DEFAULT_TABLE_NAME = "CloudToolsJobs"

# Attribute names (the seed's "Item Attributes" table, plus the ones the jobs API adds).
JOB_ID = "jobId"
STATUS = "status"
USER_ID = "userId"
CREATED_AT = "createdAt"
UPDATED_AT = "updatedAt"
JOB_TYPE = "jobType"
INPUT_FILE = "inputFile"
OUTPUT_FILE = "outputFile"
METADATA = "metadata"
TTL = "ttl"
PAYLOAD = "payload"
RESULT = "result"
ERROR = "error"
WORKER_ID = "workerId"
LEASE_EXPIRES_AT = "leaseExpiresAt"
STARTED_AT = "startedAt"
FINISHED_AT = "finishedAt"
ATTEMPTS = "attempts"
RETRIES = "retries"

STATUS_INDEX = "StatusIndex"
USER_INDEX = "UserIndex"

# Index name -> partition key attribute; both indexes sort by createdAt.
INDEX_PARTITION_KEYS = {STATUS_INDEX: STATUS, USER_INDEX: USER_ID}


def index_key_attributes(index_name: str) -> tuple[str, ...]:
    """The attributes of a LastEvaluatedKey for a Query on `index_name`."""
    return (INDEX_PARTITION_KEYS[index_name], CREATED_AT, JOB_ID)


def create_table_request(table_name: str = DEFAULT_TABLE_NAME) -> dict[str, Any]:
    """CreateTable parameters for the seed's table (PAY_PER_REQUEST, both GSIs, stream)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": JOB_ID, "AttributeType": "S"},
            {"AttributeName": STATUS, "AttributeType": "S"},
            {"AttributeName": USER_ID, "AttributeType": "S"},
            {"AttributeName": CREATED_AT, "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": JOB_ID, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": CREATED_AT, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, partition in INDEX_PARTITION_KEYS.items()
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def create_jobs_table(client: Any, table_name: str = DEFAULT_TABLE_NAME, enable_ttl: bool = True) -> None:
    """Create the job table (if missing), wait until it and its indexes are ACTIVE, turn TTL on.

    The Terraform/Python module is the production way to provision; this is for tests,
    scripts and endpoints that have no module run.
    """
    try:
        client.create_table(**create_table_request(table_name))
    except client.exceptions.ResourceInUseException:
        pass
    Waiter(timeout=300, interval=0.05).until(f"table {table_name} and its indexes to be ACTIVE",
                                             table_and_indexes_active(client, table_name))
    if enable_ttl:
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL}
        )
