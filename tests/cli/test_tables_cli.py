"""`jobtable tables ...` as a subprocess."""
import uuid

from jobtable.jobs import JobStore


def test_list_and_describe(jobtable, table_name):
    listed = jobtable("tables", "list", "-o", "json").json()
    assert {"TableName": table_name, "TableStatus": "ACTIVE", "ItemCount": 0} in listed
    assert table_name in jobtable("tables", "list").stdout
    described = jobtable("tables", "describe", table_name, "-o", "json").json()
    assert described["Table"]["KeySchema"] == [{"AttributeName": "jobId", "KeyType": "HASH"}]
    assert sorted(ix["IndexName"] for ix in described["Table"]["GlobalSecondaryIndexes"]) == ["StatusIndex", "UserIndex"]
    assert described["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    text = jobtable("tables", "describe").stdout  # the name comes from JOBTABLE_TABLE
    assert "StatusIndex (status HASH, createdAt RANGE; ALL; ACTIVE)" in text
    assert "ENABLED (ttl)" in text


def test_copy_with_progress(jobtable, endpoint, table_name, client):
    store = JobStore(endpoint.client(), table_name)
    for n in range(60):
        store.create_job(f"user{n % 3}", "convert")
    target = f"copy-{uuid.uuid4().hex[:8]}"
    result = jobtable("tables", "copy", table_name, target, "--create-target", "--segments", "3", "-o", "json")
    assert result.json() == {"scanned": 60, "written": 60, "skipped": 0}
    assert "60/60" in result.stderr  # the progress bar (rich, on stderr)
    assert JobStore(client, target).count_by_status()["pending"] == 60
    missing = jobtable("tables", "copy", table_name, "NoSuchTable", check=False)
    assert missing.returncode == 1 and missing.stderr.strip() == "Error: table 'NoSuchTable' not found"
    client.delete_table(TableName=target)
