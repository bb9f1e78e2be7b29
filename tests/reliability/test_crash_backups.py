"""SIGKILL in the middle of a backup, a restore from a backup and a point-in-time restore.

Each test copies a prepared data dir (a 15,000-item table with a GSI and PITR on), starts
`jobtable serve` on it, starts the operation, kills the server while the operation is
under way (proved from the data file after each kill, as the GSI-backfill crash test
does), restarts it, and checks the operation either completes with exactly the right
content or is cleanly failed — never a corrupt backup or a half-restored ACTIVE table —
and that the source table is untouched by it. Waits poll the API with generous bounds.
"""
from __future__ import annotations

import glob
import os
import random
import shutil
import signal
import sqlite3
import time
from typing import Any, Callable

import orjson
import pytest
from botocore.exceptions import ClientError

from jobtable.engine.storage import DATABASE_FILE
from tests.conftest import ServerProcess

SOURCE = "Src"
ITEMS = 15_000  # restores load 10,000 items per transaction (bulkload.CHUNK), backups write 2,000 per chunk
WAIT = 90.0     # the longest any state is waited for (the machine is shared and loaded)


# -- the prepared source ----------------------------------------------------------------------
def _item(n: int) -> dict:
    item = {"id": {"S": f"i{n:05d}"}, "n": {"N": str(n)}, "pad": {"S": f"row {n} " * 4}}
    if n % 5:  # every fifth item has no index key: the GSI is sparse
        item["g"] = {"S": f"g{n % 7}"}
    return item


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A data dir holding SOURCE with ITEMS items, written in-process (fast), engine closed cleanly."""
    from jobtable.engine.engine import Engine
    from jobtable.inprocess import client

    data_dir = str(tmp_path_factory.mktemp("prepared") / "data")
    engine = Engine(data_dir)
    try:
        ddb = client(engine=engine)
        ddb.create_table(TableName=SOURCE, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                               {"AttributeName": "g", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         GlobalSecondaryIndexes=[{"IndexName": "ByG",
                                                  "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                {"AttributeName": "id", "KeyType": "RANGE"}],
                                                  "Projection": {"ProjectionType": "ALL"}}])
        ddb.update_continuous_backups(TableName=SOURCE, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        for start in range(0, ITEMS, 25):
            ddb.batch_write_item(RequestItems={SOURCE: [{"PutRequest": {"Item": _item(n)}}
                                                        for n in range(start, min(start + 25, ITEMS))]})
    finally:
        engine.close()
    return data_dir


@pytest.fixture
def server(prepared: str, tmp_path) -> Any:
    data_dir = str(tmp_path / "data")
    shutil.copytree(prepared, data_dir)
    proc = ServerProcess("--background-interval", "0.02", data_dir=data_dir)
    proc.data_dir = data_dir
    proc.start(timeout=60)
    try:
        yield proc
    finally:
        proc.stop()


# -- reading the state a kill left behind, from the data file --------------------------------
def _read_db(data_dir: str, query: Callable[[sqlite3.Connection], Any]) -> Any:
    conn = sqlite3.connect(f"file:{os.path.join(data_dir, DATABASE_FILE)}?mode=ro", uri=True)
    try:
        return query(conn)
    finally:
        conn.close()


def backup_state(data_dir: str, arn: str) -> str:
    """'partial' (CREATING with a file being written), 'not started', 'done' or 'gone'."""
    row = _read_db(data_dir, lambda c: c.execute("SELECT status, path FROM jt_backups WHERE arn=?",
                                                 (arn,)).fetchone())
    if row is None:
        return "gone"
    status, path = row
    if status == "AVAILABLE":
        return "done"
    return "partial" if glob.glob(glob.escape(path) + ".*.part") else "not started"


def restore_state(data_dir: str, table: str) -> str:
    """'partial' (being restored, some items loaded), 'not started', 'done' or 'gone'."""
    def query(c: sqlite3.Connection) -> str:
        row = c.execute("SELECT meta FROM jt_tables WHERE name=?", (table,)).fetchone()
        if row is None:
            return "gone"
        meta = orjson.loads(row[0])
        if not meta["extras"]["restore"]["in_progress"]:
            return "done"
        loaded = c.execute(f"SELECT count(*) FROM items_{meta['tid']}").fetchone()[0]
        return "partial" if loaded else "not started"

    return _read_db(data_dir, query)


# -- reading through the API ---------------------------------------------------------------
def scan_all(ddb: Any, table: str, **kwargs: Any) -> dict[str, dict]:
    items: dict[str, dict] = {}
    page: dict = {}
    while True:
        out = ddb.scan(TableName=table, **kwargs, **page)
        items.update((item["id"]["S"], item) for item in out["Items"])
        if "LastEvaluatedKey" not in out:
            return items
        page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}


def expected_source() -> dict[str, dict]:
    return {item["id"]["S"]: item for item in map(_item, range(ITEMS))}


def assert_table_holds(ddb: Any, table: str, expected: dict[str, dict]) -> None:
    """The table, and its GSI, hold exactly `expected`."""
    got = scan_all(ddb, table)
    assert len(got) == len(expected) and got == expected, f"{table}: {len(got)} items, expected {len(expected)}"
    indexed = scan_all(ddb, table, IndexName="ByG")
    assert indexed == {k: v for k, v in expected.items() if "g" in v}, f"{table}'s GSI disagrees with it"


def wait_for(what: str, probe: Callable[[], Any], interval: float = 0.05) -> Any:
    """Poll `probe` until it returns something truthy (at most WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def table_outcome(ddb: Any, table: str, expected_count: int) -> str | None:
    """'ACTIVE' or 'gone' once the restore has ended, None while it runs.

    While the table is CREATING its items must not be readable, and it never reports more
    items than the source holds.
    """
    try:
        described = ddb.describe_table(TableName=table)["Table"]
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return "gone"
    if described["TableStatus"] == "ACTIVE":
        return "ACTIVE"
    assert described["TableStatus"] == "CREATING", described["TableStatus"]
    assert described["RestoreSummary"]["RestoreInProgress"] is True
    assert described["ItemCount"] <= expected_count
    try:
        ddb.get_item(TableName=table, Key={"id": {"S": "i00001"}})
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return None
    # readable: only allowed because the restore finished between the two requests
    assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    return "ACTIVE"


def kill_and_restart(server: ServerProcess, state: Callable[[], str], seen: list[str]) -> None:
    server.stop(signal.SIGKILL)
    seen.append(state())
    server.start(timeout=60)


def change_source(ddb: Any, expected: dict[str, dict], round_no: int) -> None:
    """Writes to the source after the operation began: new items, overwrites and deletes."""
    requests = []
    for k in range(10):
        item = {"id": {"S": f"late-{round_no}-{k}"}, "g": {"S": "g1"}, "n": {"N": str(k)}}
        requests.append({"PutRequest": {"Item": item}})
        expected[item["id"]["S"]] = item
    for n in range(round_no * 10, round_no * 10 + 5):
        item = {"id": {"S": f"i{n:05d}"}, "g": {"S": "moved"}, "n": {"N": str(-n)}}
        requests.append({"PutRequest": {"Item": item}})
        expected[item["id"]["S"]] = item
    for n in range(round_no * 10 + 5, round_no * 10 + 10):
        requests.append({"DeleteRequest": {"Key": {"id": {"S": f"i{n:05d}"}}}})
        expected.pop(f"i{n:05d}", None)
    out = ddb.batch_write_item(RequestItems={SOURCE: requests})
    assert not out.get("UnprocessedItems")


# -- the tests ----------------------------------------------------------------------------------
def test_backup_killed_midway_resumes_with_the_table_as_it_was_requested(server: ServerProcess) -> None:
    rng = random.Random(11)
    ddb = server.client()
    at_backup = expected_source()
    source_now = dict(at_backup)
    for attempt in range(4):
        arn = ddb.create_backup(TableName=SOURCE, BackupName=f"killed-{attempt}")["BackupDetails"]["BackupArn"]
        seen: list[str] = []
        # at once: the call wrote the first 2,000 items and returned, six more chunks and the seal
        # remain (a starved client may still lose that race to the server's background thread: retry)
        kill_and_restart(server, lambda: backup_state(server.data_dir, arn), seen)
        if seen[0] == "partial":
            break
        ddb = server.client()
    for round_no in range(4):
        if seen[-1] in ("done", "gone"):
            break
        ddb = server.client()
        change_source(ddb, source_now, round_no)  # after the backup's moment: must not be in it
        time.sleep(rng.uniform(0, 0.15))
        kill_and_restart(server, lambda: backup_state(server.data_dir, arn), seen)
    assert seen[0] == "partial", f"no kill landed while the backup was being written: {seen}"

    ddb = server.client()

    def backup_status() -> str | None:
        try:
            status = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "BackupNotFoundException"
            return "gone"
        return status if status != "CREATING" else None

    assert wait_for("the backup to end", backup_status) == "AVAILABLE", seen
    ddb.restore_table_from_backup(TargetTableName="FromKilled", BackupArn=arn)
    assert wait_for("the check restore", lambda: table_outcome(ddb, "FromKilled", ITEMS)) == "ACTIVE"
    assert_table_holds(ddb, "FromKilled", at_backup)
    assert_table_holds(ddb, SOURCE, source_now)


def _kill_during_restore(server: ServerProcess, target: str, source_now: dict[str, dict],
                         rng: random.Random) -> list[str]:
    """Kill the server while `target` loads: first at once, then once items are visibly loading."""
    seen: list[str] = []
    state = lambda: restore_state(server.data_dir, target)  # noqa: E731
    kill_and_restart(server, state, seen)
    for round_no in range(1, 6):
        if seen[-1] in ("done", "gone") or (round_no > 2 and "partial" in seen):
            break
        ddb = server.client()

        def loading() -> bool:  # some items loaded (or the restore already ended)
            described = ddb.describe_table(TableName=target)["Table"]
            return described["ItemCount"] > 0 or described["TableStatus"] != "CREATING"

        wait_for("the restore to load items", loading, interval=0.005)
        if round_no > 1:  # the first time at once (10,000 of 15,000 loaded), later a little after
            time.sleep(rng.uniform(0, 0.05))
        kill_and_restart(server, state, seen)
    assert "partial" in seen, f"no kill landed while the restore was loading: {seen}"
    change_source(server.client(), source_now, 1)  # while it may still load: not in the copy either
    return seen


def test_restore_from_backup_killed_midway_never_shows_a_partial_table(server: ServerProcess) -> None:
    ddb = server.client()
    at_backup = expected_source()
    source_now = dict(at_backup)
    arn = ddb.create_backup(TableName=SOURCE, BackupName="to-restore")["BackupDetails"]["BackupArn"]
    wait_for("the backup", lambda: ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
             ["BackupStatus"] == "AVAILABLE")
    ddb.restore_table_from_backup(TargetTableName="Restored", BackupArn=arn)
    change_source(ddb, source_now, 0)
    seen = _kill_during_restore(server, "Restored", source_now, random.Random(12))

    ddb = server.client()
    outcome = wait_for("the restore to end", lambda: table_outcome(ddb, "Restored", ITEMS))
    assert outcome == "ACTIVE", seen  # the backup file is intact, so the restore must complete
    assert_table_holds(ddb, "Restored", at_backup)
    assert_table_holds(ddb, SOURCE, source_now)
    ddb.delete_backup(BackupArn=arn)  # no longer held by a restore


def test_point_in_time_restore_killed_midway_never_shows_a_partial_table(server: ServerProcess) -> None:
    ddb = server.client()
    at_request = expected_source()
    source_now = dict(at_request)
    ddb.restore_table_to_point_in_time(SourceTableName=SOURCE, TargetTableName="Rewound",
                                       UseLatestRestorableTime=True)
    change_source(ddb, source_now, 0)  # after the restore point: must not be in the copy
    seen = _kill_during_restore(server, "Rewound", source_now, random.Random(13))

    ddb = server.client()
    outcome = wait_for("the restore to end", lambda: table_outcome(ddb, "Rewound", ITEMS))
    assert outcome == "ACTIVE", seen  # the source's history is all there, so the restore must complete
    assert_table_holds(ddb, "Rewound", at_request)
    assert_table_holds(ddb, SOURCE, source_now)
