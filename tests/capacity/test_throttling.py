"""Token-bucket throttling through boto3, in-process and over HTTP, with the manual clock."""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.capacity.helpers import code_of, error_of, item_of_units, provisioned_table

TABLE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. Consider increasing "
                 "your provisioning level with the UpdateTable API")


def put(ddb, table, pk, units, **extra):
    return ddb.put_item(TableName=table, Item=item_of_units(pk, units, **extra), ReturnConsumedCapacity="TOTAL")


def test_five_wcu_table_bursts_its_bank_then_throttles_and_refills_at_five_units_a_second(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=5, wcu=5)
    assert put(ddb, table_name, "probe", 50)["ConsumedCapacity"]["CapacityUnits"] == 50.0
    for i in range(29):  # 30 x 50 units = the 300-second bank of a 5 WCU table
        put(ddb, table_name, f"k{i}", 50)
    error = error_of(put, ddb, table_name, "over", 50)
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["Error"]["Message"] == TABLE_MESSAGE
    assert error["ThrottlingReasons"][0]["reason"] == "TableWriteProvisionedThroughputExceeded"
    assert error["ThrottlingReasons"][0]["resource"].endswith(f":table/{table_name}")

    backend.advance(10)  # 10 s x 5 WCU = one more 50-unit write
    put(ddb, table_name, "after-10s", 50)
    assert code_of(put, ddb, table_name, "again", 1) == "ProvisionedThroughputExceededException"
    backend.advance(1)  # 5 units: admitted (the bucket may go into debt), then 45 units owed
    put(ddb, table_name, "after-11s", 50)
    backend.advance(9)  # debt repaid to exactly zero: still nothing to spend
    assert code_of(put, ddb, table_name, "still", 1) == "ProvisionedThroughputExceededException"
    backend.advance(1)
    put(ddb, table_name, "after-21s", 1)

    backend.advance(100_000)  # idle for a day: the bank is capped at 300 seconds of capacity
    for i in range(30):
        put(ddb, table_name, f"b{i}", 50)
    assert code_of(put, ddb, table_name, "capped", 50) == "ProvisionedThroughputExceededException"


def test_reads_throttle_on_their_own_bucket(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=1, wcu=100)
    put(ddb, table_name, "big", 300)  # 300 KB: 75 strongly consistent read units
    for _ in range(4):  # the 1 RCU table banks 300 read units
        ddb.get_item(TableName=table_name, Key={"pk": {"S": "big"}}, ConsistentRead=True)
    error = error_of(ddb.get_item, TableName=table_name, Key={"pk": {"S": "big"}})
    assert error["ThrottlingReasons"][0]["reason"] == "TableReadProvisionedThroughputExceeded"
    put(ddb, table_name, "writes-still-fine", 1)


def test_exhausted_gsi_throttles_the_base_table_write(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=100, wcu=1000, gsi=("ByG", 100, 1))
    for i in range(3):  # each ~100 KB item writes ~100 units into the 1 WCU (300-unit bank) index
        put(ddb, table_name, f"k{i}", 99, g={"S": "x"})
    error = error_of(put, ddb, table_name, "blocked", 1)
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert "one or more global secondary indexes" in error["Error"]["Message"]
    assert error["ThrottlingReasons"][0] == {
        "reason": "IndexWriteProvisionedThroughputExceeded",
        "resource": ddb.describe_table(TableName=table_name)["Table"]["TableArn"] + "/index/ByG"}
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "blocked"}}).get("Item") is None
    backend.advance(60)  # the index refills at 1 unit a second
    put(ddb, table_name, "unblocked", 1)


def test_gsi_reads_use_the_index_bucket(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=100, wcu=1000, gsi=("ByG", 1, 1000))
    put(ddb, table_name, "big", 200, g={"S": "hot"})  # ~200 KB: 26 eventually consistent index read units
    query = dict(TableName=table_name, IndexName="ByG", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "hot"}})
    for _ in range(12):
        ddb.query(**query)
    error = error_of(ddb.query, **query)
    assert error["ThrottlingReasons"][0]["reason"] == "IndexReadProvisionedThroughputExceeded"
    ddb.get_item(TableName=table_name, Key={"pk": {"S": "big"}})  # the table's own reads are unaffected


def test_on_demand_maximum_throttles_with_throttling_exception(ddb, backend, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     OnDemandThroughput={"MaxWriteRequestUnits": 5, "MaxReadRequestUnits": 10})
    for i in range(5):
        put(ddb, table_name, f"k{i}", 1)
    error = error_of(put, ddb, table_name, "k5", 1)
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["throttlingReasons"][0]["reason"] == "TableWriteMaxOnDemandThroughputExceeded"
    backend.advance(1)  # no burst bank on demand: one second of the maximum
    for i in range(5):
        put(ddb, table_name, f"j{i}", 1)
    assert code_of(put, ddb, table_name, "j5", 1) == "ThrottlingException"


def test_transactions_are_cancelled_with_a_throttling_reason(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=5, wcu=1)
    put(ddb, table_name, "drain", 300)  # the whole 300-unit write bank
    other = table_name + "-b"
    provisioned_table(ddb, other, rcu=5, wcu=5)
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": other, "Item": {"pk": {"S": "a"}}}},
            {"Put": {"TableName": table_name, "Item": {"pk": {"S": "b"}}}}])
    except ClientError as exc:
        error = exc.response
    else:  # TransactWriteItems not served on this branch yet: the guard still ran first
        pytest.fail("the transaction was not throttled")
    if error["Error"]["Code"] == "UnknownOperationException":
        pytest.skip("TransactWriteItems is not served by this build")
    assert error["Error"]["Code"] == "TransactionCanceledException"
    # a provisioned table's exhausted bucket: ProvisionedThroughputExceeded (ThrottlingError is on-demand's)
    assert [r["Code"] for r in error["CancellationReasons"]] == ["None", "ProvisionedThroughputExceeded"]
    assert error["Error"]["Message"].endswith("[None, ProvisionedThroughputExceeded]")


def test_no_throttling_mode_never_refuses():
    from jobtable.clock import ManualClock
    from jobtable.engine.engine import Engine
    from jobtable.inprocess import client

    engine = Engine(None, clock=ManualClock(1_790_000_000), throttling=False)
    try:
        ddb = client(engine=engine)
        provisioned_table(ddb, "free", rcu=1, wcu=1)
        for i in range(5):
            put(ddb, "free", f"k{i}", 100)  # 500 units against a 300-unit bank
    finally:
        engine.close()


def test_boto3_standard_retries_treat_throttling_as_retryable(backend, table_name, monkeypatch):
    if backend.name != "inprocess":
        pytest.skip("retry counting needs the in-process transport (no real sleeps)")
    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    ddb = backend.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    provisioned_table(ddb, table_name, rcu=1, wcu=1)
    put(ddb, table_name, "drain", 300)
    error = error_of(put, ddb, table_name, "retried", 1)
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["ResponseMetadata"]["RetryAttempts"] >= 2  # botocore retried the throttled call


def test_batch_writes_past_the_bank_come_back_unprocessed(backend, table_name):
    ddb = backend.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    provisioned_table(ddb, table_name, rcu=5, wcu=1)
    put(ddb, table_name, "drain", 297)  # three units left in the 300-unit bank
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(5)]
    out = ddb.batch_write_item(RequestItems={table_name: writes}, ReturnConsumedCapacity="TOTAL")
    assert out["UnprocessedItems"][table_name] == writes[3:]
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 3.0
    error = error_of(ddb.batch_write_item, RequestItems={table_name: writes[3:]})
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"  # nothing could be written
    backend.advance(2)
    assert ddb.batch_write_item(RequestItems={table_name: writes[3:]})["UnprocessedItems"] == {}


def test_on_demand_tables_are_capped_by_the_per_table_quota_in_real_time():
    from jobtable.clock import Clock, ManualClock
    from jobtable.engine.capacity import Consumed
    from jobtable.engine.engine import Engine
    from jobtable.inprocess import client

    for clock, capped in ((Clock(), True), (ManualClock(1_790_000_000), False)):
        engine = Engine(None, clock=clock)
        try:
            client(engine=engine).create_table(
                TableName="quota", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
            meta = engine.catalog.require("quota")
            engine.throttle.charge(Consumed("quota", write=80_000))  # two seconds of the 40,000/s quota at once
            event = engine.throttle.exhausted(meta, "write")
            assert (event is not None) is capped  # frozen test time would make the quota a lifetime cap
            if capped:
                from jobtable.engine.throttle import throttling_error

                error = throttling_error(meta, event)
                assert type(error).__name__ == "RequestLimitExceeded"
                assert error.extra["ThrottlingReasons"][0]["reason"] == "TableWriteAccountLimitExceeded"
        finally:
            engine.close()
