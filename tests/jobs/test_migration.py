"""copy_table: parallel scan + BatchWriteItem, with a transform and progress."""
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobtable.jobs import copy_table, create_jobs_table
from jobtable.jobs.migration import create_table_like, write_batch

# moto scans and writes far slower than the jobtable server, so it copies fewer items.
SIZES = {"jobtable": 50_000, "moto": 3_000}


def job_item(n: int) -> dict:
    return {
        "jobId": {"S": f"job-{n:06d}"}, "status": {"S": ("pending", "completed", "failed")[n % 3]},
        "userId": {"S": f"user{n % 97}"}, "createdAt": {"S": f"2026-11-{1 + n % 28:02d}T10:00:00.{n % 1000:03d}Z"},
        "jobType": {"S": "convert"}, "ttl": {"N": str(1_800_000_000 + n)},
        "metadata": {"M": {"size": {"N": str(n * 17)}, "tags": {"L": [{"S": "a"}, {"S": "b"}]}}},
    }


def fill(client, table: str, count: int) -> None:
    items = [job_item(n) for n in range(count)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda start: write_batch(client, table, items[start:start + 25]), range(0, count, 25)))


def count_items(client, table: str) -> int:
    total, params = 0, {"TableName": table, "Select": "COUNT"}
    while True:
        page = client.scan(**params)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.slow
def test_copy_50k_items_with_a_transform(endpoint, client):
    size = SIZES[endpoint.kind]
    source, target = f"src-{uuid.uuid4().hex[:8]}", f"dst-{uuid.uuid4().hex[:8]}"
    create_jobs_table(client, source, enable_ttl=False)
    fill(client, source, size)
    create_table_like(client.describe_table(TableName=source)["Table"], client, target)

    def transform(item):
        if item["status"]["S"] == "failed":
            return None  # drop failed jobs
        return {**item, "schemaVersion": {"N": "2"}}

    reports, lock = [], threading.Lock()

    def progress(n):
        with lock:
            reports.append(n)

    started = time.perf_counter()
    result = copy_table(client, source, client, target, segments=4, transform=transform, progress=progress)
    elapsed = time.perf_counter() - started
    kept = size - len(range(2, size, 3))
    assert (result.scanned, result.written, result.skipped) == (size, kept, size - kept)
    assert sum(reports) == kept and max(reports) <= 25
    assert count_items(client, target) == kept
    sample = client.get_item(TableName=target, Key={"jobId": {"S": "job-000004"}})["Item"]
    assert sample == {**job_item(4), "schemaVersion": {"N": "2"}}
    assert "Item" not in client.get_item(TableName=target, Key={"jobId": {"S": "job-000005"}})
    assert client.query(TableName=target, IndexName="StatusIndex", KeyConditionExpression="#s = :s",
                        ExpressionAttributeNames={"#s": "status"}, Select="COUNT",
                        ExpressionAttributeValues={":s": {"S": "failed"}})["Count"] == 0
    print(f"copied {kept} items in {elapsed:.1f}s ({kept / elapsed:.0f} items/s) on {endpoint.kind}")
    for table in (source, target):
        client.delete_table(TableName=table)


def test_copy_an_empty_table_and_a_missing_one(client, jobs_table):
    target = f"dst-{uuid.uuid4().hex[:8]}"
    create_table_like(client.describe_table(TableName=jobs_table)["Table"], client, target)
    described = client.describe_table(TableName=target)["Table"]
    assert sorted(ix["IndexName"] for ix in described["GlobalSecondaryIndexes"]) == ["StatusIndex", "UserIndex"]
    assert copy_table(client, jobs_table, client, target, segments=3).written == 0
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        copy_table(client, "no-such-table", client, target)
    client.delete_table(TableName=target)
