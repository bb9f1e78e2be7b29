"""Control plane through boto3: CreateTable/DescribeTable/UpdateTable/DeleteTable/ListTables."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import job_table_spec


def error_of(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_seed_table_describes_like_dynamodb(ddb, job_table):
    table = ddb.describe_table(TableName=job_table)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [{"AttributeName": "jobId", "KeyType": "HASH"}]
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{job_table}"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    names = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert set(names) == {"StatusIndex", "UserIndex"}
    assert names["StatusIndex"]["KeySchema"] == [{"AttributeName": "status", "KeyType": "HASH"},
                                                 {"AttributeName": "createdAt", "KeyType": "RANGE"}]
    assert names["StatusIndex"]["Projection"] == {"ProjectionType": "ALL"}
    assert names["UserIndex"]["IndexStatus"] == "ACTIVE"
    assert names["UserIndex"]["IndexArn"] == table["TableArn"] + "/index/UserIndex"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"].startswith(table["TableArn"] + "/stream/")
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert len(table["TableId"]) == 36


def test_create_table_response_is_creating(ddb, table_name):
    out = ddb.create_table(**job_table_spec(table_name))["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    assert all(g["IndexStatus"] == "CREATING" for g in out["GlobalSecondaryIndexes"])


def test_duplicate_table_is_resource_in_use(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(**job_table_spec(job_table))
    assert error_of(exc) == ("ResourceInUseException", f"Table already exists: {job_table}")


def test_missing_table_is_resource_not_found(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName="nope")
    assert error_of(exc) == ("ResourceNotFoundException", "Requested resource not found: Table: nope not found")


def test_unused_attribute_definition_is_rejected(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"},
                                               {"AttributeName": "extra", "AttributeType": "S"}])
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Some AttributeDefinitions are not used" in message


def test_undefined_key_attribute_is_rejected(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}])
    assert "Some index key attributes are not defined in AttributeDefinitions" in error_of(exc)[1]


def test_model_validation_message(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName="ab")
    assert error_of(exc) == ("ValidationException",
                             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                             "constraint: Member must have length greater than or equal to 3")


def test_provisioned_requires_throughput(ddb, table_name):
    spec = job_table_spec(table_name, BillingMode="PROVISIONED")
    with pytest.raises(ClientError) as exc:
        ddb.create_table(**spec)
    assert error_of(exc)[0] == "ValidationException"


def test_provisioned_table_round_trips_capacity(ddb, table_name):
    spec = job_table_spec(table_name, BillingMode="PROVISIONED",
                          ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    for gsi in spec["GlobalSecondaryIndexes"]:
        gsi["ProvisionedThroughput"] = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    ddb.create_table(**spec)
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"] == 3


def test_list_tables_paginates(ddb, backend):
    names = [f"list-{backend.name}-{i:02d}" for i in range(5)]
    for name in names:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    seen, start = [], None
    while True:
        kwargs = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kwargs)
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert [n for n in seen if n.startswith(f"list-{backend.name}-")] == names
    paginated = [n for p in ddb.get_paginator("list_tables").paginate() for n in p["TableNames"]]
    assert set(names) <= set(paginated)


def test_add_gsi_backfills_then_active(ddb, backend, job_table):
    for i in range(30):
        ddb.put_item(TableName=job_table, Item={"jobId": {"S": f"j{i}"}, "status": {"S": "pending"},
                                                "userId": {"S": "u1"}, "createdAt": {"S": f"2026-01-01T00:00:{i:02d}.000Z"},
                                                "jobType": {"S": "convert" if i % 2 else "compress"}})
    out = ddb.update_table(TableName=job_table,
                           AttributeDefinitions=[{"AttributeName": "jobType", "AttributeType": "S"},
                                                 {"AttributeName": "createdAt", "AttributeType": "S"}],
                           GlobalSecondaryIndexUpdates=[{"Create": {
                               "IndexName": "TypeIndex",
                               "KeySchema": [{"AttributeName": "jobType", "KeyType": "HASH"},
                                             {"AttributeName": "createdAt", "KeyType": "RANGE"}],
                               "Projection": {"ProjectionType": "KEYS_ONLY"}}}])["TableDescription"]
    created = [g for g in out["GlobalSecondaryIndexes"] if g["IndexName"] == "TypeIndex"][0]
    assert created["IndexStatus"] == "CREATING" and created["Backfilling"] is True
    backend.settle()
    table = ddb.describe_table(TableName=job_table)["Table"]
    status = {g["IndexName"]: g["IndexStatus"] for g in table["GlobalSecondaryIndexes"]}
    assert status["TypeIndex"] == "ACTIVE"
    assert {"AttributeName": "jobType", "AttributeType": "S"} in table["AttributeDefinitions"]
    items = ddb.query(TableName=job_table, IndexName="TypeIndex", KeyConditionExpression="jobType = :t",
                      ExpressionAttributeValues={":t": {"S": "convert"}})["Items"]
    assert len(items) == 15
    assert set(items[0]) == {"jobId", "jobType", "createdAt"}  # KEYS_ONLY projection


def test_delete_gsi(ddb, backend, job_table):
    ddb.update_table(TableName=job_table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "UserIndex"}}])
    backend.settle()
    table = ddb.describe_table(TableName=job_table)["Table"]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["StatusIndex"]
    assert "userId" not in {d["AttributeName"] for d in table["AttributeDefinitions"]}


def test_switch_billing_mode_to_provisioned_and_back(ddb, job_table):
    ddb.update_table(TableName=job_table, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 4},
                     GlobalSecondaryIndexUpdates=[
                         {"Update": {"IndexName": n, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}
                         for n in ("StatusIndex", "UserIndex")])
    table = ddb.describe_table(TableName=job_table)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    ddb.update_table(TableName=job_table, BillingMode="PAY_PER_REQUEST")
    table = ddb.describe_table(TableName=job_table)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_deletion_protection_blocks_delete(ddb, job_table):
    ddb.update_table(TableName=job_table, DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=job_table)
    assert error_of(exc) == ("ValidationException", "Resource cannot be deleted as it is currently protected "
                             "against deletion. Disable deletion protection first.")
    ddb.update_table(TableName=job_table, DeletionProtectionEnabled=False)
    assert ddb.delete_table(TableName=job_table)["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName=job_table)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_stream_reenable_gets_new_arn(ddb, job_table):
    first = ddb.describe_table(TableName=job_table)["Table"]["LatestStreamArn"]
    ddb.update_table(TableName=job_table, StreamSpecification={"StreamEnabled": False})
    table = ddb.describe_table(TableName=job_table)["Table"]
    assert "StreamSpecification" not in table
    ddb.update_table(TableName=job_table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    second = ddb.describe_table(TableName=job_table)["Table"]["LatestStreamArn"]
    assert second != first


def test_update_table_with_nothing_to_do(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=job_table)
    assert error_of(exc)[0] == "ValidationException"


def test_describe_limits_and_endpoints(ddb):
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440


def test_lsi_query(ddb, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"},
                                {"AttributeName": "jobId", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"},
                                           {"AttributeName": "jobId", "AttributeType": "S"},
                                           {"AttributeName": "createdAt", "AttributeType": "S"}],
                     LocalSecondaryIndexes=[{"IndexName": "ByCreated",
                                             "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"},
                                                           {"AttributeName": "createdAt", "KeyType": "RANGE"}],
                                             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i, created in enumerate(["2026-01-03", "2026-01-01", "2026-01-02"]):
        ddb.put_item(TableName=table_name, Item={"userId": {"S": "u"}, "jobId": {"S": f"j{i}"},
                                                 "createdAt": {"S": created}, "payload": {"S": "x" * 10}})
    out = ddb.query(TableName=table_name, IndexName="ByCreated", KeyConditionExpression="userId = :u",
                    ExpressionAttributeValues={":u": {"S": "u"}}, Select="ALL_ATTRIBUTES")
    assert [i["createdAt"]["S"] for i in out["Items"]] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert out["Items"][0]["payload"] == {"S": "x" * 10}  # fetched from the base table
