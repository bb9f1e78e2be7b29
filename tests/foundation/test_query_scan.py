"""Query and Scan through boto3: the seed's query patterns, pagination, segments, selects, errors."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def put_jobs(ddb, table: str, n: int, *, status_of=lambda i: "pending", user_of=lambda i: f"user{i % 3}",
             pad: int = 0) -> None:
    for i in range(n):
        item = {"jobId": {"S": f"job-{i:05d}"}, "status": {"S": status_of(i)}, "userId": {"S": user_of(i)},
                "createdAt": {"S": f"2026-01-{1 + i % 28:02d}T00:00:{i % 60:02d}.{i:03d}Z"[:24]},
                "n": {"N": str(i)}}
        if pad:
            item["pad"] = {"S": "x" * pad}
        ddb.put_item(TableName=table, Item=item)


def test_seed_reserved_word_query_fails_with_dynamodb_message(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=job_table, IndexName="StatusIndex", KeyConditionExpression="status = :status",
                  ExpressionAttributeValues={":status": {"S": "processing"}})
    assert error_of(exc) == ("ValidationException", "Invalid KeyConditionExpression: Attribute name is a reserved "
                             "keyword; reserved keyword: status")


def test_query_status_index_sorted_by_created(ddb, job_table):
    put_jobs(ddb, job_table, 40, status_of=lambda i: "processing" if i % 2 else "pending")
    out = ddb.query(TableName=job_table, IndexName="StatusIndex", KeyConditionExpression="#s = :status",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":status": {"S": "processing"}})
    created = [i["createdAt"]["S"] for i in out["Items"]]
    assert out["Count"] == 20 and created == sorted(created)
    newest = ddb.query(TableName=job_table, IndexName="StatusIndex", KeyConditionExpression="#s = :status",
                       ExpressionAttributeNames={"#s": "status"}, ScanIndexForward=False, Limit=5,
                       ExpressionAttributeValues={":status": {"S": "processing"}})
    assert [i["createdAt"]["S"] for i in newest["Items"]] == sorted(created, reverse=True)[:5]
    assert "LastEvaluatedKey" in newest
    assert set(newest["LastEvaluatedKey"]) == {"jobId", "status", "createdAt"}


def test_query_user_index_with_created_range(ddb, job_table):
    put_jobs(ddb, job_table, 60)
    out = ddb.query(TableName=job_table, IndexName="UserIndex",
                    KeyConditionExpression="userId = :u AND createdAt BETWEEN :a AND :b",
                    ExpressionAttributeValues={":u": {"S": "user1"}, ":a": {"S": "2026-01-05"},
                                               ":b": {"S": "2026-01-10T99"}})
    assert out["Items"] and all("2026-01-05" <= i["createdAt"]["S"] <= "2026-01-10T99" for i in out["Items"])
    assert all(i["userId"]["S"] == "user1" for i in out["Items"])
    prefixed = ddb.query(TableName=job_table, IndexName="UserIndex",
                         KeyConditionExpression="userId = :u AND begins_with(createdAt, :p)",
                         ExpressionAttributeValues={":u": {"S": "user1"}, ":p": {"S": "2026-01-07"}})
    assert all(i["createdAt"]["S"].startswith("2026-01-07") for i in prefixed["Items"])


def test_query_paginates_through_all_items(ddb, job_table):
    put_jobs(ddb, job_table, 55)
    pages = ddb.get_paginator("query").paginate(
        TableName=job_table, IndexName="StatusIndex", KeyConditionExpression="#s = :p",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":p": {"S": "pending"}},
        PaginationConfig={"PageSize": 7})
    ids = [i["jobId"]["S"] for p in pages for i in p["Items"]]
    assert len(ids) == 55 and len(set(ids)) == 55


def test_one_megabyte_page_limit_applies_before_filter(ddb, job_table):
    put_jobs(ddb, job_table, 30, pad=100_000)  # ~3 MB in all
    first = ddb.scan(TableName=job_table, FilterExpression="n < :zero", ExpressionAttributeValues={":zero": {"N": "0"}})
    assert first["Count"] == 0 and 8 <= first["ScannedCount"] <= 11 and "LastEvaluatedKey" in first
    total, start, pages = 0, None, 0
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=job_table, Select="COUNT", **kwargs)
        total += page["ScannedCount"]
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert total == 30 and pages >= 3


def test_scan_with_filter_seed_date_range(ddb, job_table):
    put_jobs(ddb, job_table, 40)
    out = ddb.scan(TableName=job_table, FilterExpression="createdAt BETWEEN :start AND :end",
                   ExpressionAttributeValues={":start": {"S": "2026-01-01T00:00:00Z"}, ":end": {"S": "2026-01-10T23:59:59Z"}})
    assert out["ScannedCount"] == 40
    created = [f"2026-01-{1 + i % 28:02d}T00:00:{i % 60:02d}.{i:03d}Z"[:24] for i in range(40)]
    # Plain string comparison, as DynamoDB does: "...00.000Z" sorts before "...00Z" ('.' < 'Z'),
    # which is why mixing timestamp formats (the seed's utcnow().isoformat()) breaks ranges.
    expected = sum(1 for c in created if "2026-01-01T00:00:00Z" <= c <= "2026-01-10T23:59:59Z")
    assert out["Count"] == expected < sum(1 for i in range(40) if 1 + i % 28 <= 10)


def test_parallel_scan_segments_cover_table_once(ddb, job_table):
    put_jobs(ddb, job_table, 100)
    seen = []
    for segment in range(4):
        start = None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = ddb.scan(TableName=job_table, Segment=segment, TotalSegments=4, Limit=9, **kwargs)
            seen += [i["jobId"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(seen) == sorted(f"job-{i:05d}" for i in range(100))


def test_segment_errors(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=job_table, Segment=4, TotalSegments=4)
    assert error_of(exc)[1] == ("The Segment parameter is zero-based and must be less than parameter "
                                "TotalSegments: Segment: 4 is not less than TotalSegments: 4")


def test_select_count_and_projection(ddb, job_table):
    put_jobs(ddb, job_table, 10)
    out = ddb.query(TableName=job_table, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                    ExpressionAttributeValues={":u": {"S": "user0"}}, Select="COUNT")
    assert "Items" not in out and out["Count"] == 4
    out = ddb.query(TableName=job_table, KeyConditionExpression="jobId = :j", ProjectionExpression="n",
                    ExpressionAttributeValues={":j": {"S": "job-00003"}})
    assert out["Items"] == [{"n": {"N": "3"}}]


def test_consistent_read_on_gsi_is_rejected(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=job_table, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                  ExpressionAttributeValues={":u": {"S": "u"}}, ConsistentRead=True)
    assert error_of(exc) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")


def test_unknown_index(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=job_table, IndexName="Nope", KeyConditionExpression="userId = :u",
                  ExpressionAttributeValues={":u": {"S": "u"}})
    assert error_of(exc) == ("ValidationException", "The table does not have the specified index: Nope")


def test_query_without_key_condition(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=job_table)
    assert error_of(exc)[1] == "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."


def test_key_condition_missing_hash_key(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=job_table, IndexName="UserIndex", KeyConditionExpression="createdAt = :c",
                  ExpressionAttributeValues={":c": {"S": "x"}})
    assert error_of(exc)[0] == "ValidationException"


def test_sparse_index_skips_items_without_key(ddb, job_table):
    ddb.put_item(TableName=job_table, Item={"jobId": {"S": "nostatus"}, "userId": {"S": "u9"},
                                            "createdAt": {"S": "2026"}})
    out = ddb.scan(TableName=job_table, IndexName="StatusIndex")
    assert all(i["jobId"]["S"] != "nostatus" for i in out["Items"])
    assert ddb.scan(TableName=job_table, IndexName="UserIndex")["Count"] == 1


def test_gsi_follows_updates_and_deletes(ddb, job_table):
    put_jobs(ddb, job_table, 3)
    ddb.update_item(TableName=job_table, Key={"jobId": {"S": "job-00001"}}, UpdateExpression="SET #s = :d",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":d": {"S": "done"}})
    ddb.delete_item(TableName=job_table, Key={"jobId": {"S": "job-00002"}})

    def ids(status):
        return [i["jobId"]["S"] for i in ddb.query(
            TableName=job_table, IndexName="StatusIndex", KeyConditionExpression="#s = :v",
            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":v": {"S": status}})["Items"]]
    assert ids("pending") == ["job-00000"]
    assert ids("done") == ["job-00001"]


def test_numeric_sort_key_order(ddb, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                           {"AttributeName": "n", "AttributeType": "N"}])
    numbers = ["-1E+10", "-5.5", "-1", "-0.001", "0", "0.001", "1", "2", "10", "1E+10", "12345678901234567890"]
    for n in reversed(numbers):
        ddb.put_item(TableName=table_name, Item={"p": {"S": "a"}, "n": {"N": n}})
    got = [i["n"]["N"] for i in ddb.query(TableName=table_name, KeyConditionExpression="p = :p",
                                          ExpressionAttributeValues={":p": {"S": "a"}})["Items"]]
    assert [float(x) for x in got] == sorted(float(x) for x in numbers)
    between = ddb.query(TableName=table_name, KeyConditionExpression="p = :p AND n BETWEEN :a AND :b",
                        ExpressionAttributeValues={":p": {"S": "a"}, ":a": {"N": "-1"}, ":b": {"N": "1"}})
    assert [float(i["n"]["N"]) for i in between["Items"]] == [-1, -0.001, 0, 0.001, 1]
