"""Item operations through boto3: the seed's patterns, conditions, return values, errors, limits."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def job(job_id: str, status: str = "pending", user: str = "user123", created: str = "2026-01-01T00:00:00.000Z",
        **extra) -> dict:
    item = {"jobId": {"S": job_id}, "status": {"S": status}, "userId": {"S": user}, "createdAt": {"S": created}}
    item.update(extra)
    return item


def error_of(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_put_get_round_trips_every_type(ddb, job_table):
    item = job("job-12345", metadata={"M": {"size": {"N": "10.50"}, "tags": {"SS": ["b", "a"]},
                                             "nested": {"L": [{"BOOL": True}, {"NULL": True}, {"B": b"\x00\x01"}]}}},
               ns={"NS": ["1", "-2.5"]}, bs={"BS": [b"x", b"y"]}, empty={"S": ""})
    ddb.put_item(TableName=job_table, Item=item)
    got = ddb.get_item(TableName=job_table, Key={"jobId": {"S": "job-12345"}})["Item"]
    assert got["metadata"]["M"]["size"] == {"N": "10.5"}  # canonical number form
    assert got["metadata"]["M"]["nested"]["L"][2] == {"B": b"\x00\x01"}
    assert set(got["ns"]["NS"]) == {"1", "-2.5"}
    assert got["empty"] == {"S": ""}


def test_get_missing_item_returns_no_item(ddb, job_table):
    assert "Item" not in ddb.get_item(TableName=job_table, Key={"jobId": {"S": "nope"}})


def test_seed_update_with_escaped_status(ddb, job_table):
    ddb.put_item(TableName=job_table, Item=job("j1"))
    out = ddb.update_item(TableName=job_table, Key={"jobId": {"S": "j1"}},
                          UpdateExpression="SET #status = :status, updatedAt = :updated, outputFile = :output",
                          ExpressionAttributeNames={"#status": "status"},
                          ExpressionAttributeValues={":status": {"S": "completed"},
                                                     ":updated": {"S": "2026-01-01T00:01:00.000Z"},
                                                     ":output": {"S": "out.pdf"}},
                          ConditionExpression="attribute_exists(jobId)", ReturnValues="ALL_NEW")
    assert out["Attributes"]["status"] == {"S": "completed"}
    assert out["Attributes"]["outputFile"] == {"S": "out.pdf"}


def test_unescaped_reserved_word_in_update_is_rejected(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=job_table, Key={"jobId": {"S": "j1"}}, UpdateExpression="SET status = :s",
                        ExpressionAttributeValues={":s": {"S": "x"}})
    assert error_of(exc) == ("ValidationException",
                             "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status")


def test_condition_failure_returns_old_item_when_asked(ddb, job_table):
    ddb.put_item(TableName=job_table, Item=job("j1"))
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item=job("j1", "processing"), ConditionExpression="attribute_not_exists(jobId)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert error_of(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"]["status"] == {"S": "pending"}


def test_update_of_missing_item_with_condition_fails(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=job_table, Key={"jobId": {"S": "ghost"}}, UpdateExpression="SET #s = :s",
                        ConditionExpression="attribute_exists(jobId)", ExpressionAttributeNames={"#s": "status"},
                        ExpressionAttributeValues={":s": {"S": "done"}})
    assert error_of(exc)[0] == "ConditionalCheckFailedException"
    assert "Item" not in ddb.get_item(TableName=job_table, Key={"jobId": {"S": "ghost"}})


def test_update_return_values_variants(ddb, job_table):
    ddb.put_item(TableName=job_table, Item=job("j1", count={"N": "1"}))
    key = {"jobId": {"S": "j1"}}
    out = ddb.update_item(TableName=job_table, Key=key, UpdateExpression="SET #c = #c + :one",
                          ExpressionAttributeNames={"#c": "count"}, ExpressionAttributeValues={":one": {"N": "1"}},
                          ReturnValues="UPDATED_OLD")
    assert out["Attributes"] == {"count": {"N": "1"}}
    out = ddb.update_item(TableName=job_table, Key=key, UpdateExpression="ADD #c :one",
                          ExpressionAttributeNames={"#c": "count"}, ExpressionAttributeValues={":one": {"N": "1"}},
                          ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"count": {"N": "3"}}
    out = ddb.update_item(TableName=job_table, Key=key, UpdateExpression="REMOVE #c",
                          ExpressionAttributeNames={"#c": "count"}, ReturnValues="ALL_OLD")
    assert out["Attributes"]["count"] == {"N": "3"}


def test_update_cannot_touch_key(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=job_table, Key={"jobId": {"S": "j1"}}, UpdateExpression="SET jobId = :v",
                        ExpressionAttributeValues={":v": {"S": "j2"}})
    assert error_of(exc) == ("ValidationException", "One or more parameter values were invalid: Cannot update "
                             "attribute jobId. This attribute is part of the key")


def test_delete_with_return_values(ddb, job_table):
    ddb.put_item(TableName=job_table, Item=job("j1"))
    out = ddb.delete_item(TableName=job_table, Key={"jobId": {"S": "j1"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"]["jobId"] == {"S": "j1"}
    assert "Item" not in ddb.get_item(TableName=job_table, Key={"jobId": {"S": "j1"}})


def test_put_rejects_invalid_return_values(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item=job("j1"), ReturnValues="ALL_NEW")
    assert error_of(exc) == ("ValidationException", "Return values set to invalid value")


def test_unused_expression_values_are_rejected(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item=job("j1"), ConditionExpression="attribute_not_exists(jobId)",
                     ExpressionAttributeValues={":unused": {"S": "x"}})
    assert error_of(exc) == ("ValidationException",
                             "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")


def test_names_without_expression_are_rejected(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=job_table, Key={"jobId": {"S": "j1"}}, ExpressionAttributeNames={"#a": "a"})
    assert error_of(exc) == ("ValidationException",
                             "ExpressionAttributeNames can only be specified when using expressions")


@pytest.mark.parametrize("key,message", [
    ({"jobId": {"N": "1"}}, "The provided key element does not match the schema"),
    ({"jobId": {"S": "a"}, "other": {"S": "b"}}, "The provided key element does not match the schema"),
    ({"jobId": {"S": ""}}, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                           "cannot contain an empty string value. Key: jobId"),
])
def test_key_errors(ddb, job_table, key, message):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=job_table, Key=key)
    assert error_of(exc) == ("ValidationException", message)


def test_put_missing_key_and_wrong_type(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item={"status": {"S": "x"}})
    assert error_of(exc)[1] == "One or more parameter values were invalid: Missing the key jobId in the item"
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item={"jobId": {"N": "1"}})
    assert error_of(exc)[1] == ("One or more parameter values were invalid: Type mismatch for key jobId "
                                "expected: S actual: N")


def test_index_key_type_mismatch_is_rejected(ddb, job_table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item={"jobId": {"S": "j"}, "status": {"N": "1"}})
    assert "Type mismatch for Index Key status Expected: S Actual: N IndexName: StatusIndex" in error_of(exc)[1]


def test_item_size_limit(ddb, job_table):
    ddb.put_item(TableName=job_table, Item={"jobId": {"S": "big"}, "blob": {"S": "x" * (400 * 1024 - 20)}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item={"jobId": {"S": "big"}, "blob": {"S": "x" * (400 * 1024)}})
    assert error_of(exc) == ("ValidationException", "Item size has exceeded the maximum allowed size")


@pytest.mark.parametrize("number,stored", [("1.50", "1.5"), ("-0", "0"), ("1E+2", "100"), ("0.000100", "0.0001"),
                                           ("9.9999999999999999999999999999999999999E+125",
                                            "99999999999999999999999999999999999999" + "0" * 88)])
def test_numbers_are_canonical(ddb, job_table, number, stored):
    ddb.put_item(TableName=job_table, Item={"jobId": {"S": "n"}, "v": {"N": number}})
    assert ddb.get_item(TableName=job_table, Key={"jobId": {"S": "n"}})["Item"]["v"] == {"N": stored}


@pytest.mark.parametrize("number,message", [
    ("1E+126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("1.23456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
    ("abc", "The parameter cannot be converted to a numeric value: abc"),
])
def test_number_errors(ddb, job_table, number, message):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=job_table, Item={"jobId": {"S": "n"}, "v": {"N": number}})
    assert error_of(exc) == ("ValidationException", message)


def test_consumed_capacity_total_and_indexes(ddb, job_table):
    out = ddb.put_item(TableName=job_table, Item=job("cap", blob={"S": "x" * 1500}), ReturnConsumedCapacity="INDEXES")
    cap = out["ConsumedCapacity"]
    # 2 KB item -> 2 WCU on the table; each ALL-projected GSI writes a 2 KB entry (+100 B overhead) -> 2 each
    assert cap["Table"]["CapacityUnits"] == 2.0
    assert cap["GlobalSecondaryIndexes"] == {"StatusIndex": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
                                             "UserIndex": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}
    assert cap["CapacityUnits"] == 6.0
    out = ddb.get_item(TableName=job_table, Key={"jobId": {"S": "cap"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": job_table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}
    out = ddb.get_item(TableName=job_table, Key={"jobId": {"S": "cap"}}, ConsistentRead=True,
                       ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_projection_expression_nested(ddb, job_table):
    ddb.put_item(TableName=job_table, Item=job("p", metadata={"M": {"a": {"L": [{"S": "x"}, {"S": "y"}]}, "b": {"N": "1"}}}))
    got = ddb.get_item(TableName=job_table, Key={"jobId": {"S": "p"}}, ProjectionExpression="metadata.a[1], #s",
                       ExpressionAttributeNames={"#s": "status"})["Item"]
    assert got == {"metadata": {"M": {"a": {"L": [{"S": "y"}]}}}, "status": {"S": "pending"}}


def test_resource_api_works(backend, job_table):
    import boto3

    if backend.name == "inprocess":
        from jobtable.inprocess import resource

        table = resource(engine=backend.engine).Table(job_table)
    else:
        table = boto3.resource("dynamodb", endpoint_url=backend.endpoint, region_name="us-east-1",
                               aws_access_key_id="t", aws_secret_access_key="t").Table(job_table)
    table.put_item(Item={"jobId": "r1", "status": "pending", "n": 5})
    assert table.get_item(Key={"jobId": "r1"})["Item"]["n"] == 5
