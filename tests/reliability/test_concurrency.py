"""Many clients on many HTTP connections: no lost update, no blocked writer, no orphan index row.

All tests run against one real server subprocess (tests/conftest.py's session server);
every thread has its own boto3 client, so its own connections.
"""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Callable

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _client(server: Any) -> Any:
    return server.client(config=Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=60,
                                       max_pool_connections=4))


def _in_threads(count: int, target: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # surfaced in the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if errors:
        raise errors[0]


@pytest.fixture
def table(http_server: Any) -> str:
    name = f"conc-{uuid.uuid4().hex[:10]}"
    _client(http_server).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "grp", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "ByGroup", "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    return name


def test_concurrent_conditional_increments_on_one_item_count_exactly(http_server, table):
    """Read-modify-write with a version condition: every success is one increment, none lost."""
    threads, per_thread = 8, 15
    _client(http_server).put_item(TableName=table, Item={"id": {"S": "counter"}, "n": {"N": "0"}})
    conflicts = [0] * threads

    def increment(i: int) -> None:
        ddb = _client(http_server)
        done = 0
        while done < per_thread:
            n = int(ddb.get_item(TableName=table, Key={"id": {"S": "counter"}}, ConsistentRead=True)["Item"]["n"]["N"])
            try:
                ddb.update_item(TableName=table, Key={"id": {"S": "counter"}}, UpdateExpression="SET n = :new",
                                ConditionExpression="n = :old",
                                ExpressionAttributeValues={":old": {"N": str(n)}, ":new": {"N": str(n + 1)}})
                done += 1
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
                conflicts[i] += 1

    _in_threads(threads, increment)
    item = _client(http_server).get_item(TableName=table, Key={"id": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": str(threads * per_thread)}
    assert sum(conflicts) > 0, "the threads never raced; the test proves nothing"


def test_concurrent_add_increments_count_exactly(http_server, table):
    threads, per_thread = 8, 25

    def add(_i: int) -> None:
        ddb = _client(http_server)
        for _ in range(per_thread):
            ddb.update_item(TableName=table, Key={"id": {"S": "adds"}}, UpdateExpression="ADD n :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})

    _in_threads(threads, add)
    item = _client(http_server).get_item(TableName=table, Key={"id": {"S": "adds"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": str(threads * per_thread)}


def test_writes_complete_while_a_long_paged_scan_runs(http_server, table):
    """Liveness: a Scan of many 1 MB pages holds the engine only per page, so writes interleave."""
    ddb = _client(http_server)
    filler = "x" * 3800
    for start in range(0, 2000, 25):  # ~8 MB: 8+ Scan pages
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"id": {"S": f"i{n:05d}"}, "f": {"S": filler}}}}
                                                   for n in range(start, start + 25)]})
    pages: list[float] = []
    scanning = threading.Event()
    finished = threading.Event()

    def scan() -> None:
        reader = _client(http_server)
        page: dict = {}
        try:
            for _ in range(3):  # three full passes
                while True:
                    out = reader.scan(TableName=table, **page)
                    pages.append(time.monotonic())
                    scanning.set()
                    if "LastEvaluatedKey" not in out:
                        page = {}
                        break
                    page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}
        finally:
            finished.set()

    thread = threading.Thread(target=scan)
    thread.start()
    assert scanning.wait(60)
    writes: list[tuple[float, float]] = []
    writer = _client(http_server)
    while not finished.is_set():
        started = time.monotonic()
        writer.put_item(TableName=table, Item={"id": {"S": f"w{len(writes)}"}, "grp": {"S": "g"}})
        writes.append((started, time.monotonic()))
    thread.join()
    assert len(pages) >= 24
    during = [w for w in writes if pages[0] <= w[0] and w[1] <= pages[-1]]
    assert len(during) >= 10, f"only {len(during)} writes completed during a {len(pages)}-page scan"
    worst = max(end - start for start, end in writes)
    assert worst < 10, f"a write waited {worst:.1f}s behind the scan"  # a hang detector, not a benchmark


def test_gsi_reads_never_see_an_index_row_without_its_item(http_server, table):
    """Writers insert, regroup and delete; a reader queries the GSI then GetItems each key.

    An index row for group g is legitimate only if the item was in g at some moment while
    the query ran: its state when the query started (or a write in flight then), or a
    write started before the GetItem. Anything else is an orphan or stale index row.
    """
    history: dict[str, list[tuple[float, float, str | None]]] = {}  # id -> (sent, acked, grp or None)
    lock = threading.Lock()
    stop = threading.Event()
    groups = ["g0", "g1"]

    def write(i: int) -> None:
        ddb = _client(http_server)
        n = 0
        while not stop.is_set():
            n += 1
            key = f"k{i}-{n % 15}"
            with lock:
                current = history.get(key, [(0, 0, None)])[-1][2]
            if current is None:
                new, call = groups[n % 2], lambda: ddb.put_item(
                    TableName=table, Item={"id": {"S": key}, "grp": {"S": groups[n % 2]}})
            elif n % 3 == 0:
                new, call = None, lambda: ddb.delete_item(TableName=table, Key={"id": {"S": key}})
            else:
                new = groups[(groups.index(current) + 1) % 2]
                call = (lambda g: lambda: ddb.update_item(TableName=table, Key={"id": {"S": key}},
                                                          UpdateExpression="SET grp = :g",
                                                          ExpressionAttributeValues={":g": {"S": g}}))(new)
            sent = time.monotonic()
            with lock:
                history.setdefault(key, [(0, 0, None)]).append((sent, float("inf"), new))
            call()
            with lock:
                entries = history[key]
                entries[-1] = (sent, time.monotonic(), new)

    def possible_groups(key: str, query_sent: float, get_sent: float) -> set[str | None]:
        with lock:
            entries = list(history.get(key, [(0, 0, None)]))
        before = [e for e in entries if e[1] <= query_sent]
        states = {before[-1][2] if before else None}
        states |= {e[2] for e in entries if e[0] < get_sent and e[1] > query_sent}
        return states

    violations: list[str] = []
    checked = [0]

    def read(_i: int) -> None:
        ddb = _client(http_server)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            group = groups[checked[0] % 2]
            query_sent = time.monotonic()
            rows = ddb.query(TableName=table, IndexName="ByGroup", KeyConditionExpression="grp = :g",
                             ExpressionAttributeValues={":g": {"S": group}})["Items"]
            for row in rows:
                key = row["id"]["S"]
                get_sent = time.monotonic()
                item = ddb.get_item(TableName=table, Key={"id": {"S": key}}, ConsistentRead=True).get("Item")
                checked[0] += 1
                if group not in possible_groups(key, query_sent, get_sent):
                    violations.append(f"index row {key} in {group}; item now {item}")
                elif item is None and not possible_groups(key, query_sent, time.monotonic()) & {None}:
                    violations.append(f"index row {key} in {group} without its item")
        stop.set()

    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for thread in writers:
        thread.start()
    try:
        _in_threads(2, read)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    assert checked[0] > 50
    assert violations == []
