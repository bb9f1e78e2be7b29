"""`jobtable tables ...` as a subprocess."""
import uuid

import pytest

from jobtable.jobs import JobStore
from tests.module.endpoint_servers import missing_operations


def test_list_and_describe(jobtable, jobs_table):
    listed = jobtable("tables", "list", "-o", "json").json()
    assert {"TableName": jobs_table, "TableStatus": "ACTIVE", "ItemCount": 0} in listed
    assert jobs_table in jobtable("tables", "list").stdout
    described = jobtable("tables", "describe", jobs_table, "-o", "json").json()
    assert described["Table"]["KeySchema"] == [{"AttributeName": "jobId", "KeyType": "HASH"}]
    assert sorted(ix["IndexName"] for ix in described["Table"]["GlobalSecondaryIndexes"]) == ["StatusIndex", "UserIndex"]
    text = jobtable("tables", "describe").stdout  # the name comes from JOBTABLE_TABLE
    assert "StatusIndex (status HASH, createdAt RANGE; ALL; ACTIVE)" in text


def test_describe_shows_ttl(jobtable, jobs_table, client):
    if missing_operations(client, ["UpdateTimeToLive"]):
        pytest.skip("this server does not implement UpdateTimeToLive yet")
    client.update_time_to_live(TableName=jobs_table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    described = jobtable("tables", "describe", jobs_table, "-o", "json").json()
    assert described["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    assert "ENABLED (ttl)" in jobtable("tables", "describe").stdout


def test_copy_with_progress(jobtable, endpoint, jobs_table, client):
    store = JobStore(endpoint.client(), jobs_table)
    for n in range(60):
        store.create_job(f"user{n % 3}", "convert")
    target = f"copy-{uuid.uuid4().hex[:8]}"
    result = jobtable("tables", "copy", jobs_table, target, "--create-target", "--segments", "3", "-o", "json")
    assert result.json() == {"scanned": 60, "written": 60, "skipped": 0}
    assert "60/60" in result.stderr  # the progress bar (rich, on stderr)
    assert JobStore(client, target).count_by_status()["pending"] == 60
    missing = jobtable("tables", "copy", jobs_table, "NoSuchTable", check=False)
    assert missing.returncode == 1 and missing.stderr.strip() == "Error: table 'NoSuchTable' not found"
    client.delete_table(TableName=target)
