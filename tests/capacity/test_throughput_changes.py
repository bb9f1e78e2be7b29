"""UpdateTable throughput changes: the daily decrease budget and the per-table maximum."""
from __future__ import annotations

import re

from tests.capacity.helpers import error_of, provisioned_table


def set_throughput(ddb, table, rcu, wcu):
    return ddb.update_table(TableName=table, ProvisionedThroughput={"ReadCapacityUnits": rcu,
                                                                     "WriteCapacityUnits": wcu})


def seconds_to_next_utc_day(now: float) -> float:
    return 86400 - (now % 86400)


def test_four_decreases_then_one_per_hour_then_a_new_day(ddb, backend, table_name):
    now = backend.advance(0)
    if seconds_to_next_utc_day(now) < 6 * 3600:  # keep the whole scenario inside one UTC day
        now = backend.advance(seconds_to_next_utc_day(now) + 60)
    provisioned_table(ddb, table_name, rcu=100, wcu=100)
    for wcu in (90, 80, 70, 60):
        set_throughput(ddb, table_name, 100, wcu)
    described = ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]
    assert described["NumberOfDecreasesToday"] == 4 and described["WriteCapacityUnits"] == 60
    error = error_of(set_throughput, ddb, table_name, 100, 50)
    assert error["Error"]["Code"] == "LimitExceededException"
    message = error["Error"]["Message"]
    assert message.startswith("Subscriber limit exceeded: Provisioned throughput decreases are limited within a "
                              "given UTC day. After the first 4 decreases, each subsequent decrease in the same "
                              "UTC day can be performed at most once every 3600 seconds. Number of decreases "
                              "today: 4. Last decrease at ")
    assert re.search(r"Next decrease can be made at \w+day, \w+ \d+, \d{4} \d+:\d\d:\d\d [AP]M UTC$", message)
    set_throughput(ddb, table_name, 200, 200)  # increases are never limited

    backend.advance(3599)
    assert error_of(set_throughput, ddb, table_name, 200, 150)["Error"]["Code"] == "LimitExceededException"
    backend.advance(1)  # an hour without a decrease earns one more
    set_throughput(ddb, table_name, 200, 150)
    assert error_of(set_throughput, ddb, table_name, 200, 140)["Error"]["Code"] == "LimitExceededException"

    backend.advance(seconds_to_next_utc_day(backend.advance(0)))  # a new UTC day: four more at once
    assert ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    for wcu in (140, 130, 120, 110):
        set_throughput(ddb, table_name, 200, wcu)
    assert ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 4


def test_each_gsi_has_its_own_decrease_budget(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=10, wcu=10, gsi=("ByG", 10, 10))

    def set_index(wcu):
        return ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "ByG", "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": wcu}}}])

    for wcu in (9, 8, 7, 6):
        set_index(wcu)
    assert error_of(set_index, 5)["Error"]["Code"] == "LimitExceededException"
    set_throughput(ddb, table_name, 10, 9)  # the table's own budget is untouched
    index = ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"]["WriteCapacityUnits"] == 6


def test_throughput_above_the_per_table_maximum_is_refused(ddb, backend, table_name):
    provisioned_table(ddb, table_name)
    error = error_of(set_throughput, ddb, table_name, 50000, 5)
    assert error["Error"]["Code"] == "LimitExceededException"
    assert error["Error"]["Message"].startswith("The requested ReadCapacityUnits, 50000, is above the per table "
                                                "maximum for the account in us-east-1. Per table maximum: 40000.")
