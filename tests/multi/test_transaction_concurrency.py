"""8 threads x 500 TransactWriteItems moving a counter between two items, in-process and over HTTP.

Each transaction moves one unit from one item to the other (conditional on the source
having it) and counts itself on both items. A reader takes TransactGetItems snapshots all
along. Serializable transactions mean: the sum never changes in any snapshot, and every
committed transaction is counted exactly once on each item (no lost update).
"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

THREADS = 8
TRANSACTIONS_PER_THREAD = 500
START = 2000

pytestmark = pytest.mark.slow


def move(table: str, source: str, target: str) -> list[dict]:
    one = {":one": {"N": "1"}}
    return [
        {"Update": {"TableName": table, "Key": {"pk": {"S": source}},
                    "UpdateExpression": "SET balance = balance - :one ADD moves :one",
                    "ConditionExpression": "balance >= :one", "ExpressionAttributeValues": one}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": target}},
                    "UpdateExpression": "SET balance = balance + :one ADD moves :one",
                    "ExpressionAttributeValues": one}},
    ]


def test_concurrent_transfers_keep_the_sum_and_lose_nothing(backend: Any, ddb: Any, make_table: Any) -> None:
    table = make_table("hash")
    for pk in ("A", "B"):
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "balance": {"N": str(START)}, "moves": {"N": "0"}})
    committed = [0] * THREADS
    errors: list[BaseException] = []
    snapshots: list[int] = []
    done = threading.Event()

    def writer(index: int) -> None:
        client = backend.client("dynamodb")
        source, target = ("A", "B") if index % 2 == 0 else ("B", "A")
        try:
            for _ in range(TRANSACTIONS_PER_THREAD):
                try:
                    client.transact_write_items(TransactItems=move(table, source, target))
                    committed[index] += 1
                except ClientError as error:
                    if error.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)

    def reader() -> None:
        client = backend.client("dynamodb")
        keys = [{"Get": {"TableName": table, "Key": {"pk": {"S": pk}}}} for pk in ("A", "B")]
        while not done.is_set():
            items = [r["Item"] for r in client.transact_get_items(TransactItems=keys)["Responses"]]
            snapshots.append(sum(int(i["balance"]["N"]) for i in items))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    assert not errors, errors[0]
    a, b = (ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ConsistentRead=True)["Item"] for pk in ("A", "B"))
    total = sum(committed)
    assert int(a["balance"]["N"]) + int(b["balance"]["N"]) == 2 * START
    assert int(a["moves"]["N"]) == int(b["moves"]["N"]) == total
    moved_to_b = sum(committed[0::2]) - sum(committed[1::2])
    assert int(b["balance"]["N"]) == START + moved_to_b
    assert total == THREADS * TRANSACTIONS_PER_THREAD  # balances never ran dry in this schedule
    assert snapshots and set(snapshots) == {2 * START}
