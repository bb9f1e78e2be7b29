"""Crash harness: writers log every acknowledged write, the server is SIGKILLed, then checked.

Each cycle starts `jobtable serve --data-dir` (or reuses the running one), runs writer
threads for a random moment, kills the server with SIGKILL, restarts it on the same data
dir and verifies:

- every acknowledged write is there with its exact value; a write in flight at the kill
  (its request failed with a connection error, so its fate is unknown) may be there or
  not, and what was observed becomes the known state for the next cycle;
- no transaction is half-applied: transfers between accounts keep the sum, and each
  account's balance equals the initial balance plus exactly the applied transfers (every
  transaction also advances its writer's marker item, so the marker says which applied);
- both GSIs (ALL and KEYS_ONLY projections) hold exactly the base table's items;
- the change log chains and ends in the stored items (tests/reliability/changelog.py),
  and at the end of the run so does the table's DynamoDB stream, read through the
  Streams API from TRIM_HORIZON, and a point-in-time restore to the latest restorable
  time (PITR is on for the table) must hold exactly the table's items;
- no response was a 5xx.

Writers own their keys (puts/deletes, batches, counters); the transfer writers share the
accounts. `python -m tests.reliability.crash --cycles 1000` is the long run (`make soak`).
"""
from __future__ import annotations

import argparse
import random
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.conftest import ServerProcess
from tests.reliability.changelog import changelog_disagreements
from tests.ttlstreams.streamhelp import read_stream, stream_arn

TABLE = "Crash"
ACCOUNTS = [f"a-{i}" for i in range(8)]
INITIAL_BALANCE = 1000
GROUPS = ["g0", "g1", "g2"]
KEY_POOL = 60  # keys per put/batch writer: overwrites and deletes, bounded table size
MISSING = object()  # the model has no knowledge of this key yet
START_TIMEOUT = 120.0  # a restart after SIGKILL runs quick_check; on a loaded machine that can take a while


def table_spec() -> dict:
    index = {"KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}]}
    return {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                     {"AttributeName": "grp", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {"IndexName": "ByGroup", **index, "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "ByGroupKeys", **index, "Projection": {"ProjectionType": "KEYS_ONLY"}}]}


class ServerError(Exception):
    """A 5xx answer: never acceptable, whatever the load or the crash."""


@dataclass
class Outcome:
    """What a writer learned in one cycle."""
    acked: list[tuple[str, dict | None]] = field(default_factory=list)  # (id, item or None for delete)
    in_flight: list[tuple[str, dict | None]] = field(default_factory=list)  # fate unknown
    counter_acks: int = 0
    counter_in_flight: bool = False
    transfers: list[tuple[str, str, int]] = field(default_factory=list)  # applied (acked) then maybe one unknown
    transfer_in_flight: bool = False
    server_errors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acknowledged: int = 0  # acknowledged write requests


@dataclass
class Report:
    cycles: int = 0
    acknowledged: int = 0
    in_flight: int = 0
    in_flight_applied: int = 0  # in-flight writes found applied after the restart
    lost: int = 0
    server_errors: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"cycles={self.cycles} writes_acknowledged={self.acknowledged} in_flight_at_kill={self.in_flight} "
                f"in_flight_applied={self.in_flight_applied} writes_lost={self.lost} server_errors={self.server_errors} problems={len(self.problems)}")


def _client(server: ServerProcess) -> Any:
    return server.client(config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2,
                                       read_timeout=20, max_pool_connections=2))


def _is_server_error(exc: ClientError) -> bool:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500


class CrashWorkload:
    """The model of what the table must hold, and the writers that change it."""

    def __init__(self, data_dir: str, seed: int = 0, writers: int = 1) -> None:
        self.data_dir = data_dir
        self.rng = random.Random(seed)
        self.writers = writers
        self.known: dict[str, Any] = {}  # id -> item or None (absent), exact
        self.counters = {f"c-{w}": 0 for w in range(writers)}
        self.marker_seq = {f"t-{w}": 0 for w in range(2 * writers)}
        self.balances = {a: INITIAL_BALANCE for a in ACCOUNTS}
        self.report = Report()
        self.cycle = 0
        self.clients: list[Any] = []
        self.verifier: Any = None

    # -- set-up --------------------------------------------------------------------
    def create(self, ddb: Any) -> None:
        ddb.create_table(**table_spec())
        for account in ACCOUNTS:
            item = {"id": {"S": account}, "bal": {"N": str(INITIAL_BALANCE)}}
            ddb.put_item(TableName=TABLE, Item=item)
            self.known[account] = item
        ddb.update_continuous_backups(TableName=TABLE, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})

    # -- writers -------------------------------------------------------------------
    def _item(self, key: str, n: int) -> dict:
        item = {"id": {"S": key}, "v": {"S": f"{self.cycle}-{n}"}, "n": {"N": str(n)}}
        if n % 5:  # some items stay out of the (sparse) indexes
            item["grp"] = {"S": GROUPS[n % len(GROUPS)]}
        return item

    def _run(self, name: str, body: Callable[[Outcome, threading.Event], None], out: Outcome,
             stop: threading.Event) -> None:
        try:
            body(out, stop)
        except ServerError as exc:
            out.server_errors.append(f"{name}: {exc}")
        except Exception as exc:  # a 4xx the workload never provokes: the model would be wrong
            out.errors.append(f"{name}: unexpected {exc!r}")

    def _puts(self, ddb: Any, w: int, rng: random.Random) -> Callable[[Outcome, threading.Event], None]:
        def body(out: Outcome, stop: threading.Event) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                key = f"p-{w}-{rng.randrange(KEY_POOL)}"
                new = None if rng.random() < 0.2 else self._item(key, n)
                try:
                    if new is None:
                        ddb.delete_item(TableName=TABLE, Key={"id": {"S": key}})
                    else:
                        ddb.put_item(TableName=TABLE, Item=new)
                except ClientError as exc:
                    if _is_server_error(exc):
                        raise ServerError(str(exc))
                    raise
                except BotoCoreError:
                    out.in_flight.append((key, new))
                    return
                out.acked.append((key, new))
                out.acknowledged += 1
        return body

    def _batches(self, ddb: Any, w: int, rng: random.Random) -> Callable[[Outcome, threading.Event], None]:
        def body(out: Outcome, stop: threading.Event) -> None:
            n = 0
            while not stop.is_set():
                keys = rng.sample(range(KEY_POOL), rng.randint(1, 25))
                writes = []
                for k in keys:
                    n += 1
                    key = f"b-{w}-{k}"
                    writes.append((key, None if rng.random() < 0.2 else self._item(key, n)))
                requests = [{"DeleteRequest": {"Key": {"id": {"S": key}}}} if item is None
                            else {"PutRequest": {"Item": item}} for key, item in writes]
                try:
                    answer = ddb.batch_write_item(RequestItems={TABLE: requests})
                except ClientError as exc:
                    if _is_server_error(exc):
                        raise ServerError(str(exc))
                    raise
                except BotoCoreError:
                    out.in_flight.extend(writes)
                    return
                unprocessed = {str(r) for r in answer.get("UnprocessedItems", {}).get(TABLE, [])}
                for (key, item), request in zip(writes, requests):
                    if str(request) not in unprocessed:
                        out.acked.append((key, item))
                out.acknowledged += 1
        return body

    def _counter(self, ddb: Any, w: int) -> Callable[[Outcome, threading.Event], None]:
        key = {"id": {"S": f"c-{w}"}}

        def body(out: Outcome, stop: threading.Event) -> None:
            while not stop.is_set():
                try:
                    ddb.update_item(TableName=TABLE, Key=key, UpdateExpression="ADD n :one",
                                    ExpressionAttributeValues={":one": {"N": "1"}})
                except ClientError as exc:
                    if _is_server_error(exc):
                        raise ServerError(str(exc))
                    raise
                except BotoCoreError:
                    out.counter_in_flight = True
                    return
                out.counter_acks += 1
                out.acknowledged += 1
        return body

    def _transfers(self, ddb: Any, marker: str, rng: random.Random) -> Callable[[Outcome, threading.Event], None]:
        def body(out: Outcome, stop: threading.Event) -> None:
            seq = self.marker_seq[marker]
            while not stop.is_set():
                source, target = rng.sample(ACCOUNTS, 2)
                amount = rng.randint(1, 50)
                values = {":amt": {"N": str(amount)}}
                items = [
                    {"Update": {"TableName": TABLE, "Key": {"id": {"S": source}}, "UpdateExpression": "SET bal = bal - :amt",
                                "ConditionExpression": "bal >= :amt", "ExpressionAttributeValues": values}},
                    {"Update": {"TableName": TABLE, "Key": {"id": {"S": target}}, "UpdateExpression": "SET bal = bal + :amt",
                                "ExpressionAttributeValues": values}},
                    {"Put": {"TableName": TABLE, "Item": {"id": {"S": marker}, "seq": {"N": str(seq + 1)}},
                             "ConditionExpression": "attribute_not_exists(id) OR seq = :prev",
                             "ExpressionAttributeValues": {":prev": {"N": str(seq)}}}},
                ]
                try:
                    ddb.transact_write_items(TransactItems=items)
                except ClientError as exc:
                    if _is_server_error(exc):
                        raise ServerError(str(exc))
                    if exc.response["Error"]["Code"] in ("TransactionCanceledException", "TransactionConflictException"):
                        continue  # definitely not applied (insufficient balance or a conflict)
                    raise
                except BotoCoreError:
                    out.transfers.append((source, target, amount))
                    out.transfer_in_flight = True
                    return
                seq += 1
                out.transfers.append((source, target, amount))
                out.acknowledged += 1
        return body

    # -- one cycle -----------------------------------------------------------------
    def cycle_once(self, server: ServerProcess, max_run: float) -> None:
        """Write, kill at a random moment, restart; the caller then calls `verify`."""
        self.cycle += 1
        stop = threading.Event()
        jobs: list[tuple[str, Callable, Outcome]] = []
        if not self.clients:  # one client per thread, kept across restarts (same port)
            self.clients = [_client(server) for _ in range(5 * self.writers)]
        clients = iter(self.clients)
        for w in range(self.writers):
            rng = random.Random(self.rng.random())
            jobs.append(("puts", self._puts(next(clients), w, rng), Outcome()))
            jobs.append(("batches", self._batches(next(clients), w, rng), Outcome()))
            jobs.append(("counter", self._counter(next(clients), w), Outcome()))
            for t in (2 * w, 2 * w + 1):
                jobs.append((f"transfers-{t}", self._transfers(next(clients), f"t-{t}", random.Random(rng.random())),
                             Outcome()))
        threads = [threading.Thread(target=self._run, args=(name, body, out, stop), daemon=True)
                   for name, body, out in jobs]
        for thread in threads:
            thread.start()
        # kill during the steady flow: once every writer has had an answer (bounded wait)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(out.acknowledged or out.in_flight or out.transfers
                                                      for _name, _body, out in jobs):
            time.sleep(0.005)
        time.sleep(self.rng.uniform(0, max_run))
        server.stop(signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        self.outcomes = [(name, out) for name, _body, out in jobs]
        server.start(timeout=START_TIMEOUT)

    def verify(self, server: ServerProcess) -> list[str]:
        """Compare the restarted server with the model; fold the observed fates into it."""
        ddb = self.verifier = self.verifier or _client(server)
        items = {it["id"]["S"]: it for it in scan_all(ddb, ConsistentRead=True)}
        problems: list[str] = []
        report = self.report
        report.cycles += 1
        expected = dict(self.known)
        maybe: dict[str, list[Any]] = {}
        counter_names = {}
        for name, out in self.outcomes:
            report.acknowledged += out.acknowledged
            report.server_errors += len(out.server_errors)
            problems += out.server_errors + out.errors
            for key, item in out.acked:
                expected[key] = item
                maybe.pop(key, None)
            for key, item in out.in_flight:
                report.in_flight += 1
                maybe[key] = [expected.get(key, None), item]
            if name == "counter":
                counter_names[len(counter_names)] = out
        # puts, deletes, batches
        for key, want in expected.items():
            if key.startswith(("c-", "t-", "a-")):
                continue
            got = items.get(key)
            allowed = maybe.get(key, [want])
            if got not in allowed:
                report.lost += 1
                problems.append(f"cycle {self.cycle}: {key} is {got}, expected one of {allowed}")
            self.known[key] = got
        for key, candidates in maybe.items():
            got = items.get(key)
            report.in_flight_applied += got == candidates[1] != candidates[0]
            if key not in expected:
                if got not in candidates:
                    problems.append(f"cycle {self.cycle}: {key} is {got}, expected one of {candidates}")
                self.known[key] = got
        # counters
        for w, out in counter_names.items():
            key = f"c-{w}"
            base = self.counters[key] + out.counter_acks
            got = int(items[key]["n"]["N"]) if key in items else 0
            if got != base and not (out.counter_in_flight and got == base + 1):
                report.lost += 1
                problems.append(f"cycle {self.cycle}: counter {key} is {got} after {base} acknowledged increments")
            self.counters[key] = got
        # transfers: the marker says how many of each writer's transactions applied
        balances = dict(self.balances)
        for name, out in self.outcomes:
            if not name.startswith("transfers-"):
                continue
            marker = f"t-{name.split('-')[1]}"
            seq0 = self.marker_seq[marker]
            got = int(items[marker]["seq"]["N"]) if marker in items else 0
            acked = len(out.transfers) - out.transfer_in_flight
            if not seq0 + acked <= got <= seq0 + len(out.transfers):
                report.lost += 1
                problems.append(f"cycle {self.cycle}: marker {marker} at {got}, acknowledged up to {seq0 + acked}")
                got = max(seq0, min(got, seq0 + len(out.transfers)))
            for source, target, amount in out.transfers[:got - seq0]:
                balances[source] -= amount
                balances[target] += amount
            self.marker_seq[marker] = got
        observed = {a: int(items[a]["bal"]["N"]) for a in ACCOUNTS if a in items}
        if observed != balances:
            problems.append(f"cycle {self.cycle}: balances {observed} != applied transfers {balances} "
                            f"(sum {sum(observed.values())}, expected {INITIAL_BALANCE * len(ACCOUNTS)})")
        self.balances = observed if len(observed) == len(ACCOUNTS) else balances
        # anything the model never wrote
        for key in items:
            if key not in self.known and key not in self.counters and key not in self.marker_seq:
                problems.append(f"cycle {self.cycle}: unexpected item {key}")
        problems += [f"cycle {self.cycle}: {p}" for p in index_disagreements(ddb, items)]
        problems += [f"cycle {self.cycle}: {p}" for p in changelog_disagreements(self.data_dir, TABLE)]
        report.problems += problems
        return problems


def scan_all(ddb: Any, **kwargs: Any) -> list[dict]:
    """Every item of a Scan (TableName defaults to the model's table), following the pages."""
    items: list[dict] = []
    page: dict = {}
    kwargs.setdefault("TableName", TABLE)
    while True:
        out = ddb.scan(**kwargs, **page)
        items += out["Items"]
        if "LastEvaluatedKey" not in out:
            return items
        page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}


def index_disagreements(ddb: Any, items: dict[str, dict]) -> list[str]:
    """Scan each GSI and compare it with the base items that carry the index key."""
    problems = []
    in_index = {k: v for k, v in items.items() if "grp" in v}
    full = {it["id"]["S"]: it for it in scan_all(ddb, IndexName="ByGroup")}
    if full != in_index:
        diff = set(full) ^ set(in_index)
        problems.append(f"GSI ByGroup disagrees with the table (keys differing: {sorted(diff)[:10]}, "
                        f"values differing: {[k for k in full if k in in_index and full[k] != in_index[k]][:10]})")
    keys_only = {it["id"]["S"]: it for it in scan_all(ddb, IndexName="ByGroupKeys")}
    want = {k: {"id": v["id"], "grp": v["grp"]} for k, v in in_index.items()}
    if keys_only != want:
        problems.append(f"GSI ByGroupKeys disagrees with the table ({len(keys_only)} rows vs {len(want)} items)")
    return problems


def stream_disagreements(server: ServerProcess, items: dict[str, dict]) -> list[str]:
    """The stream, read from TRIM_HORIZON, must chain per key and end in the table's items."""
    ddb = _client(server)
    records = read_stream(server.client("dynamodbstreams"), stream_arn(ddb, TABLE))
    problems: list[str] = []
    last: dict[str, dict | None] = {}
    for record in records:
        change = record["dynamodb"]
        key = change["Keys"]["id"]["S"]
        if key in last and change.get("OldImage") != last[key]:
            problems.append(f"stream record {change['SequenceNumber']}: old image {change.get('OldImage')} "
                            f"is not the previous new image {last[key]}")
        last[key] = change.get("NewImage") if record["eventName"] != "REMOVE" else None
    for key, item in items.items():
        if last.get(key, "missing") != item:
            problems.append(f"stream ends with {last.get(key, 'no record')} for {key}, the table has {item}")
    problems += [f"stream says {key} exists, the table has no such item"
                 for key, image in last.items() if image is not None and key not in items]
    return problems[:20]


def restore_disagreements(server: ServerProcess, items: dict[str, dict], timeout: float = 120) -> list[str]:
    """Restore the table to its latest restorable time; the copy must equal the table."""
    ddb = _client(server)
    target = f"{TABLE}-restored-{int(time.time())}"
    ddb.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName=target, UseLatestRestorableTime=True)
    deadline = time.monotonic() + timeout
    while ddb.describe_table(TableName=target)["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            return [f"restore to {target} not ACTIVE after {timeout:.0f}s"]
        time.sleep(0.1)
    restored = {it["id"]["S"]: it for it in scan_all(ddb, ConsistentRead=True, TableName=target)}
    if restored == items:
        return []
    differing = sorted(set(restored) ^ set(items)) + [k for k in items if k in restored and restored[k] != items[k]]
    return [f"point-in-time restore differs from the table: {differing[:10]}"]


def run(cycles: int, data_dir: str, seed: int = 0, max_run: float = 0.4, writers: int = 1,
        progress: Callable[[Report], None] | None = None) -> Report:
    server = ServerProcess("--no-throttling", data_dir=data_dir)
    server.start(timeout=START_TIMEOUT)
    workload = CrashWorkload(data_dir, seed, writers)
    try:
        workload.create(_client(server))
        for _ in range(cycles):
            workload.cycle_once(server, max_run)
            workload.verify(server)
            if progress is not None:
                progress(workload.report)
        items = {it["id"]["S"]: it for it in scan_all(_client(server), ConsistentRead=True)}
        problems = stream_disagreements(server, items)
        workload.report.problems += [f"stream: {p}" for p in problems]
        workload.report.problems += restore_disagreements(server, items)
    finally:
        server.stop()
    return workload.report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--max-run", type=float, default=0.5, help="longest write phase before a kill (s)")
    parser.add_argument("--writers", type=int, default=1, help="writer sets (5 threads each)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    started = time.time()

    def progress(report: Report) -> None:
        if report.cycles % 25 == 0 or report.problems:
            print(f"[{time.time() - started:6.0f}s] {report.summary()}", flush=True)
            for problem in report.problems[:5]:
                print("  PROBLEM", problem, flush=True)
            if report.problems:
                raise SystemExit(1)

    with tempfile.TemporaryDirectory() as tmp:
        report = run(args.cycles, args.data_dir or tmp, args.seed, args.max_run, args.writers, progress)
    print(f"seed={args.seed} {report.summary()} elapsed={time.time() - started:.0f}s")
    raise SystemExit(1 if report.problems or report.lost or report.server_errors else 0)


if __name__ == "__main__":
    main()
