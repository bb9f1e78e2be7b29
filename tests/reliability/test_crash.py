"""SIGKILL at random moments loses no acknowledged write and leaves no half-done work.

The crash cycles are tests/reliability/crash.py (50 here, CRASH_CYCLES to change; the
soak runs 1,000). The GSI backfill case kills the server again and again while an index
is being filled and checks the index completes and matches the table.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

import orjson

from jobtable.engine.storage import DATABASE_FILE
from tests.conftest import ServerProcess
from tests.reliability.crash import run, scan_all

CYCLES = int(os.environ.get("CRASH_CYCLES", "50"))


def test_acknowledged_writes_survive_random_sigkills(tmp_path):
    report = run(CYCLES, str(tmp_path), seed=int(os.environ.get("CRASH_SEED", "13")), max_run=0.3)
    assert report.cycles == CYCLES
    assert report.acknowledged > CYCLES  # the writers really wrote between kills
    assert report.problems == [], "\n".join(report.problems[:20])
    assert report.lost == 0 and report.server_errors == 0


def _backfill_state(data_dir: str, table: str) -> str:
    conn = sqlite3.connect(f"file:{os.path.join(data_dir, DATABASE_FILE)}?mode=ro", uri=True)
    try:
        meta = orjson.loads(conn.execute("SELECT meta FROM jt_tables WHERE name=?", (table,)).fetchone()[0])
    finally:
        conn.close()
    index = meta["gsis"][0]
    if not index["backfilling"]:
        return "done"
    return "partial" if index["extras"].get("backfill_cursor") else "not started"


def test_gsi_backfill_survives_sigkill_and_completes(tmp_path):
    rng = random.Random(7)
    data_dir = str(tmp_path)
    server = ServerProcess("--background-interval", "0.02", data_dir=data_dir).start()
    ddb = server.client()
    ddb.create_table(TableName="Big", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for start in range(0, 5000, 25):
        ddb.batch_write_item(RequestItems={"Big": [
            {"PutRequest": {"Item": {"id": {"S": f"i{n:05d}"}, "g": {"S": f"g{n % 7}"}, "n": {"N": str(n)}}}}
            for n in range(start, start + 25) if n % 10]})  # every tenth id left out: a sparse pattern
    ddb.update_table(TableName="Big", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}])
    seen = []
    try:
        for attempt in range(30):
            # the first kill lands right after UpdateTable returns (the backfill has only just started);
            # later ones at random moments
            time.sleep(rng.uniform(0, 0.08) if attempt else 0)
            server.stop(signal.SIGKILL)
            state = _backfill_state(data_dir, "Big")
            seen.append(state)
            server.start()
            if state == "done":
                break
        ddb = server.client()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            index = ddb.describe_table(TableName="Big")["Table"]["GlobalSecondaryIndexes"][0]
            if index["IndexStatus"] == "ACTIVE":
                break
            time.sleep(0.02)
        assert index["IndexStatus"] == "ACTIVE" and not index.get("Backfilling")
        # writes while and after the index was built are in it too
        ddb.put_item(TableName="Big", Item={"id": {"S": "late"}, "g": {"S": "g1"}, "n": {"N": "-1"}})
        base = sorted(orjson.dumps(i, option=orjson.OPT_SORT_KEYS) for i in scan_all(ddb, TableName="Big"))
        indexed = sorted(orjson.dumps(i, option=orjson.OPT_SORT_KEYS)
                         for i in scan_all(ddb, TableName="Big", IndexName="ByG"))
        assert len(base) == 4501
        assert indexed == base
    finally:
        server.stop()
    assert any(s != "done" for s in seen), f"no kill landed during the backfill: {seen}"
