"""ImportTable with repeated keys: the later line wins, in the same chunk or a later one,
and the replaced copy leaves no index entry behind (the bulk loader's batched replace)."""
from __future__ import annotations

import os
from typing import Any

import orjson
import pytest

JOB_TABLE = {
    "TableName": "imported-jobs", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "jobId", "AttributeType": "S"},
                             {"AttributeName": "status", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "jobId", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "StatusIndex",
                                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}],
}


def write_lines(local: Any, items: list[dict]) -> None:
    from jobtable.engine.s3local import object_path

    path = object_path(local.engine, "incoming", "jobs/part-1.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\n".join(orjson.dumps({"Item": item}) for item in items) + b"\n")


def job(job_id: str, status: str, note: str = "") -> dict:
    return {"jobId": {"S": job_id}, "status": {"S": status}, "note": {"S": note}}


@pytest.mark.parametrize("chunk", [2, 10_000])  # repeats across chunks, and within one chunk
def test_later_line_replaces_earlier_and_its_index_entry(local: Any, monkeypatch: Any, chunk: int) -> None:
    from jobtable.engine import imports

    monkeypatch.setattr(imports, "CHUNK", chunk)
    write_lines(local, [job("a", "queued", "first"), job("b", "queued"), job("c", "queued"),
                        job("a", "running", "second"), job("d", "done"), job("a", "done", "third"),
                        job("b", "queued", "again")])
    arn = local.ddb.import_table(S3BucketSource={"S3Bucket": "incoming", "S3KeyPrefix": "jobs/"},
                                 InputFormat="DYNAMODB_JSON",
                                 TableCreationParameters=JOB_TABLE)["ImportTableDescription"]["ImportArn"]
    local.settle()
    done = local.ddb.describe_import(ImportArn=arn)["ImportTableDescription"]
    assert (done["ImportStatus"], done["ProcessedItemCount"], done["ErrorCount"]) == ("COMPLETED", 7, 0)
    ddb = local.ddb
    assert ddb.get_item(TableName="imported-jobs", Key={"jobId": {"S": "a"}})["Item"] == job("a", "done", "third")
    assert ddb.get_item(TableName="imported-jobs", Key={"jobId": {"S": "b"}})["Item"] == job("b", "queued", "again")

    def ids(status: str) -> list[str]:
        found = ddb.query(TableName="imported-jobs", IndexName="StatusIndex", KeyConditionExpression="#s = :s",
                          ExpressionAttributeNames={"#s": "status"},
                          ExpressionAttributeValues={":s": {"S": status}})["Items"]
        return sorted(item["jobId"]["S"] for item in found)

    assert (ids("queued"), ids("running"), ids("done")) == (["b", "c"], [], ["a", "d"])
    table = ddb.describe_table(TableName="imported-jobs")["Table"]
    assert table["ItemCount"] == 4
    assert table["TableSizeBytes"] == sum(_size(i) for i in (
        job("a", "done", "third"), job("b", "queued", "again"), job("c", "queued"), job("d", "done")))


def _size(item: dict) -> int:
    from jobtable.engine.values import item_size

    return item_size(item)
